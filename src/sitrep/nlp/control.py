"""Territorial control changes: which place changed hands, to/from whom, per whom.

``extract(ctx) -> (control_changes, leftovers)``, reading the dependency parse with the cues of
``data/triggers.yaml``: (1) trigger words and their *theme* place (object, passive subject,
"of"-object, appositive, coordinated list, "the town" anaphora); (2) the agent (subject,
"by"-agent, possessor) turned into ``to``/``from`` by the trigger's frame; (3) modality, stance
(asserted / denied / annexation_claim), attribution and date; (4) sides missing from the clause
inferred from context ("after months of Russian occupation", who gains ground elsewhere in the
document); (5) one record per (place, to-side, stance). Candidates that are not asserted
("failed to capture X") are returned as ``leftovers`` for the event extractor.
"""
from __future__ import annotations

from collections import Counter

from sitrep.nlp.doctext import token_lemmas, token_lowers
from sitrep.nlp.events import RELATIVE_PRONOUNS, Context, children, place_state, prep_objects, subject
from sitrep.nlp.plover import denial_of, find_denials, modality_of

PASSIVE_DEPS = ("nsubjpass", "auxpass")
VERB_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ")


def extract(ctx: Context) -> tuple[list[dict], list[dict]]:
    cands: list[dict] = []
    ctx.gain_sides = Counter()
    trig, forms = ctx.lex.get("triggers") or {}, ctx.lex["_forms"]
    lowers, lemmas = token_lowers(ctx.doc), token_lemmas(ctx.doc)
    for i, low in enumerate(lowers):
        if (forms.get(low) or lemmas[i]) not in trig:
            continue                                # (the same test trigger_entry starts with)
        tok = ctx.doc[i]
        entry = trigger_entry(ctx, tok)
        if entry is not None:
            cands.extend(analyse(ctx, tok, entry))
    cands.extend(find_denials(ctx))
    ctx.control_tokens = {c["_tok"].i for c in cands}
    _infer_sides(ctx, cands)
    changes, leftovers = [], []
    for c in sorted(cands, key=lambda c: c["_tok"].i):
        if c["modality"] != "asserted" and c["stance"] != "denied":
            leftovers.append(c)
        elif not (c.get("to") or {}).get("side"):
            leftovers.append(c)
        else:
            changes.append(c)
    return _dedupe([_finish(ctx, c) for c in changes]), leftovers


def _named_gainer(to: dict | None) -> bool:
    """A gainer we can name even without a side ("Rebel fighters", "a local militia"): analysts want
    that change (side null) rather than nothing; pronouns and bare "forces"/"troops" do not count."""
    words = ((to or {}).get("name") or "").lower().split()
    vague = {"it", "they", "them", "he", "she", "we", "forces", "troops", "fighters", "the", "its", "their"}
    return bool(words) and not set(words) <= vague


# ------------------------------------------------------------------------------ triggers

def trigger_entry(ctx: Context, tok) -> dict | None:
    trig = ctx.lex.get("triggers") or {}
    lemma = ctx.lex["_forms"].get(tok.lower_) or tok.lemma_.lower()
    entry = trig.get(lemma)
    if entry is None:
        return None
    pos = entry.get("pos", "any")
    is_verb = tok.tag_ in VERB_TAGS or tok.pos_ == "VERB" or (tok.pos_ == "ADJ" and tok.lower_.endswith("ed"))
    if tok.lower_ != lemma and tok.lower_ in (entry.get("forms") or ()) and tok.pos_ in ("NOUN", "PROPN"):
        tok_is_inflected_verb = not (tok.lower_.endswith("s") and lemma + "s" == tok.lower_)
        is_verb = is_verb or tok_is_inflected_verb   # "retook" mis-tagged as a noun
    is_noun = tok.pos_ == "NOUN" and not is_verb
    if (pos == "verb" and not is_verb) or (pos == "noun" and not is_noun) or not (is_verb or is_noun):
        return None
    for sense in [entry, *(dict(entry, **{"also": ()}, **alt) for alt in entry.get("also") or ())]:
        needs = sense.get("needs")           # "pushed the RSF out of X" (expel) / "pushed into X" (gain)
        if sense.get("needs_too") and not _has_needed(tok, sense["needs_too"]):
            continue                         # "X is now under the control of Y": "now" and "control"
        if needs and not _has_needed(tok, needs) and not (
                sense.get("or_place_object") and any(places_for(ctx, c) for c in tok.children if c.dep_ == "dobj")):
            continue
        return dict(sense, lemma=lemma, is_verb=is_verb and not is_noun)
    return None


