"""Who is speaking: a small, explicit entity-tracking pass over one parsed Doc.

``SpeakerTracker(doc, actors, lexicon, in_quote)`` first collects, in document order,
person mentions (PERSON entities with their titles: "Kremlin spokesperson Dmitry Peskov",
"Vladimir Saldo, the Russian-installed leader of ..."), organisation mentions (noun phrases
headed by institution nouns, ORG entities, "Ministry of Defence (MOD)" acronyms) and the
issuers of documents ("Mr. Zelensky released a decree"). ``speaker(token)`` then turns the
head of a subject noun phrase into ``{"name", "title", "side"}``, resolving "he", "Mr. Peskov",
"the spokesman", "the Russian president", "the ministry", "the MOD", "the decree" to what
the document introduced earlier. Lexicons come from data/cues.yaml (``load_cues``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sitrep.nlp.doctext import doc_ents, doc_text, token_lemmas, token_lowers, token_texts
from sitrep.nlp.actors import GROUP
from sitrep.nlp.quotes import dateline_spans
from sitrep.options import Options, load_yaml

_CLAUSAL = {"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis"}
_ACRONYM = re.compile(
    r"((?:[A-Z][\w’'-]*|of|the|and|for|on)(?:\s+(?:[A-Z][\w’'-]*|of|the|and|for|on))*)\s+\(([A-Z][A-Za-z]{1,7})\)")
_SUBJ = {"nsubj", "nsubjpass"}


class _NoMatch:
    canonical = None


_NO_MATCH = _NoMatch()


@dataclass
class Entity:
    name: str
    kind: str                      # "person" | "org"
    title: str = ""
    keys: set = field(default_factory=set)


@dataclass
class Mention:
    i: int                         # token index of the mention's head
    entity: Entity
    subject: bool
    start: int = -1                # token span of the name
    end: int = -1


class SpeakerTracker:
    def __init__(self, doc, actors, lexicon: dict, in_quote, outlet: str | None = None):
        self.doc, self.actors, self.lex, self.in_quote, self.outlet = doc, actors, lexicon, in_quote, outlet
        self.people: list[Entity] = []
        self.mentions: list[Mention] = []          # persons, document order
        self.orgs: list[Mention] = []              # organisations, document order
        self.owners: list[tuple[int, str, int]] = []   # (doc-noun token, lemma, owner token)
        self.acronyms = {m.group(2): _strip_det(m.group(1)) for m in _ACRONYM.finditer(doc_text(doc))}
        self._datelines = dateline_spans(doc_text(doc))
        self.aliases: dict[str, str] = {}          # "monitor" -> "Syrian Observatory for Human Rights"
        self._scan()

    def in_dateline(self, i: int) -> bool:
        """Token ``i`` belongs to a wire dateline ("KYIV, Feb 17 (Reuters) -"), never a speaker."""
        idx = self.doc[i].idx
        return any(s <= idx < e for s, e in self._datelines)

    # -- collection -------------------------------------------------------------------------
    def _scan(self) -> None:
        doc, lex = self.doc, self.lex
        self._places = {e.text.lower() for e in doc_ents(doc) if e.label_ in ("GPE", "LOC", "FAC")}
        for ent in doc_ents(doc):
            if ent.label_ == "PERSON" and not self.in_quote(ent.start):
                self._add_person(ent)
        covered = {i for m in self.mentions for i in range(m.start, m.end)}
        for run in self._name_runs():
            if not covered.intersection(range(run.start, run.end)):
                self._add_person(run)
        self.mentions.sort(key=lambda m: m.i)
        keys = {k: e for e in self.people for k in e.keys}
        named = {m.i for m in self.mentions} | {i for m in self.mentions for i in range(m.start, m.end)}
        first = {}
        for m in self.mentions:
            first.setdefault(id(m.entity), m.i)
        lowers, lemmas = token_lowers(doc), token_lemmas(doc)
        for i in [i for i, low in enumerate(lowers) if low in keys] if keys else ():
            tok = doc[i]                            # later bare surnames the NER missed
            if tok.pos_ == "PROPN" and tok.lower_ in keys and tok.i not in named and not self.in_quote(tok.i) \
                    and tok.i > first.get(id(keys[tok.lower_]), -1) \
                    and not (self.actors.best(tok.text) or _NO_MATCH).canonical:   # "Houthi" is a group
                self.mentions.append(Mention(tok.i, keys[tok.lower_], self._is_subject(tok), tok.i, tok.i + 1))
        self.mentions.sort(key=lambda m: m.i)
        orgs = {i for e in doc_ents(doc) if e.label_ == "ORG" for i in range(e.start, e.end)}
        nouns = lex["role_nouns"] | lex["org_nouns"] | lex["document_nouns"]
        for i, lem in enumerate(lemmas):
            if lem not in nouns and i not in orgs:
                continue                            # none of the three tests below can hold
            tok = doc[i]
            if self.in_quote(tok.i) or self.in_dateline(tok.i):
                continue
            if tok.lemma_.lower() in lex["role_nouns"] and tok.dep_ in _SUBJ and tok.tag_ == "NN" and any(
                    c.dep_ in ("det", "nummod") and c.lower_ in ("a", "an", "one", "another") for c in tok.children):
                span = range(tok.left_edge.i, tok.right_edge.i + 1)
                if not any(m.i in span for m in self.mentions) and not any(
                        c.dep_ == "appos" and c.pos_ == "PROPN" for c in tok.children):
                    unnamed = Entity(self.np_text(tok, core=True), "role")
                    self.mentions.append(Mention(tok.i, unnamed, True, tok.i, tok.i + 1))
            if tok.pos_ in ("NOUN", "PROPN") and (tok.lemma_.lower() in lex["org_nouns"]
                                                  or tok.ent_type_ == "ORG" and tok.dep_ != "compound"):
                if tok.ent_type_ != "PERSON":
                    name = self.np_text(tok, core=True)
                    if name:
                        self.orgs.append(Mention(tok.i, Entity(name, "org"), tok.dep_ in _SUBJ))
            if tok.lemma_.lower() in lex["document_nouns"] and tok.pos_ == "NOUN":
                owner = self._owner(tok)
                if owner is not None:
                    self.owners.append((tok.i, tok.lemma_.lower(), owner))
        self.mentions.sort(key=lambda m: m.i)

    def _name_runs(self):
        """Names the NER missed: 2-4 capitalised PROPN words in a person's slot, e.g. with a
        role in apposition ("Oleksandr Syrskyi, Ukraine's top commander") or before it
        ("government spokesman Patrick Muyaya"), or as the subject of a speech verb."""
        doc, lex = self.doc, self.lex
        i = 0
        texts, lowers = token_texts(doc), token_lowers(doc)
        while i < len(doc):
            j = i
            while j < len(doc) and (texts[j].istitle() and _name_part(doc[j], lex)   # is_title is istitle()
                                    or j > i and texts[j] == "-"
                                    or j > i and lowers[j] in ("al", "bin", "ibn", "de", "van", "von")):
                j += 1
            if j - i >= 2 and j - i <= 5 and doc[j - 1].text != "-" and not self.in_quote(i):
                run = doc[i:j]
                if self._person_slot(run):
                    yield run
            i = max(j, i + 1)

    def _person_slot(self, run) -> bool:
        doc, lex = self.doc, self.lex
        if any(t.lemma_.lower() in lex["org_nouns"] or t.ent_type_ in ("DATE", "TIME", "NORP") for t in run):
            return False
        if self.actors.best(run.text) is not None and not self.actors.person(run.text):
            return False
        head = run.root
        if any(c.dep_ == "appos" and c.lemma_.lower() in lex["role_nouns"] for c in head.children):
            return True
        if head.dep_ == "appos" and head.head.lemma_.lower() in lex["role_nouns"]:
            return True
        if run.start > 0 and doc[run.start - 1].lemma_.lower() in lex["role_nouns"]:
            return True
        verb = head.head
        return head.dep_ in _SUBJ and verb.lemma_.lower() in lex["speech_verbs"]

    def _add_person(self, ent) -> None:
        doc, lex = self.doc, self.lex
        start, end = ent.start, ent.end
        while start > 0 and _name_part(doc[start - 1], lex) and doc[start - 1].head.i in range(start, end):
            start -= 1                              # "Oleksii" left out of the entity
        while end < len(doc) and _name_part(doc[end], lex) and doc[end - 1].dep_ == "compound" \
                and doc[end - 1].head.i == end and doc[end].ent_type_ in ("", "PERSON"):
            end += 1                                # "Gen Oleksandr" tagged, "Syrskyi" left out
        while start < end and (doc[start].lower_.rstrip(".") in lex["honorifics"]
                               or doc[start].lemma_.lower() in lex["role_nouns"]):
            start += 1
        while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].text in ("’s", "'s", "’", "'")):
            end -= 1
        if start >= end or not all(_name_token(t) for t in doc[start:end]):
            return
        name = doc_text(doc)[doc[start].idx:doc[end - 1].idx + len(doc[end - 1].text)]
        best = self.actors.best(name)
        if best is not None and best.end - best.start == len(name) and not self.actors.person(name):
            return                                  # "Kyiv" tagged PERSON: a place, not a person
        last = doc[end - 1].lower_
        entity = next((e for e in reversed(self.people) if last in e.keys), None)
        if entity is None and end - start == 1 and (name.lower() in self._places or not (
                start > 0 and (doc[start - 1].lower_.rstrip(".") in lex["honorifics"]
                               or doc[start - 1].lemma_.lower() in lex["role_nouns"])
                or self.actors.person(name))):
            return      # a lone word tagged PERSON ("Kherson" in a list) does not introduce anyone
        if entity is None:
            entity = Entity(name, "person", keys={last})
            self.people.append(entity)
        elif len(name.split()) > len(entity.name.split()):
            entity.name = name
        if not entity.title:
            entity.title = self._title(doc[start:end])
        subject = any(t.dep_ in _SUBJ for t in doc[start:end]) or self._is_subject(doc[start:end].root)
        self.mentions.append(Mention(doc[start:end].root.i, entity, subject, start, end))

    def _title(self, ent) -> str:
        """Title before the name ("Kremlin spokesperson") or in apposition ("X, the leader of Y")."""
        doc, lex, k = self.doc, self.lex, ent.start - 1
        inside = set(range(ent.start, ent.end))
        while k >= 0:
            t = doc[k]
            if t.pos_ in ("DET", "VERB", "AUX", "ADP", "PRON", "SCONJ", "CCONJ", "ADV") and t.tag_ != "POS" \
                    or t.is_punct and t.text not in ("-", "–") or t.lower_.rstrip(".") in lex["honorifics"]:
                break
            if not (t.lemma_.lower() in lex["role_nouns"] or t.ent_type_ in ("NORP", "ORG", "GPE")
                    or t.tag_ == "POS" or t.text in ("-", "–") or t.head.i in inside
                    or t.pos_ in ("PROPN", "ADJ", "NOUN") and t.is_title):
                break
            inside.add(k)
            k -= 1
        before = doc[k + 1:ent.start].text.strip(" -")
        root = ent.root
        appos = [c for c in root.children if c.dep_ == "appos" and c.i >= ent.end]
        if appos:
            after = _strip_det(doc[appos[0].left_edge.i:appos[-1].right_edge.i + 1].text)
            return f"{before}, {after}" if before else after
        if before:
            return before
        if root.dep_ == "appos":
            head = root.head
            while head.dep_ in ("pobj", "prep") and head.head.i != head.i:
                head = head.head
            if head.pos_ == "NOUN" and head.i < ent.start:
                return _strip_det(doc[head.left_edge.i:ent.start].text.strip(" ,"))
        return ""

    def _is_subject(self, tok) -> bool:
        while tok.dep_ in ("appos", "compound", "conj") and tok.head.i != tok.i:
            tok = tok.head
        return tok.dep_ in _SUBJ

    def _owner(self, noun):
        """Who issued a statement/update/decree: its possessor, "from X", or the clause subject."""
        for child in noun.children:
            if child.dep_ == "poss":
                return child.i
            if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None and (pobj.ent_type_ in ("PERSON", "ORG") or pobj.pos_ == "PROPN"
                                         or child.lower_ == "by" and pobj.pos_ == "NOUN"):
                    return pobj.i           # "a report by UN experts says ..."
        for acl in (c for c in noun.children if c.dep_ == "acl"):     # "the statement, issued by X"
            for agent in (c for c in acl.children if c.dep_ == "agent"):
                pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj.i
        verb = noun.head
        while verb.dep_ in ("prep", "pobj") and verb.head.i != verb.i:
            verb = verb.head
        subj = next((c for c in verb.children if c.dep_ in _SUBJ), None)
        if subj is not None and subj.i != noun.i and subj.lemma_.lower() not in self.lex["document_nouns"]:
            return subj.i
        return None

    # -- text helpers ---------------------------------------------------------------------------
    def span_text(self, tok, skip=_CLAUSAL) -> str:
        """The contiguous run of ``tok``'s subtree around it, without ``skip`` dependents."""
        keep = {t.i for t in tok.subtree
                if _within(t, tok, skip) and (t.i == tok.i or not skip or t.text not in ",()")}
        s = e = tok.i
        while s - 1 in keep:
            s -= 1
        while e + 1 in keep:
            e += 1
        while e > s and (self.doc[e].tag_ == "POS" or self.doc[e].text in ("’s", "'s")):
            e -= 1
        return self.doc[s:e + 1].text.strip(" ,;:—–-")

    def np_text(self, tok, core: bool = False) -> str:
        """The noun phrase headed by ``tok``; ``core`` drops appositions and clauses."""
        skip = _CLAUSAL | ({"appos"} if core else set())
        return _strip_det(self.span_text(tok, skip=skip).strip("“”\"‘’' "))

    # -- resolution ----------------------------------------------------------------------------
    def speaker(self, tok, depth: int = 0) -> dict | None:
        """``{"name", "title", "side"}`` for the speaker whose noun phrase is headed by ``tok``."""
        if tok is None or depth > 3 or self.in_dateline(tok.i):
            return None
        lower = tok.lower_
        if lower in ("another", "one", "others") and tok.dep_ in _SUBJ and not list(tok.children):
            role = next((m.entity for m in reversed(self.mentions) if m.i < tok.i and m.entity.kind == "role"), None)
            if role is not None:          # "said one resident ... Another said": another resident
                return {"name": f"{lower} {role.name.split()[-1]}", "title": None,
                        "side": self.actors.side(role.name, outlet=self.outlet)}
            return None
        if tok.pos_ == "PRON" or lower in self.lex["pronouns"]:
            if lower in ("he", "she", "him", "her"):
                return self._person_dict(self._recent_person(tok.i))
            if lower in ("it", "they"):      # "..., they said": an organisation named before this sentence
                org = self._recent_org(tok.sent.start, subject=True) or self._recent_org(tok.i, subject=True)
                return self._org_dict(org.entity.name) if org else None
            return None
        span = range(tok.left_edge.i, tok.right_edge.i + 1)
        here = [m for m in self.mentions if m.i in span and self._names_speaker(self.doc[m.i], tok)]
        nxt = tok.right_edge.i + 1
        if not here and tok.lemma_.lower() in self.lex["role_nouns"]:   # "army chief Abdel ..."
            here = [m for m in self.mentions
                    if m.start == nxt or m.start == nxt + 1 and self.doc[nxt].text == ","]
        if here:
            return self._person_dict(here[0].entity)
        lemma = tok.lemma_.lower()
        if tok.pos_ == "PROPN" and not self.actors.best(tok.text):
            person = next((e for e in reversed(self.people) if tok.lower_ in e.keys), None)
            if person is not None:
                return self._person_dict(person)
        if lemma in self.lex["document_nouns"] and tok.pos_ == "NOUN":
            owner = self._owner(tok)
            if owner is None or owner == tok.i:
                owner = next((o for i, lem, o in reversed(self.owners) if i < tok.i and lem == lemma), None)
            return self.speaker(self.doc[owner], depth + 1) if owner is not None else None
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") or c.dep_ == "poss"
                       for c in tok.children)
        core = self.np_text(tok, core=True)
        if lemma in self.lex["role_nouns"] and definite and len(core.split()) <= 3:
            person = self._person_by_role(tok, core)
            if person is not None:
                return self._person_dict(person)
        if tok.text in self.acronyms:
            return self._org_dict(self.acronyms[tok.text])
        if definite and core and core.islower() and len(core.split()) <= 3:
            org = self._recent_group(tok.i) if lemma in self.lex["group_nouns"] else None
            if org is None:               # "the group": the last named armed group first
                org = self._org_by_head(tok.i, lemma, core)
            if org is not None:
                return self._org_dict(org)
        named = next((c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN"
                      and c.ent_type_ != "PERSON"), None)
        if named is not None and tok.pos_ == "NOUN":   # "A war monitor, the Syrian Observatory ..., said"
            name = self.np_text(named, core=True)
            self.aliases[lemma] = name
            return self._org_dict(name)
        if definite and lemma in self.aliases and len(core.split()) <= 2:
            return self._org_dict(self.aliases[lemma])   # later "the monitor said"
        full = self.np_text(tok)
        if not core:
            return None
        known = self.actors.person(core) if tok.pos_ == "PROPN" else None
        if known:
            return {"name": core, "title": known.get("title"), "side": known.get("side")}
        title = full[len(core):].strip(" ,") if full.startswith(core) else ""
        side = self.actors.side(full, outlet=self.outlet)
        if lemma in self.lex["role_nouns"] and definite and tok.tag_ == "NN":
            later = self._named_later(tok, side)
            if later is not None:      # lede "Sudan's military chief said", then "Gen. X said"
                return {"name": later.name, "title": core, "side": self._person_side(later) or side}
        return {"name": core, "title": title or None, "side": side}

    def _named_later(self, tok, side):
        """Wire ledes name a speaker by role first and by name in the next paragraph: the person
        first introduced there, as the subject of a speech verb, with a compatible side."""
        text, at = doc_text(self.doc), tok.idx
        para_start = text.rfind("\n", 0, at) + 1
        body_before = [p for p in text[:para_start].split("\n") if len(p.split()) >= 8]
        if len(body_before) > 1:            # only in the first body paragraph (the lede)
            return None
        limit = len(text)
        for _ in range(2):                  # up to the end of the next paragraph
            nl = text.find("\n", at if limit == len(text) else limit + 1)
            while nl != -1 and text[nl + 1:nl + 2] == "\n":
                nl += 1
            limit = nl if nl != -1 else len(text)
            at = limit
        seen = {id(m.entity) for m in self.mentions if m.i < tok.i}
        for m in self.mentions:
            if m.i <= tok.i or self.doc[m.i].idx >= limit:
                continue
            if id(m.entity) in seen:
                continue
            seen.add(id(m.entity))
            head = self.doc[m.i]
            verb = head.head
            while head.dep_ in ("appos", "compound") and head.head.i != head.i:
                head, verb = head.head, head.head.head
            if not (m.subject and verb.lemma_.lower() in self.lex["speech_verbs"]):
                continue
            other = self._person_side(m.entity)
            if side is None or other in (None, side):
                return m.entity
        return None

    def _names_speaker(self, name, head) -> bool:
        """A name inside the subject phrase names the speaker unless it sits in a clause or a
        prepositional phrase ("a spokesman for Hamas leader X") other than as an apposition."""
        if name.i == head.i:
            return True
        if not _within(name, head, _CLAUSAL):
            return False
        via_prep = any(a.dep_ == "prep" for a in name.ancestors if head.is_ancestor(a))
        return not via_prep or name.dep_ == "appos"

    def _recent_person(self, i: int) -> Entity | None:
        subj = [m for m in self.mentions if m.i < i and m.subject]
        if subj:
            return subj[-1].entity
        before = [m for m in self.mentions if m.i < i]
        return before[-1].entity if before else None

    def _recent_org(self, i: int, subject: bool):
        cands = [m for m in self.orgs if m.i < i and (m.subject or not subject)]
        return cands[-1] if cands else None

    def _recent_group(self, i: int) -> str | None:
        """"the group", "the militia": the last armed group named before ``i``."""
        for m in reversed([m for m in self.orgs if m.i < i]):
            best = self.actors.best(m.entity.name)
            if best is not None and best.canonical:
                return m.entity.name
        # "Al-Shabaab militants captured X ... The group said": the last armed group named
        named = [m for m in self.actors.matches(doc_text(self.doc)[:self.doc[i].idx]) if m.canonical and m.rank == GROUP]
        return named[-1].canonical if named else None

    def _person_by_role(self, tok, core: str) -> Entity | None:
        role = tok.lemma_.lower()
        want = self.actors.side(core)
        for m in reversed([m for m in self.mentions if m.i < tok.i]):
            e = m.entity
            known = self.actors.person(e.name) or {}
            titles = f"{e.title} {known.get('title') or ''}".lower()
            side = self._person_side(e)
            if _role_stem(role) in titles and (want is None or side in (want, None)):
                return e
        return None

    def _org_by_head(self, i: int, lemma: str, core: str) -> str | None:
        for m in reversed([m for m in self.orgs if m.i < i]):
            name = m.entity.name
            if len(name) > len(core) and core.lower() in name.lower():
                return self.acronyms.get(name, name)
        for short, long_ in self.acronyms.items():
            if lemma in long_.lower():
                return long_
        return None

    def _person_side(self, e: Entity) -> str | None:
        known = self.actors.person(e.name)
        if known and known.get("side"):
            return known["side"]
        if e.kind == "role":
            return self.actors.side(e.name, outlet=self.outlet)
        return self.actors.side(e.title, outlet=self.outlet) if e.title else None

    def _person_dict(self, e: Entity | None) -> dict | None:
        if e is None:
            return None
        known = self.actors.person(e.name) or {}
        return {"name": e.name, "title": e.title or known.get("title"), "side": self._person_side(e)}

    def _org_dict(self, name: str) -> dict:
        name = self.acronyms.get(name, name)
        return {"name": name, "title": None, "side": self.actors.side(name, outlet=self.outlet)}


