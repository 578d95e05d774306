"""The fusion engine: one batch of new documents/facts in, the clusters they change out.

The engine holds no data itself; a *backend* keeps the incremental state (band keys, wire groups,
fact blocking rows, claim groups, clusters). ``sitrep.fuse.sqlstore.StoreBackend`` keeps it in the
store's tables (``fuse_store``); ``sitrep.fuse.memory.MemoryBackend`` in memory (bench, tests).
Every lookup is by key (band key, wire group, place key + date range, speaker key + day range), so
the cost of a batch grows with the batch and its blocks, never with the whole corpus (blocks are
date-bounded: a feed arriving in time order keeps them small; a batch spanning years of dates
loads the places and speakers it touches over all those dates).

Steps per batch:
1. wire copies: band keys of each new text -> candidates sharing a band, published within
   ``WIRE_WINDOW_DAYS`` (when both dates are known) -> exact ``compare`` ->
   union with the candidates' groups (group id = smallest document row id). Exact duplicates join
   their original's group directly.
2. same events / contradictions: blocking rows for new facts; every place with new facts (or whose
   reports changed wire group) rewrites the runs holding a *dirty* fact -- new, regrouped, or once
   clustered with one -- and their contradiction partners (``events.refresh_place``). Fusing in
   batches gives exactly the clusters of fusing everything at once (tested).
3. same claims: new claims meet earlier claims of the same speaker key within ``CLAIM_WINDOW_DAYS``
   (through a stem index, ``_StemIndex``) and join their group when ``text.same_statement`` holds
   (enough shared content stems, and not naming different places or people).

Cluster writes are buffered per batch (``ClusterWrites``) and written in a few bulk statements.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sitrep.fuse.events import EventRow, event_row, iso, ordinal, refresh_place
from sitrep.fuse.text import (
    NAME_MARK,
    Lexicon,
    Signer,
    compare_prepared,
    plain_stems,
    same_split,
    shingle_hashes,
    split_stems,
    speaker_key,
)

CLAIM_WINDOW_DAYS = 14   # renderings of one statement are compared when published this close together
WIRE_WINDOW_DAYS = 30    # wire copies are looked for among documents published this close together


def _day(published: str | None) -> int | None:
    """Ordinal day of a publication date ("2022-10-05..." -> int), None when absent or unreadable."""
    try:
        return ordinal(str(published)[:10]) if published else None
    except ValueError:
        return None



@dataclass
class DocIn:
    id: int
    text: str | None
    outlet: str | None = None
    published: str | None = None
    duplicate_of: int | None = None     # row id of the original of an exact duplicate


@dataclass
class FactIn:
    id: int
    document_id: int
    kind: str
    place_key: str | None
    payload: dict
    published: str | None = None
    outlet: str | None = None


class ClaimRow(NamedTuple):
    fact_id: int
    document_id: int
    speaker_key: str
    speaker: str | None
    side: str | None
    day: str | None
    stems: frozenset
    group: int
    outlet: str | None = None       # filled when loaded
    published: str | None = None
    wire_group: int | None = None


class ClusterWrites:
    """The cluster writes of one batch, applied together at its end: one round trip per kind and
    operation instead of one per cluster. A later write of a cluster replaces an earlier one.
    (Nothing in a batch reads back a cluster it wrote: each place, wire group and claim group is
    refreshed once per batch.)"""

    def __init__(self):
        self.ops: dict[tuple[str, str], tuple | None] = {}

    def sync(self, kind: str, key: str, payload: dict, members: list[dict]) -> None:
        self.ops.pop((kind, key), None)
        self.ops[(kind, key)] = (payload, members)

    def delete(self, kind: str, keys) -> None:
        for key in sorted(keys):
            self.ops.pop((kind, key), None)
            self.ops[(kind, key)] = None

    def flush(self, backend, run_id: int) -> set[tuple[str, str]]:
        """Apply the writes; returns the (kind, key) of every cluster created or changed."""
        deletes: dict[str, set[str]] = {}
        syncs = []
        for (kind, key), op in self.ops.items():
            if op is None:
                deletes.setdefault(kind, set()).add(key)
            else:
                syncs.append((kind, key, op[0], op[1]))
        for kind in sorted(deletes):
            backend.delete_clusters(kind, deletes[kind])
        self.ops = {}
        return backend.sync_clusters(syncs, run_id) if syncs else set()


class _UnionFind:
    """Union-find whose root is always the smallest id (stable cluster keys)."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def add(self, x: int, group: int | None = None) -> None:
        self.parent.setdefault(x, x)
        if group is not None and group != x:
            self.parent.setdefault(group, group)
            self.union(x, group)

    def find(self, x: int) -> int:
        p = self.parent
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo


