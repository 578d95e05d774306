"""The store-backed fusion state (tables ``fuse_*`` of ``sitrep.store.schema``) and ``fuse_store``.

``fuse_store(store, options, document_ids)`` fuses the given (new) documents in batches of up to
``BATCH`` documents (``fusion_parts``; ``StoreFuser`` does the same while the NLP stage is still
writing), one transaction per batch: a crash leaves every batch either fused or not,
and a rerun fuses only what is missing (documents absent from ``fuse_documents``, facts absent
from ``fuse_facts``/``fuse_claims``). Only current document versions take part.
"""
from __future__ import annotations

import json
import time
from typing import Iterable

from sqlalchemy import and_, bindparam, exists, or_, select, update

from sitrep.fuse.engine import ClaimRow, DocIn, FactIn, FusionEngine
from sitrep.fuse.events import EventRow
from sitrep.store import schema
from sitrep.store.db import _now

BATCH = 500
TAIL_MIN = 32        # the last BATCH is cut in halves down to this (``fusion_parts``)
CHUNK = 500          # ids per IN (...) list
FACT_KINDS = ("claim", "control_change", "event")

D, F, C, M = schema.documents, schema.facts, schema.clusters, schema.cluster_members
FD, FB, FF, FC = schema.fuse_documents, schema.fuse_bands, schema.fuse_facts, schema.fuse_claims


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def fusion_parts(ids: list[int], size: int | None = None, smallest: int | None = None) -> list[list[int]]:
    """IDS cut into the batches fusion runs in: ``size`` each, the last ``size`` (or fewer) cut in
    halves, 500 -> 250, 125, 63, 62. The NLP stage writes in id order, so while worker processes
    analyse, only the final small part is left to fuse when they finish (``StoreFuser``)."""
    size, smallest = size or BATCH, smallest or TAIL_MIN
    parts, start, n = [], 0, len(ids)
    while n - start > size:
        parts.append(ids[start:start + size])
        start += size
    while n - start > 2 * smallest:
        half = (n - start + 1) // 2
        parts.append(ids[start:start + half])
        start += half
    if start < n:
        parts.append(ids[start:])
    return parts


def _canon(payload: dict) -> dict:
    return json.loads(json.dumps(payload, ensure_ascii=False, default=str))


def _member_key(document_id, fact_id, role) -> tuple:
    return (document_id or 0, fact_id or 0, role or "")


