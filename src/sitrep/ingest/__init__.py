"""Ingest stage: files and folders in, cleaned and language-tagged ``Document`` objects out.

    from sitrep.ingest import read_paths
    for doc in read_paths(["reports/", "feed.xml"], Options()):
        ...

Order is deterministic: PATH arguments in the order given, files inside a folder sorted by
their path (hidden files and folders skipped, symlinked folders not followed). Bad input never
raises: it becomes a ``failed`` (or ``skipped``) Document with an ``SRnnn`` reason, and one
warning line is logged on the ``sitrep.ingest`` logger.

Modules: ``readers`` (formats), ``encoding`` (bytes -> text), ``html_text`` (HTML -> text),
``feeds`` (RSS/Atom, safely), ``clean`` (boilerplate), ``lang`` (language), ``metadata`` (dates).
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sitrep.errors import IngestError
from sitrep.models import Document

log = logging.getLogger("sitrep.ingest")

__all__ = ["read_paths", "iter_files", "log"]


def read_paths(paths: Iterable[str | Path], options) -> Iterator[Document]:
    """Yield one ``Document`` per input document (a file, a JSON/CSV record, a feed entry)."""
    from sitrep.ingest.clean import load_rules
    from sitrep.ingest.readers import RawDoc, read_file

    rules = load_rules(options)
    used_ids: set[str] = set()
    seen_files: set[str] = set()
    for path in iter_files(paths):
        key = os.path.realpath(path)
        if key in seen_files:  # the same file named twice (a/x.txt and a/): read once
            continue
        seen_files.add(key)
        records = read_file(path, options)
        while True:
            try:
                raw = next(records)
            except StopIteration:
                break
            except Exception as exc:  # a bug or an unforeseen library error: the rest of this file fails
                raw = RawDoc(Path(path).stem, str(path), "unknown", error=_unexpected(exc, path))
            raw.doc_id = _unique(raw.doc_id, used_ids, raw.meta)
            try:
                doc = _finish(raw, options, rules)
            except Exception as exc:  # same, for one document: it fails alone
                raw.error, raw.status = _unexpected(exc, path), "failed"
                doc = _finish(raw, options, rules)
            yield doc


def _unexpected(exc: Exception, path) -> IngestError:
    log.debug("unexpected error reading %s", path, exc_info=True)
    return IngestError(f"unexpected error: {type(exc).__name__}: {exc}", subject=str(path), code="SR100")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named by PATHS: files as given, folders walked recursively in sorted order."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for p in paths:
        p = Path(p)
        if not p.is_dir():
            yield p  # a missing file is reported by the reader (SR101)
            continue
        found = []
        for root, dirs, files in os.walk(p, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found.extend(Path(root) / f for f in files if not f.startswith("."))
        yield from sorted(found, key=lambda f: f.relative_to(p).parts)


def _finish(raw, options, rules) -> Document:
    """RawDoc -> Document: clean, check length, identify language, settle metadata."""
    from sitrep.ingest.clean import clean_text, strip_tail
    from sitrep.ingest.lang import detect_language, language_reason
    from sitrep.ingest.metadata import infer_published

    fields = dict(doc_id=raw.doc_id, path=raw.path, url=raw.url, title=raw.title,
                  outlet=raw.outlet or options.outlet, encoding=raw.encoding,
                  meta={"format": raw.fmt, **raw.meta})
    if raw.error is not None:
        return _reject(fields, raw.error, raw.status)
    if raw.published:
        fields.update(published=raw.published, published_source="file")
    elif options.published:
        fields.update(published=options.published, published_source="option")
    elif options.infer_dates:
        inferred = infer_published(strip_tail(raw.text, rules))  # related stories carry other dates
        if inferred:
            fields.update(published=inferred[0], published_source=f"inferred: {inferred[1]}")
    subject = raw.path if raw.fmt in ("txt", "html") else f"{raw.path} [{raw.doc_id}]"
    text = clean_text(raw.text, rules)
    if len(text) < options.min_text_chars or not re.search(r"[^\W\d_]{2}", text):
        return _reject(fields, IngestError(
            f"no text after cleaning ({len(text)} chars, min_text_chars {options.min_text_chars})",
            subject=subject, code="SR111"))
    fields.update(text=text, lang=detect_language(text, tuple(options.languages)))
    if fields["lang"] is not None and fields["lang"] not in options.languages:
        return _reject(fields, IngestError(language_reason(fields["lang"], tuple(options.languages)),
                                           subject=subject, code="SR112"), "skipped")
    return Document(**fields)  # status ok: Document computes the content hash of the cleaned text


def _reject(fields: dict, error: IngestError, status: str = "failed") -> Document:
    """A failed document (no text; one warning logged) or a skipped one (text kept, logged at info)."""
    if status == "failed":
        fields["text"] = None
        log.warning("%s", error)
    else:
        log.info("%s", error)
    return Document(**fields, status=status, reason=error.reason)


def _unique(doc_id: str, used: set[str], meta: dict) -> str:
    """DOC_ID, or DOC_ID-2, -3, ... when an earlier document of this run already has it."""
    candidate, n = doc_id, 1
    while candidate in used:
        n += 1
        candidate = f"{doc_id}-{n}"
    if candidate != doc_id:
        meta["id_collision"] = doc_id
    used.add(candidate)
    return candidate
