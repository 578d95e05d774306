"""``jsonl``: the CONTRACT.md records (documents, facts, clusters) of every current document."""
from __future__ import annotations

import json
from pathlib import Path


def write_jsonl(store, out: Path, options=None) -> int:
    from sitrep.pipeline import iter_records

    n = 0
    with Path(out).open("w", encoding="utf-8") as fh:
        for rec in iter_records(store, [d["id"] for d in store.documents(with_text=False)]):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n
