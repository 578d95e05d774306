"""Fusion state in memory: the same engine as ``fuse_store`` without a database (benchmarks, tests).

    backend = MemoryBackend(lookup_docs)          # lookup_docs(ids) -> {id: DocIn} (old documents' texts, outlets)
                                                  # (lookup_meta(ids) -> {id: (outlet, published)}: a cheaper path)
    engine = FusionEngine(backend, options)
    for docs, facts in batches: engine.fuse(docs, facts, run_id=1); backend.end_batch()

Band keys live in sorted numpy segments (12 bytes a key, merged like a log-structured tree), so
a million documents' band keys take a few hundred MB. Clusters are kept as fingerprints (enough to
tell whether a sync changed anything) unless ``keep_clusters`` is set.
"""
from __future__ import annotations

import json
from sys import intern
from typing import Callable

from sitrep.fuse.engine import ClaimRow, DocIn
from sitrep.fuse.events import EventRow


class BandIndex:
    """band key -> document ids, as sorted numpy segments plus a small dict for the current batch."""

    def __init__(self):
        import numpy as np

        self.np = np
        self.segments: list[tuple] = []          # (sorted keys int64, docs int32)
        self.pending: dict[int, list[int]] = {}   # this batch's keys (looked up by the batch itself)
        self._keys: list[int] = []
        self._docs: list[int] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self.segments) + sum(len(v) for v in self.pending.values())

    def add(self, doc: int, keys: list[int]) -> None:
        for k in keys:
            self.pending.setdefault(k, []).append(doc)
        self._keys += keys
        self._docs += [doc] * len(keys)

    def lookup(self, keys: list[int]) -> dict[int, list[int]]:
        np = self.np
        out: dict[int, list[int]] = {}
        for k in keys:
            if k in self.pending:
                out[k] = list(self.pending[k])
        if not keys or not self.segments:
            return out
        q = np.asarray(keys, dtype=np.int64)
        for skeys, sdocs in self.segments:
            lo = np.searchsorted(skeys, q, side="left")
            hi = np.searchsorted(skeys, q, side="right")
            for i in np.nonzero(hi > lo)[0].tolist():
                out.setdefault(keys[i], []).extend(sdocs[lo[i]:hi[i]].tolist())
        return out

    def flush(self) -> None:
        """Turn the batch's keys into a segment; merge segments of similar size (log-structured)."""
        np = self.np
        if not self.pending:
            return
        keys, docs = np.array(self._keys, dtype=np.int64), np.array(self._docs, dtype=np.int32)
        self.pending, self._keys, self._docs = {}, [], []
        order = np.argsort(keys, kind="stable")
        self.segments.append((keys[order], docs[order]))
        while len(self.segments) >= 2 and len(self.segments[-2][0]) <= 2 * len(self.segments[-1][0]):
            (k1, d1), (k2, d2) = self.segments[-2], self.segments.pop()
            keys, docs = np.concatenate([k1, k2]), np.concatenate([d1, d2])
            order = np.argsort(keys, kind="stable")
            self.segments[-1] = (keys[order], docs[order])