def _has_needed(tok, needs) -> bool:
    near = list(tok.children) + [g for c in tok.children for g in c.children]
    near += list(tok.doc[tok.i + 1: min(len(tok.doc), tok.i + 4)])
    return any(t.lower_ in needs or t.lemma_.lower() in needs for t in near)


# ------------------------------------------------------------------------------ analysis

def analyse(ctx: Context, tok, entry: dict) -> list[dict]:
    """Candidates (one per place) for a trigger token."""
    frame = entry["frame"]
    themes, agent, to_tok, from_tok = (_verb_roles if entry["is_verb"] else _noun_roles)(ctx, tok, entry)
    places = [p for t in themes for p in places_for(ctx, t, allow_country=frame == "annex")
              if p.get("anaphora") or ctx.same_line(tok.idx, (p.get("evidence") or {}).get("start", tok.idx))]
    agent_actor = ctx.actor(agent) if agent is not None else None
    if agent is not None and not (agent_actor or {}).get("side") and places and _bare_state_force(ctx, agent):
        side = place_state(places[0])        # "the army recaptured Khartoum": the state's own army
        if side:
            agent_actor = {"name": (agent_actor or {}).get("name") or agent.text, "side": side}
    modality, denial = modality_of(ctx, tok, annex=frame == "annex"), denial_of(ctx, tok)
    if frame in ("gain", "expel") and (agent_actor or {}).get("side") and modality == "asserted" and not denial:
        ctx.gain_sides[agent_actor["side"]] += 1     # "Ukrainian forces recaptured several villages"
    if not places:
        return []
    if entry.get("military") and agent is not None and not ctx.is_military(agent, agent_actor):
        return []
    to = from_ = None
    explicit_to = ctx.actor(to_tok) if to_tok is not None else None
    explicit_from = ctx.actor(from_tok) if from_tok is not None else None
    if frame in ("gain", "expel"):
        to, from_ = agent_actor, explicit_from
    elif frame == "fall":
        to = explicit_to
    elif frame in ("lose", "withdraw", "handover"):
        from_, to = agent_actor, explicit_to
    elif frame == "annex":
        into = next((o for t in [tok, *themes] for _k, o in prep_objects(t, "into", "to")
                     if ctx.side_of(o.text)), None)
        to = {"name": into.text, "side": ctx.side_of(into.text)} if into is not None else agent_actor
        if not (to or {}).get("side"):
            to = annexing_leader(ctx, tok, agent)
    stance = "annexation_claim" if frame == "annex" else "asserted"
    if frame != "annex" and denial is None and modality == "negated":
        spk = ctx.attribution(tok)[0]          # "Bakhmut has not fallen, Zelensky said"
        if spk is not None:
            denial = {"name": spk.get("name"), "side": spk.get("side"), "claimed_side": None}
    if frame != "annex" and denial is not None:
        stance, modality = "denied", "asserted"
    out = []
    for place in places:
        out.append({"_tok": tok, "_entry": entry, "_agent": agent, "frame": frame, "place": place,
                    "to": _clean(to), "from": _clean(from_), "stance": stance, "modality": modality,
                    "trigger": tok.text, "_inferred": False, "_denier": denial if stance == "denied" else None})
    return out


def _bare_state_force(ctx: Context, tok) -> bool:
    """"the army", "government troops", "the military": a state's forces named without the state."""
    words = {t.lower_ for t in tok.subtree if t.i <= tok.i} | {tok.lemma_.lower()}
    return bool(words & set(ctx.lex.get("state_force_words") or ())) and not ctx._non_state_words(
        " ".join(t.text for t in tok.subtree))


def _clean(actor):
    return {"name": actor["name"], "side": actor.get("side")} if actor and actor.get("name") else None


