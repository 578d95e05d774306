"""``geojson``: an RFC 7946 FeatureCollection of Point features, one per located control change
or event (facts without coordinates are left out: a GIS cannot place them)."""
from __future__ import annotations

import json
from pathlib import Path

from sitrep.export.ledger import Ledger

PROPERTIES = ("kind", "event_type", "mode", "day", "date", "date_precision", "date_inferred", "place_name",
              "place_resolved", "place_key", "geonames_id", "precision", "country", "admin1", "admin2",
              "side", "stance", "status", "speaker", "corroboration", "outlets", "contested", "confidence",
              "doc_id", "outlet", "published", "title", "url", "summary")


def feature(item: dict) -> dict:
    props = {k: item[k] for k in PROPERTIES}
    props.update({
        "id": item["id"],
        "actor": (item["actor"] or {}).get("name"), "actor_side": (item["actor"] or {}).get("side"),
        "target": (item["target"] or {}).get("name"), "target_side": (item["target"] or {}).get("side"),
        "asserted_by": (item["asserted_by"] or {}).get("name"),
        "asserted_by_side": (item["asserted_by"] or {}).get("side"),
        "evidence": (item["evidence"] or {}).get("text"), "evidence_start": (item["evidence"] or {}).get("start"),
        "evidence_end": (item["evidence"] or {}).get("end"),
    })
    return {"type": "Feature", "id": item["id"],
            "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]}, "properties": props}


def write_geojson(store, out: Path, options=None) -> int:
    features = [feature(i) for i in Ledger.from_store(store).filter(located=True)]
    with Path(out).open("w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False)
        fh.write("\n")
    return len(features)
