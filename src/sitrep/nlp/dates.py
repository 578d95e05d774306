"""Resolve relative and partial date expressions against a publication date.

``resolve_date("on Saturday", date(2022, 10, 5)) == ("2022-10-01", "day")``

Precision is ``day`` | ``week`` | ``month`` | ``year``. A week is reported by its Monday,
a month by its first day, a year by 1 January. Anything we cannot anchor gives
``(None, None)``: an undated statement stays undated, it never silently becomes the
publication date.

Conventions (news reports are mostly past tense):
- a bare weekday is the most recent such day on or before publication (``future=True``
  gives the next one on or after it, for "will meet on Friday");
- a month-day without a year ("Oct. 1") is the nearest such date not after publication
  (with a week of slack for datelines written ahead), else the year before;
- "overnight" / "last night" is the night that ended on the publication day: the day before.

``find_dates(text)`` returns every expression found with its character offsets, so callers
(``sitrep_events``) can choose the one attached to the clause they are dating.
"""
from __future__ import annotations

import datetime as _dt
import re

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WD = r"(?P<wd>" + "|".join(WEEKDAYS) + r")"
_NUM = r"(?P<num>\d+|" + "|".join(NUMBER_WORDS) + r")"

# Order matters: the first pattern that matches at a position wins, longer forms first.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b"),
    ("mdy", r"\b" + _MON + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b"),
    ("dmy", r"\b" + _DAY + r"\s+(?:of\s+)?" + _MON + r",?\s+" + _YEAR + r"\b"),
    ("md", r"\b" + _MON + r"\s+" + _DAY + r"\b(?!\s*(?:per|%|km|kilomet|mile|people|troops))"),
    ("dm", r"\b" + _DAY + r"\s+(?:of\s+)?" + _MON + r"\b"),
    ("weekend", r"\b(?:(?:last|this|over the|at the|on the)\s+)?weekend\b"),
    ("overnight_wd", r"\bovernight\s+(?:on\s+|into\s+|to\s+)?" + _WD + r"\b"),
    ("wd", r"\b(?:(?P<rel>last|this|next|on|early|late)\s+)?" + _WD + r"(?:'s|’s)?\b"),
    ("ago", r"\b" + _NUM + r"\s+(?P<unit>day|week|month|year)s?\s+ago\b"),
    ("rel_unit", r"\b(?:(?P<early>earlier|later)\s+)?(?P<rel>last|this|past|previous|next)\s+"
                 r"(?P<unit>week|month|year)(?:'s|’s)?\b"),
    ("month_name", r"\b(?P<rel>in|since|during|until|by|last|this|early|late|mid|mid-)\s*"
                   r"(?P<mon2>" + "|".join(m for m in MONTHS if len(m) > 3 or m == "may") + r")\b"
                   r"(?:\s+(?P<year2>(?:19|20)\d\d))?"),
    ("in_year", r"\b(?:in|since|during)\s+(?P<year>(?:19|20)\d\d)\b"),
    ("yesterday", r"\b(?:the\s+day\s+before\s+yesterday|yesterday)\b"),
    ("today", r"\b(?:today|this\s+(?:morning|afternoon|evening)|tonight|earlier\s+today)\b"),
    ("overnight", r"\b(?:overnight|last\s+night)\b"),
]
_COMPILED = [(kind, re.compile(p, re.I)) for kind, p in _PATTERNS]
# What a pattern cannot match without (in the case-folded text): "digit" or words; None = always tried.
# Most sentences hold no date at all, and most date-free sentences are ruled out by these tests alone.
_NEEDS: dict[str, tuple[str, ...] | None] = {
    "iso": ("digit",), "mdy": ("digit",), "dmy": ("digit",), "md": ("digit",), "dm": ("digit",),
    "in_year": ("digit",), "weekend": ("weekend",), "overnight_wd": ("overnight",), "wd": ("day",),
    "ago": ("ago",), "rel_unit": ("week", "month", "year"), "month_name": None, "yesterday": ("yesterday",),
    "today": ("today", "tonight", "morning", "afternoon", "evening"), "overnight": ("night",),
}
_DIGIT = re.compile(r"\d")


def find_dates(text: str, published: _dt.date | None = None, *, future: bool = False) -> list[dict]:
    """Every date expression in ``text``: ``{"start","end","text","date","precision"}``.

    Matches do not overlap (leftmost, then first pattern). ``date``/``precision`` are None
    when the expression cannot be anchored (no publication date for a relative one).
    """
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    folded, digit = text.casefold(), _DIGIT.search(text) is not None
    for kind, rx in _COMPILED:
        needs = _NEEDS[kind]
        if needs is not None and not any(digit if n == "digit" else n in folded for n in needs):
            continue
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if not _plausible(kind, text, m):
                continue
            iso, prec = _resolve_match(kind, m, published, future)
            taken.append((m.start(), m.end()))
            found.append({"start": m.start(), "end": m.end(), "text": m.group(0),
                          "date": iso, "precision": prec, "kind": kind})
    found.sort(key=lambda d: d["start"])
    return found


