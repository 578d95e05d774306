"""Corroboration: every fused event with its independent sources, outlets, first and last seen.

    from sitrep.fuse import corroboration
    for ev in corroboration(store, min_sources=2): print(ev["place"], ev["n_sources"], ev["outlets"])

Independent sources are documents counted once per wire-copy group (four sites reprinting one
Reuters story are one source). Each item is a ``same_event`` cluster payload plus ``cluster_id``,
``key``, ``doc_ids``, ``fact_ids`` and ``contested`` (part of a contradiction cluster).
"""
from __future__ import annotations

import json

from sqlalchemy import select

from sitrep.store import schema

D, C, M = schema.documents, schema.clusters, schema.cluster_members


def corroboration(store, *, place: str | None = None, min_sources: int = 1, options=None) -> list[dict]:
    """Fused events (``same_event`` clusters), most corroborated first; PLACE filters like
    ``control_timeline`` does (name as written or resolved, or geonames id)."""
    keys = None
    if place is not None:
        from sitrep.fuse.timeline import resolve_place

        keys = set(resolve_place(store, place, options))
        if not keys:
            return []
    with store.engine.connect() as conn:
        contested = set(conn.execute(select(M.c.fact_id).join(C, C.c.id == M.c.cluster_id)
                                     .where(C.c.kind == "contradiction")).scalars())
        members: dict[int, list] = {}
        q = (select(M.c.cluster_id, M.c.fact_id, D.c.doc_id).join(C, C.c.id == M.c.cluster_id)
             .join(D, D.c.id == M.c.document_id).where(C.c.kind == "same_event", D.c.is_current.is_(True)))
        for cid, fid, doc_id in conn.execute(q):
            members.setdefault(cid, []).append((fid, doc_id))
        out = []
        for cid, key, payload in conn.execute(select(C.c.id, C.c.key, C.c.payload).where(C.c.kind == "same_event")):
            p = json.loads(payload or "{}")
            if (keys is not None and p.get("place_key") not in keys) or (p.get("n_sources") or 0) < min_sources:
                continue
            ms = members.get(cid, [])
            if not ms:
                continue
            out.append({"cluster_id": cid, "key": key, **p,
                        "doc_ids": sorted({d for _, d in ms}), "fact_ids": sorted(f for f, _ in ms),
                        "contested": any(f in contested for f, _ in ms)})
    out.sort(key=lambda e: (-(e.get("n_sources") or 0), e.get("date") or e.get("first_seen") or "9999", e["key"]))
    return out
