"""The static report: one self-contained HTML file (map, timeline, tables) that opens offline.

    write_report(store, "report.html", options)  -> Path

It is the web UI's own page (static/index.html) with every stylesheet and script inlined
(Leaflet from ``xstatic-leaflet``) and the data embedded as JSON in
``<script type="application/json" id="sitrep-data">`` instead of the API: the ledger's items,
every place view and speaker view, and the country outlines when the basemap is built.

Safety: the JSON is escaped for an HTML script element (``<``, ``>``, ``&`` and U+2028/9 as
``\\uXXXX``: no ``</script>`` can close it), the page never sets innerHTML from data, and a
Content-Security-Policy meta tag allows exactly the inlined scripts (by sha256) and no network.
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import re
from pathlib import Path

from sitrep.errors import ExportError

_LINK = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)">')
_SCRIPT = re.compile(r'<script src="(?P<src>[^"]+)"></script>')


def json_for_script(data) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _asset(url: str) -> str:
    from sitrep.serve.app import STATIC, leaflet_dir

    if url.startswith("/vendor/leaflet/"):
        path = leaflet_dir() / url.removeprefix("/vendor/leaflet/")
    elif url.startswith("/static/"):
        path = STATIC / url.removeprefix("/static/")
    else:
        raise ValueError(f"not a packaged asset: {url}")
    return path.read_text(encoding="utf-8")


def _inline_script(code: str) -> str:
    """Script text for an inline <script>: no source-map fetch, nothing that could end the element."""
    code = re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)
    if re.search(r"<!--|<script|</script", code, re.IGNORECASE):
        raise ValueError("script text contains <!--, <script or </script: cannot inline it safely")
    return code


def _sha(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def report_data(store, ledger=None) -> dict:
    """Everything the page shows, as one JSON-ready dict.

    Each item (control change, event, claim) is embedded once, with its evidence sentence;
    place and speaker views refer to items by id (static/sitrep-data.js puts them together).
    """
    from sitrep.export.ledger import Ledger, contexts
    from sitrep.serve.app import fusion_available
    from sitrep.serve.basemap import basemap_path

    ledger = ledger or Ledger.from_store(store)
    ctx = contexts(store, ledger.items + ledger.claims)
    lean = lambda items: [{**{k: v for k, v in i.items() if k != "payload"}, "context": ctx[i["id"]]}  # noqa: E731
                          for i in items]
    ids = lambda items: [i["id"] for i in items]  # noqa: E731
    place_views = {}
    for p in ledger.places():
        v = ledger.place_view(p["key"], store, with_context=False)
        place_views[p["key"]] = {
            "place": v["place"], "timeline": v["timeline"], "reports": ids(v["reports"]),
            "contradictions": [{**c, "sides": ids(c["sides"])} for c in v["contradictions"]]}
    speaker_views = {}
    for sp in ledger.speakers():
        v = ledger.speaker_view(sp["name"], store, with_context=False)
        speaker_views[sp["name"]] = {"speaker": v["speaker"], "claims": ids(v["claims"]),
                                     "assertions": ids(v["assertions"])}
    path = basemap_path()
    stats = ledger.stats()
    stats.update({"basemap": path is not None, "fusion": fusion_available()})
    return {
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "stats": stats, "events": lean(ledger.items), "claims": lean(ledger.claims),
        "places": ledger.places(), "place_views": place_views,
        "speakers": ledger.speakers(), "speaker_views": speaker_views,
        "basemap": json.loads(path.read_text(encoding="utf-8")) if path else None,
    }


def render_report(data: dict) -> str:
    from sitrep.serve.app import STATIC

    page = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts: list[str] = []

    def style(m: re.Match) -> str:
        css = _asset(m.group("href"))
        return "<style>\n" + css.replace("</", "<\\/") + "\n</style>"

    def script(m: re.Match) -> str:
        code = _inline_script(_asset(m.group("src")))
        scripts.append(code)
        return "<script>" + code + "</script>"

    page = _LINK.sub(style, page)
    page = _SCRIPT.sub(script, page)
    data_tag = f'<script type="application/json" id="sitrep-data">{json_for_script(data)}</script>\n'
    first_script = page.index("<script>")
    page = page[:first_script] + data_tag + page[first_script:]
    csp = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src "
           + " ".join(_sha(s) for s in scripts) + "; base-uri 'none'; form-action 'none'")
    meta = (f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            f'<meta name="generator" content="sitrep report {data.get("generated", "")}">\n')
    page = page.replace('<meta charset="utf-8">\n', '<meta charset="utf-8">\n' + meta, 1)
    return page.replace("<title>sitrep: event ledger</title>", "<title>sitrep report</title>", 1)


def write_report(store, out_path, options=None) -> Path:
    """Write the self-contained report to OUT_PATH (atomically); returns its path."""
    out = Path(out_path)
    if not out.parent.exists():
        raise ExportError(f"cannot write {out}: folder {out.parent} does not exist", code="SR602")
    html = render_report(report_data(store))
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}", code="SR602") from exc
    return out