def _verb_roles(ctx: Context, tok, entry):
    frame = entry["frame"]
    needs = set(entry.get("needs") or ())
    passive = any(c.dep_ in PASSIVE_DEPS for c in tok.children) or (
        tok.tag_ == "VBN" and not children(tok, "nsubj", "aux"))
    agent = to_tok = from_tok = None
    themes: list = []
    if passive:
        agent = next((o for _k, o in prep_objects(tok, "by")), None)
        if agent is not None and ctx.side_of(agent.text) is None and agent.lemma_.lower() not in ctx.sets["military_nouns"]:
            agent = None  # "halted by air strikes"
    else:
        agent = subject(tok)
        if agent is None and tok.pos_ != "VERB":   # mis-tagged verb: "The army retook Omdurman"
            agent = next((c for c in tok.lefts if c.dep_ in ("compound", "nmod", "nsubj")), None)
    if frame == "fall":
        themes = children(tok, "nsubj", "nsubjpass")
        to_tok = next((o for k, o in prep_objects(tok, "to", "into", "under") if k == "to"), None) \
            or _hands_holder(tok)
        agent = None
    elif frame in ("withdraw",):
        themes = [o for _k, o in prep_objects(tok, "from", "out of", "out from")]
        if not themes and entry["lemma"] in ("abandon", "leave", "flee", "evacuate"):
            themes = [t for t in children(tok, "dobj") if t.lemma_.lower() not in ctx.sets["military_nouns"]]
    elif frame == "expel":
        themes = [o for _k, o in prep_objects(tok, "from", "out of", "out from")]
        from_tok = next(iter(children(tok, "nsubjpass" if passive else "dobj")), None)
    else:
        if needs & {"flag"}:
            for holder in [tok] + children(tok, "dobj"):
                themes += [o for _k, o in prep_objects(holder, "over", "above", "in", "on", "at")]
            if agent is None:                 # "a Ukrainian flag was raised over X"
                flag = next((t for t in children(tok, "dobj") if t.lemma_.lower() == "flag"), None)
                if flag is not None:
                    agent = flag
        elif needs & {"into"} and frame == "gain":   # "swept into Aleppo", "troops moved into X"
            themes = [o for _k, o in prep_objects(tok, "into")]
        elif passive:
            themes = children(tok, "nsubjpass")
        else:
            themes = children(tok, "dobj")
            if frame == "annex" and not themes:
                themes = [o for _k, o in prep_objects(tok, "of")]
        if frame in ("handover", "lose"):      # "lost control of Lashio to the MNDAA"
            to_tok = next((o for h in [tok, *children(tok, "dobj")] for _k, o in prep_objects(h, "to")
                           if ctx.side_of(o.text) or frame == "handover"), None)
        if frame == "gain":
            from_tok = next((o for _k, o in prep_objects(tok, "from") if ctx.side_of(o.text)), None)
    themes = [o for t in themes for o in (       # "took control of X" ("of" on the noun or the verb)
        ([x for h in (t, tok) for _k, x in prep_objects(h, "of", "over")][:1] or [t])   # "the command in X": a site
        if t.lemma_.lower() in ctx.sets["control_nouns"] else [t])]
    # "the town that Russian forces captured": the relative clause's head noun
    themes = [tok.head if t.lower_ in RELATIVE_PRONOUNS and tok.dep_ == "relcl" else t for t in themes]
    if themes:           # "recaptured X, and the town of Z": a noun conjoined to the verb
        themes += [c for c in tok.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN")]
    if not themes and not passive and frame != "fall":   # misparsed object: "handed over Bakhmut"
        themes = [c for c in tok.rights if c.dep_ in ("advmod", "npadvmod", "attr", "oprd", "dep", "appos")
                  and ctx.place_at(c) is not None]
    if not themes:
        themes, agent = _reduced_relative(ctx, tok, frame, agent, passive)
    return themes, agent, to_tok, from_tok


def _reduced_relative(ctx, tok, frame, agent, passive):
    """"a newly recaptured village", "Izium, liberated by ...", "an eastern town liberated after ..."."""
    if tok.dep_ in ("amod", "acl") and tok.head.pos_ in ("NOUN", "PROPN") and _placey(ctx, tok.head):
        return [tok.head], agent if passive else None
    if frame in ("gain", "lose", "annex", "fall"):
        subj = next(iter(children(tok, "nsubj")), None)
        if subj is not None and not children(tok, "dobj") and _placey(ctx, subj):
            return [subj], None
    if tok.tag_ == "VBN" or frame == "fall":
        left = _left_neighbour(ctx, tok)
        if left is not None:
            return [left], agent if (passive or frame == "fall") else None
    return [], agent


def _left_neighbour(ctx, tok):
    """The place word right before the trigger: "in the town of Izium, liberated by ..."."""
    i = tok.i - 1
    skip = ctx.sets["light_adverbs"] | {",", "has", "have", "had", "not", "been", "was", "were", "is", "finally"}
    start = ctx.sent(tok).start
    while i >= start and (tok.doc[i].lower_ in skip or tok.doc[i].dep_ in ("neg", "aux", "auxpass")):
        i -= 1
    if i < start:
        return None
    cand = tok.doc[i]
    return cand if _placey(ctx, cand) else None


def _placey(ctx, t) -> bool:
    return ctx.place_at(t) is not None or t.lemma_.lower() in ctx.sets["place_nouns"]


def _hands_holder(tok):
    """"fell into Russian hands" / "came under RSF control" -> the modifier naming the holder."""
    for _k, o in prep_objects(tok, "into", "under", "in"):
        if o.lemma_.lower() in ("hand", "control", "rule", "grip"):
            mod = next((c for c in o.children if c.dep_ in ("amod", "poss", "compound", "nmod")), None)
            if mod is not None:
                return mod
            of = next((x for _k2, x in prep_objects(o, "of")), None)
            if of is not None:
                return of
    return None


def _noun_roles(ctx: Context, tok, entry):
    frame = entry["frame"]
    preps = ("from", "out of") if frame == "withdraw" else ("of",)
    themes = [o for _k, o in prep_objects(tok, *preps)]
    themes += children(tok, "appos")
    agent = to_tok = None
    poss = next((c for c in tok.children if c.dep_ == "poss"), None)
    if poss is not None:
        place = ctx.place_at(poss)
        if not themes and place is not None and not _is_country(place):
            themes = [poss]          # "Bakhmut's fall"
        else:
            agent = poss             # "Ukraine's capture of Lyman"
    if agent is None:
        agent = next((o for _k, o in prep_objects(tok, "by")), None)
    if agent is None and frame == "withdraw":     # "the withdrawal of Russian troops from Kherson"
        agent = next((o for _k, o in prep_objects(tok, "of") if ctx.place_at(o) is None), None)
    if agent is None:
        agent = next((c for c in tok.children if c.dep_ in ("amod", "compound", "nmod")
                      and ctx.side_of(c.text) and ctx.place_at(c) is None), None)
    if agent is None and tok.dep_ == "dobj" and tok.head.lemma_.lower() in (ctx.lex.get("nominal_agent_verbs") or ()):
        agent = subject(tok.head)                # "Russian forces completed the capture of X"
    if frame == "fall":
        to_tok = next((o for k, o in prep_objects(tok, "to")), None) or _hands_holder(tok)
        agent = None
    elif frame == "handover":
        to_tok = next((o for k, o in prep_objects(tok, "to")), None)
    return themes, agent, to_tok, None


# ------------------------------------------------------------------------------ places

def places_for(ctx: Context, tok, allow_country: bool = False) -> list[dict]:
    """Place mentions a theme token stands for (coordination expanded, containers refused)."""
    found: list[dict] = []
    for t in [tok, *tok.conjuncts]:
        for p in _places_one(ctx, t):
            if p is None or (_is_country(p) and not allow_country):
                continue
            if all(p.get("evidence") != q.get("evidence") for q in found):
                found.append(p)
    return found


def _places_one(ctx: Context, t) -> list[dict]:
    p = ctx.place_at(t)
    if p is not None:
        if t.dep_ == "poss" or any(c.dep_ == "case" for c in t.children):
            return []
        return [p]
    lemma, low = t.lemma_.lower(), t.lower_
    if lemma in set(ctx.lex.get("site_nouns") or ()) or low in set(ctx.lex.get("core_nouns") or ()):
        # "the last military outpost in the town of Maungdaw", "positions in Deir ez-Zor",
        # "the centre of Bukavu": the settlement the site lies in
        preps = ("of",) if low in set(ctx.lex.get("core_nouns") or ()) else ("in", "at", "inside", "on")
        holders = [t] if preps == ("of",) else [t, *(o for _k, o in prep_objects(t, "of"))]
        if preps != ("of",) and t.dep_ in ("dobj", "nsubjpass"):
            holders.append(t.head)   # "had taken the airport in Goma": the parser hangs "in Goma" on the verb
        for holder in holders:       # "the headquarters of the 16th division in Nyala"
            for _k, o in prep_objects(holder, *preps):
                got = [p for p in _places_one(ctx, o) if p.get("precision") not in ("country", "admin1")]
                if got:
                    return got[:1]
        if lemma not in ctx.sets["place_nouns"]:
            return []
    if lemma in ctx.sets["place_nouns"] and t.tag_ in ("NN", "NNP") and low not in ctx.sets["container_nouns"]:
        for _k, o in prep_objects(t, "of"):
            q = ctx.place_at(o)
            if q is not None:
                return [q]
        for c in t.children:
            if c.dep_ in ("appos", "compound", "nmod", "npadvmod") and ctx.place_at(c) is not None:
                return [ctx.place_at(c)]
            if c.dep_ == "compound" and c.i < t.i:        # "the Rafah border crossing"
                inner = next((g for g in c.children if g.dep_ == "compound" and ctx.place_at(g) is not None), None)
                if inner is not None:
                    return [ctx.place_at(inner)]
        if t.dep_ == "appos" and ctx.place_at(t.head) is not None:
            return [ctx.place_at(t.head)]
        if t.dep_ == "attr":                  # "Kreminna is the town that Russian forces captured"
            subj = next((c for c in t.head.children if c.dep_ == "nsubj"), None)
            if subj is not None and ctx.place_at(subj) is not None:
                return [ctx.place_at(subj)]
        le = t.left_edge.i
        if le >= 2 and t.doc[le - 1].text == "," and ctx.place_at(t.doc[le - 2]) is not None:
            return [ctx.place_at(t.doc[le - 2])]
        if any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in t.children) and \
                not any(c.dep_ in ("amod", "compound") for c in t.children):
            return [p for p in [_antecedent_place(ctx, t)] if p]     # "Ukraine denied that the city had fallen"
        return []
    if low in ctx.sets["plural_place_nouns"]:
        out = []
        for c in t.children:
            if c.dep_ in ("compound", "nmod", "appos") and ctx.place_at(c) is not None:
                out += [ctx.place_at(x) for x in [c, *c.conjuncts] if ctx.place_at(x) is not None
                        and not any(g.dep_ == "case" for g in x.children)]
        for _k, o in prep_objects(t, "of"):
            q = ctx.place_at(o)
            if q is not None and not _is_country(q):      # "the villages of X and Y, and the town of Z"
                out += [q] + [p for x in o.conjuncts for p in _places_one(ctx, x)]
        return out
    return []


