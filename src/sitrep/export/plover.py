"""``plover-json``: events as PLOVER records (field names from the PLOVER manual's "PLOVER JSON"
table: ``id, date, source, recipient, event, event_loc, event_text, quad_code, mode, text_info,
cite_info, coder, coded_date, comment``; actor objects ``code, actor_text``; the location object
uses GeoNames field names plus ``cc3``).

OUT ending in ``.jsonl``/``.ndjson`` gets one record per line (the manual's suggestion); any other
name gets one JSON array. Only ``event`` facts are PLOVER events (control changes are not a
PLOVER category; they are in the other exports). Fields beyond the spec, as the manual allows:
``doc_id``, ``asserted_by``, ``corroboration``, ``status``, ``quantities``, ``fatalities``.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from sitrep.export.ledger import Ledger

QUAD = {  # PLOVER manual, "Quad categories in PLOVER"
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "DEMAND": 3, "ACCUSE": 3, "REJECT": 3, "SANCTION": 3, "THREATEN": 3,
    "PROTEST": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}


def _actor(party: dict | None, text: str | None = None) -> list[dict]:
    if not party or not (party.get("name") or party.get("side")):
        return []
    return [{"code": party.get("side"), "actor_text": party.get("name") or text}]


def _location(item: dict) -> dict | None:
    if item["lat"] is None and not item["place_name"]:
        return None
    return {"geonameid": item["geonames_id"], "name": item["place_resolved"] or item["place_name"],
            "latitude": item["lat"], "longitude": item["lon"], "feature code": item["feature"],
            "country code": item["country"], "admin1": item["admin1"], "admin2": item["admin2"],
            "raw_placename": item["place_name"], "precision": item["precision"]}


def record(item: dict, coded: str, version: str) -> dict:
    ev = item["evidence"] or {}
    mode = item["mode"]
    rec = {
        "id": f"sitrep-{item['id']}", "date": item["day"], "source": _actor(item["actor"]),
        "recipient": _actor(item["target"]), "event": [item["event_type"]] if item["event_type"] else [],
        "event_loc": _location(item), "event_text": [ev.get("text", "")],
        "quad_code": QUAD.get((item["event_type"] or "").upper()),
        "mode": mode if isinstance(mode, list) else ([mode] if mode else []), "context": [],
        "text_info": {"start": ev.get("start"), "end": ev.get("end")},
        "cite_info": {"url": item["url"], "title": item["title"], "publication": item["outlet"],
                      "citation": item["doc_id"], "coder": f"sitrep {version}"},
        "coder": f"sitrep {version}", "coded_date": coded,
        "comment": "date is the publication date" if item["date_inferred"] else None,
        # beyond the spec
        "doc_id": item["doc_id"], "asserted_by": item["asserted_by"], "corroboration": item["corroboration"],
        "status": item["status"], "quantities": item["quantities"],
    }
    killed = [q.get("value") for q in item["quantities"] if str(q.get("unit", "")).lower() in ("killed", "dead")]
    if killed:
        rec["size"] = {"dead": sum(v for v in killed if isinstance(v, (int, float)))}
    return rec


def write_plover_json(store, out: Path, options=None) -> int:
    from importlib.metadata import PackageNotFoundError, version as _version

    try:
        ver = _version("sitrep")
    except PackageNotFoundError:
        ver = "dev"
    coded = _dt.date.today().isoformat()
    records = [record(i, coded, ver) for i in Ledger.from_store(store).items if i["kind"] == "event"]
    out = Path(out)
    lines = out.name.removesuffix(".part").endswith((".jsonl", ".ndjson"))
    with out.open("w", encoding="utf-8") as fh:
        if lines:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            json.dump(records, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    return len(records)
