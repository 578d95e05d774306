"""The UI in a real headless Chromium (Playwright): map, markers, place and speaker views,
timeline filters, the static report offline, and hostile article text that must not run.

Every request to anything but 127.0.0.1 (or, for the report, file://) is aborted and recorded;
the tests assert there were none. They wait on the app's ready flag, never on network idle.
Set SITREP_SCREENSHOT_DIR to keep the screenshots.
"""
from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "ui"))
from uifixture import build_store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


def expect(locator):
    from playwright.sync_api import expect as _expect

    return _expect(locator)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Server:
    """uvicorn serving the app in a background thread on 127.0.0.1 and a free port."""

    def __init__(self, app):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class Page:
    """A fresh page that aborts (and records) every request leaving this machine."""

    def __init__(self, browser, allow=("127.0.0.1",)):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.allow = allow
        self.context.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "file") or parsed.hostname in self.allow:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def ready(self, url: str):
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.wait_for_function("() => window.sitrepReady === true", timeout=20000)
        return self.page

    def close(self):
        self.context.close()


def keep(path: Path) -> None:
    target = os.environ.get("SITREP_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


@pytest.fixture
def app_url(store, options):
    from sitrep.serve.app import create_app

    build_store(store)
    with Server(create_app(store, options)) as url:
        yield url


@pytest.fixture
def hostile_url(store, options):
    from sitrep.serve.app import create_app

    build_store(store, hostile=True)
    with Server(create_app(store, options)) as url:
        yield url


def test_map_marker_place_view_timeline_filter_and_screenshot(browser, app_url, tmp_path):
    from sitrep.serve.basemap import basemap_path

    w = Page(browser)
    page = w.ready(app_url)
    assert page.get_attribute("body", "data-ready") == "1"
    assert page.evaluate("window.sitrepError") is None
    legend = page.inner_text("#legend")
    assert "UKR" in legend and "contested" in legend and "region" in legend and "[object" not in legend
    page.screenshot(path=str(tmp_path / "ui-overview.png"))
    keep(tmp_path / "ui-overview.png")
    # one marker per place; the two oblasts are region circles, the rest town dots
    assert page.locator("path.sr-marker").count() == 6
    assert page.locator("path.sr-marker.sr-prec-region").count() == 2
    assert page.locator("path.sr-marker.sr-prec-town").count() == 4
    assert page.locator("path.sr-marker.sr-status-contested").count() == 1     # Dudchany
    if basemap_path() is not None:   # Natural Earth outlines drawn as non-interactive paths
        assert page.locator(".leaflet-overlay-pane path:not(.sr-marker)").count() > 100
    else:
        assert "no-basemap" in page.get_attribute("#map", "class")
    # click a marker: its popup lists the reports; open the place from there
    page.locator('path.sr-marker[data-place="gn:702658"]').click()
    popup = page.locator(".leaflet-popup-content .popup")
    popup.wait_for()
    assert "Lyman" in popup.locator("h4").inner_text()
    popup.locator("button.open-place").click()
    view = page.locator(".place-view")
    view.wait_for()
    assert view.locator("h2").inner_text() == "Lyman"
    assert view.locator(".tl-entry").count() >= 1 and "UKR" in view.locator(".tl-entry").first.inner_text()
    assert view.locator(".card.report").count() == 4
    marks = view.locator("mark").all_inner_texts()
    assert "Ukrainian forces recaptured Lyman on Saturday after encircling the Russian garrison." in marks
    assert "2 sources" in view.inner_text() and "Reuters" in view.inner_text()
    page.screenshot(path=str(tmp_path / "ui-lyman.png"))
    keep(tmp_path / "ui-lyman.png")
    # contradictions side by side (Dudchany, from the places list)
    page.locator("#panel-body button.link", has_text="all places").click()
    page.locator('button.place-link[data-place="gn:709000"]').click()
    versus = page.locator(".place-view .versus")
    versus.wait_for()
    assert versus.locator(".card").count() == 2
    assert {"TASS", "The Guardian"} <= set(versus.locator(".outlet").all_inner_texts())
    # filter the timeline by date range: the map follows
    page.fill("#f-from", "2022-10-03")
    page.fill("#f-to", "2022-10-05")
    expect(page.locator("path.sr-marker")).to_have_count(4)  # Dudchany, Novopetrivka, Kherson Oblast, Kreminna
    expect(page.locator("#events tbody tr")).to_have_count(5)
    expect(page.locator("#timeline g.bar.out")).to_have_count(3)   # 30 Sep - 2 Oct greyed out
    # ... and by side
    page.select_option("#f-side", "RUS")
    expect(page.locator("#events tbody tr")).to_have_count(4)
    # a click on a timeline bar selects that day
    page.click("#f-reset")
    expect(page.locator("#events tbody tr")).to_have_count(10)
    page.locator('#timeline g.bar[data-day="2022-10-01"]').click()
    expect(page.locator("path.sr-marker")).to_have_count(1)
    assert page.input_value("#f-from") == "2022-10-01" and page.input_value("#f-to") == "2022-10-01"
    page.screenshot(path=str(tmp_path / "ui-filtered.png"))
    keep(tmp_path / "ui-filtered.png")
    # speaker view: all claims of a speaker
    page.click('#tabs button[data-tab="speakers"]')
    page.locator("button.speaker-link", has_text="Vladimir Saldo").click()
    sv = page.locator(".speaker-view")
    sv.wait_for()
    assert "The situation is under control" in sv.locator("mark").all_inner_texts()
    assert w.blocked == [] and w.dialogs == [] and w.errors == []
    w.close()


def test_map_still_works_without_the_basemap(browser, store, options, monkeypatch):
    import sitrep.serve.basemap
    from sitrep.serve.app import create_app

    monkeypatch.setattr(sitrep.serve.basemap, "basemap_path", lambda: None)
    build_store(store)
    with Server(create_app(store, options)) as url:
        w = Page(browser)
        page = w.ready(url)
        assert "no-basemap" in page.get_attribute("#map", "class")
        assert page.locator("path.sr-marker").count() == 6
        assert page.locator(".leaflet-overlay-pane path:not(.sr-marker)").count() == 0
        assert page.evaluate("window.sitrepError") is None and w.errors == [] and w.blocked == []
        w.close()


def test_hostile_article_text_is_shown_as_text_and_never_runs(browser, hostile_url, tmp_path):
    w = Page(browser)
    page = w.ready(hostile_url)
    # every view that shows article text: popup, place view, speakers, speaker view, table, about
    marker = page.locator("path.sr-marker[data-place^='name:']")
    marker.click()
    page.locator(".leaflet-popup-content .popup").wait_for()
    page.locator(".leaflet-popup-content button.open-place").click()
    view = page.locator(".place-view")
    view.wait_for()
    view.hover()
    page.click('#tabs button[data-tab="speakers"]')
    page.locator("button.speaker-link", has_text="Mr Evil").click()
    page.locator(".speaker-view").wait_for()
    page.locator(".speaker-view").hover()
    page.select_option("#f-type", "<img src=x onerror=alert(1)>")
    expect(page.locator("#events tbody tr")).to_have_count(1)
    page.click('#tabs button[data-tab="about"]')
    page.screenshot(path=str(tmp_path / "ui-hostile.png"))
    keep(tmp_path / "ui-hostile.png")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert w.dialogs == []
    # no element the payloads tried to create, no javascript: link
    assert page.evaluate("document.querySelectorAll('#panel img, #events img, .leaflet-popup img, svg[onload], "
                         "[onerror], [onload], [onmouseover], a[href^=\"javascript\"], #panel script').length") == 0
    text = page.evaluate("document.body.innerText")
    page.click('#tabs button[data-tab="speakers"]')
    page.locator("button.speaker-link", has_text="Mr Evil").click()
    page.locator(".speaker-view").wait_for()
    text += page.evaluate("document.body.innerText")
    assert '<svg onload="window.pwned=1">Mr Evil</svg>' in text
    assert '<b onmouseover=alert(1)>Hello</b> <a href="javascript:window.pwned=1">click</a>' in text
    assert w.blocked == [] and w.errors == []
    w.close()


def test_static_report_opens_offline_with_map_and_tables(browser, store, tmp_path):
    from sitrep.serve.report import write_report

    build_store(store, hostile=True)
    path = write_report(store, tmp_path / "report.html")
    w = Page(browser, allow=())
    page = w.ready(path.as_uri())
    assert page.evaluate("window.sitrepError") is None
    assert page.locator("path.sr-marker").count() == 7
    page.locator('path.sr-marker[data-place="gn:706442"]').click()   # Kherson Oblast (region)
    page.locator(".leaflet-popup-content button.open-place").click()
    page.locator(".place-view h2", has_text="Kherson Oblast").wait_for()
    page.select_option("#f-status", "contested")
    expect(page.locator("#events tbody tr")).to_have_count(2)
    page.screenshot(path=str(tmp_path / "report.png"))
    keep(tmp_path / "report.png")
    assert page.evaluate("typeof window.pwned") == "undefined" and w.dialogs == []
    assert w.blocked == [] and w.errors == []
    w.close()