def _antecedent_place(ctx: Context, t) -> dict | None:
    """"the city" / "the town" / "the region": the latest place of that kind named in this or the
    two previous sentences (never across a headline break)."""
    want = {"settlement"} if t.lemma_.lower() in ("city", "town", "village", "settlement", "hamlet") \
        else {"admin1", "admin2"} if t.lemma_.lower() in ("region", "province", "oblast", "state", "district") else set()
    sents = [s for s in ctx.doc.sents if s.start <= t.i][-3:]
    floor = sents[0].start_char if sents else t.idx
    region_words = set(ctx.lex.get("region_words") or ())
    best, best_n = None, -1
    for p in reversed(ctx.places):
        ev = p.get("evidence") or {}
        if floor <= ev.get("start", -1) < t.idx and p.get("precision") in want and \
                _in_body_text(ctx.text, ev["start"]) and not ctx.side_of(p.get("name")):  # not "Moscow"
            after = ctx.text[ev["end"]:ev["end"] + 20].split()
            if want == {"settlement"} and after and after[0].lower().strip(".,") in region_words:
                continue                               # "the Kursk region" is not "the town"
            # the most talked-about place (headline included) wins; ties: the latest
            n = sum(1 for q in ctx.places if q.get("name") == p.get("name")
                    and (q.get("evidence") or {}).get("start", t.idx) < t.idx)
            if n > best_n:
                best, best_n = p, n
    if best is None:
        return None
    return {**{k: best.get(k) for k in ("name", "resolved", "precision", "evidence")}, "anaphora": True}


