"""`sitrep_claims`: who said what, on which side, in their words or reported.

Writes ``doc._.claims``: one dict per statement,
``{"speaker": {"name", "title", "side"}, "kind": "direct"|"indirect", "text", "text_span",
"cue", "evidence"}`` where ``text`` is the content (``doc.text[text_span]``) and ``evidence``
covers the statement with its attribution.

Three passes over the dependency parse and the quote-mark structure (``quotes.py``):

1. direct quotes with an attribution frame next to them: ``“...,” he said``,
   ``He said, “...``, ``X said that “...``, split quotes ``“A,” he said, “B.”``;
2. reported speech: a speech verb (data/cues.yaml) with a complement clause
   (``X said (that) ...``, ``..., X said``, ``X, saying ...``, ``vowed to ...``,
   ``described them as “...”``, ``according to X``), its content extended over any quote it
   touches (embedded partial quotes);
3. quotes left without attribution that open a paragraph (or follow a claim in the same
   paragraph) continue the previous speaker: newswire paragraph-continuation style.

Speakers are resolved by ``speakers.SpeakerTracker`` and sides by ``actors.Actors``.
"""
from __future__ import annotations

from spacy.language import Language

from sitrep.nlp.doctext import doc_text, token_lemmas, token_lowers
from sitrep.models import evidence
from sitrep.nlp.actors import load_actors
from sitrep.nlp.quotes import Quote, find_quotes, looks_like_headline, paragraphs, skip_dateline
from sitrep.nlp.speakers import SpeakerTracker, load_cues
from sitrep.options import Options

_END_INSIDE = tuple(",?!—–-…:")
_SENT_END = {".", "!", "?"}


@Language.factory("sitrep_claims")
def make_claims(nlp: Language, name: str) -> "ClaimsComponent":
    from sitrep.nlp.pipeline import register_extensions

    register_extensions()
    return ClaimsComponent(name)


class ClaimsComponent:
    """spaCy component; ``setup`` loads cues and actors (lazily with defaults if never called)."""

    def __init__(self, name: str = "sitrep_claims"):
        self.name = name
        self.options: Options | None = None
        self.cues: dict | None = None
        self.actors = None

    def setup(self, *, options: Options | None = None, gazetteer=None) -> None:
        self.options = options or Options()
        self.cues = load_cues(self.options)
        self.actors = load_actors(self.options)

    def __call__(self, doc):
        if self.cues is None:
            self.setup()
        meta = getattr(doc._, "meta", None) or {}
        outlet = meta.get("outlet") or (self.options.outlet if self.options else None)
        doc._.claims = find_claims(doc, self.cues, self.actors, outlet=outlet)
        return doc


# ----------------------------------------------------------------------------------------------
def find_claims(doc, cues: dict, actors, outlet: str | None = None) -> list[dict]:
    """The claims of one parsed Doc (none without a dependency parse)."""
    if not len(doc) or not doc.has_annotation("DEP"):
        return []
    return _Finder(doc, cues, actors, outlet).run()


