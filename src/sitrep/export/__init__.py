"""Exports: the ledger in the formats other tools load.

    from sitrep.export import export
    n = export(store, "acled-csv", "events.csv", options)    # -> records written

Formats (one module each): ``acled-csv`` (acled.py), ``plover-json`` (plover.py), ``geojson``
(geojson.py), ``parquet`` (parquet.py), ``jsonl`` (jsonl.py: the CONTRACT.md records).
Every writer writes to ``OUT.part`` first and renames it on success, so a failed export never
leaves a half-written file behind.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from sitrep.errors import ExportError

# format name -> (module, function); imported on use (no work at import time)
FORMATS = {
    "acled-csv": ("sitrep.export.acled", "write_acled_csv"),
    "plover-json": ("sitrep.export.plover", "write_plover_json"),
    "geojson": ("sitrep.export.geojson", "write_geojson"),
    "parquet": ("sitrep.export.parquet", "write_parquet"),
    "jsonl": ("sitrep.export.jsonl", "write_jsonl"),
}


def export(store, fmt: str, out, options=None) -> int:
    """Write the store's current ledger as FMT to OUT; returns the number of records written.

    Raises ``ExportError`` SR601 for an unknown format, SR602 when OUT cannot be written.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})", code="SR601")
    out = Path(out)
    if not out.parent.exists():
        raise ExportError(f"cannot write {out}: folder {out.parent} does not exist", code="SR602")
    module, func = FORMATS[fmt]
    writer = getattr(importlib.import_module(module), func)
    tmp = out.with_name(out.name + ".part")
    try:
        n = writer(store, tmp, options)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}", code="SR602") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


__all__ = ["export", "FORMATS", "ExportError"]
