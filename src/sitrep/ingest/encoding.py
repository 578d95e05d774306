"""Bytes -> text: binary sniffing, BOMs, declared charsets, charset-normalizer as the last resort.

UTF-8 is tried first (most news is UTF-8); a charset the file declares (``<meta charset>``,
``<?xml encoding=...?>``) comes next; then charset-normalizer guesses. The encoding actually
used is returned so it can be recorded on the document.
"""
from __future__ import annotations

import codecs
import re

from sitrep.errors import IngestError

SNIFF_BYTES = 8192
# Control characters that never occur in text (everything below 0x20 except \t \n \v \f \r and ESC).
_CONTROL = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27})
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""   # <meta charset=..> / http-equiv
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",    # <?xml ... encoding=".."?>
    re.IGNORECASE,
)


def bom_encoding(data: bytes) -> str | None:
    """The encoding named by a byte-order mark at the start of DATA, if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def is_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes or many control characters in the first 8 KB.

    UTF-16/32 text with a BOM contains NUL bytes but is text.
    """
    if bom_encoding(data) in ("utf-16", "utf-32"):
        return False
    sample = data[:SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > 0.05


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML file declares in its first 4 KB, if Python knows it."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, *, declared: str | None = None, subject: str | None = None) -> tuple[str, str]:
    """Decode DATA; return ``(text, encoding_used)``.

    Raises ``IngestError`` SR103 for binary data and SR104 when no charset decodes it cleanly.
    """
    bom = bom_encoding(data)
    if bom:
        try:
            return data.decode(bom), bom
        except UnicodeDecodeError:
            pass  # a lying BOM: fall through to detection
    if is_binary(data):
        raise IngestError("binary file", subject=subject, code="SR103")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    from charset_normalizer import from_bytes  # imported on first non-UTF-8 file only

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("not UTF-8 and no charset found", subject=subject, code="SR104")
    return str(best), best.encoding