class _Finder:
    def __init__(self, doc, cues, actors, outlet):
        self.doc, self.cues, self.text = doc, cues, doc_text(doc)
        skip = [(s, e) for s, e in paragraphs(self.text)
                if any(self.text.startswith(p, s) for p in cues["skip_paragraph_prefixes"])
                or looks_like_headline(self.text[s:e])]
        self.skipped = lambda off: any(s <= off < e for s, e in skip)
        self.quotes = [q for q in find_quotes(self.text) if not self.skipped(q.start)]
        self.tok_quote: list[int | None] = [None] * len(doc)
        for qi, q in enumerate(self.quotes):
            for t in doc.char_span(q.inner_start, q.inner_end, alignment_mode="expand") or ():
                self.tok_quote[t.i] = qi
        self.tracker = SpeakerTracker(doc, actors, cues, lambda i: self.tok_quote[i] is not None, outlet)
        self.claims: list[dict] = []
        self.used_quotes: set[int] = set()
        self.used_cues: set[int] = set()

    def run(self) -> list[dict]:
        self._direct_with_frames()
        self._reported()
        self._continuations()
        self.claims.sort(key=lambda c: (c["text_span"]["start"], c["text_span"]["end"]))
        out, seen = [], set()
        for c in self.claims:
            key = (c["text_span"]["start"], c["text_span"]["end"])
            if key not in seen and c["text"].strip():
                seen.add(key)
                out.append(c)
        return out

    # -- helpers ----------------------------------------------------------------------------
    def is_cue(self, tok, *, weak_ok: bool) -> bool:
        lemma = tok.lemma_.lower()
        if tok.pos_ not in ("VERB", "AUX") and not (tok.tag_.startswith("VB")):
            return False
        if lemma in self.cues["weak_verbs"] and not weak_ok:
            if not (lemma in self.cues["that_verbs"] and _that_clause(tok)):
                return False
            weak_ok = True              # "wrote on X that ...": a report, like "said that"
        ok = (lemma in self.cues["speech_verbs"] or lemma in self.cues["characterise_verbs"]
              or lemma in self.cues["naming_verbs"] or weak_ok and lemma in self.cues["weak_verbs"])
        return ok and self.tok_quote[tok.i] is None and not self.blocked(tok)

    def blocked(self, tok) -> bool:
        if any(c.dep_ == "neg" or c.lower_ in ("not", "n't", "never") for c in tok.children):
            return True
        if tok.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in tok.children):
            return True                  # "said to be close to Putin", "the decision announced"
        head = tok.head
        if tok.dep_ in ("xcomp", "ccomp") and head.lemma_.lower() in self.cues["blocking_heads"]:
            return True
        if tok.dep_ == "xcomp" and any(c.dep_ == "neg" for c in head.children):
            return True
        if tok.dep_ == "relcl":          # "the regions Russia said it had annexed": gapped
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not subj or subj[0].tag_ not in ("WP", "WDT") and subj[0].lower_ != "that":
                return not (subj and self._gapped_subject_clause(tok))
        return False

    def _gapped_subject_clause(self, cue):
        """"an offensive that the UN says has killed 3,000 people", "a plan Fano said would weaken
        X": the reported clause's subject is the relative clause's head noun (a claim), unlike
        "the regions Russia said it had annexed" (its object is gapped: not a claim)."""
        for c in cue.children:
            if c.dep_ == "ccomp" and c.i > cue.i and c.pos_ in ("VERB", "AUX"):
                subj = [g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
                return not subj or all(g.lower_ in ("that", "which", "who") for g in subj)
        return False

    def subject_of(self, cue):
        v = cue
        for _ in range(5):
            for c in v.children:
                if c.dep_ in ("nsubj", "nsubjpass"):
                    if self.tracker.in_dateline(c.i) or self.tok_quote[c.i] is not None:
                        continue          # "CAIRO (AP) — Sudan's army chief said": a second subject
                    if c.tag_ in ("WP", "WDT") or c.lower_ == "that":
                        return v.head if v.dep_ == "relcl" else None
                    nxt = c.doc[c.i + 1] if c.i + 1 < len(c.doc) else None
                    if c.pos_ == "NOUN" and nxt is not None and nxt.pos_ == "PROPN" and nxt.head.i == v.i \
                            and nxt.dep_ in ("nsubj", "nsubjpass"):
                        return nxt        # misparsed apposition: "the state news agency SANA reported"
                    return c
                if c.dep_ == "agent":
                    pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
                    if pobj is not None and v.tag_ == "VBN" and v.lemma_.lower() in self.cues["speech_verbs"]:
                        return pobj
            if v.dep_ == "acl" and v.tag_ == "VBG":
                return v.head
            if v.dep_ == "conj" and v.head.lemma_.lower() not in self.cues["speech_verbs"]:
                # "said Yerevan had not been involved and denied that ...": the coordinated speech
                # verb shares the subject of the speech verb above, not of the clause it hangs on
                up = next((a for a in v.ancestors if a.i < v.i and a.lemma_.lower() in self.cues["speech_verbs"]
                           and a.pos_ in ("VERB", "AUX")), None)
                if up is not None:
                    v = up
                    continue
            if v.dep_ in ("advcl", "xcomp", "conj", "pcomp", "prep", "acl") and v.head.i != v.i:
                v = v.head
                continue
            break
        prev = cue.doc[cue.i - 1] if cue.i > 0 else None      # misparse: "In the north-east, X forces said"
        if cue.dep_ == "ROOT" and prev is not None and prev.pos_ in ("NOUN", "PROPN") \
                and prev.dep_ in ("pobj", "conj", "appos") and self.tok_quote[prev.i] is None \
                and not self.tracker.in_dateline(prev.i):
            comma = next((k for k in range(cue.i - 1, max(cue.i - 8, 0), -1) if cue.doc[k].text == ","), None)
            if prev.dep_ == "conj" and comma is not None:     # "..., residents and a rebel spokesman say"
                run = cue.doc[comma + 1:cue.i]
                if all(t.pos_ in ("NOUN", "PROPN", "DET", "ADJ", "CCONJ", "NUM") for t in run):
                    return next(t for t in run if t.pos_ in ("NOUN", "PROPN"))
            return prev
        return None

    def frame_subject(self, cue, lo: int, hi: int):
        """Subject of a cue in an attribution frame; falls back to an adjacent name/pronoun."""
        subj = self.subject_of(cue)
        if subj is not None and self.tok_quote[subj.i] is None:
            return subj
        for t in list(self.doc[cue.i + 1:min(cue.i + 4, len(self.doc))]) + list(
                reversed(self.doc[max(cue.i - 4, 0):cue.i])):
            if lo <= t.idx < hi and t.pos_ in ("PROPN", "PRON", "NOUN") and self.tok_quote[t.i] is None:
                return t
        return None

    def add(self, speaker, kind, start, end, cue, ev_start, ev_end, quotes=()):
        if speaker is None or not speaker.get("name"):
            return None
        speaker = dict(speaker, name=clean_speaker_name(speaker["name"]))
        if not speaker["name"]:
            return None
        while end > start and self.text[end - 1] in " ,;:—–-\n":
            end -= 1
        while start < end and self.text[start] in " ,;:—–-\n":
            start += 1
        start = skip_dateline(self.text, start, end)
        if end - start < 2:
            return None
        claim = {"speaker": speaker, "kind": kind, "text": self.text[start:end],
                 "text_span": {"start": start, "end": end}, "cue": cue,
                 "evidence": evidence(self.text, min(start, ev_start), max(end, ev_end))}
        self.claims.append(claim)
        self.used_quotes.update(quotes)
        return claim

    def _next_start(self, qi: int) -> int:
        """Where the frame after quote ``qi`` ends: the next quote in its paragraph, or the paragraph end."""
        q, nxt = self.quotes[qi], self.quotes[qi + 1] if qi + 1 < len(self.quotes) else None
        return nxt.start if nxt is not None and nxt.para == q.para else q.para_end

    def _prev_end(self, qi: int) -> int:
        q, prev = self.quotes[qi], self.quotes[qi - 1] if qi > 0 else None
        return prev.end if prev is not None and prev.para == q.para else q.para_start

    def tokens_between(self, lo: int, hi: int):
        span = self.doc.char_span(lo, hi, alignment_mode="contract")
        return list(span) if span is not None else []

    # -- pass 1: quotes with an attribution frame ------------------------------------------------
    def speechlike(self, q: Quote) -> bool:
        words = q.words(self.text)
        if q.continues or q.continued:
            return True
        if len(words) < 3:
            return False
        inner = self.text[q.inner_start:q.inner_end].rstrip()
        toks = self._quote_tokens(q)
        has_verb = any(t.pos_ in ("VERB", "AUX") and t.tag_ not in ("VBG", "VBN") for t in toks)
        return has_verb and (len(words) >= 4 or inner.endswith(tuple(".?!,")))

    def after_frame(self, qi: int):
        q = self.quotes[qi]
        nxt = self._next_start(qi)
        rest = self.text[q.end:nxt]
        inner = self.text[q.inner_start:q.inner_end].rstrip().rstrip("’'”\"")   # nested quote closing
        stripped = rest.lstrip()
        if not stripped or not (inner.endswith(_END_INSIDE) or stripped[0] in ",—–"):
            return None
        for n, t in enumerate(self.tokens_between(q.end, nxt)):
            if t.text in _SENT_END and not _abbreviation(t) or n > 25:
                break
            if t.lower_ == "according":
                return t
            if self.is_cue(t, weak_ok=True) and not any(a.dep_ in ("relcl", "acl") and a.idx >= q.end
                                                         for a in [t, *t.ancestors]):
                return t
        return None

    def before_frame(self, qi: int):
        q = self.quotes[qi]
        prev = self._prev_end(qi)
        pre = self.text[prev:q.start].rstrip()
        if not pre or not (pre.endswith((",", ":")) or pre.lower().endswith(" that")):
            return None
        toks = self.tokens_between(prev, q.start)
        for t in reversed(toks[-12:]):
            if t.text in _SENT_END:
                break
            if self.is_cue(t, weak_ok=True):
                return t
        return None

    def _frame(self, qi: int):
        q = self.quotes[qi]
        if not self.speechlike(q) and not (len(q.words(self.text)) >= 2 and self.after_frame(qi)):
            return None
        after, before = self.after_frame(qi), self.before_frame(qi)
        inner = self.text[q.inner_start:q.inner_end].rstrip()
        return after if after is not None and (inner.endswith(_END_INSIDE) or before is None) else before

    def _direct_with_frames(self) -> None:
        frames = [self._frame(qi) for qi in range(len(self.quotes))]
        chain_cue: dict[int, object] = {}         # quotes running over paragraphs share a frame
        chain: list[int] = []
        for qi, q in enumerate(self.quotes):
            chain = chain + [qi] if q.continued else [qi]
            if not q.continues:
                cue = next((frames[k] for k in chain if frames[k] is not None), None)
                if cue is not None:
                    chain_cue.update({k: cue for k in chain if frames[k] is None})
        for qi, q in enumerate(self.quotes):
            cue = frames[qi]
            if cue is None and qi in chain_cue:
                self._direct_in_chain(qi, chain_cue[qi])
                continue
            if cue is None:
                continue
            ev_s, ev_e = q.start, q.end
            if cue.idx >= q.end:
                lo, hi = q.end, self._next_start(qi)
                ev_e = min(cue.sent.end_char, hi)
            else:
                lo, hi = self._prev_end(qi), q.start
                ev_s = max(cue.sent.start_char, lo)
            if cue.lower_ == "according":
                subj = self._according_source(cue)
            else:
                subj = self.frame_subject(cue, lo, hi)
            speaker = self.tracker.speaker(subj)
            if self.add(speaker, "direct", q.inner_start, q.inner_end, self._cue_text(cue),
                        ev_s, ev_e, quotes=[qi]) is not None:
                self.used_cues.add(cue.i)

    def _direct_in_chain(self, qi: int, cue) -> None:
        q = self.quotes[qi]
        subj = self._according_source(cue) if cue.lower_ == "according" else self.frame_subject(
            cue, cue.sent.start_char, cue.sent.end_char)
        if self.add(self.tracker.speaker(subj), "direct", q.inner_start, q.inner_end,
                    self._cue_text(cue), q.start, q.end, quotes=[qi]) is not None:
            self.used_cues.add(cue.i)

    # -- pass 2: reported speech ----------------------------------------------------------------
    def _reported(self) -> None:
        c = self.cues
        verbs = set(c["speech_verbs"]) | set(c["characterise_verbs"]) | set(c["naming_verbs"])
        lowers, lemmas = token_lowers(self.doc), token_lemmas(self.doc)
        for i, low in enumerate(lowers):
            if low != "according" and lemmas[i] not in verbs:
                continue                            # neither "according to" nor a cue verb (is_cue)
            tok = self.doc[i]
            if tok.i in self.used_cues or self.skipped(tok.idx):
                continue
            if tok.lower_ == "according" and self.tok_quote[tok.i] is None:
                self._according(tok)
                continue
            if not self.is_cue(tok, weak_ok=False):
                continue
            span = self.content(tok)
            if span is None:
                continue
            start, end = span
            qs = [qi for qi, q in enumerate(self.quotes) if q.start < end and q.end > start]
            if any(qi in self.used_quotes for qi in qs):
                continue          # already a direct claim
            for qi in qs:
                start, end = min(start, self.quotes[qi].start), max(end, self.quotes[qi].end)
            lemma = tok.lemma_.lower()
            if lemma in self.cues["characterise_verbs"] and not any(
                    len(self.quotes[qi].words(self.text)) >= 2 for qi in qs):
                continue
            if lemma in self.cues["naming_verbs"] and not any(
                    self._own_words(self.quotes[qi]) or len(self.quotes[qi].words(self.text)) >= 2
                    and tok.tag_ in ("VBD", "VBG") for qi in qs):
                continue          # a past naming with a 2+ word quote: "calling it a “dangerous escalation”"
            if len(self.text[start:end].split()) < (2 if lemma in self.cues["gerund_verbs"] else 3) and not qs:
                continue
            sent = tok.sent
            subj = self.subject_of(tok)
            if subj is not None and start <= subj.idx < end <= tok.idx:   # the speaker parsed into the content
                end = self.text.rfind(",", start, subj.idx)
                if end <= start:
                    continue
            speaker = self.tracker.speaker(subj)
            kind = self._kind(start, end, qs)
            self.add(speaker, kind, start, end, self._cue_text(tok), sent.start_char, sent.end_char, quotes=qs)

    def content(self, cue):
        """(start, end) chars of what the cue verb reports, or None."""
        lemma = cue.lemma_.lower()
        comps = [c for c in cue.children if c.dep_ == "ccomp"] or self._that_clause_in_pp(cue)
        if lemma in self.cues["infinitive_verbs"]:
            comps += [c for c in cue.children if c.dep_ == "xcomp"]
        if lemma in self.cues["gerund_verbs"]:       # "the RSF denied targeting civilians"
            comps += [c for c in cue.children if c.dep_ == "xcomp" and c.tag_ == "VBG"]
        if lemma in self.cues["characterise_verbs"] or lemma in self.cues["naming_verbs"]:
            if lemma in self.cues["naming_verbs"] and cue.tag_ not in ("VBD", "VBN") and not (
                    cue.tag_ == "VBG" and cue.dep_ == "advcl" and cue.head.tag_ in ("VBD", "VBN")):
                return None       # "condemned the takeover, calling it ..." is a past naming too
            obj = next((c for c in cue.children if c.dep_ in ("dobj", "nsubjpass")), None)
            comp = [c for c in cue.children if c.dep_ in ("prep", "oprd", "ccomp", "xcomp", "attr")
                    and c.i > cue.i and (c.dep_ != "prep" or c.lower_ == "as")]
            if comp:
                first = obj if obj is not None and obj.i > cue.i else comp[0]
                return first.left_edge.idx, _end(comp[-1].right_edge)
            return None
        if comps:
            c = comps[0] if len(comps) == 1 else None
            lo = min(x.left_edge.i for x in comps)
            hi = max(x.right_edge.i for x in comps)
            if cue.dep_ == "relcl" and lo < cue.i < hi:      # "that the UN says has killed ...": after the cue
                lo = min(t.i for x in comps for t in x.subtree if t.i > cue.i)
            if c is not None and any(m.dep_ == "mark" and m.lower_ in ("whether", "if") for m in c.children):
                return None
            near = [] if c is None else [*c.children, *(g for a in c.children if a.dep_ in ("aux", "auxpass")
                                                          for g in a.children)]   # subject parsed onto "had"
            if c is not None and c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX") and cue.dep_ != "relcl" and not any(
                    m.dep_ in ("nsubj", "nsubjpass", "expl", "csubj", "csubjpass") for m in near):
                return None              # no subject: not a reported clause ("said to be ..., was dismissed")
            if any(self.doc[i].lower_ in ("whether",) for i in range(lo, min(lo + 1, hi + 1))):
                return None
            if c is not None and lo < c.i:   # "said on Friday it had ...": the date is the saying's
                lo = self._past_leading_date(c, near, lo)
            if self.doc[lo].lower_ == "that" and self.doc[lo].dep_ in ("mark", "det") and lo < hi:
                lo += 1
            for k in range(lo + 1, hi):      # "..., while the MNDAA took Lashio in August": narration
                nxt = self.doc[k + 1]
                if self.doc[k].text == "," and self.tok_quote[k] is None and (
                        nxt.lower_ in self.cues["contrast_connectives"] and nxt.dep_ in ("mark", "advmod", "cc")
                        or nxt.lower_ in self.cues["narration_participles"] and nxt.dep_ == "advcl"):
                    hi = k - 1
                    break
            if lo <= cue.i <= hi:
                return None
            return self.doc[lo].idx, _end(self.doc[hi])
        if cue.dep_ == "parataxis" or cue.dep_ == "conj" and cue.head.i < cue.i and any(
                c.dep_ in ("nsubj", "nsubjpass") for c in cue.children):
            return self._postposed(cue)
        if cue.dep_ == "ROOT":
            return self._postposed_root(cue)
        return None

    def _past_leading_date(self, clause, near, lo: int) -> int:
        """``lo`` moved past date modifiers that open ``clause`` before its subject ("on Friday",
        "Monday"): the parser hangs them on the reported verb, but they date the saying."""
        subj = next((m for m in near if m.dep_ in ("nsubj", "nsubjpass", "expl")), None)
        if subj is None:
            return lo
        for m in sorted(clause.children, key=lambda t: t.i):
            if m.left_edge.i != lo or m.i >= subj.i or m.dep_ not in ("prep", "npadvmod") \
                    or not any(t.ent_type_ in ("DATE", "TIME") for t in m.subtree):
                break
            lo = m.right_edge.i + 1
            while lo < subj.left_edge.i and self.doc[lo].text == ",":
                lo += 1
        return lo

    def _postposed_root(self, cue):
        """``<statement>, residents told Reuters on Friday.`` parsed as a sentence of its own:
        the text before the comma, back to the previous sentence end in the paragraph."""
        doc, text = self.doc, self.text
        subj = next((c for c in cue.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.i > cue.i or any(
                c.dep_ in ("ccomp", "xcomp") or c.dep_ == "advcl" and (c.i > cue.i or any(
                    m.dep_ == "mark" for m in c.children)) for c in cue.children):
            return None           # (an unmarked advcl before the comma is the misparsed statement)
        comma = subj.left_edge.i - 1
        if comma < 1 or doc[comma].text != ",":
            return None
        tail = [t for t in doc[cue.i + 1:] if t.idx < text.find("\n", cue.idx) % (len(text) + 1)]
        end_tok = next((t for t in tail if t.text in _SENT_END), None)
        if end_tok is None or any(t.dep_ in ("ccomp", "relcl") for t in doc[cue.i + 1:end_tok.i]):
            return None
        para_start = text.rfind("\n", 0, doc[comma].idx) + 1
        start = para_start
        for k in range(doc[comma].idx - 1, para_start, -1):
            if text[k] in ".!?" and text[k + 1:k + 2] == " " and text[k + 2:k + 3].isupper() \
                    and not _abbreviation_at(text, k):
                start = k + 2
                break
        start = skip_dateline(text, start, doc[comma].idx)
        if len(text[start:doc[comma].idx].split()) < 5 or self.skipped(start):
            return None
        return start, doc[comma].idx

    def _postposed(self, cue):
        """``X, Y said[, as/because Z]`` parsed as parataxis or coordination: X (and Z) is the content."""
        head, doc = cue.head, self.doc
        lo, hi = head.left_edge.i, head.right_edge.i
        left = [t for t in doc[lo:cue.left_edge.i] if not t.is_punct]
        right = [t for t in doc[cue.right_edge.i + 1:hi + 1] if not t.is_punct]
        finite = any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in right)
        if len(right) >= 3 and finite and right[0].lower_ not in self.cues["narration_connectives"]:
            return (doc[lo].idx if left else right[0].idx), _end(doc[hi])
        if len(left) >= 3:
            return doc[lo].idx, _end(doc[cue.left_edge.i - 1])
        return None

    def _that_clause_in_pp(self, cue) -> list:
        """"said in a statement that ...": the that-clause parsed onto the document noun."""
        for prep in (c for c in cue.children if c.dep_ == "prep" and c.i > cue.i):
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                for cl in pobj.children:
                    if cl.dep_ in ("acl", "ccomp", "relcl") and _opens_with_that(cl):
                        return [cl]
        return []

    def _according(self, tok) -> None:
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
        if to is None and (nxt is None or nxt.lower_ != "to"):
            return
        src = self._according_source(tok)
        if src is None:
            return
        phrase_lo, phrase_hi = tok.left_edge.i, max(tok.right_edge.i, src.right_edge.i)
        sent = tok.sent
        head = tok.head if tok.head.i != tok.i else sent.root
        lo, hi = min(head.left_edge.i, sent.start), max(head.right_edge.i, sent.end - 1)
        left = self.doc[lo:phrase_lo]
        right = self.doc[phrase_hi + 1:hi + 1]
        big = lambda s: len([t for t in s if not t.is_punct]) >= 3
        if big(left) and big(right):
            start, end = self.doc[lo].idx, _end(self.doc[hi])
        elif big(left):
            start, end = left[0].idx, _end(left[-1])
        elif big(right):
            start, end = right[0].idx, _end(right[-1])
        else:
            return
        qs = [qi for qi, q in enumerate(self.quotes) if q.start < end and q.end > start]
        if any(qi in self.used_quotes for qi in qs):
            return
        for qi in qs:
            start, end = min(start, self.quotes[qi].start), max(end, self.quotes[qi].end)
        self.add(self.tracker.speaker(src), self._kind(start, end, qs), start, end, "according to",
                 sent.start_char, sent.end_char, quotes=qs)

    def _according_source(self, tok):
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        if to is None and tok.i + 1 < len(self.doc) and self.doc[tok.i + 1].lower_ == "to":
            to = self.doc[tok.i + 1]
        if to is None:
            return None
        return next((c for c in to.children if c.dep_ == "pobj"), None) or (
            self.doc[to.i + 1] if to.i + 1 < len(self.doc) else None)

    def _kind(self, start: int, end: int, qs) -> str:
        """direct when the content reproduces the speaker's words (a quote of 2+ words)."""
        return "direct" if any(self._own_words(self.quotes[qi]) for qi in qs) else "indirect"

    def _own_words(self, q: Quote) -> bool:
        """A quote reproducing wording (4+ words, or 2+ with a verb), not a scare-quoted term."""
        n = len(q.words(self.text))
        return n >= 4 or n >= 2 and any(t.pos_ in ("VERB", "AUX") for t in self._quote_tokens(q))

    def _quote_tokens(self, q: Quote) -> list:
        span = self.doc.char_span(q.inner_start, q.inner_end, alignment_mode="expand")
        return list(span) if span is not None else []

    def _cue_text(self, tok) -> str:
        if tok.lower_ == "according":
            return "according to"
        parts = [tok] + [c for c in tok.children if c.dep_ == "prt"]
        return " ".join(t.text for t in sorted(parts, key=lambda t: t.i))

    # -- pass 3: unattributed quote paragraphs continue the last speaker ---------------------------
    def _continuations(self) -> None:
        for qi, q in enumerate(self.quotes):
            if qi in self.used_quotes or not self.speechlike(q):
                continue
            prior = [c for c in self.claims if c["text_span"]["start"] < q.start]
            if not prior:
                continue
            last = max(prior, key=lambda c: c["text_span"]["start"])
            same_para = last["evidence"]["end"] > q.para_start
            if not (q.at_para_start or q.continued or same_para):
                continue
            self.add(dict(last["speaker"]), "direct", q.inner_start, q.inner_end, None, q.start, q.end,
                     quotes=[qi])


def _abbreviation(tok) -> bool:
    """The full stop of "Brig." or "Gen." split off by the tokenizer, not a sentence end."""
    if tok.i == 0 or tok.i + 1 >= len(tok.doc):
        return False
    prev, nxt = tok.doc[tok.i - 1], tok.doc[tok.i + 1]
    return (prev.idx + len(prev.text) == tok.idx and prev.is_title and len(prev.text) <= 4
            and nxt.is_title and prev.pos_ == "PROPN")


def clean_speaker_name(name: str) -> str:
    """A speaker's name never spans a line break (a headline or dateline above it) nor
    holds a wire dateline ("KYIV, Feb 17 (Reuters) - Ukraine's top commander")."""
    name = " ".join(name.rsplit("\n", 1)[-1].split())
    return name[skip_dateline(name, 0, len(name)):].strip(" ,;:—–-")


def _abbreviation_at(text: str, k: int) -> bool:
    """The full stop at ``k`` ends a short title ("Gen.", "Brig.", "Mr."), not a sentence."""
    word = text[max(0, k - 6):k].split()[-1:] or [""]
    return word[0][:1].isupper() and len(word[0]) <= 4 and word[0].isalpha()


def _end(tok) -> int:
    """End offset of ``tok``, dropping a final sentence punctuation mark."""
    if tok.is_punct and tok.text in (".", ",", ";", ":") and tok.i > 0:
        prev = tok.doc[tok.i - 1]
        return prev.idx + len(prev.text)
    return tok.idx + len(tok.text)


def _that_clause(tok) -> bool:
    """``tok`` governs a clause opened by "that" ("wrote that the group had ...")."""
    return any(c.dep_ == "ccomp" and _opens_with_that(c) for c in tok.children)


def _opens_with_that(clause) -> bool:
    return any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children)