class StoreBackend:
    """Fusion state in the store's tables; ``conn`` is the open transaction of the current batch."""

    def __init__(self, store):
        self.store = store
        self.conn = None
        self._statements: dict | None = None

    # ------------------------------------------------------------------ wire copies
    def band_lookup(self, keys: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for part in _chunks(keys):
            q = (select(FB.c.band_key, FB.c.document_id).join(D, D.c.id == FB.c.document_id)
                 .where(FB.c.band_key.in_(part), D.c.is_current.is_(True)))
            for k, doc in self.conn.execute(q):
                out.setdefault(k, []).append(doc)
        return out

    def add_bands(self, items: list[tuple[int, list[int]]]) -> None:
        """Band keys of documents: ``[(document id, keys), ...]``, one statement for all."""
        rows = [{"band_key": k, "document_id": doc_id} for doc_id, keys in items for k in keys]
        if rows:
            self.conn.execute(FB.insert(), rows)

    def published(self, ids: list[int]) -> dict[int, str | None]:
        out = {}
        for part in _chunks(ids):
            out.update(self.conn.execute(select(D.c.id, D.c.published).where(D.c.id.in_(part))).all())
        return out

    def texts(self, ids: list[int]) -> dict[int, str]:
        out = {}
        for part in _chunks(ids):
            out.update(self.conn.execute(select(D.c.id, D.c.text).where(D.c.id.in_(part))).all())
        return out

    def wire_groups(self, ids: list[int]) -> dict[int, int]:
        out = {}
        for part in _chunks(sorted(set(ids))):
            out.update(self.conn.execute(select(FD.c.document_id, FD.c.wire_group)
                                         .where(FD.c.document_id.in_(part))).all())
        return out

    def set_documents(self, groups: dict[int, int], run_id: int) -> None:
        if groups:
            self.conn.execute(FD.insert(), [{"document_id": d, "wire_group": g, "run_id": run_id}
                                            for d, g in groups.items()])

    def merge_groups(self, group: int, into: int) -> list[int]:
        ids = list(self.conn.execute(select(FD.c.document_id).where(FD.c.wire_group == group)).scalars())
        self.conn.execute(update(FD).where(FD.c.wire_group == group).values(wire_group=into))
        return ids

    def groups_documents(self, groups: list[int]) -> dict[int, list[dict]]:
        """Current member documents (id, outlet, published) of each wire group, by id."""
        out: dict[int, list[dict]] = {}
        for part in _chunks(groups):
            q = (select(FD.c.wire_group, D.c.id, D.c.outlet, D.c.published).join(FD, FD.c.document_id == D.c.id)
                 .where(FD.c.wire_group.in_(part), D.c.is_current.is_(True)).order_by(D.c.id))
            for g, i, outlet, published in self.conn.execute(q):
                out.setdefault(g, []).append({"id": i, "outlet": outlet, "published": published})
        return out

    # ------------------------------------------------------------------ events
    _ev_cols = [FF.c.fact_id, FF.c.document_id, FF.c.kind, FF.c.place_key, FF.c.direction, FF.c.stance, FF.c.side,
                FF.c.asserter, FF.c.eff_date, FF.c.date_source, FF.c.place_name, FF.c.resolved_name]

    def add_event_rows(self, rows: list[EventRow]) -> None:
        if rows:
            names = [c.name for c in self._ev_cols]
            self.conn.execute(FF.insert(), [dict(zip(names, r[:len(names)])) for r in rows])

    def _event_query(self, current_only: bool = True):
        q = (select(*self._ev_cols, D.c.outlet, D.c.published, FD.c.wire_group)
             .join(D, D.c.id == FF.c.document_id).outerjoin(FD, FD.c.document_id == FF.c.document_id))
        return q.where(D.c.is_current.is_(True)) if current_only else q

    def event_rows(self, place_key: str, lo: str | None, hi: str | None, undated: bool) -> list[EventRow]:
        q = self._event_query().where(FF.c.place_key == place_key)
        q = q.where(FF.c.eff_date.is_(None)) if undated else q.where(FF.c.eff_date.between(lo, hi))
        return [EventRow(*r) for r in self.conn.execute(q)]

    def event_rows_of_documents(self, ids: list[int]) -> list[EventRow]:
        out = []
        for part in _chunks(ids):
            q = self._event_query(current_only=False).where(FF.c.document_id.in_(part))
            out += [EventRow(*r) for r in self.conn.execute(q)]
        return out

    # ------------------------------------------------------------------ claims
    _cl_cols = [FC.c.fact_id, FC.c.document_id, FC.c.speaker_key, FC.c.speaker, FC.c.side, FC.c.day, FC.c.stems,
                FC.c.claim_group]

    def add_claims(self, rows: list[ClaimRow]) -> None:
        if rows:
            self.conn.execute(FC.insert(), [
                {"fact_id": r.fact_id, "document_id": r.document_id, "speaker_key": r.speaker_key[:100],
                 "speaker": (r.speaker or "")[:255] or None, "side": r.side, "day": r.day,
                 "stems": " ".join(sorted(r.stems)), "claim_group": r.group} for r in rows])

    def _claim_rows(self, where, current_only: bool = True) -> list[ClaimRow]:
        q = (select(*self._cl_cols, D.c.outlet, D.c.published, FD.c.wire_group)
             .join(D, D.c.id == FC.c.document_id).outerjoin(FD, FD.c.document_id == FC.c.document_id)
             .where(where).order_by(FC.c.fact_id))
        if current_only:
            q = q.where(D.c.is_current.is_(True))
        return [ClaimRow(*r[:6], frozenset(r[6].split()), *r[7:]) for r in self.conn.execute(q)]

    def claim_block(self, speaker_key: str, lo: str | None, hi: str | None) -> list[ClaimRow]:
        day = FC.c.day.is_(None) if lo is None else or_(FC.c.day.between(lo, hi), FC.c.day.is_(None))
        return self._claim_rows(and_(FC.c.speaker_key == speaker_key, day))

    def claims_of_documents(self, ids: list[int]) -> list[ClaimRow]:
        return [r for part in _chunks(ids) for r in self._claim_rows(FC.c.document_id.in_(part), current_only=False)]

    def merge_claim_groups(self, group: int, into: int) -> None:
        self.conn.execute(update(FC).where(FC.c.claim_group == group).values(claim_group=into))

    def claim_groups(self, groups: list[int]) -> dict[int, list[ClaimRow]]:
        out: dict[int, list[ClaimRow]] = {}
        for part in _chunks(groups):
            for r in self._claim_rows(FC.c.claim_group.in_(part)):
                out.setdefault(r.group, []).append(r)
        return out

    def claim_texts(self, fact_ids: list[int]) -> dict[int, str | None]:
        out = {}
        for part in _chunks(fact_ids):
            for i, payload in self.conn.execute(select(F.c.id, F.c.payload).where(F.c.id.in_(part))):
                out[i] = json.loads(payload).get("text") if payload else None
        return out

    # ------------------------------------------------------------------ clusters
    def sync_clusters(self, items: list[tuple[str, str, dict, list[dict]]], run_id: int) -> set[tuple[str, str]]:
        """Write every cluster ``(kind, key, payload, members)`` of ITEMS unless it already holds
        exactly these members and payload; returns the (kind, key) written. Same effect as
        ``Store.upsert_cluster`` per item, in a handful of statements per batch: one read of the
        existing clusters and their members, then bulk updates, deletes and inserts."""
        have: dict[tuple[str, str], tuple[int, dict, list]] = {}
        by_kind: dict[str, list[str]] = {}
        for kind, key, _, _ in items:
            by_kind.setdefault(kind, []).append(key)
        for kind, keys in by_kind.items():
            for part in _chunks(sorted(set(keys))):
                for cid, key, payload in self.conn.execute(
                        select(C.c.id, C.c.key, C.c.payload).where(C.c.kind == kind, C.c.key.in_(part))):
                    old = json.loads(payload or "{}")
                    old.pop("fuse_run", None)
                    have[(kind, key)] = (cid, old, [])
        by_id = {v[0]: v[2] for v in have.values()}
        for part in _chunks(sorted(by_id)):
            for cid, doc, fact, role in self.conn.execute(
                    select(M.c.cluster_id, M.c.document_id, M.c.fact_id, M.c.role).where(M.c.cluster_id.in_(part))):
                if doc is not None or fact is not None:
                    by_id[cid].append(_member_key(doc, fact, role))
        now = _now()
        updates, new_rows, new_members, members_of = [], [], [], {}
        written: set[tuple[str, str]] = set()
        for kind, key, payload, members in items:
            payload = _canon(payload)
            want = sorted(_member_key(m.get("document_id"), m.get("fact_id"), m.get("role")) for m in members)
            body = json.dumps({**payload, "fuse_run": run_id}, ensure_ascii=False)
            old = have.get((kind, key))
            if old is not None:
                if old[1] == payload and sorted(old[2]) == want:
                    continue
                updates.append({"cid": old[0], "p_payload": body, "p_updated": now})
                members_of[old[0]] = members
            else:
                new_rows.append(({"kind": kind, "key": key, "payload": body, "updated_at": now}, members))
            written.add((kind, key))
        q = self._prepared()
        if updates:
            self.conn.execute(q["update"], updates)
            for part in _chunks(sorted(members_of)):
                self.conn.execute(M.delete().where(M.c.cluster_id.in_(part)))
        if new_rows:
            ids = self.conn.execute(C.insert().returning(C.c.id, sort_by_parameter_order=True),
                                    [row for row, _ in new_rows]).scalars().all()
            members_of.update({cid: members for cid, (_, members) in zip(ids, new_rows)})
        for cid, members in members_of.items():
            new_members += [{"cluster_id": cid, "document_id": m.get("document_id"), "fact_id": m.get("fact_id"),
                             "role": m.get("role")} for m in members]
        if new_members:
            self.conn.execute(M.insert(), new_members)
        return written

    def _prepared(self) -> dict:
        if self._statements is None:
            self._statements = {
                "update": (update(C).where(C.c.id == bindparam("cid"))
                           .values(payload=bindparam("p_payload"), updated_at=bindparam("p_updated"))),
            }
        return self._statements

    def delete_clusters(self, kind: str, keys) -> None:
        for part in _chunks(sorted(keys)):
            ids = select(C.c.id).where(C.c.kind == kind, C.c.key.in_(part)).scalar_subquery()
            self.conn.execute(M.delete().where(M.c.cluster_id.in_(ids)))
            self.conn.execute(C.delete().where(C.c.kind == kind, C.c.key.in_(part)))

    def cluster_siblings(self, kinds: tuple[str, ...], fact_ids: list[int]) -> list[tuple[int, str, str | None]]:
        """``(fact id, place key, date)`` of every event fact sharing a cluster of KINDS with FACT_IDS.
        Two steps (the clusters, then their members): a self-join would repeat a large cluster's
        members once per fact of it asked about."""
        cids: set[int] = set()
        for part in _chunks(fact_ids):
            cids.update(self.conn.execute(select(M.c.cluster_id).distinct().join(C, C.c.id == M.c.cluster_id)
                                          .where(C.c.kind.in_(kinds), M.c.fact_id.in_(part))).scalars())
        out: set[tuple] = set()
        for part in _chunks(sorted(cids)):
            q = (select(FF.c.fact_id, FF.c.place_key, FF.c.eff_date).join(M, M.c.fact_id == FF.c.fact_id)
                 .where(M.c.cluster_id.in_(part)))
            out.update(tuple(r) for r in self.conn.execute(q))
        return sorted(out)

    def cluster_keys_for_facts(self, kind: str, fact_ids: list[int]) -> set[str]:
        out: set[str] = set()
        for part in _chunks(sorted(set(fact_ids))):
            q = (select(C.c.key).distinct().join(M, M.c.cluster_id == C.c.id)
                 .where(C.c.kind == kind, M.c.fact_id.in_(part)))
            out.update(self.conn.execute(q).scalars())
        return out


# ---------------------------------------------------------------------------- fuse_store
def _work_documents(conn, ids: list[int]) -> tuple[list[DocIn], list[int]]:
    """Unfused current documents among IDS (ok, or exact duplicates) and older versions they retire."""
    fused = exists().where(FD.c.document_id == D.c.id)
    q = (select(D.c.id, D.c.doc_id, D.c.text, D.c.outlet, D.c.published, D.c.duplicate_of, D.c.content_hash)
         .where(D.c.id.in_(ids), D.c.is_current.is_(True), ~fused,
                or_(D.c.status == "ok", D.c.duplicate_of.is_not(None))).order_by(D.c.id))
    docs, retired = [], []
    rows = conn.execute(q).all()
    fused_versions: dict[str, list[int]] = {}     # doc_id -> its fused rows (older versions of a new one)
    for part in _chunks(sorted({r.doc_id for r in rows})):
        for doc_id, row_id in conn.execute(select(D.c.doc_id, FD.c.document_id).join(D, D.c.id == FD.c.document_id)
                                           .where(D.c.doc_id.in_(part))):
            fused_versions.setdefault(doc_id, []).append(row_id)
    for r in rows:
        original = None
        if r.duplicate_of:
            original = conn.execute(select(D.c.id).where(D.c.doc_id == r.duplicate_of, D.c.status == "ok",
                                                         D.c.content_hash == r.content_hash)
                                    .order_by(D.c.id).limit(1)).scalar()
        docs.append(DocIn(r.id, r.text, r.outlet, r.published, original))
        retired += [i for i in fused_versions.get(r.doc_id, ()) if i != r.id]
    return docs, retired


def _work_facts(conn, ids: list[int]) -> list[FactIn]:
    q = (select(F.c.id, F.c.document_id, F.c.kind, F.c.place_key, F.c.payload, D.c.published, D.c.outlet)
         .join(D, D.c.id == F.c.document_id)
         .where(F.c.document_id.in_(ids), D.c.is_current.is_(True), F.c.kind.in_(FACT_KINDS),
                ~exists().where(FF.c.fact_id == F.c.id), ~exists().where(FC.c.fact_id == F.c.id))
         .order_by(F.c.id))
    return [FactIn(r.id, r.document_id, r.kind, r.place_key, json.loads(r.payload), r.published, r.outlet)
            for r in conn.execute(q)]


def fuse_store(store, options, document_ids: list[int] | None = None) -> int:
    """Update clusters for the given newly processed documents (row ids; None = every document not
    fused yet). Returns the number of clusters created or updated."""
    return StoreFuser(store, options, document_ids).finish()


class StoreFuser:
    """``fuse_store`` that can run while the NLP stage is still writing (``sitrep.pipeline.run_all``).

        fuser = StoreFuser(store, options, row_ids)   # the documents' ids, fixed up front
        fuser.saved(max_written_id)                    # after each NLP write: fuse the batches now complete
        n_clusters = fuser.finish()                    # the rest

    The ids are cut into the same batches (``fusion_parts``), fused in the same order, whenever it
    happens: fusing during the NLP stage gives exactly the clusters ``fuse_store`` gives after it.
    A batch is fused once every id in it is at most the highest id the NLP stage has written (it
    writes in id order; documents it skips are never pending) -- with worker processes, the parent
    fuses while the workers analyse. ``seconds`` is the time spent fusing.
    """

    def __init__(self, store, options, document_ids: list[int] | None = None):
        t0 = time.perf_counter()
        self.store, self.backend = store, StoreBackend(store)
        self.engine = FusionEngine(self.backend, options)
        with store.engine.begin() as conn:
            if document_ids is None:
                ids = list(conn.execute(select(D.c.id).where(D.c.is_current.is_(True)).order_by(D.c.id)).scalars())
            else:
                ids = sorted(set(document_ids))
            self.run_id = conn.execute(schema.fuse_runs.insert().values(
                started_at=_now(), n_documents=0, n_clusters=0)).inserted_primary_key[0]
        self._parts = fusion_parts(ids)
        self._next = 0
        self.touched: set = set()
        self.n_docs = 0
        self.seconds = time.perf_counter() - t0

    def saved(self, written_up_to: int) -> None:
        """The NLP stage has written every pending document with an id up to ``written_up_to``."""
        while self._next < len(self._parts) and self._parts[self._next][-1] <= written_up_to:
            self._fuse_next()

    def finish(self) -> int:
        """Fuse what is left; record the run; the number of clusters created or updated."""
        while self._next < len(self._parts):
            self._fuse_next()
        t0 = time.perf_counter()
        with self.store.engine.begin() as conn:
            conn.execute(update(schema.fuse_runs).where(schema.fuse_runs.c.id == self.run_id)
                         .values(n_documents=self.n_docs, n_clusters=len(self.touched)))
        self.seconds += time.perf_counter() - t0
        return len(self.touched)

    def _fuse_next(self) -> None:
        t0 = time.perf_counter()
        part = self._parts[self._next]
        self._next += 1
        with self.store.engine.begin() as conn:
            self.backend.conn = conn
            try:
                docs, retired = _work_documents(conn, part)
                facts = _work_facts(conn, part)
                if docs or facts or retired:
                    self.touched |= self.engine.fuse(docs, facts, self.run_id, retired=set(retired))
                self.n_docs += len(docs)
            finally:
                self.backend.conn = None
        self.seconds += time.perf_counter() - t0


def last_run(store) -> dict | None:
    """The latest fuse_runs row (id, started_at, n_documents, n_clusters)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(schema.fuse_runs).order_by(schema.fuse_runs.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


__all__ = ["StoreBackend", "StoreFuser", "fuse_store", "fusion_parts", "last_run"]