def _in_body_text(text: str, at: int) -> bool:
    """The line holding offset ``at`` reads like body text, not a headline or caption."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    line = text[start:end if end != -1 else len(text)].strip()
    return len(line.split()) >= 8 and line[-1:] in ".\"”’'"


def _is_country(place: dict) -> bool:
    """A country-level place (the theme of "invaded", not of a control change). Trusts the
    geocoder only when the written name is part of the country's name ("Congo", not "Goma")."""
    res = place.get("resolved") or {}
    if place.get("precision") != "country" and not (res.get("feature") or "").startswith("PCL"):
        return False
    written = (place.get("name") or "").lower().removeprefix("the ").strip()
    return not res.get("name") or written in res["name"].lower() or res["name"].lower() in written


# ------------------------------------------------------------------------------ sides

def _infer_sides(ctx: Context, cands: list[dict]) -> None:
    """Fill a missing ``to`` from context; fill ``from`` as the other side when clear."""
    gains = Counter(c["to"]["side"] for c in cands
                    if c["frame"] == "fall" and c.get("to") and c["to"].get("side") and c["stance"] == "asserted")
    gains.update(ctx.gain_sides)
    for c in cands:
        if c["frame"] == "annex":
            continue
        to, frm = c.get("to") or {}, c.get("from") or {}
        if not to.get("side"):
            side = None
            if c.get("_denier") is not None:
                side = c["_denier"].get("claimed_side") or ctx.other_side(c["_denier"].get("side"))
            elif c["_entry"].get("occupier"):
                occ = occupier_side(ctx, c["_tok"])
                if occ:
                    c["from"] = {"name": occ, "side": occ}
                    side = ctx.other_side(occ)
            if side is None and frm.get("side"):
                side = ctx.other_side(frm["side"])
            if side is None and c["frame"] in ("gain", "fall", "lose") and gains:
                side = gains.most_common(1)[0][0]
            if side:
                c["to"] = {"name": side, "side": side}
                c["_inferred"] = True
        if c.get("to") and c["to"].get("side") and not (c.get("from") or {}).get("side"):
            other = ctx.other_side(c["to"]["side"], strict=True, allies=_allies(ctx, c.get("_agent")))
            if other:
                c["from"] = {"name": other, "side": other}


