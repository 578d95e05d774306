"""`sitrep extract` end to end: the record contract, evidence, bad input, reruns."""
from __future__ import annotations

import json

import pytest

from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.demo import demo_inputs
from sitrep.pipeline import extract_records, extract_to_file

runner = CliRunner()
REQUIRED = {
    "document": {"doc_id", "path", "title", "outlet", "published", "lang", "status", "reason", "text"},
    "place": {"doc_id", "name", "resolved", "precision", "evidence"},
    "claim": {"doc_id", "speaker", "kind", "text", "evidence"},
    "control_change": {"doc_id", "place", "to", "from", "asserted_by", "stance", "date", "date_precision",
                       "confidence", "evidence"},
    "event": {"doc_id", "event_type", "mode", "actor", "target", "place", "date", "quantities", "asserted_by",
              "evidence"},
    "cluster": {"kind", "members"},
}


def test_demo_records_keep_the_contract_and_exact_evidence(nlp, base_options):
    records = extract_records(demo_inputs(), base_options, nlp=nlp)
    texts = {r["doc_id"]: r["text"] for r in records if r["type"] == "document"}
    kinds = {r["type"] for r in records}
    assert {"document", "place", "claim", "control_change", "event", "cluster"} <= kinds
    for i, r in enumerate(records):
        assert REQUIRED[r["type"]] <= set(r), (i, r["type"], REQUIRED[r["type"]] - set(r))
        if "evidence" in r:
            ev = r["evidence"]
            assert texts[r["doc_id"]][ev["start"]:ev["end"]] == ev["text"] and ev["text"]
        if r["type"] == "cluster":
            for m in r["members"]:
                assert records[m["record"]]["doc_id"] == m["doc_id"]
        if r["type"] == "control_change":
            assert r["stance"] in {"asserted", "denied", "annexation_claim"}
            assert 0.0 <= r["confidence"] <= 1.0
    skipped = [r for r in records if r["type"] == "document" and r["status"] == "skipped"]
    assert any(r["reason"].endswith("not English (fr)") for r in skipped)
    assert not [r for r in records if r.get("doc_id") == "kyiv-fr-2022-10-10" and r["type"] != "document"]


def test_wire_reprint_is_one_cluster_with_both_documents(nlp, base_options):
    records = extract_records(demo_inputs(), base_options, nlp=nlp)
    wire = [r for r in records if r["type"] == "cluster" and r["kind"] == "wire_copy"]
    assert any({m["doc_id"] for m in c["members"]} == {"goma-2025-01-28", "goma-2025-01-28-reprint"} for c in wire)


def test_bad_inputs_are_recorded_and_the_batch_goes_on(tmp_path, nlp, base_options):
    (tmp_path / "good.txt").write_text(
        "Rebel fighters captured the town of Kidal on Tuesday, residents said. The army said it had withdrawn "
        "its troops from the town to protect civilians.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "broken.jsonl").write_text('{"id": "a", "text": "unterminated\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = extract_to_file([tmp_path], out, base_options.with_(published="2023-11-15"), nlp=nlp)
    records = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    docs = {r["doc_id"]: r for r in records if r["type"] == "document"}
    assert docs["good"]["status"] == "ok" and docs["good"]["published"] == "2023-11-15"
    assert docs["empty"]["status"] == "failed" and docs["empty"]["reason"].startswith("SR102")
    assert any(d["status"] == "failed" and d["reason"].startswith("SR107") for d in docs.values())
    assert summary.statuses["failed"] >= 2
    # no named group with a known side gained Kidal: the capture is kept as an event there
    assert any(r["type"] in ("control_change", "event") and r["doc_id"] == "good"
               and (r.get("place") or {}).get("name") == "Kidal" for r in records)


def test_a_run_that_fails_leaves_no_output_file(tmp_path, nlp, base_options, monkeypatch):
    """Lines are written while the NLP stage runs, into OUT.part: a failure later removes it, and an
    existing OUT is left as it was."""
    from sitrep.fuse import sqlstore

    def boom(self):
        raise RuntimeError("fusion failed")

    monkeypatch.setattr(sqlstore.StoreFuser, "finish", boom)
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="fusion failed"):
        extract_to_file(demo_inputs(), out, base_options, nlp=nlp)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert not (tmp_path / "out.jsonl.part").exists()


def test_output_written_into_the_input_folder_is_not_read_back(tmp_path, nlp, base_options):
    """OUT inside the folder being read: the next run reads the same documents (not OUT's records,
    nor OUT.part while it is written); OUT named as an input is SR603 before anything runs."""
    from sitrep.errors import ExportError

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text("Rebels seized the town of Kiwanja on Thursday, the army said.", encoding="utf-8")
    (folder / "b.txt").write_text("The army retook the town of Bentiu on Friday, officials said.", encoding="utf-8")
    out = folder / "out.jsonl"
    first = extract_to_file([folder], out, base_options, nlp=nlp)
    lines = out.read_text(encoding="utf-8")
    second = extract_to_file([folder], out, base_options, nlp=nlp)
    assert len(first.row_ids) == len(second.row_ids) == 2 and not second.problems
    assert out.read_text(encoding="utf-8") == lines
    with pytest.raises(ExportError, match="SR603"):
        extract_to_file([folder / "a.txt", out], out, base_options, nlp=nlp)
    assert out.read_text(encoding="utf-8") == lines


def test_rerun_on_a_kept_database_does_not_duplicate_facts(tmp_path, nlp, base_options):
    opts = base_options.with_(db=f"sqlite:///{tmp_path / 'keep.db'}")
    first = extract_records(demo_inputs(), opts, nlp=nlp)
    second = extract_records(demo_inputs(), opts, nlp=nlp)
    strip = lambda rs: [{k: v for k, v in r.items() if k != "fuse_run"} for r in rs]
    assert strip(first) == strip(second)


def test_extract_cli_exits_zero_and_writes_jsonl(tmp_path, gazetteer, base_options, monkeypatch):
    monkeypatch.setenv("SITREP_CACHE", str(base_options.cache_dir))
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Government forces retook the village of Tal Abyad on Sunday, state media said.",
                               encoding="utf-8")
    out = tmp_path / "o.jsonl"
    res = runner.invoke(app, ["extract", str(src), "-o", str(out), "--published", "2024-03-04"])
    assert res.exit_code == 0, res.output
    types = [json.loads(l)["type"] for l in out.read_text(encoding="utf-8").splitlines()]
    assert types[0] == "document" and "claim" in types
