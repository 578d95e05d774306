"""``acled-csv``: control changes and events in ACLED-style columns, plus our evidence.

ACLED's event_type/sub_event_type come from the PLOVER type (and mode) through the data file
``data/acled_map.tsv`` (users extend it with same-named files in ``Options.extra_data_dirs``;
later rows win). Its columns, tab-separated, ``#`` starts a comment, an optional header row::

    plover_type   plover_mode   acled_event_type   acled_sub_event_type

``plover_mode`` may be empty or ``*`` (any mode). Control changes use the pseudo type
``CONTROL_CHANGE`` with mode ``state`` (the new controller is a state: an ISO3 side) or
``non_state``. When the file is absent a small built-in table (``DEFAULT_MAP``) is used.

Text cells that a spreadsheet would run as a formula (leading ``= + - @``) are prefixed
with ``'`` (article text is untrusted).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from sitrep.export.ledger import CONTROL, REGION_PRECISIONS, Ledger

COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country", "admin1", "admin2", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
    # ours
    "sitrep_kind", "plover_event_type", "plover_mode", "actor1_side", "actor2_side", "stance", "status",
    "asserted_by", "asserted_by_side", "evidence", "evidence_start", "evidence_end", "doc_id", "title",
    "url", "corroboration", "outlets", "confidence", "date_inferred",
]

DEFAULT_MAP: list[tuple[str, str, str, str]] = [
    (CONTROL, "state", "Battles", "Government regains territory"),
    (CONTROL, "non_state", "Battles", "Non-state actor overtakes territory"),
    ("ASSAULT", "*", "Battles", "Armed clash"),
    ("ASSAULT", "aerial", "Explosions/Remote violence", "Air/drone strike"),
    ("ASSAULT", "drone", "Explosions/Remote violence", "Air/drone strike"),
    ("ASSAULT", "missile", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("ASSAULT", "shelling", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("RETREAT", "*", "Strategic developments", "Non-violent transfer of territory"),
    ("PROTEST", "*", "Protests", "Peaceful protest"),
    ("*", "*", "Strategic developments", "Other"),
]

_TIME_PRECISION = {"day": 1, "week": 2, "month": 3}
_KILLED = {"killed", "dead", "death", "deaths", "fatalities", "fatality", "casualties_killed", "people_killed"}


def load_map(options=None) -> list[tuple[str, str, str, str]]:
    """Rows of (plover_type, plover_mode, acled_event_type, acled_sub_event_type)."""
    files = options.data_files("acled_map.tsv") if options is not None else []
    if not files:
        return list(DEFAULT_MAP)
    rows: list[tuple[str, str, str, str]] = []
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("\t")]
            if cells[0].lower().startswith(("plover", "event_type", "type")):
                continue  # header
            if len(cells) == 3:
                cells = [cells[0], "*", cells[1], cells[2]]
            if len(cells) >= 4:
                rows.append((cells[0].upper(), cells[1] or "*", cells[2], cells[3]))
    return rows or list(DEFAULT_MAP)


def acled_type(rows: list[tuple[str, str, str, str]], ptype: str | None, mode: str | None) -> tuple[str, str]:
    """Most specific match wins (type+mode > type > any); later rows win among equals."""
    best, score = ("", ""), -1
    modes = {m.lower() for m in (mode if isinstance(mode, list) else [mode]) if m}
    for t, m, et, sub in rows:
        if t not in ("*", (ptype or "").upper()):
            continue
        if m not in ("*", "") and m.lower() not in modes:
            continue
        s = (2 if t != "*" else 0) + (1 if m not in ("*", "") else 0)
        if s >= score:
            best, score = (et, sub), s
    return best


def geo_precision(item: dict) -> int | str:
    if item["lat"] is None:
        return ""
    if item["precision"] == "settlement":
        return 1
    if item["precision"] == "admin2":
        return 2
    return 3 if item["precision"] in REGION_PRECISIONS else 2


def time_precision(item: dict) -> int | str:
    if not item["day"]:
        return ""
    if item["date_inferred"]:
        return 2   # only the publication date is known: the event happened around then
    return _TIME_PRECISION.get(item["date_precision"] or "day", 1)


def fatalities(quantities: list[dict]) -> int | str:
    n = [q.get("value") for q in quantities or []
         if str(q.get("unit", "")).lower().replace(" ", "_") in _KILLED and isinstance(q.get("value"), (int, float))]
    return int(sum(n)) if n else ""


def _is_state(side: str | None) -> bool:
    return bool(side and re.fullmatch(r"[A-Z]{3}", side))


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def row(item: dict, rows) -> dict:
    actor, target, asserted = item["actor"] or {}, item["target"] or {}, item["asserted_by"] or {}
    if item["kind"] == "control_change":
        mode = "state" if _is_state(actor.get("side")) else "non_state"
        et, sub = acled_type(rows, CONTROL, mode)
    else:
        mode = item["mode"]
        et, sub = acled_type(rows, item["event_type"], mode)
    note = item["summary"] + (f"; according to {asserted.get('name')}" if asserted.get("name") else "")
    ev = item["evidence"] or {}
    out = {
        "event_id_cnty": f"SR{item['id']}", "event_date": item["day"] or "",
        "year": (item["day"] or "")[:4], "time_precision": time_precision(item),
        "event_type": et, "sub_event_type": sub,
        "actor1": actor.get("name") or actor.get("side") or "", "assoc_actor_1": "",
        "actor2": target.get("name") or target.get("side") or "", "assoc_actor_2": "",
        "country": item["country"] or "", "admin1": item["admin1"] or "", "admin2": item["admin2"] or "",
        "location": item["place_resolved"] or item["place_name"] or "",
        "latitude": item["lat"] if item["lat"] is not None else "",
        "longitude": item["lon"] if item["lon"] is not None else "",
        "geo_precision": geo_precision(item), "source": item["outlet"] or "", "source_scale": "",
        "notes": note, "fatalities": fatalities(item["quantities"]),
        "sitrep_kind": item["kind"], "plover_event_type": item["event_type"] if item["kind"] == "event" else "",
        "plover_mode": mode if isinstance(mode, str) else ";".join(mode or []),
        "actor1_side": actor.get("side") or "", "actor2_side": target.get("side") or "",
        "stance": item["stance"] or "", "status": item["status"], "asserted_by": asserted.get("name") or "",
        "asserted_by_side": asserted.get("side") or "", "evidence": ev.get("text", ""),
        "evidence_start": ev.get("start", ""), "evidence_end": ev.get("end", ""), "doc_id": item["doc_id"],
        "title": item["title"] or "", "url": item["url"] or "", "corroboration": item["corroboration"],
        "outlets": ";".join(item["outlets"]), "confidence": item["confidence"] if item["confidence"] is not None else "",
        "date_inferred": int(bool(item["date_inferred"])),
    }
    return {k: _safe(v) for k, v in out.items()}


def write_acled_csv(store, out: Path, options=None) -> int:
    rows = load_map(options)
    ledger = Ledger.from_store(store)
    n = 0
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for item in ledger.items:
            w.writerow(row(item, rows))
            n += 1
    return n
