"""Hostile article text, without a browser: the API answers JSON only, and the UI code has no
way to turn text into markup. (tests/test_browser_ui.py proves in Chromium that nothing runs.)"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent / "data" / "ui"))
from uifixture import build_store  # noqa: E402

from sitrep.serve.app import STATIC, create_app  # noqa: E402

JS = sorted(STATIC.glob("*.js"))


@pytest.fixture
def client(store, options):
    build_store(store, hostile=True)
    with TestClient(create_app(store, options), base_url="http://127.0.0.1") as c:
        yield c


def test_hostile_fields_come_back_as_json_strings_verbatim(client):
    r = client.get("/api/speakers")
    assert r.headers["content-type"] == "application/json"
    names = [s["name"] for s in r.json()]
    assert '<svg onload="window.pwned=1">Mr Evil</svg>' in names
    item = next(i for i in client.get("/api/events").json()["items"] if i["doc_id"] == "x1")
    assert item["outlet"].startswith("<img src=x onerror=")
    assert item["url"] == "javascript:window.pwned=1"     # data stays data; the UI never links it
    r = client.get("/api/place", params={"key": item["place_key"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"


def test_error_pages_are_json_not_reflected_html(client):
    r = client.get("/api/place", params={"key": "<script>alert(1)</script>"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    r = client.get("/api/documents/<script>alert(1)</script>")
    assert r.status_code == 404 and "<script>" not in r.text


@pytest.mark.parametrize("path", JS, ids=lambda p: p.name)
def test_ui_code_never_parses_text_as_html(path):
    code = path.read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setTimeout(\"", "createContextualFragment", "srcdoc"):
        assert sink not in code, f"{path.name} uses {sink}"
    # Leaflet popups/tooltips get DOM nodes, never strings
    for m in re.finditer(r"bind(?:Popup|Tooltip)\(\s*(\S+)", code):
        assert m.group(1).startswith(("el(", "()")), m.group(0)


def test_links_only_for_http_urls():
    code = (STATIC / "sitrep-data.js").read_text(encoding="utf-8")
    assert 'S.safeUrl' in code and "/^https?:\\/\\/" in code
