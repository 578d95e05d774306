"""The fusion engine: one batch of new documents/facts in, the clusters they change out.

The engine holds no data itself; a *backend* keeps the incremental state (band keys, wire groups,
fact blocking rows, claim groups, clusters). ``sitrep.fuse.sqlstore.StoreBackend`` keeps it in the
store's tables (``fuse_store``); ``sitrep.fuse.memory.MemoryBackend`` in memory (bench, tests).
Every lookup is by key (band key, wire group, place key + date range, speaker key + day range), so
the cost of a batch grows with the batch and its blocks, never with the whole corpus.

Steps per batch:
1. wire copies: band keys of each new text -> candidates sharing a band -> exact ``compare`` ->
   union with the candidates' groups (group id = smallest document row id). Exact duplicates join
   their original's group directly.
2. same events / contradictions: blocking rows for new facts; every place with new facts (or whose
   reports changed wire group) is refreshed around the new dates (``events.refresh_place``).
3. same claims: new claims meet earlier claims of the same speaker key within ``CLAIM_WINDOW_DAYS``
   and join their group when ``text.same_statement`` holds.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sitrep.fuse.events import EventRow, event_row, iso, ordinal, refresh_place
from sitrep.fuse.text import Lexicon, Signer, compare, same_statement, shingle_hashes, speaker_key

CLAIM_WINDOW_DAYS = 14   # renderings of one statement are compared when published this close together


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
        touched: set[tuple[str, str]] = set()
        regrouped = self._wire(docs, run_id, touched, retired) | set(retired)
        self._events(facts, regrouped, run_id, touched)
        self._claims(facts, regrouped, run_id, touched)
        return touched

    # ------------------------------------------------------------------ wire copies
    def _wire(self, docs: list[DocIn], run_id: int, touched: set, retired: set[int]) -> set[int]:
        be = self.backend
        sigs: dict = {}                         # document -> (shingle hashes, band keys)
        originals = [d for d in docs if d.duplicate_of is None and d.text]
        for d, (hashes, keys) in zip(originals, self.signer.sign([d.text for d in originals])):
            if len(hashes):
                sigs[d.id] = (hashes, keys)
        old = be.band_lookup(sorted({k for _, keys in sigs.values() for k in keys}))
        old_ids = sorted({i for ids in old.values() for i in ids} - set(sigs))
        old_groups = be.wire_groups(old_ids + [d.duplicate_of for d in docs if d.duplicate_of])
        texts = be.texts(old_ids)
        cache: dict = {}

        def shingles(i: int):
            if i not in cache:
                cache[i] = sigs[i][0] if i in sigs else shingle_hashes(texts.get(i) or "")
            return cache[i]

        uf = _UnionFind()
        batch_index: dict[int, list[int]] = {}
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
                if cand not in uf.parent:
                    uf.add(cand, old_groups.get(cand))
                if uf.find(cand) == uf.find(d.id):
                    continue                   # already linked through another member
                if compare(hashes, shingles(cand)).is_wire_copy(self.threshold):
                    uf.union(d.id, cand)
            be.add_bands(d.id, keys)
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
                be.delete_clusters("wire_copy", {f"wire:{g}"})
        for g in sorted(changed):
            members = be.group_documents(g)
            key = f"wire:{g}"
            if len(members) < 2:
                be.delete_clusters("wire_copy", {key})
                continue
            pubs = sorted(m["published"] for m in members if m.get("published"))
            payload = {"n_documents": len(members), "outlets": sorted({m["outlet"] for m in members if m.get("outlet")}),
                       "first_seen": pubs[0] if pubs else None, "last_seen": pubs[-1] if pubs else None,
                       "wire_group": g}
            if be.sync_cluster("wire_copy", key, payload, [{"document_id": m["id"]} for m in members], run_id):
                touched.add(("wire_copy", key))
        return regrouped

    # ------------------------------------------------------------------ same event, contradiction
    def _events(self, facts: list[FactIn], regrouped: set[int], run_id: int, touched: set) -> None:
        be = self.backend
        rows = [r for f in facts if f.kind in ("control_change", "event")
                for r in [event_row(f.kind, f.id, f.document_id, f.place_key, f.payload, f.published, f.outlet)]
                if r is not None]
        be.add_event_rows(rows)
        if regrouped:
            rows = rows + be.event_rows_of_documents(sorted(regrouped))
        dirty: dict[str, list] = {}
        for r in rows:
            span = dirty.setdefault(r.place_key, [None, None, False])
            if r.eff_date is None:
                span[2] = True
            else:
                span[0] = r.eff_date if span[0] is None else min(span[0], r.eff_date)
                span[1] = r.eff_date if span[1] is None else max(span[1], r.eff_date)
        for place_key in sorted(dirty):
            lo, hi, undated = dirty[place_key]
            touched |= refresh_place(be, place_key, lo, hi, undated, self.window, run_id)

    # ------------------------------------------------------------------ same claim
    def _claims(self, facts: list[FactIn], regrouped: set[int], run_id: int, touched: set) -> None:
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
            seen: list[ClaimRow] = list(block)
            for c in sorted(claims, key=lambda c: c.fact_id):
                uf.add(c.fact_id)
                for b in seen:
                    if _near(c, b) and uf.find(b.fact_id) != uf.find(c.fact_id) and same_statement(c.stems, b.stems):
                        uf.union(c.fact_id, b.fact_id)
                seen.append(c)
        be.add_claims([c._replace(group=uf.find(c.fact_id)) for c in new])
        sizes = Counter(uf.find(x) for x in list(uf.parent))
        changed = {uf.find(c.fact_id) for c in new if sizes[uf.find(c.fact_id)] > 1}
        retired_groups: set[int] = set()
        for g in sorted(old_groups):
            root = uf.find(g)
            if root != g:
                be.merge_claim_groups(g, root)
                be.delete_clusters("same_claim", {f"claim:{g}"})
        if regrouped:
            retired_groups = {c.group for c in be.claims_of_documents(sorted(regrouped))}
        for g in sorted(changed | retired_groups):
            members = be.claim_group(g)
            if len(members) < 2:
                if g in retired_groups:
                    be.delete_clusters("same_claim", {f"claim:{g}"})
                continue
            key = f"claim:{g}"
            if be.sync_cluster("same_claim", key, _claim_payload(be, members),
                               [{"document_id": m.document_id, "fact_id": m.fact_id} for m in members], run_id):
                touched.add(("same_claim", key))


def _near(a: ClaimRow, b: ClaimRow) -> bool:
    if a.side and b.side and a.side != b.side:
        return False
    if a.day is None or b.day is None:
        return a.day is None and b.day is None
    return abs(ordinal(a.day) - ordinal(b.day)) <= CLAIM_WINDOW_DAYS


def _claim_payload(be, members: list[ClaimRow]) -> dict:
    first = min(members, key=lambda m: m.fact_id)
    pubs = sorted(m.published for m in members if m.published)
    names = Counter(m.speaker for m in members if m.speaker)
    sides = Counter(m.side for m in members if m.side)
    return {
        "speaker": names.most_common(1)[0][0] if names else None, "speaker_key": first.speaker_key,
        "side": sides.most_common(1)[0][0] if sides else None, "text": be.claim_text(first.fact_id),
        "n_sources": len({m.wire_group if m.wire_group is not None else m.document_id for m in members}),
        "n_documents": len({m.document_id for m in members}), "n_reports": len(members),
        "outlets": sorted({m.outlet for m in members if m.outlet}),
        "first_seen": pubs[0] if pubs else None, "last_seen": pubs[-1] if pubs else None,
    }


__all__ = ["FusionEngine", "DocIn", "FactIn", "ClaimRow", "EventRow", "CLAIM_WINDOW_DAYS"]