def _allies(ctx: Context, agent) -> set:
    """Sides fighting together in one agent: "Malian troops and Wagner fighters", "M23 rebels and
    Rwandan troops" -- never each other's "other side"."""
    if agent is None or not agent.conjuncts:
        return set()
    return {side for t in (agent, *agent.conjuncts) if (side := (ctx.actor(t) or {}).get("side"))}


def occupier_side(ctx: Context, tok) -> str | None:
    """"after months of Russian occupation", "Russian-occupied", "occupied by the RSF"."""
    occ = ctx.sets["occupation_nouns"]
    for t in ctx.sent(tok):
        low = t.lemma_.lower()
        if low in occ or t.lower_ in occ:
            for c in t.children:
                if c.dep_ in ("amod", "poss", "compound", "nmod"):
                    side = ctx.side_of(c.text)
                    if side:
                        return side
        if "-" in t.text or low in ("occupy", "hold", "control"):
            if low in ("occupy", "hold", "control"):
                by = next((o for _k, o in prep_objects(t, "by")), None)
                if by is not None and ctx.side_of(by.text):
                    return ctx.side_of(by.text)
    for piece in ctx.sent(tok).text.split():
        if piece.lower().endswith(("-occupied", "-held", "-controlled")):
            side = ctx.side_of(piece.split("-")[0])
            if side:
                return side
    return None


# ------------------------------------------------------------------------------ output

