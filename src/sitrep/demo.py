"""`sitrep demo`: the whole pipeline on the demo articles shipped in sitrep/examples/."""
from __future__ import annotations

from pathlib import Path

from sitrep.options import Options

EXAMPLES = Path(__file__).parent / "examples"
INPUT_SUFFIXES = {".txt", ".html", ".htm", ".jsonl", ".json", ".csv", ".xml"}


def demo_inputs() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix.lower() in INPUT_SUFFIXES)


def run_demo(out_dir: Path, options: Options | None = None) -> list[str]:
    """Extract the demo articles into OUT_DIR (sitrep.db, records.jsonl, report.html); return lines to print."""
    from sitrep.pipeline import extract_to_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "sitrep.db"
    for stale in out_dir.glob("sitrep.db*"):
        stale.unlink()
    options = (options or Options()).with_(db=f"sqlite:///{db_path}")
    records_path = out_dir / "records.jsonl"
    summary = extract_to_file(demo_inputs(), records_path, options)
    lines = [f"demo: {summary.line()}", f"records: {records_path} ({summary.records} records)"]
    lines += [f"  not mined: {p}" for p in summary.problems]
    from sitrep.store import Store

    with Store(options.db) as store:
        counts = {}
        for f in store.facts():
            counts[f["kind"]] = counts.get(f["kind"], 0) + 1
        lines.append("facts: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
        for f in store.facts(kind="control_change"):
            p = f["payload"]
            who = (p.get("asserted_by") or {}).get("name") or "narration"
            lines.append(f"  {p['place']['name']:<14} -> {(p.get('to') or {}).get('side') or '?':<5} "
                         f"{p.get('stance'):<16} {p.get('date') or '-':<10} per {who}  [{f['doc_id']}]")
        try:
            from sitrep.serve.report import write_report

            report = write_report(store, out_dir / "report.html", options)
            lines.append(f"static report: {report} (open it in a browser, works offline)")
        except ImportError:
            pass
    lines.append(f"web UI: sitrep serve --db {db_path}   then open http://127.0.0.1:8000")
    return lines