def _within(t, head, skip) -> bool:
    """``t`` is reached from ``head`` without passing through a skipped dependency."""
    while t.i != head.i:
        if t.dep_ in skip:
            return False
        t = t.head
    return True


def _role_stem(role: str) -> str:
    """spokesman / spokeswoman / spokesperson -> spokes; chairman -> chair."""
    for suffix in ("person", "woman", "man"):
        if role.endswith(suffix) and len(role) > len(suffix) + 2:
            return role[:-len(suffix)]
    return role


def _name_token(tok) -> bool:
    """Words a person's name is made of: capitalised words, particles, hyphens."""
    return (tok.text in ("-", "‘", "'") or tok.lower_ in ("al", "bin", "ibn", "de", "van", "von", "abu", "el")
            or tok.text[:1].isupper() and tok.text.replace("-", "").replace("'", "").replace(".", "").isalpha()
            and tok.ent_type_ != "NORP")


def _name_part(tok, lex) -> bool:
    return (tok.pos_ == "PROPN" and tok.ent_type_ in ("", "PERSON", "ORG", "GPE") and tok.is_title
            and tok.lower_.rstrip(".") not in lex["honorifics"] and tok.lemma_.lower() not in lex["role_nouns"])


def _strip_det(text: str) -> str:
    text = text.strip(" ,;:")
    for det in ("the ", "The ", "a ", "A ", "an ", "An "):
        if text.startswith(det):
            return text[len(det):]
    return text


def load_cues(options: Options | None = None) -> dict:
    """Cue verbs and speaker lexicons (data/cues.yaml + user dirs), lowercased sets."""
    options = options or Options()
    return _load_cues(tuple(str(p) for p in options.data_files("cues.yaml")))


@lru_cache(maxsize=8)
def _load_cues(paths: tuple[str, ...]) -> dict:
    merged: dict[str, set | list] = {}
    for p in paths:
        for key, val in (load_yaml(Path(p).read_text(encoding="utf-8")) or {}).items():
            merged.setdefault(key, [])
            merged[key] = list(merged[key]) + [str(v) for v in (val or [])]
    out = {k: (v if k == "skip_paragraph_prefixes" else {x.lower() for x in v}) for k, v in merged.items()}
    for key in ("gerund_verbs", "contrast_connectives", "narration_participles", "speech_verbs", "infinitive_verbs", "characterise_verbs", "naming_verbs", "weak_verbs", "that_verbs",
                "blocking_heads", "group_nouns", "narration_connectives",
                "document_nouns", "role_nouns", "org_nouns", "honorifics", "pronouns"):
        out.setdefault(key, set())
    out.setdefault("skip_paragraph_prefixes", [])
    out.setdefault("source_prepositions", {"according to"})
    return out
