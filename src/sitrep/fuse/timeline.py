"""Control timeline of one place: who held it when, how sure we are, and who says so.

    from sitrep.fuse.timeline import control_timeline, format_timeline
    print(format_timeline(control_timeline(store, "Lyman")))

Each entry is one fused control change (a ``same_event`` cluster of control_change facts):
``{date, date_source, controller, controller_name, status, stance, n_sources, sources: [...]}``.
``status``: ``contested`` when the event is part of a contradiction (a denial, or another side
claiming control in the same period); ``confirmed`` when asserted (not denied, not an annexation
claim) by at least two independent sources (wire copies count once); ``claimed`` otherwise.
``date`` is the earliest date the reports give; when they give none it is the earliest publication
date (``date_source: "published"``), and entries with neither come last.
"""
from __future__ import annotations

import json
import re
from collections import Counter

from sqlalchemy import select

from sitrep.fuse.text import fold
from sitrep.store import schema

D, F, C, M = schema.documents, schema.facts, schema.clusters, schema.cluster_members
FD, FF = schema.fuse_documents, schema.fuse_facts
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _name_key(options=None):
    """Transliteration-tolerant name key: sitrep.geo's skeleton when available, else casefold."""
    try:
        from sitrep.geo.names import Normaliser

        return Normaliser.from_options(options).skeleton
    except Exception:  # noqa: BLE001 - geo not installed/readable: plain folding still works
        return lambda s: " ".join(re.sub(r"[\W_]+", " ", fold(s)).split())


def resolve_place(store, place: str, options=None) -> list[str]:
    """Place keys matching PLACE: a geonames id (``702658``, ``gn:702658``), or a name as written or
    as resolved, compared by transliteration-tolerant keys."""
    q = (place or "").strip()
    keys: set[str] = set()
    m = re.fullmatch(r"(?:gn:)?(\d+)", q)
    if m:
        keys.add(f"gn:{m.group(1)}")
    key = _name_key(options)
    target = key(q)
    with store.engine.connect() as conn:
        rows = conn.execute(select(FF.c.place_key, FF.c.place_name, FF.c.resolved_name).distinct()
                            .where(FF.c.kind == "control_change")).all()
    known = {r.place_key for r in rows}
    for pk, name, resolved in rows:
        if pk == q or (target and target in (key(name or ""), key(resolved or ""))):
            keys.add(pk)
    return sorted(k for k in keys if k in known)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _clusters(conn, kind: str, prefix: str) -> list[dict]:
    q = select(C.c.id, C.c.key, C.c.payload).where(C.c.kind == kind, C.c.key.like(_like_prefix(prefix), escape="\\"))
    out = []
    for cid, key, payload in conn.execute(q):
        members = conn.execute(select(M.c.fact_id).where(M.c.cluster_id == cid)).scalars().all()
        out.append({"id": cid, "key": key, "payload": json.loads(payload or "{}"), "fact_ids": members})
    return out


def control_timeline(store, place: str, options=None) -> list[dict]:
    """The ordered control entries of PLACE (see the module docstring); [] when nothing is known."""
    entries = []
    with store.engine.connect() as conn:
        for pk in resolve_place(store, place, options):
            events = _clusters(conn, "same_event", f"{pk}|cc:")
            contested = {f for c in _clusters(conn, "contradiction", f"{pk}|") for f in c["fact_ids"]}
            fact_ids = sorted({f for e in events for f in e["fact_ids"] if f is not None})
            facts = {}
            for i in range(0, len(fact_ids), 500):
                q = (select(F.c.id, F.c.payload, D.c.doc_id, D.c.outlet, D.c.published, D.c.is_current)
                     .join(D, D.c.id == F.c.document_id).where(F.c.id.in_(fact_ids[i:i + 500])))
                facts.update({r.id: r for r in conn.execute(q) if r.is_current})
            for e in events:
                entry = _entry(e, [facts[f] for f in sorted(e["fact_ids"]) if f in facts], contested)
                if entry:
                    entries.append(entry)
    entries.sort(key=lambda e: (e["date"] is None, e["date"] or "", e["first_fact"]))
    for e in entries:
        del e["first_fact"]
    return entries


def _entry(cluster: dict, facts: list, contested: set[int]) -> dict | None:
    if not facts:
        return None
    p = cluster["payload"]
    payloads = [json.loads(f.payload) for f in facts]
    stance = p.get("stance") or "asserted"
    if any(f.id in contested for f in facts):
        status = "contested"
    elif stance == "asserted" and (p.get("n_sources") or 0) >= 2:
        status = "confirmed"
    else:
        status = "claimed"
    names = Counter((x.get("to") or {}).get("name") for x in payloads if (x.get("to") or {}).get("name"))
    return {
        "date": p.get("date"), "date_last": p.get("date_last"), "date_source": p.get("date_source"),
        "place": p.get("place"), "place_key": p.get("place_key"),
        "controller": p.get("to_side"), "controller_name": names.most_common(1)[0][0] if names else None,
        "status": status, "stance": stance, "n_sources": p.get("n_sources", len(facts)),
        "outlets": p.get("outlets", []), "cluster": cluster["key"], "first_fact": facts[0].id,
        "sources": [{"doc_id": f.doc_id, "outlet": f.outlet, "published": f.published,
                     "asserted_by": (x.get("asserted_by") or {}).get("name") or (x.get("asserted_by") or {}).get("side"),
                     "evidence": x.get("evidence")} for f, x in zip(facts, payloads)],
    }


def _safe(text, limit: int = 0) -> str:
    """Untrusted text for a terminal: no control/bidi characters, one line, optionally shortened."""
    s = " ".join(_CONTROL.sub(" ", str(text if text is not None else "")).split())
    return s if not limit or len(s) <= limit else s[: limit - 1] + "\u2026"


def format_timeline(entries: list[dict], *, sources: bool = True) -> str:
    """A plain-text table of timeline entries (what ``sitrep control PLACE`` prints)."""
    if not entries:
        return "No control changes known for this place."
    head = ("DATE", "CONTROLLER", "STATUS", "STANCE", "SOURCES", "OUTLETS")
    rows = []
    for e in entries:
        date = e["date"] or "undated"
        if e["date"] and e.get("date_source") == "published":
            date += "*"
        ctrl = _safe(e.get("controller") or "?", 12)
        if e.get("controller_name"):
            ctrl = f"{ctrl} ({_safe(e['controller_name'], 30)})"
        rows.append((date, ctrl, e["status"], e["stance"], str(e["n_sources"]), _safe(", ".join(e["outlets"]), 50)))
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    place = next((e["place"] for e in entries if e.get("place")), None)
    lines = [f"Control of {_safe(place)}:" if place else "Control timeline:", fmt.format(*head).rstrip()]
    for e, r in zip(entries, rows):
        lines.append(fmt.format(*r).rstrip())
        if sources:
            for s in e["sources"]:
                ev = (s.get("evidence") or {}).get("text")
                who = f" [{_safe(s['asserted_by'], 40)}]" if s.get("asserted_by") else ""
                lines.append(f"    - {_safe(s.get('outlet') or s['doc_id'], 30)} {s.get('published') or ''}{who}: "
                             f"\"{_safe(ev, 100)}\"")
    if any(e.get("date_source") == "published" and e["date"] for e in entries):
        lines.append("* no date in the reports: earliest publication date")
    return "\n".join(lines)
