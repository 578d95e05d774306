"""One reader per input format: a file in, raw documents out (text not yet cleaned).

``read_file`` checks size, emptiness and binary content before anything is parsed, picks the
format by extension (or sniffs it), and never raises for bad input: a problem becomes a
``RawDoc`` with ``error`` set, and the other documents of the same file go on.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitrep.errors import IngestError
from sitrep.ingest.encoding import declared_charset, decode, is_binary
from sitrep.ingest.feeds import entry_id, entry_published, entry_text, looks_like_feed, parse_feed
from sitrep.ingest.html_text import extract_page, has_markup, html_to_text, looks_like_html
from sitrep.ingest.metadata import normalise_date

FORMATS = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "csv",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}
# Known not to be articles: skipped (SR110) without being read.
UNSUPPORTED = {
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico",
    ".mp3", ".mp4", ".wav", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".exe", ".so", ".dll",
    ".pyc", ".py", ".js", ".css", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".sh", ".db", ".sqlite",
    ".parquet", ".xlsx", ".xls",
}
# Record fields (JSON keys / CSV columns), compared after lower-casing and "-"/" " -> "_".
TEXT_KEYS = ("text", "content", "body", "article", "full_text", "fulltext", "maintext", "article_text",
             "article_body", "articlebody", "summary", "description")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link", "href", "canonical_url", "source_url")
DATE_KEYS = ("published", "date", "pubdate", "pub_date", "published_at", "publishedat", "publish_date",
             "published_date", "date_published", "datepublished", "datetime", "created_at")
OUTLET_KEYS = ("outlet", "source", "site", "publisher", "sitename", "site_name", "source_name", "domain")
ID_KEYS = ("id", "doc_id", "guid", "uid", "_id")
RECORD_LISTS = ("articles", "items", "documents", "docs", "data", "results", "records", "entries", "rows")


@dataclass
class RawDoc:
    """One document as read from a file: raw text and the file's own metadata, or an error."""

    doc_id: str
    path: str
    fmt: str
    text: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None      # YYYY-MM-DD, from the file itself
    encoding: str | None = None
    meta: dict = field(default_factory=dict)
    error: IngestError | None = None
    status: str = "failed"            # what an error means for the document: failed | skipped


def read_file(path: Path, options) -> Iterator[RawDoc]:
    """Every raw document in PATH (one for most formats, one per record/entry for JSON/CSV/feeds)."""
    path = Path(path)
    where, stem = str(path), path.stem
    fmt = FORMATS.get(path.suffix.lower())

    def fail(message: str, code: str, status: str = "failed") -> RawDoc:
        return RawDoc(stem, where, fmt or "unknown", error=IngestError(message, subject=where, code=code),
                      status=status)

    if fmt is None and path.suffix.lower() in UNSUPPORTED:
        yield fail(f"unsupported file type ({path.suffix.lower()})", "SR110", "skipped")
        return
    try:
        size = path.stat().st_size
        if size > options.max_bytes:  # checked before reading anything
            yield fail(f"file too large ({size} bytes > max_bytes {options.max_bytes})", "SR105")
            return
        with path.open("rb") as fh:
            data = fh.read(options.max_bytes + 1)
    except FileNotFoundError:
        yield fail("file not found", "SR101")
        return
    except OSError as exc:
        yield fail(f"cannot read file: {exc.strerror or exc}", "SR101")
        return
    if len(data) > options.max_bytes:
        yield fail(f"file too large (> max_bytes {options.max_bytes})", "SR105")
        return
    if not data.strip():
        yield fail("empty file", "SR102")
        return
    if is_binary(data):
        yield fail("binary file", "SR103")
        return
    if fmt == "feed":
        yield from _read_feed(data, where, stem)
        return
    try:
        text, encoding = decode(data, declared=declared_charset(data), subject=where)
    except IngestError as exc:
        yield RawDoc(stem, where, fmt or "unknown", error=exc)
        return
    if not text.strip():
        yield fail("empty file (whitespace only)", "SR102")
        return
    if fmt == "txt" and looks_like_html(text):  # a saved web page named .txt
        fmt = None
    if fmt is None:
        fmt = sniff(text)
        if fmt is None:
            yield fail(f"unknown file type ({path.suffix or 'no extension'}) and not plain text", "SR110", "skipped")
            return
        sniffed = fmt
    else:
        sniffed = None
    raws = _read_feed(data, where, stem) if fmt == "feed" else _READERS[fmt](text, where, stem, options)
    for raw in raws:
        raw.encoding = raw.encoding or encoding
        if sniffed:
            raw.meta["sniffed_as"] = sniffed
        yield raw


