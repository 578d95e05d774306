"""Publication dates: normalise what a file says, or infer one from the text when unambiguous.

Inference (``infer_published``) runs on the text *before* boilerplate removal, because the
lines that carry a date ("Published 5 October 2022", a wire dateline, a photo caption) are
exactly the ones the cleaner drops. Rules, first that answers wins:

1. dated line     a line that is only a date ("Published 5 October 2022 10:32 BST");
                  "published/posted" lines beat plain ones, which beat "updated" ones;
                  two different dates of the same rank -> no answer.
2. dateline       "KYIV, Oct. 4, 2022 (Reuters) -" at the start of a paragraph; without a year
                  ("KYIV, Oct 4 (Reuters) -") only when the text names exactly one year.
3. weekdays       a date mention whose weekday the text also mentions ("Oct. 4" + "on Tuesday")
                  anchors the week; the publication date is the latest mentioned weekday
                  around it. The year must be written or be the only one the text names
                  that fits the weekday.

Every answer comes with the reason, recorded as ``published_source = "inferred: <why>"``.
"""
from __future__ import annotations

import datetime as dt
import re
import time

MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
          "sep": 9, "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_YEAR, MAX_YEAR = 1900, 2100
SCAN_CHARS = 30_000  # inference reads the start of a text only (a long article, and then some)

_MON = (r"(?P<{}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
        r"|Sep(?:tember|t)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{}>(?:19|20)\d\d)"
_WD = r"(?P<wd>Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday|s|t|r)?\.?"
# "Tuesday, Oct. 4, 2022" / "Tue 4 October 2022" / "Oct. 4" / "4 Oct" / "2022-10-04"
_DATE = re.compile(
    rf"(?:\b{_WD},?\s+)?(?:\b{_MON.format('mon')}\s+{_DAY.format('day')}\b(?:,?\s+{_YEAR.format('year')}\b)?"
    rf"|\b{_DAY.format('day2')}\s+(?:of\s+)?{_MON.format('mon2')}(?:,?\s+{_YEAR.format('year2')}\b)?)"
    r"|\b(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)\b")
_WEEKDAY_WORD = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s)?\b")
_YEAR_WORD = re.compile(r"(?<![\d.,$£€])\b(19[5-9]\d|20\d\d)\b(?!\d|[.,]\d)")
_LABEL = re.compile(r"\b(?P<label>first published|published|posted|last updated|updated|modified)\b", re.I)
# What may stand on a dated line besides the date: labels, weekday, time, zone, separators.
_LINE_REST = re.compile(r"\b(?i:first|last|published|posted|updated|modified|on|at|am|pm|a\.m|p\.m|utc|gmt)\b"
                        r"|\b[A-Z]{2,4}\b|\d{1,2}[:.]\d\d|[+-]\d{1,2}(?::?\d\d)?|[\s,.:|·•()/-]+")
# Wire datelines: "KYIV, Ukraine, " + date + " (AP) —"
_DATELINE_PLACE = re.compile(r"[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30}){0,2},?\s+")
_DATELINE_END = re.compile(r",?\s*(?:\([A-Za-z .]{2,30}\))?\s*[-–—]")


