"""HTML -> text: whole pages through trafilatura, fragments (feed/JSON bodies) through lxml.

Paragraphs come out separated by blank lines, as the cleaner and the rest of the pipeline expect.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

_TAG = re.compile(r"<\s*(?:p|br|div|span|a|b|i|em|strong|html|body|head|article|section|li|ul|ol|h[1-6]"
                  r"|img|figure|table|blockquote|meta|title|script|style)\b[^>]*>", re.IGNORECASE)
_PAGE = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.IGNORECASE | re.DOTALL)
# Elements whose text is never article text.
_DROP = {"script", "style", "noscript", "iframe", "template", "svg", "figcaption", "nav", "button", "form"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
          "table", "section", "article", "header", "footer", "figure", "pre", "dd", "dt", "hr", "main", "aside"}


@dataclass
class Page:
    """What trafilatura found in one HTML page."""

    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    author: str | None = None


def looks_like_html(text: str) -> bool:
    """A whole HTML page (doctype/html/head/body at the start)."""
    return bool(_PAGE.match(text[:2048]))


def has_markup(text: str) -> bool:
    """True when a text field holds HTML markup (two or more common tags)."""
    return len(_TAG.findall(text[:20000])) >= 2


def extract_page(html: str, url: str | None = None) -> Page | None:
    """Main text and metadata of an HTML page; ``None`` when nothing usable is found.

    Tolerates truncated or malformed markup (lxml recovers what it can); falls back to the
    plain text of the page body when trafilatura finds no main content.
    """
    import trafilatura  # heavy: imported on the first HTML document only
    from trafilatura.settings import set_date_params

    quiet = logging.getLogger("trafilatura")
    if quiet.level == logging.NOTSET:  # its per-page chatter would drown our one line per failure
        quiet.setLevel(logging.ERROR)
    result = None
    try:
        result = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, date_extraction_params=set_date_params(False))
    except Exception:  # trafilatura raises assorted errors on broken input; fall back below
        result = None
    meta = {}
    if result is not None:
        meta = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    lines = [ln.strip() for ln in (meta.get("text") or "").split("\n")]
    text = "\n\n".join(ln for ln in lines if ln)
    if not text:
        text = html_to_text(html)
    if not text:
        return None
    return Page(text=text, title=_clean(meta.get("title")), url=_clean(meta.get("url")),
                outlet=_clean(meta.get("sitename")), published=_clean(meta.get("date")),
                author=_clean(meta.get("author")))


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment or page: block elements become paragraphs, scripts and captions go."""
    import lxml.html
    from lxml import etree

    if not fragment.strip():
        return ""
    try:
        parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True, remove_pis=True)
        root = lxml.html.fromstring(fragment, parser=parser)
    except (etree.ParserError, ValueError, TypeError):
        return ""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _DROP or tag == "head":
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in _BLOCK
        if block:
            parts.append("\n\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    paragraphs = (" ".join(p.split()) for p in "".join(parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _clean(value) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None
