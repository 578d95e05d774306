"""spaCy component ``sitrep_events``: territorial control changes and PLOVER events.

Runs after ``sitrep_places`` and ``sitrep_claims`` and sets

    doc._.control_changes   which place changed hands, to/from whom, per whom (CONTRACT.md)
    doc._.events            PLOVER events (ASSAULT, MOBILIZE, AID, ...)

The linguistics live in data files (``triggers.yaml``, ``plover.yaml``); the code reads the
dependency parse: ``control.py`` finds the changes, ``plover.py`` the events, with the tree
walks of ``syntax.py`` (re-exported here). This module
holds the component and ``Context``, the per-document view both use: place mentions by
token, actor sides, claims (attribution), dates, modality.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from sitrep.nlp.doctext import doc_ents, doc_text, token_lemmas, token_lowers
from sitrep.models import evidence as make_evidence
from sitrep.nlp.actors import PLAIN
from sitrep.nlp.dates import find_dates
from sitrep.nlp.syntax import (  # noqa: F401  (re-exported: control.py, plover.py, tests)
    CLAUSE_DEPS, children, clause_head, clean_name, in_dateline, is_state, noun_phrase_spans,
    place_state, prep_objects, proper_span, subject,
)
from sitrep.options import Options, load_yaml

NOT_PLACE_ENTS = ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY")
RELATIVE_PRONOUNS = {"that", "which", "who", "whom", "whose"}
PRONOUNS = {"it", "they", "we", "he", "she", "its", "their", "our", "us", "them", "his", "her"}
LEADING_VERBS = {"lead", "spearhead", "command", "head"}
PERSON_NOUNS = {"commander", "chief", "president", "minister", "spokesman", "spokeswoman", "spokesperson",
                "official", "leader", "general", "head", "governor", "mayor", "prime", "adviser", "advisor",
                "secretary", "envoy", "ambassador", "analyst", "resident", "witness", "officer"}


@Language.factory("sitrep_events")
def make_events(nlp: Language, name: str):
    from sitrep.nlp.pipeline import register_extensions

    register_extensions()
    return EventsComponent(nlp, name)


class EventsComponent:
    """Find control changes and PLOVER events; resources load lazily with defaults."""

    def __init__(self, nlp: Language, name: str = "sitrep_events"):
        self.nlp = nlp
        self.name = name
        self.options: Options | None = None
        self.lexicon: dict | None = None
        self.actors = None

    def setup(self, *, options: Options | None = None, gazetteer=None) -> None:
        """Load the data files for ``options`` (the gazetteer is not needed here)."""
        from sitrep.nlp.actors import load_actors

        self.options = options or Options()
        self.lexicon = load_lexicon(self.options)
        self.actors = load_actors(self.options)

    def __call__(self, doc):
        from sitrep.nlp import control, plover

        if self.lexicon is None:
            self.setup(options=self.options)
        places_pipe = self.nlp.get_pipe("sitrep_places") if "sitrep_places" in self.nlp.pipe_names else None
        ctx = Context(doc, self.lexicon, self.actors, places_pipe)
        changes, leftovers = control.extract(ctx)
        doc._.control_changes = changes
        doc._.events = plover.extract(ctx, leftovers)
        return doc


# ------------------------------------------------------------------------------ data

def load_lexicon(options: Options) -> dict:
    """``triggers.yaml`` + ``plover.yaml`` (packaged, then user dirs; lists extend, maps merge)."""
    return _load_lexicon(tuple(str(p) for p in options.data_files("triggers.yaml")),
                         tuple(str(p) for p in options.data_files("plover.yaml")))


@lru_cache(maxsize=8)
def _load_lexicon(trigger_paths: tuple[str, ...], plover_paths: tuple[str, ...]) -> dict:
    lex: dict = {}
    for path in trigger_paths + plover_paths:
        _merge(lex, load_yaml(Path(path).read_text(encoding="utf-8")) or {})
    # surface form -> lemma for the control triggers (the lemmatiser is not always right)
    lex["_forms"] = {f: lemma for lemma, entry in (lex.get("triggers") or {}).items()
                     for f in [lemma, *(entry.get("forms") or ())]}
    lex["_sets"] = {k: set(lex.get(k) or ()) for k in ("military_nouns", "place_nouns", "container_nouns",
                    "occupation_nouns", "light_adverbs", "non_state_nouns", "speech_verbs", "control_nouns",
                    "plural_place_nouns")}
    return lex


def _merge(out: dict, new: dict) -> None:
    for key, val in new.items():
        if isinstance(val, dict) and isinstance(out.get(key), dict):
            _merge(out[key], val)
        elif isinstance(val, list) and isinstance(out.get(key), list):
            out[key] = out[key] + val
        else:
            out[key] = val


# ------------------------------------------------------------------------------ context

class Context:
    """Per-document lookups shared by control.py and plover.py."""

    def __init__(self, doc, lexicon: dict, actors, places_pipe=None):
        self.doc = doc
        self.lex = lexicon
        self.sets = lexicon["_sets"]
        self.actors = actors
        self.places_pipe = places_pipe
        self.published = doc._.published
        self.outlet = (doc._.meta or {}).get("outlet")
        self.text = doc_text(doc)              # Doc.text and Token.sent are rebuilt on every access
        self._sent_list = list(doc.sents)
        self._sent_of = [k for k, sent in enumerate(self._sent_list) for _ in range(sent.start, sent.end)]
        self.claims = list(doc._.claims or [])
        self.places = list(doc._.places or [])
        self._place_by_token: dict[int, dict] = {}
        for p in self.places:
            ev = p.get("evidence") or {}
            span = doc.char_span(ev.get("start", 0), ev.get("end", 0), alignment_mode="expand")
            for t in span or ():
                self._place_by_token.setdefault(t.i, p)
        self._dates: dict[int, list] = {}
        self._side_counts: Counter | None = None
        self._speakers: set[str] | None = None

    def same_line(self, a: int, b: int) -> bool:
        """No line break between two offsets (a headline is often parsed into the next sentence)."""
        return "\n" not in self.text[min(a, b):max(a, b)]

    def sent(self, tok):
        return self._sent_list[self._sent_of[tok.i]]

    # -- places -------------------------------------------------------------------------
    def place_at(self, tok) -> dict | None:
        """The place mention covering ``tok`` (from sitrep_places), else a resolved PROPN."""
        p = self._place_by_token.get(tok.i)
        if p is not None:
            return {"name": p.get("name"), "resolved": p.get("resolved"),
                    "precision": p.get("precision"), "evidence": p.get("evidence")}
        if not tok.text[:1].isupper() or not (tok.pos_ == "PROPN" or tok.pos_ in ("ADV", "NOUN") and   # "Bakhmut"/ADV
                                                 tok.ent_type_ in ("GPE", "LOC", "FAC", "ORG", "PERSON")):
            return None
        if tok.ent_type_ in NOT_PLACE_ENTS:     # "on March 3": a date, not March in Cambridgeshire
            return None
        span = proper_span(tok)
        if self.actors is not None and (self.actors.side(span.text) or self.actors.person(span.text)):
            return None
        if span.text in self._speaker_names():
            return None
        ev = make_evidence(self.text, span.start_char, span.end_char)
        got = self.places_pipe.resolve_text(span.text, self.doc) if hasattr(self.places_pipe, "resolve_text") else None
        if got and "lat" in got:                  # sitrep_places gives the bare resolved dict
            from sitrep.geo.gazetteer import precision_of

            return {"name": span.text, "resolved": dict(got), "precision": precision_of(got), "evidence": ev}
        if got or tok.ent_type_ in ("GPE", "LOC", "FAC"):
            return {"name": span.text, "resolved": None, "precision": None, **(got or {}), "evidence": ev}
        return None

    def _speaker_names(self) -> set[str]:
        if self._speakers is None:
            names = {(c.get("speaker") or {}).get("name") or "" for c in self.claims}
            self._speakers = {w for n in names for w in [n, *n.split()] if w}
        return self._speakers

    # -- actors -------------------------------------------------------------------------
    def side_of(self, text: str | None) -> str | None:
        if not text or self.actors is None:
            return None
        return self.actors.side(text, outlet=self.outlet)

    def actor(self, tok) -> dict | None:
        """``{"name", "side"}`` for the noun phrase headed by ``tok`` (pronouns resolved)."""
        if tok is None:
            return None
        if tok.lower_ in PRONOUNS or tok.tag_ in ("PRP", "PRP$"):
            return self.antecedent(tok)
        if tok.lower_ in RELATIVE_PRONOUNS and tok.dep_.startswith("nsubj"):
            rel = tok.head
            if rel.dep_ == "relcl":
                return self.actor(rel.head)
        if tok.ent_type_ == "PERSON" and self.actors is not None:
            name = self.full_person_name(proper_span(tok).text)
            person = self.actors.person(name)
            side = (person or {}).get("side") or self.side_of(noun_phrase_spans(tok)[-1].text)
            return {"name": name, "side": side}
        for span in noun_phrase_spans(tok):
            text = span.text.strip()
            if not text:
                continue
            got = self.actors.resolve(text, outlet=self.outlet) if self.actors else {"name": text, "side": None}
            if not got.get("side") and self.actors is not None and (
                    self.actors.is_non_state(text) or self.actors.best(text) is None and self._non_state_words(text)):
                # "Syrian rebels" fight for the document's main armed group, never for SYR
                return {"name": clean_name(text), "side": self.main_non_state_side()}
            if got.get("side"):
                side = got["side"]
                if tok.lemma_.lower() in self.sets["non_state_nouns"] and is_state(side) \
                        and self.actors.best(text).rank == PLAIN:
                    side = self.main_non_state_side()   # "Syrian rebels" do not fight for SYR
                return {"name": clean_name(got.get("name") or text), "side": side}
        span = noun_phrase_spans(tok)[0]
        for acl in (c for c in tok.children if c.dep_ == "acl" and c.lemma_.lower() in LEADING_VERBS):
            by = next((o for _k, o in prep_objects(acl, "by")), None)   # "insurgents led by HTS"
            got = self.actor(by) if by is not None else None
            if got and got.get("side") and not is_state(got["side"]):
                return {"name": clean_name(span.text), "side": got["side"]}
        owner = next((c for c in tok.children if c.dep_ == "poss" and c.lower_ in PRONOUNS), None)
        ante = self.antecedent(owner) if owner is not None else None
        side = (ante or {}).get("side")
        if side:          # "its troops" -> Israel, "his fighters" (Prigozhin) -> Wagner: never the pronoun
            name = side if self._is_person(ante) or not ante.get("name") else ante["name"]
            return {"name": clean_name(name), "side": side}
        if side is None and any(c.dep_ == "poss" and c.lower_ == "whose" for c in tok.children) \
                and tok.head.dep_ == "relcl" and tok.head.head.i != tok.i:
            side = (self.actor(tok.head.head) or {}).get("side")     # "HTS, a group whose fighters took X"
        if side is None and tok.dep_ == "appos" and tok.head.i != tok.i and tok.head.pos_ in ("PROPN", "NOUN"):
            side = self.side_of(noun_phrase_spans(tok.head)[0].text)  # "Hayat Tahrir al-Sham, an Islamist group"
        return {"name": clean_name(span.text), "side": side}

    def antecedent(self, tok) -> dict | None:
        """Who a pronoun stands for: the speaker for we/our, else the speech-verb subject."""
        low = tok.lower_
        if low in ("we", "our", "us"):
            spk = self.attribution(tok)[0]
            return spk if spk and spk.get("side") else None
        spk = self.speech_speaker(tok)
        neuter = low in ("it", "its")
        if spk and spk.get("name") and not (neuter and self._is_person(spk)):
            if spk.get("side"):
                return spk
            if self._non_state_words(spk["name"]):    # "a paramilitary group declared it had seized"
                return {"name": spk["name"], "side": self.main_non_state_side()}
        sent = self.sent(tok)
        before = list(sent[: tok.i - sent.start])
        if neuter:     # "handing Russia its biggest gain since it captured X": the nearest state/group
            for t in reversed(before):
                if t.pos_ in ("PROPN", "NOUN") and t.ent_type_ != "PERSON" \
                        and (self.place_at(t) or {"precision": "country"}).get("precision") == "country" \
                        and t.dep_ not in ("compound", "poss") and not self._is_person({"name": t.text}):
                    side = self.side_of(noun_phrase_spans(t)[0].text)
                    if side:
                        return {"name": clean_name(noun_phrase_spans(t)[0].text), "side": side}
        # the nearest actor subject earlier in the sentence
        for t in reversed(before):
            if t.dep_.startswith("nsubj") and t.lower_ not in PRONOUNS:
                got = self.actor(t)
                if got and got.get("side"):
                    return got
        return None

    def _is_person(self, actor: dict) -> bool:
        """A person (a PERSON name or a person's title) -- never the antecedent of "it"."""
        name = actor.get("name") or ""
        if any(e.label_ == "PERSON" and e.text in name for e in doc_ents(self.doc)):
            return True
        words = set(name.lower().split())
        return bool(words & PERSON_NOUNS) or (self.actors is not None and self.actors.person(name) is not None)

    def _non_state_words(self, text: str) -> bool:
        """Wording for non-state fighters ("the rebels", "a paramilitary group")."""
        rx = getattr(self.actors, "_non_state_re", None)
        return bool(rx is not None and rx.search(text or ""))

    def is_military(self, tok, actor: dict | None) -> bool:
        if tok is None:
            return False
        if tok.lemma_.lower() in self.sets["military_nouns"] or tok.lower_ in self.sets["military_nouns"]:
            return True
        if actor and actor.get("side") and tok.pos_ == "PROPN" and tok.ent_type_ != "PERSON":
            return self.actors.person(tok.text) is None
        return False

    def side_counts(self) -> Counter:
        """How often each side appears as an armed actor in the document."""
        if self._side_counts is None:
            counts: Counter = Counter()
            mil = self.sets["military_nouns"]
            lowers, lemmas = token_lowers(self.doc), token_lemmas(self.doc)
            for i in [i for i, low in enumerate(lowers) if low in mil or lemmas[i] in mil]:
                tok = self.doc[i]
                if tok.pos_ in ("NOUN", "PROPN") and tok.lower_ not in PRONOUNS:
                    counts.update(filter(None, [self.side_of(noun_phrase_spans(tok)[0].text)]))
            self._side_counts = counts
        return self._side_counts

    def main_non_state_side(self) -> str | None:
        """The armed group mentioned most in the document ("the rebels" = HTS in an Aleppo story)."""
        groups: Counter = Counter()
        for m in self.actors.matches(self.text) if self.actors else ():
            if m.side and not is_state(m.side) and m.canonical:
                groups[m.side] += 1              # insertion order: the first named wins a tie
        for s, n in self.side_counts().items():
            if not is_state(s):
                groups[s] += n
        return groups.most_common(1)[0][0] if groups else None

    def other_side(self, side: str | None, strict: bool = False, allies: frozenset | set = frozenset()) -> str | None:
        """The most mentioned armed side in the document other than ``side`` and its ``allies``
        (``strict``: the only one), else ``side``'s single listed opponent (``dyads``)."""
        if not side:
            return None
        others = [s for s, _n in self.side_counts().most_common() if s != side and s not in allies]
        if others and (len(others) == 1 or not strict):
            return others[0]
        if others:
            return None
        partners = {b for pair in self.lex.get("dyads") or () for a, b in (pair, pair[::-1]) if a == side}
        return partners.pop() if len(partners) == 1 else None

    # -- attribution ----------------------------------------------------------------------
    def claim_covering(self, tok):
        """``(index, claim)`` whose content span holds ``tok``, else None."""
        best = None                      # the innermost claim: "X said ..., after Y declared it had seized Z"
        for i, c in enumerate(self.claims):
            span = c.get("text_span") or {}
            if span.get("start", 1) <= tok.idx < span.get("end", 0) \
                    and "\n" not in self.text[span["start"]:span["end"]]:   # not a headline swallowed
                if best is None or span["end"] - span["start"] < best[2]:
                    best = (i, c, span["end"] - span["start"])
        return best[:2] if best else None

    def speech_speaker(self, tok) -> dict | None:
        """Fallback attribution: the subject of a speech verb governing ``tok``'s clause."""
        node = tok
        for _ in range(12):
            head = node.head
            if head is node or not self.same_line(node.idx, head.idx):
                break
            if head.lemma_.lower() in self.sets["speech_verbs"] and node.dep_ in ("ccomp", "dobj", "xcomp", "parataxis",
                                                                       "advcl", "pcomp", "conj"):
                return self._speaker_of_verb(head)
            if head.lemma_.lower() in self.sets["speech_verbs"] and node.dep_ == "nsubjpass":   # "... was announced by X"
                by = next((o for _k, o in prep_objects(head, "by")), None)
                return self._named(by) if by is not None else None
            if head.lower_ == "according" or (head.lower_ == "to" and head.head.lower_ == "according"):
                break
            if self._narration_clause(node):
                break          # "..., while the MNDAA took Lashio", "..., handing Russia ... since it captured X"
            node = head
        # "according to X"
        for t in self.sent(tok):
            if t.lower_ == "according" and t.i + 2 < len(self.doc) and self.doc[t.i + 1].lower_ == "to":
                obj = next((c for c in self.doc[t.i + 1].children if c.dep_ == "pobj"), None)
                if obj is not None:
                    return self._named(obj)
        return None

    def _narration_clause(self, node) -> bool:
        """An adverbial clause the outlet adds to a report (its own narration)."""
        nar = self.lex.get("narration_clauses") or {}
        if node.dep_ != "advcl":
            return False
        if node.lower_ in set(nar.get("participles") or ()):
            return True
        return any(c.dep_ == "mark" and c.lower_ in set(nar.get("marks") or ()) for c in node.children)

    def _speaker_of_verb(self, verb) -> dict | None:
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and not in_dateline(c)), None)
        prev = self.doc[verb.i - 1] if verb.i > 0 else None
        if subj is None and verb.dep_ == "ROOT" and prev is not None and prev.pos_ in ("NOUN", "PROPN") \
                and prev.dep_ in ("pobj", "conj", "appos"):
            subj = prev               # misparse: "In the north-east, Kurdish-led forces said ..."
            comma = next((k for k in range(verb.i - 1, max(verb.i - 8, 0), -1) if self.doc[k].text == ","), None)
            if subj.dep_ == "conj" and comma is not None:    # "..., residents and a rebel spokesman say"
                subj = next((t for t in self.doc[comma + 1:verb.i] if t.pos_ in ("NOUN", "PROPN")), subj)
        if subj is None:
            # "was cited ... as saying": climb to the passive verb
            if verb.dep_ in ("pcomp", "advcl", "xcomp") and verb.head.i != verb.i:
                up = verb.head.head if verb.head.dep_ == "prep" else verb.head
                subj = next((c for c in up.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None or subj.lower_ in PRONOUNS:
            return None
        return self._named(subj)

    def _named(self, tok) -> dict:
        """A speaker/actor as ``{"name", "side"}``: the PERSON named in the phrase if any."""
        phrase = self.doc[tok.left_edge.i: tok.right_edge.i + 1]
        person = next((e for e in doc_ents(self.doc) if e.label_ == "PERSON"
                       and phrase.start <= e.start and e.end <= phrase.end), None)
        name = person.text if person is not None else clean_name(noun_phrase_spans(tok)[0].text)
        name = self.full_person_name(name)
        side = self.side_of(phrase.text) or (self.person_side(name) if person is not None else None)
        return {"name": name, "side": side}

    def full_person_name(self, name: str) -> str:
        """'Mr Putin' -> 'Vladimir Putin' when the document names him in full."""
        last = re.sub(r"^(mr|mrs|ms|dr|gen|col|lt)\.?\s+", "", name, flags=re.I).strip()
        if " " in last or not last:
            return last or name
        for e in doc_ents(self.doc):
            if e.label_ == "PERSON" and e.text.split()[-1] == last and len(e.text.split()) > 1:
                return re.sub(r"^(President|Prime Minister|Mr\.?|Ms\.?)\s+", "", e.text)
        return last

    def person_side(self, name: str | None) -> str | None:
        """Side of a known person by full name or unambiguous surname ("Zelensky")."""
        if not name or self.actors is None:
            return None
        known = self.actors.person(name)
        if known:
            return known.get("side")
        last = name.split()[-1]
        sides = {(v or {}).get("side") for k, v in self.actors.people.items() if k.split()[-1] == last}
        return sides.pop() if len(sides) == 1 else None

    def attribution(self, tok):
        """``(asserted_by, claim_index)`` for a fact found at ``tok``."""
        got = self.claim_covering(tok)
        if got is not None:
            idx, claim = got
            spk = claim.get("speaker") or {}
            name = clean_name(spk.get("name") or "") or None
            side = spk.get("side") or self.person_side(name)
            return {"name": name, "side": side, "title": spk.get("title")}, idx
        spk = self.speech_speaker(tok)
        if spk is not None and spk.get("name"):
            return spk, None
        return None, None

    # -- dates --------------------------------------------------------------------------
    def date_for(self, tok, extra=()) -> tuple[str | None, str | None]:
        """An explicit date expression in ``tok``'s own clause and line, resolved; else (None, None)."""
        sent = self.sent(tok)
        if sent.start not in self._dates:
            found = []
            for d in find_dates(sent.text, self.published):
                span = self.doc.char_span(sent.start_char + d["start"], sent.start_char + d["end"],
                                          alignment_mode="expand")
                if span is not None and d["date"]:
                    found.append((span, d))
            self._dates[sent.start] = found
        heads = {clause_head(tok)} | {clause_head(t) for t in extra}
        best = None
        for span, d in self._dates[sent.start]:
            if not self.same_line(span.start_char, tok.idx):
                continue
            if any(t.i == tok.i or t.head.i == tok.i for t in span) or clause_head(span.root) in heads:
                dist = abs(span.start - tok.i)
                if best is None or dist < best[0]:
                    best = (dist, d)
        return (best[1]["date"], best[1]["precision"]) if best else (None, None)

    def evidence(self, tok) -> dict:
        """The sentence holding ``tok``, cut at paragraph breaks (captions, headlines)."""
        sent, text = self.sent(tok), self.text
        start = text.rfind("\n", sent.start_char, tok.idx) + 1 or sent.start_char
        end = text.find("\n", tok.idx, sent.end_char)
        return make_evidence(text, start, sent.end_char if end == -1 else end)