def normalise_date(value) -> str | None:
    """A file's date value (ISO, RFC 822, "Oct. 4, 2022", epoch, datetime, struct_time) -> YYYY-MM-DD."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _iso(value.date())
    if isinstance(value, dt.date):
        return _iso(value)
    if isinstance(value, time.struct_time):
        return _iso(dt.date(value.tm_year, value.tm_mon, value.tm_mday))
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds
        try:
            return _iso(dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date())
        except (OverflowError, OSError, ValueError):
            return None
    text = " ".join(str(value).split())
    m = re.match(r"^((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ,]|\b)", text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b", text)
    if m:  # 04/10/2022: day-first or month-first? only when the numbers decide it
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if a > 12 or a == b:
            return _make(year, b, a)
        return _make(year, a, b) if b > 12 else None
    if re.fullmatch(r"\d{9,13}", text):
        return normalise_date(int(text))
    found = _full_date(text)
    if found:
        return found
    from email.utils import parsedate_tz

    parsed = parsedate_tz(text)
    if parsed and parsed[0] and re.search(r"\b(?:19|20)\d\d\b", text):
        return _make(parsed[0], parsed[1], parsed[2])
    return _dateutil(text)


def infer_published(text: str) -> tuple[str, str] | None:
    """``(YYYY-MM-DD, why)`` when the raw TEXT dates itself unambiguously, else ``None``."""
    if not text:
        return None
    text = text[:SCAN_CHARS]
    return _from_dated_lines(text) or _from_dateline(text) or _from_weekdays(text)


# --- rule 1: dated lines --------------------------------------------------------------------

def dated_line(line: str, label: str | None = None) -> tuple[str, int] | None:
    """``(date, rank)`` when LINE is only a date with an optional label; rank 0 published, 1 plain, 2 updated.

    LABEL is a label standing alone on the line before ("Published" / "4 October 2022").
    """
    line = line.strip()
    if not line or len(line) > 90:
        return None
    mentions = [m for m in _DATE.finditer(line) if _mention_year(m)]
    if not mentions:
        return None
    m = mentions[0]
    rest = _LINE_REST.sub("", _DATE.sub(" ", line))
    if re.search(r"[A-Za-z]{2,}", rest) or re.search(r"\d", rest):
        return None
    found = _LABEL.search(line[: m.start()]) or _LABEL.search(line)
    label = found[0] if found else label
    rank = 1 if label is None else 2 if label.lower() in ("updated", "last updated", "modified") else 0
    date = _mention_date(m, _mention_year(m))
    return (date, rank) if date else None


def _from_dated_lines(text: str) -> tuple[str, str] | None:
    found: dict[int, dict[str, str]] = {}
    label = None
    for line in text.split("\n"):
        if not line.strip():
            continue
        for segment in re.split(r"\s[|·•]\s", line):
            hit = dated_line(segment, label)
            if hit:
                found.setdefault(hit[1], {}).setdefault(hit[0], segment.strip())
        alone = _LABEL.fullmatch(line.strip().rstrip(":"))
        label = alone[0] if alone else None
    for rank in sorted(found):
        dates = found[rank]
        if len(dates) == 1:
            (date, line), = dates.items()
            return date, f"dated line '{line}'"
        return None  # conflicting dates of the best rank
    return None


# --- rule 2: wire datelines -----------------------------------------------------------------

def _from_dateline(text: str) -> tuple[str, str] | None:
    for para in re.split(r"\n", text)[:12]:
        para = para.strip()
        d = _DATE.search(para[:80])
        if not d or not _DATELINE_PLACE.fullmatch(para[: d.start()]) or not _DATELINE_END.match(para[d.end():]):
            continue
        year = _mention_year(d)
        if year is None:
            years = {int(y) for y in _YEAR_WORD.findall(text)}
            if len(years) != 1:
                return None
            year = years.pop()
        date = _mention_date(d, year)
        if date:
            end = d.end() + _DATELINE_END.match(para[d.end():]).end()
            return date, f"dateline '{para[:end]}'"
    return None


# --- rule 3: a date anchored by weekday mentions ------------------------------------------

def _from_weekdays(text: str) -> tuple[str, str] | None:
    weekdays = {WEEKDAYS.index(w) for w in _WEEKDAY_WORD.findall(text)}
    if not weekdays:
        return None
    years = {int(y) for y in _YEAR_WORD.findall(text)}
    anchors: dict[dt.date, str] = {}
    for m in _DATE.finditer(text):
        written = _mention_year(m)
        candidates = {written} if written else years
        fits = set()
        for year in candidates:
            date = _mention_date(m, year)
            if date and dt.date.fromisoformat(date).weekday() in weekdays:
                fits.add(dt.date.fromisoformat(date))
        if len(fits) == 1:
            anchors.setdefault(fits.pop(), m[0])
    if not anchors:
        return None
    anchor = max(anchors)
    days = []
    for wd in weekdays:  # each mentioned weekday: its occurrence nearest the anchor
        delta = (wd - anchor.weekday()) % 7
        days.append(anchor + dt.timedelta(days=delta if delta <= 3 else delta - 7))
    published = max([anchor, *days])
    why = (f"'{anchors[anchor]}' ({WEEKDAYS[anchor.weekday()]}) + latest weekday mentioned "
           f"({WEEKDAYS[published.weekday()]})")
    return _iso(published), why


# --- helpers --------------------------------------------------------------------------------

def _mention_year(m: re.Match) -> int | None:
    y = m["year"] or m["year2"] or m["iy"]
    return int(y) if y else None


def _mention_date(m: re.Match, year: int | None) -> str | None:
    if year is None:
        return None
    if m["iy"]:
        return _make(year, int(m["im"]), int(m["id"]))
    month, day = m["mon"] or m["mon2"], m["day"] or m["day2"]
    date = _make(year, MONTHS[month[:3].lower()], int(day))
    if date and m["wd"]:  # a written weekday must agree with the date
        if dt.date.fromisoformat(date).weekday() != WEEKDAYS.index(_weekday_name(m["wd"])):
            return None
    return date


def _weekday_name(abbrev: str) -> str:
    return next(w for w in WEEKDAYS if w.startswith(abbrev[:3]))


def _full_date(text: str) -> str | None:
    for m in _DATE.finditer(text):
        year = _mention_year(m)
        if year:
            return _mention_date(m, year)
    return None


def _dateutil(text: str) -> str | None:
    """dateutil as a last resort, only when year, month and day are all written."""
    if not re.search(r"\b(?:19|20)\d\d\b", text):
        return None
    from dateutil import parser

    try:
        a = parser.parse(text, default=dt.datetime(2001, 1, 1))
        b = parser.parse(text, default=dt.datetime(2002, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    return _iso(a.date()) if a.date() == b.date() else None


def _make(year: int, month: int, day: int) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return _iso(date)


def _iso(date: dt.date) -> str | None:
    return date.isoformat() if MIN_YEAR <= date.year <= MAX_YEAR else None