class FusionEngine:
    def __init__(self, backend, options, *, signer: Signer | None = None, lexicon: Lexicon | None = None):
        self.backend = backend
        self.threshold = float(options.wire_threshold)
        self.window = int(options.event_window_days)
        self.signer = signer or Signer()
        self.lexicon = lexicon or Lexicon.load(options)

    def fuse(self, docs: list[DocIn], facts: list[FactIn], run_id: int,
             retired: set[int] = frozenset()) -> set[tuple[str, str]]:
        """Fuse one batch; returns the (kind, key) of every cluster created or changed.

        RETIRED: fused documents replaced by a newer version (their clusters are rebuilt without them).
        """
        writes = ClusterWrites()
        regrouped = self._wire(docs, run_id, writes, retired) | set(retired)
        self._events(facts, regrouped, writes)
        self._claims(facts, regrouped, writes)
        return writes.flush(self.backend, run_id)

    # ------------------------------------------------------------------ wire copies
    def _wire(self, docs: list[DocIn], run_id: int, writes: ClusterWrites, retired: set[int]) -> set[int]:
        be = self.backend
        sigs: dict = {}                         # document -> (shingle hashes, band keys)
        originals = [d for d in docs if d.duplicate_of is None and d.text]
        for d, (hashes, keys) in zip(originals, self.signer.sign([d.text for d in originals])):
            if len(hashes):
                sigs[d.id] = (hashes, keys)
        old = be.band_lookup(sorted({k for _, keys in sigs.values() for k in keys}))
        old_ids = sorted({i for ids in old.values() for i in ids} - set(sigs))
        day = {d.id: _day(d.published) for d in docs}
        day.update({i: _day(p) for i, p in be.published(old_ids).items()})
        batch_days = [v for v in (day[d.id] for d in docs) if v is not None]
        if batch_days:                  # old documents too far in time from every new one cannot be copies
            lo, hi = min(batch_days) - WIRE_WINDOW_DAYS, max(batch_days) + WIRE_WINDOW_DAYS
            old_ids = [i for i in old_ids if day.get(i) is None or lo <= day[i] <= hi]
        old_groups = be.wire_groups(old_ids + [d.duplicate_of for d in docs if d.duplicate_of])
        texts = be.texts(old_ids)
        cache: dict = {}

        def shingles(i: int) -> tuple[list, set]:
            if i not in cache:
                h = (sigs[i][0] if i in sigs else shingle_hashes(texts.get(i) or "")).tolist()
                cache[i] = (h, set(h))
            return cache[i]

        uf = _UnionFind()
        batch_index: dict[int, list[int]] = {}
        bands: list[tuple[int, list[int]]] = []
        for d in sorted(docs, key=lambda d: d.id):
            uf.add(d.id)
            if d.id not in sigs:
                continue
            hashes, keys = sigs[d.id]
            cands: set[int] = set()
            for k in keys:
                if k in old:
                    cands.update(old[k])
                if k in batch_index:
                    cands.update(batch_index[k])
                    batch_index[k].append(d.id)
                else:
                    batch_index[k] = [d.id]
            for cand in sorted(cands):
                a, b = day.get(d.id), day.get(cand)
                if a is not None and b is not None and abs(a - b) > WIRE_WINDOW_DAYS:
                    continue                   # a reprint follows its story within weeks
                if cand not in uf.parent:
                    uf.add(cand, old_groups.get(cand))
                if uf.find(cand) == uf.find(d.id):
                    continue                   # already linked through another member
                if compare_prepared(*shingles(d.id), shingles(cand)[1]).is_wire_copy(self.threshold):
                    uf.union(d.id, cand)
            bands.append((d.id, keys))
        be.add_bands(bands)                     # the batch's own documents met each other in batch_index
        for d in docs:                          # exact duplicates: their original's group
            if d.duplicate_of is not None:
                uf.add(d.duplicate_of, old_groups.get(d.duplicate_of))
                uf.union(d.id, d.duplicate_of)
        be.set_documents({d.id: uf.find(d.id) for d in docs}, run_id)
        regrouped: set[int] = set()
        sizes = Counter(uf.find(x) for x in list(uf.parent))
        changed = {uf.find(d.id) for d in docs if sizes[uf.find(d.id)] > 1}
        changed |= set(be.wire_groups(sorted(retired)).values()) if retired else set()
        for g in sorted(set(old_groups.values())):
            root = uf.find(g) if g in uf.parent else g
            if root != g:
                regrouped |= set(be.merge_groups(g, root))
                writes.delete("wire_copy", {f"wire:{g}"})
        groups = be.groups_documents(sorted(changed)) if changed else {}
        for g in sorted(changed):
            members = groups.get(g, [])
            key = f"wire:{g}"
            if len(members) < 2:
                writes.delete("wire_copy", {key})
                continue
            pubs = sorted(m["published"] for m in members if m.get("published"))
            payload = {"n_documents": len(members), "outlets": sorted({m["outlet"] for m in members if m.get("outlet")}),
                       "first_seen": pubs[0] if pubs else None, "last_seen": pubs[-1] if pubs else None,
                       "wire_group": g}
            writes.sync("wire_copy", key, payload, [{"document_id": m["id"]} for m in members])
        return regrouped

    # ------------------------------------------------------------------ same event, contradiction
    def _events(self, facts: list[FactIn], regrouped: set[int], writes: ClusterWrites) -> None:
        be = self.backend
        rows = [r for f in facts if f.kind in ("control_change", "event")
                for r in [event_row(f.kind, f.id, f.document_id, f.place_key, f.payload, f.published, f.outlet)]
                if r is not None]
        be.add_event_rows(rows)
        fresh = frozenset(r.fact_id for r in rows)     # added just now: in no cluster yet
        if regrouped:
            rows = rows + be.event_rows_of_documents(sorted(regrouped))
        # dirty facts: the new ones, those of regrouped/retired reports, and every fact that shares
        # a cluster with one of them (a retired report's old event may split or shrink)
        spots = [(r.fact_id, r.place_key, r.eff_date) for r in rows]
        ids = {f for f, _, _ in spots}
        if ids - fresh:
            spots += be.cluster_siblings(("same_event", "contradiction"), sorted(ids - fresh))
        dirty: dict[str, list] = {}
        for fact_id, place_key, eff_date in spots:
            ids.add(fact_id)
            span = dirty.setdefault(place_key, [None, None, False])
            if eff_date is None:
                span[2] = True
            else:
                span[0] = eff_date if span[0] is None else min(span[0], eff_date)
                span[1] = eff_date if span[1] is None else max(span[1], eff_date)
        for place_key in sorted(dirty):
            lo, hi, undated = dirty[place_key]
            refresh_place(be, writes, place_key, lo, hi, undated, self.window, ids, fresh)

    # ------------------------------------------------------------------ same claim
    def _claims(self, facts: list[FactIn], regrouped: set[int], writes: ClusterWrites) -> None:
        be = self.backend
        new: list[ClaimRow] = []
        for f in facts:
            if f.kind != "claim":
                continue
            spk = f.payload.get("speaker") or {}
            key = speaker_key(spk.get("name"))
            stems = self.lexicon.stems(f.payload.get("text") or "")
            if key and stems:
                new.append(ClaimRow(f.id, f.document_id, key, spk.get("name"), spk.get("side"),
                                    (f.published or "")[:10] or None, stems, f.id))
        uf = _UnionFind()
        old_groups: set[int] = set()
        split: dict[frozenset, tuple] = {}     # stem set -> split_stems (each set split once)

        def parts(stems: frozenset) -> tuple:
            got = split.get(stems)
            if got is None:
                got = split[stems] = split_stems(stems)
            return got

        by_speaker: dict[str, list[ClaimRow]] = {}
        for c in new:
            by_speaker.setdefault(c.speaker_key, []).append(c)
        for key, claims in sorted(by_speaker.items()):
            days = [ordinal(c.day) for c in claims if c.day]
            lo = iso(min(days) - CLAIM_WINDOW_DAYS) if days else None
            hi = iso(max(days) + CLAIM_WINDOW_DAYS) if days else None
            block = be.claim_block(key, lo, hi)
            for b in block:
                uf.add(b.fact_id, b.group)
                old_groups.add(b.group)
            seen = _StemIndex(block)
            for c in sorted(claims, key=lambda c: c.fact_id):
                uf.add(c.fact_id)
                root = c.fact_id
                for b in seen.candidates(c.stems, c.day):
                    if uf.find(b.fact_id) != root and _near(c, b) and same_split(parts(c.stems), parts(b.stems)):
                        uf.union(c.fact_id, b.fact_id)
                        root = uf.find(c.fact_id)
                seen.add(c)
        be.add_claims([c._replace(group=uf.find(c.fact_id)) for c in new])
        sizes = Counter(uf.find(x) for x in list(uf.parent))
        changed = {uf.find(c.fact_id) for c in new if sizes[uf.find(c.fact_id)] > 1}
        retired_groups: set[int] = set()
        for g in sorted(old_groups):
            root = uf.find(g)
            if root != g:
                be.merge_claim_groups(g, root)
                writes.delete("same_claim", {f"claim:{g}"})
        if regrouped:
            retired_groups = {c.group for c in be.claims_of_documents(sorted(regrouped))}
        wanted = sorted(changed | retired_groups)
        groups = be.claim_groups(wanted) if wanted else {}
        texts = be.claim_texts(sorted({min(m.fact_id for m in ms) for ms in groups.values() if len(ms) >= 2}))
        for g in wanted:
            members = groups.get(g, [])
            if len(members) < 2:
                if g in retired_groups:
                    writes.delete("same_claim", {f"claim:{g}"})
                continue
            writes.sync("same_claim", f"claim:{g}", _claim_payload(members, texts),
                        [{"document_id": m.document_id, "fact_id": m.fact_id} for m in members])


