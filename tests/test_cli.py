"""The command line: thin commands, one-line errors, the contract's exit codes."""
from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sitrep.cli import app

runner = CliRunner()


def test_every_command_has_help_with_an_example():
    for cmd in ["ingest", "extract", "docs", "control", "serve", "report", "export", "demo", "gazetteer build",
                "gazetteer load"]:
        res = runner.invoke(app, cmd.split() + ["--help"])
        assert res.exit_code == 0, (cmd, res.output)
        assert "Example:" in res.output, cmd


def test_bad_published_date_is_one_line_error(tmp_path):
    (tmp_path / "a.txt").write_text("Some text about the war in the east of the country today.", encoding="utf-8")
    res = runner.invoke(app, ["extract", str(tmp_path), "-o", str(tmp_path / "o.jsonl"), "--published", "05/10/2022"])
    assert res.exit_code == 1
    err = res.stderr if hasattr(res, "stderr") else res.output
    assert "SR901" in err and len(err.strip().splitlines()) == 1


def test_unwritable_output_exits_nonzero(tmp_path):
    (tmp_path / "a.txt").write_text("Some text about the war in the east of the country today.", encoding="utf-8")
    res = runner.invoke(app, ["extract", str(tmp_path / "a.txt"), "-o", str(tmp_path / "no" / "dir" / "o.jsonl")])
    assert res.exit_code == 1
    assert "SR602" in (res.stderr if hasattr(res, "stderr") else res.output)


def test_unopenable_database_is_one_line_error(tmp_path):
    res = runner.invoke(app, ["docs", "--db", str(tmp_path / "missing-dir" / "x.db")])
    assert res.exit_code == 1
    assert "SR201" in (res.stderr if hasattr(res, "stderr") else res.output)


def test_ingest_then_docs_lists_status_and_reasons(tmp_path, cache_dir):
    data = tmp_path / "in"
    data.mkdir()
    (data / "ok.txt").write_text(
        "Ukrainian forces said on Monday that they had pushed Russian troops back from several villages "
        "near the river, and officials said the fighting continued overnight.", encoding="utf-8")
    (data / "empty.txt").write_text("", encoding="utf-8")
    (data / "blob.bin").write_bytes(bytes(range(256)) * 10)
    db = tmp_path / "news.db"
    res = runner.invoke(app, ["ingest", str(data), "--db", str(db), "--published", "2023-01-02"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["docs", "--db", str(db)])
    assert res.exit_code == 0
    lines = [l for l in res.stdout.splitlines() if l.strip()]
    status = {l.split("\t")[0]: l.split("\t")[2] for l in lines}
    assert status["ok"] == "ok"
    assert status["empty"] == "failed"
    assert any(v == "failed" for k, v in status.items() if k.startswith("blob"))
    # re-ingesting the same folder is a no-op
    res = runner.invoke(app, ["ingest", str(data), "--db", str(db)])
    assert "unchanged" in res.output
    res = runner.invoke(app, ["docs", "--db", str(db)])
    assert len([l for l in res.stdout.splitlines() if l.strip()]) == len(lines)


def test_console_script_runs_as_a_process():
    out = subprocess.run([sys.executable, "-m", "sitrep.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "extract" in out.stdout


@pytest.fixture
def gaz_copy(tmp_path, gazetteer, base_options):
    """A private copy of the session's embedded gazetteer (loading dumps writes to it)."""
    import shutil

    gaz = tmp_path / "gaz.sqlite"
    shutil.copy(base_options.gazetteer_path(), gaz)
    return gaz


def test_gazetteer_load_reports_counts_and_overrides_embedded_rows(gaz_copy):
    from conftest import DATA
    from sitrep.geo import open_gazetteer
    from sitrep.options import Options

    gaz = gaz_copy
    dump = DATA / "geo"
    res = runner.invoke(app, ["gazetteer", "load", str(dump / "admin1CodesASCII.txt"), str(dump / "UA.txt"),
                              "--gazetteer", str(gaz)])
    assert res.exit_code == 0, res.output
    assert "rows" in res.output and str(gaz) in res.output
    assert open_gazetteer(Options(gazetteer=str(gaz))).lookup("Novopetrivka")


def test_gazetteer_load_of_a_bad_file_is_one_line_error(tmp_path, gaz_copy):
    bad = tmp_path / "XX.txt"
    bad.write_text("not\ta\tgeonames\trow\n", encoding="utf-8")
    res = runner.invoke(app, ["gazetteer", "load", str(bad), "--gazetteer", str(gaz_copy)])
    assert res.exit_code == 1
    assert "SR40" in (res.stderr if hasattr(res, "stderr") else res.output)
