"""The static report: one self-contained HTML file, data embedded safely, nothing external."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "ui"))
from uifixture import build_store  # noqa: E402

from sitrep.errors import ExportError  # noqa: E402
from sitrep.serve.report import json_for_script, write_report  # noqa: E402


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="sitrep-data">(.*?)</script>', html, re.S)
    assert m, "no embedded data"
    return json.loads(m.group(1))


def test_report_is_one_self_contained_file(store, options, tmp_path):
    build_store(store)
    out = write_report(store, tmp_path / "report.html", options)
    assert out == tmp_path / "report.html"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("sitrep.db")] == ["report.html"]
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html) and "<link" not in html     # everything inlined
    assert "L.map" in html or "leaflet" in html.lower()                           # Leaflet JS inlined
    assert ".leaflet-container" in html                                           # Leaflet CSS inlined
    assert 'http-equiv="Content-Security-Policy"' in html and "connect-src" not in html  # default-src 'none'
    data = embedded(html)
    assert len(data["events"]) == 10 and data["stats"]["documents"] == 8
    assert set(data["place_views"]) == {p["key"] for p in data["places"]}
    items = {i["id"]: i for i in data["events"] + data["claims"]}
    dud = data["place_views"]["gn:709000"]
    assert len(dud["contradictions"]) == 1 and len(dud["reports"]) == 2
    assert {items[i]["outlet"] for i in dud["contradictions"][0]["sides"]} == {"TASS", "The Guardian"}
    (claim,) = data["speaker_views"]["Vladimir Putin"]["claims"]
    assert items[claim]["context"]["match"].startswith("We will defend")


def test_report_scripts_are_allowed_by_hash_only(store, tmp_path):
    import base64
    import hashlib

    build_store(store)
    html = write_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 5   # leaflet, data helpers, map, views, app
    assert "sourceMappingURL" not in html
    for code in scripts:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]


def test_hostile_text_cannot_close_the_data_script(store, tmp_path):
    build_store(store, hostile=True)
    html = write_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    data_part = html.split('id="sitrep-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data_part and ">" not in data_part
    data = embedded(html)
    names = {e["place_name"] for e in data["events"]}
    assert '<img src=x onerror="window.pwned=1;alert(1)">Townsville' in names
    assert html.count("<script") == 6   # the data block + 5 inlined scripts: no payload became a tag


def test_json_for_script_escapes_html_breakers():
    s = json_for_script({"a": "</script><!-- \u2028 & <b>"})
    assert "</" not in s and "<!--" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == {"a": "</script><!-- \u2028 & <b>"}


def test_report_of_an_empty_store_still_opens(store, tmp_path):
    html = write_report(store, tmp_path / "empty.html").read_text(encoding="utf-8")
    data = embedded(html)
    assert data["events"] == [] and data["places"] == [] and data["stats"]["date_min"] is None


def test_report_into_missing_folder_is_sr602(store, tmp_path):
    with pytest.raises(ExportError) as err:
        write_report(store, tmp_path / "nope" / "r.html")
    assert err.value.code == "SR602"
