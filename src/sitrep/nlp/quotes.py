"""Quotation marks -> quote spans (pure text; no spaCy).

Handles curly and straight double quotes, guillemets, British single quotes (curly or
straight, told apart from apostrophes), and newswire paragraph continuation: a quote that
runs over several paragraphs repeats the opening mark at the start of each paragraph and
closes only at the end of the last one.

    quotes = find_quotes(text)
    quotes[0].inner        # (start, end) of the words between the marks
    quotes[0].continues    # the quote carries on in the next paragraph
"""
from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_DOUBLE = "“„«"
CLOSE_DOUBLE = "”»"
OPEN_SINGLE = "‘‹"
CLOSE_SINGLE = "’›"
_PARA = re.compile(r"[^\n]+")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_OPENERS_BEFORE = set(" \t([{—–-/:;") | {""}
# the scanners below act on these characters only: they jump from one to the next
_DOUBLE_MARKS = re.compile("[" + re.escape(OPEN_DOUBLE + CLOSE_DOUBLE + '"') + "]")
_SINGLE_MARKS = re.compile("[" + re.escape(OPEN_SINGLE + CLOSE_SINGLE + "'") + "]")
# Wire datelines: "KYIV, Ukraine (AP) — ", "KYIV, Feb 17 (Reuters) - ", "BAMAKO, 2 June 2025 (AFP) - ",
# "Dec 9 (Reuters) - " (a date alone needs the agency in brackets).
_DL_DATE = r"(?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?|[A-Z][a-z]{2,8}\.?\s+\d{1,2})(?:,?\s+\d{4})?"
_DL_PLACE = r"[A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+)*"
_DL_PART = r",\s*(?:" + _DL_DATE + r"|[A-Z][\w.'’-]+(?: (?:of |the |and )*[A-Z][\w.'’-]+)*)"   # "Democratic Republic of Congo"
_DL_AGENCY = r"\s*\([^)\n]{1,30}\)"
_DATELINE = re.compile(
    r"(?:" + _DL_PLACE + r"(?:" + _DL_PART + r")+(?:" + _DL_AGENCY + r")?|" + _DL_PLACE + _DL_AGENCY
    + r"|" + _DL_DATE + _DL_AGENCY + r")\s*[—–-]+\s*")


@dataclass
class Quote:
    start: int            # offset of the opening mark
    end: int              # offset just after the closing mark (or the paragraph end)
    inner_start: int
    inner_end: int
    para: int             # paragraph index (0-based, non-empty lines)
    para_start: int       # offset where the paragraph starts
    para_end: int
    closed: bool = True   # False: the paragraph ended before a closing mark
    continues: bool = False   # the next paragraph opens with a quote mark and carries on
    continued: bool = False   # this quote carries on a quote from the previous paragraph

    @property
    def inner(self) -> tuple[int, int]:
        return self.inner_start, self.inner_end

    def words(self, text: str) -> list[str]:
        return _WORD.findall(text[self.inner_start:self.inner_end])

    @property
    def at_para_start(self) -> bool:
        return self.start == self.para_start


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, whitespace-trimmed."""
    out = []
    for m in _PARA.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def find_quotes(text: str) -> list[Quote]:
    """All quote spans in ``text``, in order; nested quotes inside a quote are not listed."""
    quotes: list[Quote] = []
    for i, (ps, pe) in enumerate(paragraphs(text)):
        for qs, qe, inner_s, inner_e, closed in _scan_paragraph(text, ps, pe):
            quotes.append(Quote(qs, qe, inner_s, inner_e, i, ps, pe, closed))
    for prev, nxt in zip(quotes, quotes[1:]):
        if not prev.closed and nxt.para == prev.para + 1 and nxt.at_para_start:
            prev.continues = True
            nxt.continued = True
    # an unclosed British single quote is an apostrophe unless it runs on into the next paragraph
    return [q for q in quotes if q.closed or q.continues or q.at_para_start
            or text[q.start] not in OPEN_SINGLE + "'"]


def _scan_paragraph(text: str, ps: int, pe: int):
    spans = _scan_double(text, ps, pe)
    taken = [(s, e) for s, e, *_ in spans]
    singles = [sp for sp in _scan_single(text, ps, pe)
               if not any(s <= sp[0] < e for s, e in taken)]
    return sorted(spans + singles)


def _scan_double(text: str, ps: int, pe: int):
    out = []
    open_at = None
    for mark in _DOUBLE_MARKS.finditer(text, ps, pe):
        k = mark.start()
        ch = text[k]
        if ch in OPEN_DOUBLE and open_at is None:
            open_at = k
        elif ch in CLOSE_DOUBLE and open_at is not None:
            out.append((open_at, k + 1, open_at + 1, k, True))
            open_at = None
        elif ch == '"':
            if open_at is None:
                open_at = k
            else:
                out.append((open_at, k + 1, open_at + 1, k, True))
                open_at = None
    if open_at is not None and pe - open_at > 1:
        out.append((open_at, pe, open_at + 1, pe, False))
    return out


def _scan_single(text: str, ps: int, pe: int):
    """British single quotes: an opener starts a word, a closer is not followed by a letter."""
    out = []
    open_at = None
    for mark in _SINGLE_MARKS.finditer(text, ps, pe):
        k = mark.start()
        ch = text[k]
        before = text[k - 1] if k > ps else ""
        after = text[k + 1] if k + 1 < pe else ""
        opener = (before in _OPENERS_BEFORE or before in OPEN_DOUBLE) and after.isalnum()
        closer = (before and not before.isspace() and not after.isalnum()
                  and not _plural_possessive(text, k, ps))
        if open_at is None and opener and ch not in CLOSE_SINGLE + "›":
            open_at = k
        elif open_at is None and opener and ch == "’" and not before:
            open_at = k          # a paragraph opening with a (mis-typed) right quote
        elif open_at is not None and closer and ch not in OPEN_SINGLE:
            out.append((open_at, k + 1, open_at + 1, k, True))
            open_at = None
    if open_at is not None and text[open_at] in OPEN_SINGLE and pe - open_at > 1:
        out.append((open_at, pe, open_at + 1, pe, False))   # may run on into the next paragraph
    return out


def _plural_possessive(text: str, k: int, ps: int) -> bool:
    """``troops' advance``: an apostrophe after a plural -s followed by a space and a word."""
    return (k - 1 >= ps and text[k - 1] == "s" and text[k + 1:k + 2] == " "
            and text[k + 2:k + 3].isalpha() and text[k + 2:k + 3].islower())


def looks_like_headline(para: str) -> bool:
    """A headline or caption: a short paragraph that does not end like a sentence."""
    return para[-1:] not in ".!?\"”’')…:;" and len(para.split()) < 25


def skip_dateline(text: str, start: int, end: int) -> int:
    """Offset after a wire dateline ("KYIV, Ukraine (AP) — ") at ``start``, else ``start``."""
    m = _DATELINE.match(text, start, end)
    return m.end() if m and m.end() < end else start


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the wire datelines opening paragraphs ("CAIRO (AP) — ")."""
    out = []
    for s, e in paragraphs(text):
        end = skip_dateline(text, s, e)
        if end > s:
            out.append((s, end))
    return out
