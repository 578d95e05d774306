"""The document's text, built once.

spaCy's ``Doc.text`` joins every token on *each* access; the sitrep components read it thousands of
times per document (offsets, line starts, datelines). ``doc_text(doc)`` builds it once and keeps it
in ``doc.user_data`` (tokens never change after the tokenizer, and retokenizing keeps the text).
``doc_ents(doc)`` does the same for ``doc.ents`` (rebuilt from every token on each access) for the
document being analysed: spaCy hands each document to all sitrep components before the next one, so
one entry per thread suffices (Spans cannot go into ``user_data``, which must stay serialisable, and
a cache keyed weakly by the document would keep it alive through its Spans).
"""
from __future__ import annotations

import threading
from operator import attrgetter

_KEY = "sitrep.text"
_last = threading.local()      # .ents = (doc, len(doc), ents), .text = (doc, text): the document the
                               # components are on


def doc_text(doc) -> str:
    """``doc.text``, cached on the document."""
    last = getattr(_last, "text", None)
    if last is not None and last[0] is doc:      # the document the components are on: no checks
        return last[1]
    text = doc.user_data.get(_KEY)
    end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if text is None or len(text) != end:        # not built yet, or copied from another document
        text = doc.user_data[_KEY] = doc.text
    _last.text = (doc, text)
    return text


def _per_token(doc, key: str, value) -> list[str]:
    """``[value(t) for t in doc]``, built once per document and kept in ``doc.user_data[key]``."""
    got = doc.user_data.get(key)
    if got is None or len(got) != len(doc):
        got = doc.user_data[key] = [value(t) for t in doc]
    return got


def token_lowers(doc) -> list[str]:
    """Every token's ``lower_``, built once per document (a prefilter for per-token loops)."""
    return _per_token(doc, "sitrep.lowers", attrgetter("lower_"))


def token_texts(doc) -> list[str]:
    """Every token's ``text``, built once per document."""
    return _per_token(doc, "sitrep.texts", attrgetter("text"))


def token_lemmas(doc) -> list[str]:
    """Every token's lower-cased lemma, built once per document."""
    return _per_token(doc, "sitrep.lemmas", lambda t: t.lemma_.lower())


def doc_ents(doc) -> tuple:
    """``doc.ents``, built once per document (the sitrep components run after the entity recognizer)."""
    got = getattr(_last, "ents", None)
    if got is None or got[0] is not doc or got[1] != len(doc):
        got = _last.ents = (doc, len(doc), tuple(doc.ents))
    return got[2]
