"""sitrep.nlp.dates: relative and partial dates against the publication date."""
from __future__ import annotations

import datetime as dt

import pytest

from sitrep.nlp.dates import find_dates, resolve_date

PUB = dt.date(2022, 10, 5)  # a Wednesday


@pytest.mark.parametrize("text, expected", [
    ("on Saturday", ("2022-10-01", "day")),
    ("Monday", ("2022-10-03", "day")),
    ("on Wednesday", ("2022-10-05", "day")),          # the publication day itself
    ("last Wednesday", ("2022-09-28", "day")),
    ("Monday's breakthrough", ("2022-10-03", "day")),
    ("Monday’s breakthrough", ("2022-10-03", "day")),
    ("last week", ("2022-09-26", "week")),            # Monday of the previous week
    ("earlier this week", ("2022-10-03", "week")),
    ("at the weekend", ("2022-10-01", "week")),
    ("Oct. 1", ("2022-10-01", "day")),
    ("October 1", ("2022-10-01", "day")),
    ("1 October 2022", ("2022-10-01", "day")),
    ("Sept. 30, 2022", ("2022-09-30", "day")),
    ("2022-09-30", ("2022-09-30", "day")),
    ("Nov. 11", ("2021-11-11", "day")),               # month-day after publication: last year
    ("yesterday", ("2022-10-04", "day")),
    ("the day before yesterday", ("2022-10-03", "day")),
    ("today", ("2022-10-05", "day")),
    ("overnight", ("2022-10-04", "day")),             # the night that ended on publication day
    ("last night", ("2022-10-04", "day")),
    ("overnight into Tuesday", ("2022-10-04", "day")),
    ("two days ago", ("2022-10-03", "day")),
    ("a week ago", ("2022-09-26", "week")),
    ("this month", ("2022-10-01", "month")),
    ("last month", ("2022-09-01", "month")),
    ("in March", ("2022-03-01", "month")),
    ("in November", ("2021-11-01", "month")),
    ("in March 2014", ("2014-03-01", "month")),
    ("in 2014", ("2014-01-01", "year")),
    ("last year", ("2021-01-01", "year")),
])
def test_resolve_date(text, expected):
    assert resolve_date(text, PUB) == expected


@pytest.mark.parametrize("text", [
    "the town was captured", "they may attack", "troops march 10 km", "four regions",
    "18 per cent", "after more than four months of occupation",
])
def test_no_date_expression_gives_none(text):
    assert resolve_date(text, PUB) == (None, None)


def test_relative_dates_need_a_publication_date():
    assert resolve_date("on Saturday", None) == (None, None)
    assert resolve_date("last week", None) == (None, None)
    assert resolve_date("1 October 2022", None) == ("2022-10-01", "day")
    assert resolve_date("in March 2014", None) == ("2014-03-01", "month")


def test_published_may_be_an_iso_string():
    assert resolve_date("on Saturday", "2022-10-05") == ("2022-10-01", "day")


def test_future_weekday_for_plans():
    assert resolve_date("on Friday", PUB, future=True) == ("2022-10-07", "day")
    assert resolve_date("next Monday", PUB) == ("2022-10-10", "day")


def test_find_dates_gives_exact_offsets():
    text = "Ukrainian troops made gains on Tuesday, even as parliament approved last week's annexation."
    found = find_dates(text, PUB)
    assert [(d["text"], d["date"]) for d in found] == [("on Tuesday", "2022-10-04"), ("last week's", "2022-09-26")]
    for d in found:
        assert text[d["start"]:d["end"]] == d["text"]


def test_pattern_gates_never_change_what_is_found(monkeypatch):
    """find_dates skips patterns whose required words are absent; the result is the ungated one."""
    import datetime as dt

    from sitrep.nlp import dates

    sentences = [
        "Fighting resumed in midmarch 2022 and again in mid-April.", "Shelling overnight into Monday killed two.",
        "Last night the army said it held the bridge.", "Three days ago the convoy left; a week ago it was stopped.",
        "This morning and tonight the curfew holds.", "The 2022-10-04 statement and Oct. 4 reports differ.",
        "On the 4th of October 2022, since 2014, and earlier this week.", "The weekend brought calm.",
        "No date here at all, only a market in the capital.", "They will meet on Friday's summit, the minister said.",
        "YESTERDAY the rebels entered the town.", "In May the offensive began; by June it had stalled.",
    ]
    published = dt.date(2024, 5, 20)
    gated = [dates.find_dates(s, published) for s in sentences]
    monkeypatch.setattr(dates, "_NEEDS", {kind: None for kind in dates._NEEDS})
    assert gated == [dates.find_dates(s, published) for s in sentences]
    assert sum(map(len, gated)) >= 15
