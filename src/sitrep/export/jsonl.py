"""``jsonl``: the CONTRACT.md records (documents, facts, clusters) of every current document."""
from __future__ import annotations

from pathlib import Path


def write_jsonl(store, out: Path, options=None) -> int:
    from sitrep.pipeline import iter_record_lines

    n = 0
    with Path(out).open("w", encoding="utf-8") as fh:
        for text in iter_record_lines(store, [d["id"] for d in store.documents(with_text=False)]):
            fh.write(text + "\n")
            n += 1
    return n
