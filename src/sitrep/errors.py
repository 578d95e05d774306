"""Numbered, grep-able errors.

Every error sitrep raises or records carries a code ``SRnnn``. Codes are grouped by stage:

    SR1xx  ingest (reading, decoding, parsing, cleaning, language)
    SR2xx  store (database URL, migrations, writes)
    SR3xx  NLP (spaCy model, pipeline components)
    SR4xx  gazetteer / geography
    SR5xx  fusion
    SR6xx  export / serve / report
    SR7xx  scale-out (Dask, workers)
    SR9xx  command line / options

``str(err)`` is one line: ``SR104 data/a.html: not UTF-8 and no charset found``.
"""
from __future__ import annotations


class SitrepError(Exception):
    """Base error: a code, an optional subject (usually a path) and a one-line message."""

    code = "SR000"

    def __init__(self, message: str, *, subject: str | None = None, code: str | None = None):
        self.message = " ".join(str(message).split())  # always one line
        self.subject = subject
        if code:
            self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.subject}: " if self.subject else ""
        return f"{self.code} {where}{self.message}"

    @property
    def reason(self) -> str:
        """What gets recorded as a document's ``reason`` (code + message, no path)."""
        return f"{self.code} {self.message}"


class IngestError(SitrepError):
    code = "SR100"


class StoreError(SitrepError):
    code = "SR200"


class NLPError(SitrepError):
    code = "SR300"


class GazetteerError(SitrepError):
    code = "SR400"


class FusionError(SitrepError):
    code = "SR500"


class ExportError(SitrepError):
    code = "SR600"


class ScaleError(SitrepError):
    code = "SR700"


class OptionsError(SitrepError):
    code = "SR900"


# Known codes (keep this table in sync; `grep -rn SR1` finds every use).
CODES = {
    "SR100": "unexpected ingest error (a bug: please report it with the file)",
    "SR101": "file not found",
    "SR102": "empty file",
    "SR103": "binary file",
    "SR104": "undecodable text (no usable charset)",
    "SR105": "file too large",
    "SR106": "malformed HTML / no main text",
    "SR107": "invalid JSON line",
    "SR108": "bad CSV",
    "SR109": "unsafe or malformed XML feed",
    "SR110": "unknown file type",
    "SR111": "no text after cleaning",
    "SR112": "not English",
    "SR113": "record without text field",
    "SR114": "exact duplicate of an earlier document (stored as skipped)",
    "SR201": "cannot open database",
    "SR202": "migration failed",
    "SR203": "write failed",
    "SR301": "spaCy pipeline not installed",
    "SR302": "pipeline component failed on a document",
    "SR401": "gazetteer not available / build failed",
    "SR402": "bad GeoNames dump",
    "SR501": "fusion data file missing or unreadable",
    "SR601": "unknown export format",
    "SR602": "cannot write output",
    "SR603": "the output is also an input",
    "SR701": "cannot reach Dask scheduler",
    "SR702": "cannot start local Dask workers",
    "SR901": "bad option value",
}