def resolve_date(text: str, published: _dt.date | str | None, *, future: bool = False
                 ) -> tuple[str | None, str | None]:
    """The first resolvable date expression in ``text`` as ``(iso, precision)``."""
    if isinstance(published, str):
        published = _dt.date.fromisoformat(published) if published else None
    for d in find_dates(text, published, future=future):
        if d["date"]:
            return d["date"], d["precision"]
    return None, None


# --------------------------------------------------------------------------- internals

def _plausible(kind: str, text: str, m: re.Match) -> bool:
    """Month names must be capitalised ("in March", not "march on"; "May 5", not "may 5")."""
    for group in ("mon", "mon2"):
        if group in m.groupdict() and m.group(group):
            if not text[m.start(group)].isupper():
                return False
    return True


def _resolve_match(kind: str, m: re.Match, pub: _dt.date | None, future: bool):
    g = m.groupdict()
    try:
        if kind == "iso":
            return _dt.date(int(g["year"]), int(g["m"]), int(g["day"])).isoformat(), "day"
        if kind in ("mdy", "dmy"):
            return _dt.date(int(g["year"]), MONTHS[g["mon"].lower()], int(g["day"])).isoformat(), "day"
        if kind in ("md", "dm"):
            return _month_day(MONTHS[g["mon"].lower()], int(g["day"]), pub, future)
    except ValueError:
        return None, None
    if pub is None:
        if kind == "month_name" and g.get("year2"):
            return _dt.date(int(g["year2"]), MONTHS[g["mon2"].lower()], 1).isoformat(), "month"
        if kind == "in_year":
            return _dt.date(int(g["year"]), 1, 1).isoformat(), "year"
        return None, None
    if kind == "wd":
        rel = (g.get("rel") or "").lower()
        return _weekday(WEEKDAYS.index(g["wd"].lower()), pub, future or rel == "next",
                        last=rel == "last"), "day"
    if kind == "overnight_wd":
        return _weekday(WEEKDAYS.index(g["wd"].lower()), pub, future), "day"
    if kind == "weekend":
        return _weekday(5, pub, future), "week"
    if kind == "ago":
        n = NUMBER_WORDS.get(g["num"].lower()) or int(g["num"])
        unit = g["unit"].lower()
        if unit == "day":
            return (pub - _dt.timedelta(days=n)).isoformat(), "day"
        if unit == "week":
            d = pub - _dt.timedelta(weeks=n)
            return (d - _dt.timedelta(days=d.weekday())).isoformat(), "week"
        if unit == "month":
            y, mo = _add_months(pub.year, pub.month, -n)
            return _dt.date(y, mo, 1).isoformat(), "month"
        return _dt.date(pub.year - n, 1, 1).isoformat(), "year"
    if kind == "rel_unit":
        rel, unit = g["rel"].lower(), g["unit"].lower()
        step = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1}[rel]
        if unit == "week":
            monday = pub - _dt.timedelta(days=pub.weekday()) + _dt.timedelta(weeks=step)
            return monday.isoformat(), "week"
        if unit == "month":
            y, mo = _add_months(pub.year, pub.month, step)
            return _dt.date(y, mo, 1).isoformat(), "month"
        return _dt.date(pub.year + step, 1, 1).isoformat(), "year"
    if kind == "month_name":
        mo = MONTHS[g["mon2"].lower()]
        if g.get("year2"):
            return _dt.date(int(g["year2"]), mo, 1).isoformat(), "month"
        rel = g["rel"].lower()
        if rel == "this":
            year = pub.year
        elif future or rel in ("until", "by") and mo > pub.month:
            year = pub.year if mo >= pub.month else pub.year + 1
        else:
            year = pub.year if mo <= pub.month else pub.year - 1
        return _dt.date(year, mo, 1).isoformat(), "month"
    if kind == "in_year":
        return _dt.date(int(g["year"]), 1, 1).isoformat(), "year"
    if kind == "yesterday":
        days = 2 if m.group(0).lower().startswith("the day before") else 1
        return (pub - _dt.timedelta(days=days)).isoformat(), "day"
    if kind == "today":
        return pub.isoformat(), "day"
    if kind == "overnight":
        return (pub - _dt.timedelta(days=1)).isoformat(), "day"
    return None, None


def _weekday(wd: int, pub: _dt.date, future: bool, last: bool = False) -> str:
    """Most recent ``wd`` on/before ``pub`` (strictly before for "last Monday"), or next on/after."""
    if future:
        return (pub + _dt.timedelta(days=(wd - pub.weekday()) % 7)).isoformat()
    back = (pub.weekday() - wd) % 7
    if last and back == 0:
        back = 7
    return (pub - _dt.timedelta(days=back)).isoformat()


def _month_day(month: int, day: int, pub: _dt.date | None, future: bool):
    if pub is None:
        return None, None
    year = pub.year
    candidate = _dt.date(year, month, day)
    if future:
        if candidate < pub - _dt.timedelta(days=7):
            candidate = _dt.date(year + 1, month, day)
    elif candidate > pub + _dt.timedelta(days=7):
        candidate = _dt.date(year - 1, month, day)
    return candidate.isoformat(), "day"


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    idx = year * 12 + (month - 1) + delta
    return idx // 12, idx % 12 + 1
