"""RSS/Atom feeds: a defusedxml safety check, then feedparser, one raw document per entry.

feedparser must never see a document that declares entities (billion laughs, external
entities): ``check_xml`` rejects those with SR109 before feedparser is called.
"""
from __future__ import annotations

import hashlib
import io
import re

from sitrep.errors import IngestError
from sitrep.ingest.html_text import has_markup, html_to_text

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF|channel)\b", re.IGNORECASE)


def looks_like_feed(text: str) -> bool:
    """An RSS/Atom/RDF document (root element near the start)."""
    return bool(_FEED_ROOT.search(text[:4096]))


def check_xml(data: bytes, subject: str | None = None) -> bool:
    """Raise SR109 for XML that declares entities; return whether the XML is well-formed.

    Malformed XML is not rejected here: feedparser's tolerant parser may still read it
    (it is never handed entity declarations, so it cannot expand any).
    """
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    if _ENTITY_DECL.search(data):
        raise IngestError("XML declares entities (possible XML bomb); refused", subject=subject, code="SR109")
    try:
        safe_et.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise IngestError(f"unsafe XML refused ({type(exc).__name__})", subject=subject, code="SR109")
    except (ParseError, ValueError, LookupError):
        return False
    return True


def parse_feed(data: bytes, subject: str | None = None):
    """Check DATA and parse it with feedparser; SR109 when unsafe or when no feed is found."""
    well_formed = check_xml(data, subject)
    import feedparser  # imported on the first feed only

    feed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=True)
    if not feed.entries and not well_formed:
        raise IngestError("malformed XML feed", subject=subject, code="SR109")
    return feed


def entry_id(entry, stem: str, n: int) -> str:
    """Deterministic id: a short hash of the entry's id/guid (or link), else ``<stem>-<n>``."""
    key = entry.get("id") or entry.get("guid") or entry.get("link")
    if key:
        return f"{stem}-{hashlib.sha1(str(key).encode('utf-8')).hexdigest()[:10]}"
    return f"{stem}-{n}"


def entry_text(entry) -> str:
    """The longest of the entry's content blocks, else its summary, as plain text."""
    candidates = [c.get("value") or "" for c in entry.get("content") or []]
    candidates.append(entry.get("summary") or entry.get("description") or "")
    best = max(candidates, key=len)
    return html_to_text(best) if has_markup(best) or "&" in best else best.strip()


def entry_published(entry):
    """The entry's own date string (as written, local date kept), else the parsed UTC tuple."""
    for key in ("published", "updated", "created", "dc_date"):
        if entry.get(key):
            return entry[key]
    return entry.get("published_parsed") or entry.get("updated_parsed")
