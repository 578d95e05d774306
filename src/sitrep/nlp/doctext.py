"""The document's text, built once.

spaCy's ``Doc.text`` joins every token on *each* access; the sitrep components read it thousands of
times per document (offsets, line starts, datelines). ``doc_text(doc)`` builds it once and keeps it
in ``doc.user_data`` (tokens never change after the tokenizer, and retokenizing keeps the text).
"""
from __future__ import annotations

_KEY = "sitrep.text"


def doc_text(doc) -> str:
    """``doc.text``, cached on the document."""
    text = doc.user_data.get(_KEY)
    end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if text is None or len(text) != end:        # not built yet, or copied from another document
        text = doc.user_data[_KEY] = doc.text
    return text
