"""Counted things in an event clause: "31 Russian tanks" -> {"value": 31, "unit": "tank"}.

Works on spaCy tokens (the parse links a number to the noun it counts), falls back to the
next noun on the right. Vague amounts are kept with ``approximate: True`` and their lower
bound: "dozens of settlements" -> 24, "hundreds of thousands of reservists" -> 200000.
Units are singular lemmas; lengths are normalised ("kilometres" -> "km").
"""
from __future__ import annotations

import re
from sitrep.nlp.doctext import doc_text

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12, "dozen": 12,
}
MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
# vague plural amounts -> lower bound
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "millions": 2_000_000,
         "tens": 20, "several": 3, "a few": 3}
UNITS = {
    "km": "km", "kilometre": "km", "kilometer": "km", "kms": "km", "mile": "mi", "metre": "m",
    "meter": "m", "per": "percent", "percent": "percent", "%": "percent", "cent": "percent",
    "sq": "km2", "hectare": "ha",
}
# nouns that are not the counted thing ("four months", "18 per cent" handled by UNITS)
SKIP_UNITS = {"year", "month", "week", "day", "hour", "minute", "time", "o'clock", "am", "pm"}


def find_quantities(tokens) -> list[dict]:
    """Quantities among ``tokens`` (a Span or list of Tokens of one parsed Doc).

    Each: ``{"value": int|float, "unit": str|None, "approximate": bool, "text", "start", "end"}``
    with character offsets of the whole amount + unit.
    """
    tokens = list(tokens)
    if not tokens:
        return []
    doc = tokens[0].doc
    lo, hi = tokens[0].i, tokens[-1].i + 1
    out: list[dict] = []
    used: set[int] = set()
    i = lo
    while i < hi:
        tok = doc[i]
        if i in used:
            i += 1
            continue
        got = None if tok.ent_type_ in ("DATE", "TIME") and tok.lower_ not in VAGUE else _amount(doc, i, hi)
        if got is None:             # "on March 3", "in 2014": a date, not a count
            i += 1
            continue
        value, approx, end = got  # end: index after the amount tokens
        unit_tok = _unit_token(doc, i, end, hi)
        if unit_tok is not None and unit_tok.lemma_.lower() in SKIP_UNITS:
            i = end
            continue
        unit = _unit_name(unit_tok) if unit_tok is not None else None
        last = unit_tok.i if unit_tok is not None and unit_tok.i >= end else end - 1
        start_char, end_char = tok.idx, doc[last].idx + len(doc[last].text)
        out.append({"value": value, "unit": unit, "approximate": approx,
                    "text": doc_text(doc)[start_char:end_char], "start": start_char, "end": end_char})
        used.update(range(i, last + 1))
        i = last + 1
    return out


def _amount(doc, i: int, hi: int):
    """Parse a number starting at token i -> (value, approximate, end index) or None."""
    tok = doc[i]
    low = tok.lower_
    # vague: "hundreds of thousands", "dozens of", "thousands of"
    if low in VAGUE and low not in ("several", "tens", "a few"):
        value, j = VAGUE[low], i + 1
        if j + 1 < hi and doc[j].lower_ == "of" and doc[j + 1].lower_ in ("thousands", "millions"):
            # "hundreds of thousands" -> at least 200,000
            value = VAGUE[low] * MULTIPLIERS[doc[j + 1].lower_[:-1]]
            j += 2
        if j < hi and doc[j].lower_ == "of":
            j += 1
        return value, True, j
    if low == "a" and i + 1 < hi and doc[i + 1].lower_ in ("dozen", "few"):
        return (12 if doc[i + 1].lower_ == "dozen" else 3), doc[i + 1].lower_ == "few", i + 2
    value = _number(tok)
    if value is None:
        return None
    j = i + 1
    # "1.5 million", "two hundred", "40 thousand"
    while j < hi and doc[j].lower_ in MULTIPLIERS:
        value *= MULTIPLIERS[doc[j].lower_]
        j += 1
    approx = _is_approximate(doc, i)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value, approx, j


def _number(tok):
    text = tok.text.replace(",", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text) if "." in text else int(text)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(km|m|mi|k)", text.lower())
    if m:
        return float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    if tok.lower_ in WORD_NUMBERS:
        return WORD_NUMBERS[tok.lower_]
    return None


def _is_approximate(doc, i: int) -> bool:
    prev = " ".join(t.lower_ for t in doc[max(0, i - 3):i])
    return bool(re.search(r"(about|around|roughly|some|nearly|almost|approximately|close to|"
                          r"more than|over|at least|up to|estimated|as many as)$", prev))


def _unit_token(doc, i: int, end: int, hi: int):
    """The counted noun: the parse head of the number, else the next noun on the right."""
    tok = doc[i]
    m = re.fullmatch(r"\d+(?:\.\d+)?(km|mi)", tok.text.lower())
    if m:
        return tok
    if end + 1 < hi and doc[end].text in ("-", "‑") and doc[end + 1].pos_ in ("NOUN", "PROPN"):
        return doc[end + 1]             # "a 72-hour ceasefire": the hyphenated unit, not the noun after it
    head = doc[end - 1].head
    if doc[end - 1].dep_ in ("nummod", "quantmod", "compound") and head.pos_ in ("NOUN", "PROPN") \
            and head.i >= end and head.i - end <= 4:
        while head.dep_ == "compound" and head.head.i > head.i and head.head.i - end <= 5:
            head = head.head            # "one multiple rocket launcher" -> launcher
        return head
    for j in range(end, min(hi, end + 4)):
        if doc[j].pos_ in ("NOUN", "PROPN") or doc[j].lower_ in UNITS:
            if doc[j].lower_ == "per" and j + 1 < len(doc) and doc[j + 1].lower_ == "cent":
                return doc[j + 1]
            return doc[j]
        if doc[j].pos_ not in ("ADJ", "NUM", "ADV", "VERB") and doc[j].lower_ != "of":
            break
    return None


def _unit_name(tok) -> str:
    m = re.fullmatch(r"\d+(?:\.\d+)?(km|mi)", tok.text.lower())
    if m:
        return m.group(1)
    lemma = tok.lemma_.lower() if tok.lemma_ else tok.lower_
    if tok.tag_ in ("NNS", "NNPS") and lemma == tok.lower_ and lemma.endswith("ans"):
        lemma = lemma[:-1]          # "Palestinians" (the lemmatiser keeps proper plurals)
    return UNITS.get(lemma, UNITS.get(tok.lower_, lemma))