def sniff(text: str) -> str | None:
    """The format of a file with an unknown extension: html, feed, json, txt, or None."""
    head = text.lstrip()[:4096]
    if looks_like_html(head):
        return "html"
    if head.startswith("<?xml") or looks_like_feed(head) and head.startswith("<"):
        return "feed"
    if head[:1] in ("[", "{") and _parses_as_json(text):
        return "json"
    sample = text[:8192]
    letters = sum(ch.isalpha() for ch in sample)
    texty = sum(ch.isalnum() or ch.isspace() or ch in ".,;:!?'\"()-–—’“”%/&$€£@#*+=<>[]_" for ch in sample)
    if letters >= 20 and letters / len(sample) > 0.5 and texty / len(sample) > 0.95:
        return "txt"
    return None


def _parses_as_json(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    for candidate in (text, first):
        try:
            json.loads(candidate)
            return True
        except ValueError:
            continue
    return False


# --- plain text and HTML ------------------------------------------------------------------------

def _read_txt(text: str, where: str, stem: str, options) -> Iterator[RawDoc]:
    yield RawDoc(stem, where, "txt", text=text)


def _read_html(text: str, where: str, stem: str, options) -> Iterator[RawDoc]:
    page = extract_page(text)
    if page is None:
        yield RawDoc(stem, where, "html", error=IngestError("malformed HTML or no main text", subject=where,
                                                           code="SR106"))
        return
    yield RawDoc(stem, where, "html", text=page.text, title=page.title, url=page.url, outlet=page.outlet,
                 published=normalise_date(page.published), meta={"author": page.author} if page.author else {})


# --- JSON / JSON lines ----------------------------------------------------------------------------

def _read_json(text: str, where: str, stem: str, options) -> Iterator[RawDoc]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if len(re.findall(r"^\s*\{", text, re.MULTILINE)) > 1:  # JSON lines in a .json file
            yield from _read_jsonl(text, where, stem, options)
            return
        yield RawDoc(stem, where, "json", error=IngestError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", subject=where, code="SR107"))
        return
    records = _records_of(data)
    if records is None:
        yield RawDoc(stem, where, "json", error=IngestError(
            "JSON holds no article records (an object with a text field, or a list of them)",
            subject=where, code="SR113"))
        return
    single = len(records) == 1 and isinstance(data, dict)
    for n, record in enumerate(records, start=1):
        yield _from_record(record, where, stem if single else f"{stem}-{n}", "json", {"row": n})


def _read_jsonl(text: str, where: str, stem: str, options) -> Iterator[RawDoc]:
    n = 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        n += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawDoc(f"{stem}-{n}", where, "jsonl", meta={"row": n, "line": lineno}, error=IngestError(
                f"invalid JSON on line {lineno}: {exc.msg}", subject=f"{where}:{lineno}", code="SR107"))
            continue
        yield _from_record(record, where, f"{stem}-{n}", "jsonl", {"row": n, "line": lineno})


def _records_of(data) -> list | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        keys = {_key(k): v for k, v in data.items()}
        if any(k in keys for k in TEXT_KEYS):
            return [data]
        for name in RECORD_LISTS:
            if isinstance(keys.get(name), list):
                return keys[name]
    return None


def _from_record(record, where: str, fallback_id: str, fmt: str, meta: dict) -> RawDoc:
    """A JSON object or CSV row -> RawDoc (SR113 when it has no text)."""
    subject = f"{where}:{meta.get('line', meta.get('row'))}"
    if not isinstance(record, dict):
        return RawDoc(fallback_id, where, fmt, meta=meta, error=IngestError(
            f"record {meta['row']} is not an object", subject=subject, code="SR113"))
    fields = {_key(k): v for k, v in record.items() if isinstance(k, str)}
    doc_id = _scalar(_first(fields, ID_KEYS)) or fallback_id
    text = _text_value(_first(fields, TEXT_KEYS, non_empty=True))
    if not text:
        return RawDoc(doc_id, where, fmt, meta=meta, error=IngestError(
            f"record {meta['row']} has no text field ({'|'.join(TEXT_KEYS[:3])})", subject=subject, code="SR113"))
    if has_markup(text):
        text = html_to_text(text)
    outlet = _first(fields, OUTLET_KEYS)
    if isinstance(outlet, dict):
        outlet = outlet.get("name") or outlet.get("title") or outlet.get("id")
    return RawDoc(doc_id, where, fmt, text=text, title=_scalar(_first(fields, TITLE_KEYS)),
                  url=_scalar(_first(fields, URL_KEYS)), outlet=_scalar(outlet),
                  published=normalise_date(_first(fields, DATE_KEYS)), meta=meta)


def _key(name: str) -> str:
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def _first(fields: dict, keys: tuple[str, ...], non_empty: bool = False):
    for k in keys:
        value = fields.get(k)
        if value is not None and (not non_empty or _text_value(value)):
            return value
    return None


def _text_value(value) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list):  # ["para", ...] or [{"value": "..."}, ...]
        parts = [v if isinstance(v, str) else (v.get("value") or v.get("text") or "") if isinstance(v, dict) else ""
                 for v in value]
        joined = "\n\n".join(p for p in parts if p and p.strip())
        return joined or None
    return None


def _scalar(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    value = " ".join(str(value).split())
    return value or None


# --- CSV ------------------------------------------------------------------------------------------

def _read_csv(text: str, where: str, stem: str, options) -> Iterator[RawDoc]:
    csv.field_size_limit(max(csv.field_size_limit(), options.max_bytes))
    lines = [ln + "\n" for ln in text.split("\n")]
    start = next((i for i, ln in enumerate(lines) if ln.strip()), len(lines))
    head = lines[start] if start < len(lines) else ""
    delimiter = "\t" if where.lower().endswith(".tsv") else max(",;\t|", key=head.count)
    try:
        header = [_key(h) for h in next(csv.reader([head], delimiter=delimiter, strict=True))]
    except (csv.Error, StopIteration) as exc:
        yield RawDoc(stem, where, "csv", error=IngestError(f"bad CSV header: {exc}", subject=where, code="SR108"))
        return
    if not any(k in header for k in TEXT_KEYS):
        yield RawDoc(stem, where, "csv", error=IngestError(
            f"CSV has no text column (text|content|body); columns: {', '.join(header)[:200]}",
            subject=where, code="SR113"))
        return
    i, n = start + 1, 0
    while i < len(lines):
        reader = csv.reader(lines[i:], delimiter=delimiter, strict=True)
        consumed = 0
        try:
            for row in reader:
                row_line, consumed = i + consumed + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                n += 1
                meta = {"row": n, "line": row_line}
                if len(row) != len(header):
                    yield RawDoc(f"{stem}-{n}", where, "csv", meta=meta, error=IngestError(
                        f"row {n} has {len(row)} fields, header has {len(header)}",
                        subject=f"{where}:{row_line}", code="SR108"))
                    continue
                yield _from_record(dict(zip(header, row)), where, f"{stem}-{n}", "csv", meta)
            break
        except csv.Error as exc:
            n += 1
            row_line = i + consumed + 1
            yield RawDoc(f"{stem}-{n}", where, "csv", meta={"row": n, "line": row_line}, error=IngestError(
                f"bad CSV quoting in row {n}: {exc}", subject=f"{where}:{row_line}", code="SR108"))
            i = row_line  # resynchronise on the line after the one where the bad row started


# --- RSS / Atom -----------------------------------------------------------------------------------

def _read_feed(data: bytes, where: str, stem: str) -> Iterator[RawDoc]:
    try:
        feed = parse_feed(data, subject=where)
    except IngestError as exc:
        yield RawDoc(stem, where, "feed", error=exc)
        return
    if not feed.entries:
        yield RawDoc(stem, where, "feed", status="skipped", error=IngestError(
            "XML without RSS/Atom entries", subject=where, code="SR110"))
        return
    channel = _scalar(feed.feed.get("title"))
    for n, entry in enumerate(feed.entries, start=1):
        doc_id = entry_id(entry, stem, n)
        meta = {"entry": n, "feed": channel}
        text = entry_text(entry)
        if not text:
            yield RawDoc(doc_id, where, "feed", meta=meta, error=IngestError(
                f"feed entry {n} has no content or summary", subject=f"{where}#{n}", code="SR113"))
            continue
        source = entry.get("source") or {}
        yield RawDoc(doc_id, where, "feed", text=text, title=_scalar(entry.get("title")),
                     url=_scalar(entry.get("link")), outlet=_scalar(source.get("title")) or channel,
                     published=normalise_date(entry_published(entry)), encoding=feed.get("encoding"), meta=meta)


_READERS = {"txt": _read_txt, "html": _read_html, "json": _read_json, "jsonl": _read_jsonl, "csv": _read_csv}