class MemoryBackend:
    """The ``sitrep.fuse.engine`` backend interface over dicts (see ``sqlstore.StoreBackend``)."""

    def __init__(self, lookup_docs: Callable[[list[int]], dict[int, DocIn]], *,
                 lookup_meta: Callable[[list[int]], dict[int, tuple]] | None = None,
                 claim_text: Callable[[int], str | None] | None = None, keep_clusters: bool = False):
        self.lookup_docs = lookup_docs
        self.lookup_meta = lookup_meta or (lambda ids: {i: (d.outlet, d.published) for i, d in lookup_docs(ids).items()})
        self.claim_text = claim_text or (lambda fact_id: None)
        self.bands = BandIndex()
        self.group: dict[int, int] = {}                 # document -> wire group (only grouped documents)
        self.members: dict[int, list[int]] = {}         # wire group -> documents (groups of 2+)
        self.by_place: dict[str, list[EventRow]] = {}
        self.doc_rows: dict[int, tuple] = {}            # document -> its event rows and claim rows
        self.by_speaker: dict[str, list[ClaimRow]] = {}
        self.claim_of: dict[int, ClaimRow] = {}
        self.claim_grp: dict[int, int] = {}             # claim fact -> group (only grouped claims)
        self.claim_members: dict[int, list[int]] = {}
        self.fingerprints: dict[tuple[str, str], int] = {}
        self.fact_cluster: dict[str, dict[int, str]] = {"same_event": {}, "contradiction": {}}
        self.cluster_facts: dict[tuple[str, str], list[int]] = {}   # event clusters -> their facts
        self.event_of: dict[int, EventRow] = {}
        self.clusters: dict[tuple[str, str], tuple[dict, list]] | None = {} if keep_clusters else None

    def end_batch(self) -> None:
        self.bands.flush()

    # ------------------------------------------------------------------ wire copies
    def band_lookup(self, keys):
        return self.bands.lookup(keys)

    def add_bands(self, items):
        for doc_id, keys in items:
            self.bands.add(doc_id, keys)

    def published(self, ids):
        return {i: m[1] for i, m in self.lookup_meta(list(ids)).items()}

    def texts(self, ids):
        return {i: d.text for i, d in self.lookup_docs(ids).items()}

    def wire_groups(self, ids):
        return {i: self.group.get(i, i) for i in ids}

    def set_documents(self, groups, run_id):
        for d, g in groups.items():
            if g != d:
                self.group[d] = g
                ms = self.members.setdefault(g, [g])
                ms.append(d)

    def merge_groups(self, group, into):
        moved = self.members.pop(group, [group])
        for d in moved:
            self.group[d] = into
        self.members.setdefault(into, [into]).extend(moved)
        return moved

    def groups_documents(self, groups):
        out = {}
        for group in groups:
            ids = sorted(set(self.members.get(group, [group])))
            meta = self.lookup_meta(ids)
            out[group] = [{"id": i, "outlet": meta[i][0], "published": meta[i][1]} for i in ids if i in meta]
        return out

    # ------------------------------------------------------------------ events
    def add_event_rows(self, rows):
        for r in rows:
            r = EventRow(*(intern(v) if type(v) is str else v for v in r))   # shared strings: far less memory
            self.by_place.setdefault(r.place_key, []).append(r)
            self.event_of[r.fact_id] = r
            self.doc_rows[r.document_id] = self.doc_rows.get(r.document_id, ()) + (r,)

    def _grouped(self, r):
        return r._replace(group=self.group.get(r.document_id, r.document_id))

    def event_rows(self, place_key, lo, hi, undated):
        rows = self.by_place.get(place_key, ())
        if undated:
            return [self._grouped(r) for r in rows if r.eff_date is None]
        return [self._grouped(r) for r in rows if r.eff_date is not None and lo <= r.eff_date <= hi]

    def event_rows_of_documents(self, ids):
        return [self._grouped(r) for i in ids for r in self.doc_rows.get(i, ()) if isinstance(r, EventRow)]

    # ------------------------------------------------------------------ claims
    def add_claims(self, rows):
        for r in rows:
            r = r._replace(speaker_key=intern(r.speaker_key), speaker=r.speaker and intern(r.speaker),
                           day=r.day and intern(r.day), stems=tuple(intern(x) for x in r.stems))
            self.by_speaker.setdefault(r.speaker_key, []).append(r)
            self.claim_of[r.fact_id] = r
            self.doc_rows[r.document_id] = self.doc_rows.get(r.document_id, ()) + (r,)
            if r.group != r.fact_id:
                self.claim_grp[r.fact_id] = r.group
                self.claim_members.setdefault(r.group, [r.group]).append(r.fact_id)

    def _claim(self, r):
        return r._replace(stems=frozenset(r.stems), group=self.claim_grp.get(r.fact_id, r.fact_id),
                          wire_group=self.group.get(r.document_id, r.document_id))

    def claim_block(self, speaker_key, lo, hi):
        return [self._claim(r) for r in self.by_speaker.get(speaker_key, ())
                if r.day is None or (lo is not None and lo <= r.day <= hi)]

    def claims_of_documents(self, ids):
        return [self._claim(r) for i in ids for r in self.doc_rows.get(i, ()) if isinstance(r, ClaimRow)]

    def merge_claim_groups(self, group, into):
        moved = self.claim_members.pop(group, [group])
        for f in moved:
            self.claim_grp[f] = into
        self.claim_members.setdefault(into, [into]).extend(moved)

    def claim_groups(self, groups):
        return {g: [self._claim(self.claim_of[f]) for f in sorted(set(self.claim_members.get(g, [g])))
                    if f in self.claim_of] for g in groups}

    def claim_texts(self, fact_ids):
        return {f: self.claim_text(f) for f in fact_ids}

    # ------------------------------------------------------------------ clusters
    def sync_clusters(self, items, run_id):
        return {(kind, key) for kind, key, payload, members in items
                if self._sync_cluster(kind, key, payload, members, run_id)}

    def _sync_cluster(self, kind, key, payload, members, run_id):
        want = sorted((m.get("document_id"), m.get("fact_id"), m.get("role") or "") for m in members)
        fp = hash(json.dumps(payload, default=str) + repr(want))
        if self.fingerprints.get((kind, key)) == fp:
            return False
        self.fingerprints[(kind, key)] = fp
        if kind in self.fact_cluster:
            for m in members:
                self.fact_cluster[kind][m["fact_id"]] = key
            self.cluster_facts[(kind, key)] = [m["fact_id"] for m in members]
        if self.clusters is not None:
            self.clusters[(kind, key)] = ({**payload, "fuse_run": run_id}, members)
        return True

    def delete_clusters(self, kind, keys):
        for key in keys:
            self.fingerprints.pop((kind, key), None)
            self.cluster_facts.pop((kind, key), None)
            if self.clusters is not None:
                self.clusters.pop((kind, key), None)

    def cluster_siblings(self, kinds, fact_ids):
        out = set()
        for kind in kinds:
            keys = self.cluster_keys_for_facts(kind, fact_ids)
            for key in keys:
                for f in self.cluster_facts.get((kind, key), ()):
                    r = self.event_of.get(f)
                    if r is not None:
                        out.add((f, r.place_key, r.eff_date))
        return sorted(out)

    def cluster_keys_for_facts(self, kind, fact_ids):
        keys = self.fact_cluster.get(kind, {})
        return {k for f in fact_ids if (k := keys.get(f)) is not None and (kind, k) in self.fingerprints}
