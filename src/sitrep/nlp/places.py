"""``sitrep_places``: find every place mention in a Doc and geocode it with honest precision.

Writes ``doc._.places``: one dict per mention, sorted by offset::

    {"name": "Kherson",                      # the toponym as written (no "'s", no "Oblast")
     "resolved": {...} | None,               # sitrep.geo.to_resolved(...)
     "precision": "settlement" | "admin2" | "admin1" | "country" | "natural_feature" | None,
     "evidence": {"start", "end", "text"},   # the mention incl. a type word ("Kherson Oblast")
     "label": "GPE" | "LOC" | "FAC" | "GAZ"}  # spaCy NER label, or GAZ for a gazetteer match

Mentions come from spaCy NER (GPE/LOC/FAC) and from gazetteer matching of capitalised token
spans (the small model tags "Luhansk" as PERSON and "Lyman" as ORG). Person names, demonyms,
possessives and common words that happen to be place names are rejected; words around a name
("X region", "the city of X", "X, a village in Y", lists after "regions") guide the reading.
Knowledge lives in ``data/places.yaml``; resolution in ``sitrep.geo.resolve``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language

from sitrep.nlp.doctext import doc_ents, doc_text, token_texts
from sitrep.geo.gazetteer import precision_of, to_resolved
from sitrep.geo.names import load_yaml_data
from sitrep.geo.resolve import Context, Resolver, is_admin1, is_country, is_strong
from sitrep.models import evidence
from sitrep.nlp.pipeline import register_extensions

CTX_KEY = "sitrep_places_context"
NER_LABELS = ("GPE", "LOC", "FAC")
_PREPS = {"in", "at", "near", "from", "to", "into", "of", "around", "outside", "towards", "toward",
          "across", "on", "over", "through", "via", "between", "and", "inside"}
_PLACE_PREPS = {"in", "at", "near", "from", "into", "around", "outside", "towards", "toward", "across",
                "through", "via", "inside"}      # before a name NER found but the gazetteer lacks
_APOS = {"'s", "’s", "'", "’"}
_LIST_GLUE = {",", "and", "or", "&", ";"}


def _may_start_place(text: str) -> bool:
    """Whether a token with this text can start (or continue) a place mention: a capital, a hyphen or
    a short word (``PlacesComponent._scan_at`` tests every token of a candidate span with it)."""
    return text[:1].isupper() or text == "-" or (len(text) <= 3 and text.isalpha())


def _wordlike(tok) -> bool:
    """A capitalised word, apostrophes allowed inside ("Kup’yans’k")."""
    return tok.text[:1].isupper() and tok.text[:1].isalpha() and all(ch.isalpha() or ch in "'’-" for ch in tok.text)


@dataclass
class Mention:
    start: int                 # token span of the toponym itself
    end: int
    ev_start: int              # char span of the evidence (may include a type word)
    ev_end: int
    name: str
    label: str
    cands: list
    hint: str | None = None
    container: "Mention | None" = None   # the mention this one lies in ("X, a village in Y")
    group: int | None = None         # list (coordination) group id
    chosen: dict | None = None
    precision: str | None = None
    key: str = ""
    extra: dict = field(default_factory=dict)


@Language.factory("sitrep_places")
def make_places(nlp: Language, name: str):
    register_extensions()
    return PlacesComponent(nlp, name)


class PlacesComponent:
    def __init__(self, nlp: Language, name: str = "sitrep_places"):
        self.name = name
        self.resolver: Resolver | None = None

    def setup(self, *, options=None, gazetteer=None) -> None:
        """Take the gazetteer and load data/places.yaml (defaults when never called)."""
        from sitrep.options import Options

        options = options or Options()
        if gazetteer is None:
            from sitrep.geo import open_gazetteer

            gazetteer = open_gazetteer(options)
        data = load_yaml_data("places.yaml", options)
        self.resolver = Resolver(gazetteer, data)
        low = lambda k: {str(w).lower() for w in data.get(k) or []}  # noqa: E731
        self.admin_words, self.admin_plurals, self.admin2_words = low("admin_words"), low("admin_plurals"), low("admin2_words")
        self.water_words, self.settlement_words = low("water_words"), low("settlement_words")
        self.not_places, self.titles = low("not_places"), low("person_titles")
        self.demonym_endings = tuple(low("demonym_endings"))

    def _ensure(self) -> None:
        if self.resolver is None:
            self.setup()

    # -- the component ----------------------------------------------------------------------
    def __call__(self, doc):
        self._ensure()
        mentions = self.find(doc)
        ctx = self.resolve(doc, mentions)
        doc.user_data[CTX_KEY] = ctx.to_data()
        mentions = [m for m in mentions if m.chosen is not None or self._unknown_but_placed(doc, m)]
        text = self._text
        doc._.places = [{
            "name": m.name, "resolved": to_resolved(m.chosen), "precision": m.precision,
            "evidence": evidence(text, m.ev_start, m.ev_end), "label": m.label,
        } for m in mentions]
        return doc

    def _unknown_but_placed(self, doc, m: Mention) -> bool:
        """Keep an unresolved mention only when NER found it, and either the gazetteer knows the
        name (but no reading fits the document) or the words around it say it is a place
        ("fighting in Zzyzxograd", "Zzyzxograd, a village"); "thanked Biden" is not."""
        if m.label == "GAZ":
            return False
        if m.cands:
            return True
        prev = doc[m.start - 1].lower_ if m.start > 0 else ""
        after = [t.lower_ for t in doc[m.end:m.end + 4]]
        return (prev in _PLACE_PREPS or prev in self.settlement_words or m.hint is not None
                or any(w in self.settlement_words for w in after[:3]))

    def resolve_text(self, name: str, doc=None) -> dict | None:
        """Resolve a place string found by another component, with this Doc's context."""
        self._ensure()
        words = (name or "").replace("’", "'").split()
        if words and words[0].lower() == "the":
            words = words[1:]
        if words and words[-1].endswith("'s"):
            words[-1] = words[-1][:-2]
        hint = None
        if len(words) > 1 and words[-1].lower() in self.admin_words | self.water_words:
            hint = self._type_hint(words[-1].lower())
            words = words[:-1]
        text = " ".join(words)
        if not text:
            return None
        ctx = Context.from_data(doc.user_data.get(CTX_KEY)) if doc is not None else None
        cands = self.resolver.candidates(text)
        chosen, _ = self.resolver.choose(cands, hint=hint, ctx=ctx, key=self.resolver.gaz.norm.skeleton(text))
        return to_resolved(chosen)

    # -- finding ----------------------------------------------------------------------------
    def find(self, doc) -> list[Mention]:
        self._sentence_bounds(doc)
        persons, surnames = set(), set()
        for ent in self._ents:
            if ent.label_ == "PERSON" and len([t for t in ent if t.pos_ == "PROPN"]) >= 2 and not self._is_place_name(ent) \
                    and not (self._located(doc, ent.start) and self._good_alts(self.resolver.candidates(ent.text), ent.text)):
                persons.update(range(ent.start, ent.end))
                surnames.add(ent[-1].text)
        taken: set[int] = set()
        mentions: list[Mention] = []
        for ent in self._ents:
            if ent.label_ not in NER_LABELS:
                continue
            m = self._from_span(doc, ent.start, ent.end, ent.label_, persons, surnames, ner=True)
            if m is not None:
                mentions.append(m)
                taken.update(range(ent.start, ent.end))
        i = 0
        texts = token_texts(doc)
        while i < len(doc):
            if i in taken or not _may_start_place(texts[i]):    # tested without making the Token
                i += 1
                continue
            m = self._scan_at(doc, i, persons, surnames)
            if m is not None:
                mentions.append(m)
                i = m.extra.get("span_end", m.end)        # past a type word ("Kherson Oblast")
                taken.update(range(m.start, i))
            else:
                i += 1
        mentions.sort(key=lambda m: m.start)
        for m in mentions:
            self._hints(doc, m)
        self._lists(doc, mentions)
        self._containers(doc, mentions)
        return [m for m in mentions if not m.extra.get("weak") or m.container is not None or m.hint]

    def _sentence_bounds(self, doc) -> None:
        """Per-call scratch: the text (Doc.text is rebuilt on every access), the sentence index,
        start and end of every token (Token.sent is slow)."""
        self._text = doc_text(doc)
        self._ents = doc_ents(doc)
        self._words: set[str] | None = None          # the document's token texts, built on first need
        self._ent_at = {i: e for e in self._ents for i in range(e.start, e.end)}
        n = len(doc)
        self._sid, self._sstart, self._send = [0] * n, [0] * n, [n] * n
        if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
            for k, sent in enumerate(doc.sents):
                for i in range(sent.start, sent.end):
                    self._sid[i], self._sstart[i], self._send[i] = k, sent.start, sent.end

    def _from_span(self, doc, start, end, label, persons, surnames, ner):
        while start < end and (doc[start].lower_ == "the" or doc[start].is_punct or doc[start].is_space):
            start += 1
        while end > start and (doc[end - 1].text in _APOS or doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        if end <= start:
            return None
        toks = doc[start:end]
        if "\n" in toks.text or not toks[0].text[:1].isupper():
            return None
        low = toks.text.lower()
        if low in self.not_places or toks[0].lower_ in self.not_places or any(i in persons for i in range(start, end)):
            return None
        if start > 0 and doc[start - 1].lower_ in self.titles:
            return None
        hint_end = end
        end, hint, cands = self._split_type_word(doc, start, end, self.resolver.candidates(toks.text))
        toks = doc[start:end]
        if not cands:
            if any(ch.isdigit() for ch in toks.text) or self._looks_demonym(toks.text) or toks.text in surnames or self._common_word(doc, toks):
                return None
            if not all(t.pos_ == "PROPN" for t in toks if t.is_alpha):
                return None
        return Mention(start, end, toks.start_char, doc[hint_end - 1].idx + len(doc[hint_end - 1]),
                       toks.text, label if ner else "GAZ", cands, hint=hint,
                       key=self.resolver.gaz.norm.skeleton(toks.text))

    def _split_type_word(self, doc, start, end, cands):
        """"Kherson Oblast", "Dnipro River", "North Kivu province": the name is the part before the
        type word when that part names the same place (not "Red" for "Red Sea").
        Returns (name_end, hint, candidates)."""
        last = doc[end - 1]
        if end - start < 2 or last.lower_ not in self.admin_words | self.water_words | self.settlement_words:
            return end, None, cands
        if last.text == "City" and any(c["exact"] for c in cands):
            return end, None, cands     # "Gaza City", "Kuwait City": the capitalised word is the name's
        bare = self.resolver.candidates(doc[start:end - 1].text)
        same = {c["id"] for c in cands} & {c["id"] for c in bare}
        if bare and (same or not cands):
            hint = "settlement" if last.lower_ in self.settlement_words else self._type_hint(last.lower_)
            if hint == "admin2" and not any(c["feature"] in ("ADM2", "ADM3") for c in cands + bare):
                hint = "admin1"
            seen = {c["id"] for c in cands}
            return end - 1, hint, cands + [c for c in bare if c["id"] not in seen]
        return end, None, cands

    def _is_place_name(self, span) -> bool:
        """A multi-word name the model took for a person ("Krivoy Rog", "Shan State")."""
        text = span.text
        if span[-1].lower_ in self.admin_words | self.water_words:
            text = span[:-1].text
        return any(self._primary(c, text) for c in self.resolver.candidates(span.text) + self.resolver.candidates(text))

    def _located(self, doc, i: int) -> bool:
        """The name at ``i`` follows a locative preposition or "the town of"."""
        prev = doc[i - 1].lower_ if i > 0 else ""
        return prev in _PLACE_PREPS or prev == "of" and i > 1 and doc[i - 2].lower_ in self.settlement_words

    @staticmethod
    def _good_alts(cands: list[dict], name: str) -> list[dict]:
        """Readings through a well-attested alternate spelling of a sizeable town or an admin unit."""
        return [c for c in cands if c["match_kind"] == "alt" and c["exact"] and len(name) >= 5
                and ((c["population"] or 0) >= 5000 or c["feature_class"] == "A")]

    @staticmethod
    def _primary(c: dict, name: str) -> bool:
        """Matched through a place's own name or a curated alias (a transliteration variant of
        it counts when long enough to be distinctive), not some alternate name."""
        return c["match_kind"] in ("name", "alias", "short", "official") and (c["exact"] or len(name) >= 6)

    def _common_word(self, doc, toks) -> bool:
        """A capitalised common word the model took for a place ("Following.")."""
        if len(toks) != 1:
            return False
        low = toks[0].lower_
        if low.endswith(("ing", "ed", "ly", "ness", "ment", "tion", "ings")):
            return True
        if self._words is None:
            self._words = {t.text for t in doc}
        return low in self._words

    def _looks_demonym(self, text: str) -> bool:
        low = text.lower()
        return " " not in low and low.endswith(self.demonym_endings)

    def _scan_at(self, doc, i, persons, surnames):
        tok = doc[i]                  # the caller checked _may_start_place(tok.text)
        if not _wordlike(tok) or tok.is_stop:
            return None
        if tok.text.isupper() and len(tok) > 1 and not self._dateline(doc, i):
            return None                                    # acronyms (MOD, RIA), names in capitals
        if i in persons or tok.text in surnames or (tok.ent_type_ == "NORP" and self._looks_demonym(tok.text)):
            return None
        if i > 0 and doc[i - 1].lower_ in self.titles:
            return None
        sent_end = self._send[i]
        lowest = i + 2 if tok.lower_ in self.not_places else i + 1    # "North Kivu", not "North"
        for j in range(min(i + 4, sent_end), lowest - 1, -1):
            last = doc[j - 1]
            if not _wordlike(last) or any(k in persons for k in range(i, j)):
                continue
            if any(not _may_start_place(t.text) for t in doc[i:j]):
                continue
            name = self._text[tok.idx:last.idx + len(last)]
            cands = [c for c in self.resolver.candidates(name) if c["match_kind"] not in ("code", "alt_other")]
            if not cands:
                continue
            verdict = self._accept(doc, i, j, cands)
            if verdict is None:
                return None
            end, hint, cands = self._split_type_word(doc, i, j, cands)
            name = self._text[tok.idx:doc[end - 1].idx + len(doc[end - 1])]
            m = Mention(i, end, tok.idx, last.idx + len(last), name, "GAZ", cands, hint=hint,
                        key=self.resolver.gaz.norm.skeleton(name), extra={"weak": verdict == "weak"})
            m.extra["span_end"] = j
            return m
        return None

    @staticmethod
    def _dateline(doc, i) -> bool:
        """"KYIV, Ukraine (AP) —": a capitalised place opening a line, before a comma or dash."""
        at_line_start = i == 0 or "\n" in doc[i - 1].text_with_ws
        return at_line_start and i + 1 < len(doc) and doc[i + 1].text in (",", "—", "–", "-")

    def _accept(self, doc, i, j, cands):
        """'strong' / 'medium' / 'weak' (kept only with a container or type word) / None."""
        name = doc[i:j].text
        primary = [c for c in cands if self._primary(c, name)]
        exact = [c for c in primary if c["exact"]]
        if self._looks_demonym(name) and not exact:
            return None                   # "Syrian" is not a skeleton of Sirjan
        span_ents = {t.ent_type_ for t in doc[i:j]}
        ent = self._ent_at.get(i)
        in_big_org = ent is not None and ent.label_ == "ORG" and self._org_words(ent, i, j)
        if "PERSON" in span_ents and not primary and not (self._located(doc, i) and self._good_alts(cands, name)):
            return None                   # "Stalin" is an alternate name of Donetsk, not a place
                                          # (but "in Avdiivka", "in Khan Younis": a town's spelling)
        if ent is not None and ent.label_ == "ORG" and (ent.start, ent.end) == (i, j) and not primary:
            return None                   # "Hamas" is an alternate name of Hamm, but an organisation here
        if j < len(doc) and doc[j].ent_type_ == "PERSON" and doc[j].ent_iob_ == "B" and not doc[j - 1].is_punct:
            return None                   # "Lyman Frank Baum": a first name before a person's name
        if not any(t.pos_ == "PROPN" for t in doc[i:j]) and not primary:
            return None
        strong = any((is_strong(c) or c.get("id", 0) < 0) and c["exact"] for c in primary) or any(
            is_strong(c) and c["exact"] and c["match_kind"] == "alt" and j - i == 1 and len(doc[i]) >= 4
            and doc[i].pos_ == "PROPN" and doc[i].ent_type_ not in ("ORG", "PERSON") for c in cands)
        if strong:
            return "strong"
        if in_big_org or doc[i].ent_type_ == "NORP":
            return None                   # "Aleppo" mis-tagged NORP is fine (strong), "Thai" is not
        cue = i > 0 and (doc[i - 1].lower_ in _PREPS or doc[i - 1].lower_ in self.settlement_words)
        nxt = doc[j].lower_ if j < len(doc) else ""
        cue = cue or nxt in self.admin_words or nxt in self.settlement_words or (
            nxt in ("and", ",") and j + 1 < len(doc) and _wordlike(doc[j + 1]))   # a list of names
        # a well-attested alternate spelling of a town is as good as its name ("Avdiivka")
        good = primary + self._good_alts(cands, name)
        if good and (cue or any((c["population"] or 0) >= 1000 for c in good)):
            return "medium" if doc[i].pos_ == "PROPN" or cue or self._sstart[i] != i else "weak"
        return "weak" if cue and (primary or any(c["exact"] for c in cands)) else None

    def _org_words(self, ent, i, j) -> bool:
        """Does the organisation-like entity around tokens i..j have words of its own ("Come Back
        Alive", "Kyiv city council"), or is it a mislabelled list of places ("Avdiivka, Marinka
        and Vuhledar")?"""
        for t in ent:
            if i <= t.i < j or t.is_punct or t.pos_ in ("CCONJ", "DET") or t.is_space:
                continue
            if not _wordlike(t) or not self.resolver.candidates(t.text):
                return True
        return False

    # -- context words ----------------------------------------------------------------------
    def _type_hint(self, word: str) -> str:
        if word in self.water_words:
            return "water"
        return "admin2" if word in self.admin2_words else "admin1"

    @staticmethod
    def _can_be_region(m: Mention) -> bool:
        exact = [c for c in m.cands if c["exact"]] or m.cands
        return any(is_admin1(c) for c in exact) and not any(is_country(c) for c in exact)

    def _hints(self, doc, m: Mention) -> None:
        if m.hint is not None:
            return
        nxt = doc[m.end] if m.end < len(doc) else None
        if nxt is not None and nxt.lower_ in self.admin_words | self.water_words and self._sstart[nxt.i] != nxt.i:
            hint = self._type_hint(nxt.lower_)
            if hint == "admin2" and not any(c["feature"] in ("ADM2", "ADM3") for c in m.cands):
                hint = "admin1"
            if hint == "water" or (nxt.lower_ not in self.admin_plurals and self._can_be_region(m)):
                m.hint = hint
                m.ev_end = nxt.idx + len(nxt)
            elif nxt.lower_ in self.admin_plurals:
                m.extra["plural_region"] = True
            return
        if nxt is not None and nxt.lower_ in self.settlement_words and nxt.lower_ != "capital":
            m.hint = "settlement"
        prev = [t.lower_ for t in doc[max(0, m.start - 3):m.start]]
        if len(prev) >= 2 and prev[-1] == "of" and prev[-2] in self.settlement_words:
            m.hint = "settlement"
        elif len(prev) >= 2 and prev[-1] == "of" and prev[-2] in self.admin_words and self._can_be_region(m):
            m.hint = "admin1"
        elif prev and prev[-1] == "the" and any(c["feature_class"] == "H" for c in m.cands):
            m.hint = "water"
        if m.hint == "settlement" and not any(c["feature_class"] == "P" for c in m.cands):
            m.hint = None

    def _lists(self, doc, mentions: list[Mention]) -> None:
        """Coordinated names ("Donetsk, Luhansk, Kherson and Zaporizhzhia") form a group; a
        group in a sentence that speaks of regions is read as regions."""
        gid = 0
        for a, b in zip(mentions, mentions[1:]):
            between = doc[a.end:b.start]
            glue = [t for t in between if t.text not in _APOS and not t.is_space]
            if self._sid[a.start] == self._sid[b.start] and glue and all(t.lower_ in _LIST_GLUE for t in glue) and len(glue) <= 2:
                if a.group is None:
                    gid += 1
                    a.group = gid
                b.group = a.group
        groups: dict[int, list[Mention]] = {}
        for m in mentions:
            if m.group is not None:
                groups.setdefault(m.group, []).append(m)
        for members in groups.values():
            first = members[0].start
            sent = doc[self._sstart[first]:self._send[first]]
            regional = any(t.lower_ in self.admin_plurals for t in sent) or any(
                m.hint == "admin1" or m.extra.get("plural_region") for m in members)
            if regional:
                for m in members:
                    if m.hint is None and self._can_be_region(m):
                        m.hint = "admin1"
        region_keys = {m.key for m in mentions if m.hint == "admin1"}
        for members in groups.values():         # the same list elsewhere in the document
            if sum(m.key in region_keys for m in members) >= 2:
                for m in members:
                    if m.hint is None and self._can_be_region(m):
                        m.hint = "admin1"

    def _containers(self, doc, mentions: list[Mention]) -> None:
        """"X, a newly recaptured village in Y" / "X in Y region": X lies in Y."""
        by_start = {m.start: m for m in mentions}
        for m in mentions:
            if m.hint in ("admin1", "admin2", "water") or (m.cands and all(is_country(c) or is_admin1(c) for c in m.cands)):
                continue
            sent_end = self._send[m.start]
            j, seen_settlement = m.end, False
            while j < min(sent_end, m.end + 9):
                t = doc[j]
                if t.lower_ == "in":
                    j += 1
                    while j < sent_end and (doc[j].lower_ == "the" or doc[j].pos_ == "ADJ"):
                        j += 1
                    y = by_start.get(j)
                    if y is not None and (seen_settlement or j == m.end + 1 or doc[m.end].text == ","):
                        m.container = y
                        if y.hint is None and self._can_be_region(y):
                            y.hint = "admin1"
                    break
                if t.lower_ in self.settlement_words:
                    seen_settlement = True
                elif not (t.is_punct or t.pos_ in ("DET", "ADJ", "ADV", "NUM") or t.tag_ == "VBN" or t.tag_ == "VBD"):
                    break
                j += 1
        groups: dict[int, list[Mention]] = {}
        for m in mentions:
            if m.group is not None:
                groups.setdefault(m.group, []).append(m)
        for members in groups.values():      # "Avdiivka, Marinka and Vuhledar in the Donetsk region"
            last = members[-1]
            if last.container is not None and last.hint is None:
                for m in members[:-1]:
                    if m.container is None and m.hint is None and not any(is_country(c) or is_admin1(c) for c in m.cands[:1]):
                        m.container = last.container      # soft: only if one of its readings lies there
                        m.extra["soft_container"] = True

    # -- resolving ----------------------------------------------------------------------------
    def resolve(self, doc, mentions: list[Mention]) -> Context:
        r = self.resolver
        ctx0 = Context(region_keys={m.key for m in mentions if m.hint == "admin1"})
        for m in mentions:                          # pass 0: each name on its own; the sure ones
            best, _ = r.choose(m.cands, hint=m.hint)  # say which countries the document is about
            if best is not None and is_strong(best):
                ctx0.add(best)
        ctx = ctx0
        order = sorted(range(len(mentions)), key=lambda k: mentions[k].container is not None)
        kept = set(map(id, mentions))
        for _ in range(2):                           # pass 1 with the document's focus, pass 2 refined
            nxt = Context(region_keys=ctx0.region_keys)
            for k in order:
                m = mentions[k]
                container = m.container.chosen if m.container is not None and id(m.container) in kept else None
                if container is not None and not m.extra.get("soft_container") and (
                        is_country(container) or is_admin1(container)) and not any(r.within(c, container) for c in m.cands):
                    other = next((k for k in m.container.cands if k is not container and (is_country(k) or is_admin1(k))
                                  and any(r.within(c, k) for c in m.cands)), None)
                    if other is not None:            # "Goma, a city in eastern Congo": the Congo it lies in
                        m.container.chosen, m.container.precision = other, precision_of(other)
                        container = other
                if container is not None and m.extra.get("soft_container") and not any(
                        r.within(c, container) for c in m.cands):
                    container = None
                m.chosen, m.precision = r.choose(m.cands, hint=m.hint, ctx=ctx, container=container, key=m.key)
                c = m.chosen
                if c is not None and c is not container and (is_strong(c) or ctx0.countries.get(c.get("country"))):
                    nxt.add(c)                       # a lone small place abroad does not vote
            nxt.admin1 |= ctx0.admin1
            ctx = nxt
        for m in mentions:
            if m.chosen is not None and m.precision is None:
                m.precision = precision_of(m.chosen)
        return ctx