class _StemIndex:
    """Claims of one speaker block, indexed by stem and fortnight, so that a new claim meets only
    the claims it could be ``same_statement`` with (and ``_near``) instead of the whole block: a
    set-similarity join with probe-side prefix filtering, exact -- it never drops a pair
    ``same_statement`` and ``_near`` accept.

    ``same_statement`` needs ``shared >= 2`` content stems and a Dice of 0.5, hence
    ``shared >= len(a) / 3``: with ``o`` that least overlap, any accepted claim holds one of
    ``a``'s ``len(a) - o + 1`` stems with the shortest posting lists (only ``o - 1`` can be left
    out). Names veto a pair when each side names something the other does not, so a claim naming
    things only meets claims naming none or sharing one of its names. Days are bucketed by
    ``CLAIM_WINDOW_DAYS + 1``: a claim within the window lies in its own bucket or a neighbour."""

    def __init__(self, rows=()):
        self.rows: list[ClaimRow] = []
        self.postings: dict[tuple, list[int]] = {}
        for r in rows:
            self.add(r)

    @staticmethod
    def _bucket(day: str | None) -> int | None:
        return None if day is None else ordinal(day) // (CLAIM_WINDOW_DAYS + 1)

    def add(self, row: ClaimRow) -> None:
        pos = len(self.rows)
        self.rows.append(row)
        b = self._bucket(row.day)
        named = False
        for s in row.stems:
            self.postings.setdefault((s, b), []).append(pos)
            named = named or s.startswith(NAME_MARK)
        if not named:
            self.postings.setdefault(("", b), []).append(pos)        # "" = claims naming nothing

    def _posting(self, stem: str, buckets) -> list[int]:
        post = self.postings
        if len(buckets) == 1:
            return post.get((stem, buckets[0]), [])
        return [i for b in buckets for i in post.get((stem, b), ())]

    def candidates(self, stems: frozenset, day: str | None = None) -> list[ClaimRow]:
        plain = plain_stems(stems)
        n = len(plain)
        if n < 2 or not self.rows:
            return []
        b = self._bucket(day)
        buckets = (None,) if b is None else (b - 1, b, b + 1)
        least = max(2, -(-n // 3))
        lists = sorted((len(ps), s, ps) for s in plain for ps in [self._posting(s, buckets)])
        found: set[int] = set()
        for _, _, ps in lists[:n - least + 1]:
            found.update(ps)
        names = stems - plain
        if names and found:
            allowed = set(self._posting("", buckets))
            for s in names:
                allowed.update(self._posting(s, buckets))
            found &= allowed
        return [self.rows[i] for i in sorted(found)]


def _near(a: ClaimRow, b: ClaimRow) -> bool:
    if a.side and b.side and a.side != b.side:
        return False
    if a.day is None or b.day is None:
        return a.day is None and b.day is None
    return abs(ordinal(a.day) - ordinal(b.day)) <= CLAIM_WINDOW_DAYS


def _claim_payload(members: list[ClaimRow], texts: dict[int, str | None]) -> dict:
    first = min(members, key=lambda m: m.fact_id)
    pubs = sorted(m.published for m in members if m.published)
    names = Counter(m.speaker for m in members if m.speaker)
    sides = Counter(m.side for m in members if m.side)
    return {
        "speaker": names.most_common(1)[0][0] if names else None, "speaker_key": first.speaker_key,
        "side": sides.most_common(1)[0][0] if sides else None, "text": texts.get(first.fact_id),
        "n_sources": len({m.wire_group if m.wire_group is not None else m.document_id for m in members}),
        "n_documents": len({m.document_id for m in members}), "n_reports": len(members),
        "outlets": sorted({m.outlet for m in members if m.outlet}),
        "first_seen": pubs[0] if pubs else None, "last_seen": pubs[-1] if pubs else None,
    }


__all__ = ["FusionEngine", "ClusterWrites", "DocIn", "FactIn", "ClaimRow", "EventRow", "CLAIM_WINDOW_DAYS"]
