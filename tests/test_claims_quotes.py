"""sitrep.nlp.quotes: quote spans from quotation marks (no spaCy)."""
from __future__ import annotations

from sitrep.nlp.quotes import find_quotes, paragraphs


def inner(text, q):
    return text[q.inner_start:q.inner_end]


def test_curly_double_quotes():
    text = "“We will win,” he said. “The enemy is retreating.”"
    qs = find_quotes(text)
    assert [inner(text, q) for q in qs] == ["We will win,", "The enemy is retreating."]
    assert all(q.closed for q in qs)


def test_straight_double_quotes():
    text = 'The MOD said "Russia faces a dilemma" and "the front is unstable".'
    assert [inner(text, q) for q in find_quotes(text)] == ["Russia faces a dilemma", "the front is unstable"]


def test_apostrophes_are_not_quotes():
    text = "It’s Ukraine’s advance and the troops’ morale that Russia’s commanders fear."
    assert find_quotes(text) == []


def test_british_single_quotes_curly_and_straight():
    text = "‘We are ready,’ the general said. 'Our troops' morale is high,' he added."
    assert [inner(text, q) for q in find_quotes(text)] == ["We are ready,", "Our troops' morale is high,"]


def test_single_quotes_inside_double_quotes_are_not_listed():
    text = "“They call it a ‘special operation’, but it is a war,” she said."
    qs = find_quotes(text)
    assert len(qs) == 1 and inner(text, qs[0]).startswith("They call it")


def test_paragraph_spanning_quote():
    text = ("“The river crossing remains one of the few routes.\n\n"
            "“Russia faces a dilemma,” the MOD said.\n")
    first, second = find_quotes(text)
    assert not first.closed and first.continues and inner(text, first).endswith("routes.")
    assert second.continued and second.closed and second.at_para_start


def test_unclosed_quote_without_continuation_ends_at_paragraph():
    text = "He said, “There is no contradiction.\n\nThe war goes on."
    (q,) = find_quotes(text)
    assert not q.closed and not q.continues
    assert inner(text, q) == "There is no contradiction."


def test_paragraphs_trim_whitespace():
    text = "  First line. \n\n\tSecond line.\n"
    assert [text[s:e] for s, e in paragraphs(text)] == ["First line.", "Second line."]
