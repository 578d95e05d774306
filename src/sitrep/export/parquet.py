"""``parquet``: one table of every current fact (place mentions, claims, control changes, events)
with flattened, typed columns (``SCHEMA``); nested parts (quantities, the whole payload) as JSON
text. Read it back with ``pyarrow.parquet.read_table``, pandas, DuckDB or polars."""
from __future__ import annotations

import json
from pathlib import Path

from sitrep.export.ledger import Ledger


def schema():
    import pyarrow as pa

    s, i, f, b = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    return pa.schema([
        ("fact_id", i), ("kind", s), ("doc_id", s), ("outlet", s), ("published", s), ("title", s), ("url", s),
        ("date", s), ("date_precision", s), ("day", s), ("date_inferred", b),
        ("event_type", s), ("mode", s), ("place_name", s), ("place_resolved", s), ("place_key", s),
        ("geonames_id", i), ("lat", f), ("lon", f), ("precision", s), ("country", s), ("admin1", s),
        ("admin2", s), ("feature", s),
        ("actor_name", s), ("actor_side", s), ("target_name", s), ("target_side", s),
        ("asserted_by_name", s), ("asserted_by_side", s), ("stance", s),
        ("speaker_name", s), ("speaker_title", s), ("claim_kind", s), ("claim_text", s),
        ("confidence", f), ("quantities", s), ("status", s), ("corroboration", i), ("outlets", s),
        ("contested", b), ("evidence_start", i), ("evidence_end", i), ("evidence_text", s), ("payload", s),
    ])


def _int(v):
    try:
        return int(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


def _float(v):
    try:
        return float(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


def flat(item: dict) -> dict:
    actor, target, asserted = item["actor"] or {}, item["target"] or {}, item["asserted_by"] or {}
    ev = item["evidence"] or {}
    mode = item["mode"]
    return {
        "fact_id": item["id"], "kind": item["kind"], "doc_id": item["doc_id"], "outlet": item["outlet"],
        "published": item["published"], "title": item["title"], "url": item["url"], "date": item["date"],
        "date_precision": item["date_precision"], "day": item["day"], "date_inferred": bool(item["date_inferred"]),
        "event_type": item["event_type"], "mode": ";".join(mode) if isinstance(mode, list) else mode,
        "place_name": item["place_name"], "place_resolved": item["place_resolved"], "place_key": item["place_key"],
        "geonames_id": _int(item["geonames_id"]), "lat": _float(item["lat"]), "lon": _float(item["lon"]),
        "precision": item["precision"], "country": item["country"], "admin1": item["admin1"],
        "admin2": item["admin2"], "feature": item["feature"],
        "actor_name": actor.get("name") if item["kind"] != "claim" else None,
        "actor_side": actor.get("side") if item["kind"] != "claim" else None,
        "target_name": target.get("name"), "target_side": target.get("side"),
        "asserted_by_name": asserted.get("name"), "asserted_by_side": asserted.get("side"),
        "stance": item["stance"],
        "speaker_name": item["speaker"] if item["kind"] == "claim" else None,
        "speaker_title": item["speaker_title"], "claim_kind": item["claim_kind"], "claim_text": item["text"],
        "confidence": _float(item["confidence"]),
        "quantities": json.dumps(item["quantities"], ensure_ascii=False) if item["quantities"] else None,
        "status": item["status"], "corroboration": _int(item["corroboration"]),
        "outlets": ";".join(item["outlets"]), "contested": bool(item["contested"]),
        "evidence_start": _int(ev.get("start")), "evidence_end": _int(ev.get("end")),
        "evidence_text": ev.get("text"), "payload": json.dumps(item["payload"], ensure_ascii=False, default=str),
    }


def write_parquet(store, out: Path, options=None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ledger = Ledger.from_store(store, with_places=True)
    facts = sorted(ledger.items + ledger.claims + ledger.places_mentioned, key=lambda i: i["id"])
    table = pa.Table.from_pylist([flat(i) for i in facts], schema=schema())
    pq.write_table(table, str(out))
    return table.num_rows