def _finish(ctx: Context, c: dict) -> dict:
    tok = c["_tok"]
    entry = c["_entry"]
    if c["frame"] == "annex":
        asserted_by, claim = annexing_leader(ctx, tok, c.get("_agent")), ctx.attribution(tok)[1]
        if asserted_by is None:
            asserted_by, claim = ctx.attribution(tok)
    elif c.get("_denier") is not None and c["_denier"].get("name"):
        asserted_by = {k: c["_denier"].get(k) for k in ("name", "side")}
        claim = ctx.attribution(tok)[1]
    else:
        asserted_by, claim = ctx.attribution(tok)
    date, precision = ctx.date_for(tok, extra=_governors(tok) if c["frame"] == "annex" else ())
    if date is None and c["stance"] == "asserted":   # "Prigozhin claimed on Saturday that his fighters had captured Bakhmut"
        date, precision = ctx.date_for(tok, extra=[v for v in _governors(tok)
                                                   if v.lemma_.lower() in ctx.sets["speech_verbs"]][:1])
    conf = float(entry.get("confidence", 0.85))
    if c["_inferred"]:
        conf *= 0.8
    if not c["place"].get("resolved"):
        conf *= 0.85
    if asserted_by is not None and c["stance"] == "asserted":
        conf *= 0.9
    place = {k: c["place"].get(k) for k in ("name", "resolved", "precision")}
    return {"_headline": not _in_body_text(ctx.text, tok.idx),
            "place": place, "to": c.get("to"), "from": c.get("from"), "asserted_by": asserted_by,
            "stance": c["stance"], "date": date, "date_precision": precision,
            "confidence": round(min(conf, 1.0), 2), "evidence": ctx.evidence(tok), "claim": claim,
            "trigger": c["trigger"], "modality": c["modality"],
            "place_evidence": c["place"].get("evidence")}


def _governors(tok) -> list:
    """Verbs above an annexation trigger: "Putin last week signed treaties that purported to absorb"."""
    out, node = [], tok
    for _ in range(40):                 # spaCy hands out new Token objects: compare indices
        if node.head.i == node.i or len(out) >= 6:
            break
        node = node.head
        if node.pos_ == "VERB":
            out.append(node)
    return out


def annexing_leader(ctx: Context, tok, agent) -> dict | None:
    """Who claims an annexation: the person acting ("Mr Putin ... signed treaties that
    purported to absorb"), the possessor ("Mr. Putin's paperwork would admit"), else the state."""
    node, seen = tok, 0
    candidates = [agent] if agent is not None else []
    while node.head is not node and seen < 6:
        subj = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in RELATIVE_PRONOUNS), None)
        if subj is not None:
            candidates.append(subj)
        node, seen = node.head, seen + 1
    subj = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is not None:
        candidates.append(subj)
    for cand in candidates:
        for t in [cand, *[c for c in cand.children if c.dep_ == "poss"]]:
            if t.ent_type_ == "PERSON" or (t.pos_ == "PROPN" and ctx.actors and ctx.actors.person(t.text)):
                named = ctx._named(t)
                named["name"] = ctx.full_person_name(named["name"])
                person = ctx.actors.person(named["name"]) if ctx.actors else None
                if person and not named.get("side"):
                    named["side"] = person.get("side")
                return named
    for cand in candidates:
        actor = ctx.actor(cand)
        if actor and actor.get("side"):
            return actor
    return None


def _dedupe(records: list[dict]) -> list[dict]:
    """One record per (place, to-side, stance): the first; a later mention may give its date.
    Two mentions are one place when they share a GeoNames id or their written name."""
    kept: list[dict] = []
    index: dict[tuple, dict] = {}
    for r in records:
        res = r["place"].get("resolved") or {}
        base = ((r.get("to") or {}).get("side"), r["stance"])
        keys = [base + ("name", " ".join((r["place"].get("name") or "").lower().split()))]
        if res.get("geonames_id"):
            keys.append(base + ("id", res["geonames_id"]))
        first = next((index[k] for k in keys if k in index), None)
        if first is None:
            kept.append(r)
            index.update({k: r for k in keys})
            continue
        index.update({k: first for k in keys if k not in index})
        if first["_headline"] and not r["_headline"]:
            # the body's own sentence, with its attribution, stands for a headline's change
            date, precision = first.get("date"), first.get("date_precision")
            first.update(r)
            if first.get("date") is None:
                first["date"], first["date_precision"] = date, precision
        if first.get("date") is None and r.get("date"):
            first["date"], first["date_precision"] = r["date"], r["date_precision"]
        first["confidence"] = max(first["confidence"], r["confidence"])
    for r in kept:
        r.pop("_headline", None)
    return kept
