"""PLOVER events: who did what to whom, where, when, how much, per whom.

``extract(ctx, leftovers) -> list[dict]``. Triggers come from ``data/plover.yaml``
(``plover_triggers``); each event is read off the parse around its trigger:

- ``actor``: subject (active), "by"-object (passive), possessor or demonym modifier of a
  noun trigger ("Russia's mobilization", "Russian strikes");
- ``target``: object (active), passive subject, "on"/"against" object of a noun trigger;
- ``place``: a place mention among the trigger's arguments, else in its clause;
- ``mode``: from modifier words (``modes``: "air strikes" -> air, "drone attack" -> drone);
- ``quantities``: counted things in the trigger's arguments ("31 Russian tanks");
- ``modality``, ``asserted_by`` (claim speaker), ``date`` as for control changes.

Control-change candidates that were not asserted ("failed to capture X") arrive as
``leftovers`` and become events too (``control_events``).

Also here, because events and control changes share them: ``modality_of`` (failed / tried /
threatens / could ...) and the denial cues (``denial_of``: "denied that X fell", "claims that
X was captured are false"; ``find_denials``: "repelled an attack on X", "we are holding X").
"""
from __future__ import annotations

from sitrep.nlp.doctext import token_lemmas, token_lowers
from sitrep.nlp.events import Context, children, prep_objects, subject
from sitrep.nlp.quantities import find_quantities

ARG_DEPS = ("dobj", "nsubjpass", "attr", "oprd", "dative")
PLACE_PREPS = ("in", "on", "at", "near", "against", "across", "over", "around", "outside", "into",
               "towards", "toward", "inside", "of", "to")
REFINABLE_MODES = {None, "air", "ground", "artillery", "missile", "drone"}
NESTING = {"dobj", "xcomp", "ccomp", "pobj", "nsubj", "nsubjpass", "oprd", "acomp", "attr", "prep",
           "pcomp", "conj", "compound", "amod", "appos", "advcl"}


def extract(ctx: Context, leftovers: list[dict] | None = None) -> list[dict]:
    control_toks = getattr(ctx, "control_tokens", set())
    found: list[tuple] = []
    table = ctx.lex.get("plover_triggers") or {}
    lowers, lemmas = token_lowers(ctx.doc), token_lemmas(ctx.doc)
    for i, low in enumerate(lowers):
        if i in control_toks or (lemmas[i] not in table and low not in table):
            continue                                # (the same test trigger_entry starts with)
        tok = ctx.doc[i]
        entry = trigger_entry(ctx, tok)
        if entry is not None and not (tok.pos_ == "VERB" and tok.dep_ == "amod"):
            found.append((tok, entry))
    nested = _nested(found)
    events = [_event(ctx, tok, entry) for tok, entry in found if tok.i not in nested]
    events += [_from_control(ctx, c) for c in leftovers or ()]
    return _dedupe(sorted((e for e in events if e is not None), key=lambda e: e["evidence"]["start"]))


def trigger_entry(ctx: Context, tok) -> dict | None:
    table = ctx.lex.get("plover_triggers") or {}
    lemma = tok.lemma_.lower()
    raw = table.get(lemma) or table.get(tok.lower_)
    if raw is None:
        return None
    for entry in raw if isinstance(raw, list) else [raw]:
        pos = entry.get("pos", "any")
        if pos == "verb" and tok.pos_ not in ("VERB",):
            continue
        if pos == "noun" and tok.pos_ not in ("NOUN", "PROPN"):
            continue
        if pos == "adj" and tok.pos_ not in ("ADJ",):
            continue
        if pos == "any" and tok.pos_ not in ("VERB", "NOUN"):
            continue
        if entry.get("forms_only") and tok.lower_ not in entry["forms_only"]:
            continue
        if entry.get("needs") and not _needs(ctx, tok, entry["needs"], entry.get("needs_where")):
            continue
        if entry.get("needs_aid") and not _needs(ctx, tok, ctx.lex.get("aid_nouns") or (), "subtree"):
            continue
        return dict(entry, lemma=lemma)
    return None


def _needs(ctx, tok, words, where=None) -> bool:
    words = set(words)
    if where == "sentence":
        pool = list(ctx.sent(tok))
    elif where == "subtree":
        pool = [t for c in tok.children if c.dep_ not in ("nsubj", "nsubjpass") for t in c.subtree]
    else:
        pool = list(tok.children) + [g for c in tok.children for g in c.children]
        pool += list(tok.doc[tok.i + 1: min(len(tok.doc), tok.i + 3)])
        pool += list(tok.doc[max(ctx.sent(tok).start, tok.i - 2): tok.i])
    return any(t.lower_ in words or t.lemma_.lower() in words for t in pool)


def _nested(found) -> set[int]:
    """Triggers inside another trigger's arguments ("threatened strikes", "rejected talks",
    "launched strikes") are part of that event, not events of their own -- except a verb
    conjoined to a verb of another type ("looted the market and burned homes": two events)."""
    types = {tok.i: entry["type"] for tok, entry in found}
    idx = set(types)
    nested = set()
    for tok, entry in found:
        if tok.dep_ == "conj" and tok.pos_ == "VERB" and tok.head.pos_ == "VERB" \
                and types.get(tok.head.i, entry["type"]) != entry["type"]:
            continue
        node, steps = tok, 0
        while node.head is not node and steps < 4 and node.dep_ in NESTING:
            node, steps = node.head, steps + 1
            if node.i in idx:
                nested.add(tok.i)
                break
            if node.pos_ == "VERB" and node.dep_ in ("ROOT", "ccomp", "advcl", "relcl"):
                break
    return nested


def _event(ctx: Context, tok, entry: dict) -> dict | None:
    is_verb = tok.pos_ in ("VERB", "ADJ")
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
    actor_tok = target_tok = None
    if is_verb:
        if passive:
            actor_tok = next((o for _k, o in prep_objects(tok, "by")), None)
            target_tok = next(iter(children(tok, "nsubjpass")), None)
        else:
            actor_tok = subject(tok)
            target_tok = next(iter(children(tok, *ARG_DEPS)), None)
            if target_tok is None and entry["type"] in ("ASSAULT", "THREATEN", "COERCE"):
                target_tok = next((o for _k, o in prep_objects(tok, "on", "against", "at")), None)
        if target_tok is not None and target_tok.ent_type_ in ("DATE", "TIME"):
            target_tok = None
        if entry.get("role") == "receiver":
            actor_tok, target_tok = None, actor_tok
    else:
        actor_tok = next((c for c in tok.children if c.dep_ == "poss"), None) \
            or next((o for _k, o in prep_objects(tok, "by", "from")), None) \
            or next((c for c in tok.children if c.dep_ in ("amod", "compound", "nmod") and ctx.side_of(c.text)), None)
        target_tok = next((o for _k, o in prep_objects(tok, "on", "against", "of", "with", "to")), None)
    actor = ctx.actor(actor_tok) if actor_tok is not None else None
    target = ctx.actor(target_tok) if target_tok is not None else None
    place = _place(ctx, tok, [t for t in (target_tok,) if t is not None])
    if target is not None and place is not None and target_tok is not None and \
            ctx.place_at(target_tok) is not None and not target.get("side"):
        target = None  # "strikes on Kharkiv": Kharkiv is the place, not an actor
    args = [t for c in tok.children if c.dep_ not in ("punct", "cc", "conj") for t in c.subtree]
    if not is_verb:
        args.append(tok)
    if actor_tok is not None and not is_verb:
        args += list(actor_tok.subtree)
    evidence = ctx.evidence(tok)
    args = sorted({t for t in args if evidence["start"] <= t.idx < evidence["end"]}, key=lambda t: t.i)
    quantities = [{"value": q["value"], "unit": q["unit"], "approximate": q["approximate"], "text": q["text"]}
                  for q in find_quantities(args)] if args else []
    asserted_by, claim = ctx.attribution(tok)
    date, precision = ctx.date_for(tok)
    return {"event_type": entry["type"], "mode": _mode(ctx, tok, entry), "actor": _side_only(actor),
            "target": _side_only(target), "place": place, "date": date, "date_precision": precision,
            "quantities": quantities, "asserted_by": asserted_by, "claim": claim,
            "modality": modality_of(ctx, tok), "evidence": evidence, "trigger": tok.text,
            "confidence": 0.7}


def _side_only(actor):
    if not actor or not actor.get("name"):
        return None
    return {"name": actor["name"], "side": actor.get("side")}


def _place(ctx: Context, tok, args) -> dict | None:
    """A place among the trigger's (and its object's) prepositional arguments, else in its subtree."""
    for holder in [tok, *args]:
        for _k, o in prep_objects(holder, *PLACE_PREPS):
            for t in [o, *o.conjuncts]:
                p = _place_here(ctx, t, tok.idx)
                if p is not None:
                    return p
    for t in args:
        p = _place_here(ctx, t, tok.idx)
        if p is not None:
            return p
    for t in tok.subtree:
        if t.dep_ not in ("nsubj", "poss"):
            p = ctx.place_at(t) if t.i != tok.i else None
            if p is not None and not ctx.side_of(t.text):
                return _strip(p)
    return None


def _place_here(ctx: Context, t, anchor: int):
    p = ctx.place_at(t)
    if p is not None and not ctx.same_line(anchor, (p.get("evidence") or {}).get("start", anchor)):
        return None
    if p is not None:
        return _strip(p)
    for _k, o in prep_objects(t, "of", "in", "near", "outside"):   # "a checkpoint in Mogadishu"
        p = ctx.place_at(o)
        if p is not None and ctx.same_line(anchor, (p.get("evidence") or {}).get("start", anchor)):
            return _strip(p)
    return None


def _strip(p: dict) -> dict:
    return {k: p.get(k) for k in ("name", "resolved", "precision")}


def _mode(ctx: Context, tok, entry: dict) -> str | None:
    """The trigger's mode, refined by weapon/aid words among its arguments ("drone strike")."""
    if entry["type"] not in (ctx.lex.get("mode_types") or ()) or entry.get("mode") not in REFINABLE_MODES:
        return entry.get("mode")
    aid = set(ctx.lex.get("aid_modes") or ())
    modes = {m: set(v) for m, v in (ctx.lex.get("modes") or {}).items() if (m in aid) == (entry["type"] == "AID")}
    words = [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod", "nsubj", "nsubjpass")]
    words += [o for _k, o in prep_objects(tok, "by", "with", "from")]
    if entry.get("needs") or entry["type"] == "AID":     # the object is the weapon / the aid
        words += [t for c in tok.children if c.dep_ in ("dobj", "dative") for t in c.subtree]
        words += [t for _k, o in prep_objects(tok, "with") for t in o.subtree]
    words += [g for c in words for g in c.children if g.dep_ in ("compound", "amod")]
    lows = {w.lower_ for w in words} | {w.lemma_.lower() for w in words}
    for mode, vocab in modes.items():
        if lows & vocab:
            return mode
    return entry.get("mode")


def _from_control(ctx: Context, c: dict) -> dict:
    table = ctx.lex.get("control_events") or {}
    key = c["frame"] if c["frame"] in ("withdraw", "handover") else c["modality"]
    spec = table.get(key) or table.get("asserted") or {"type": "COERCE", "mode": "occupy"}
    tok = c["_tok"]
    asserted_by, claim = ctx.attribution(tok)
    date, precision = ctx.date_for(tok)
    actor = c.get("from") if c["frame"] in ("withdraw", "handover", "lose") else c.get("to")
    return {"event_type": spec["type"], "mode": spec.get("mode"), "actor": _side_only(actor),
            "target": None, "place": _strip(c["place"]), "date": date, "date_precision": precision,
            "quantities": [], "asserted_by": asserted_by, "claim": claim, "modality": c["modality"],
            "evidence": ctx.evidence(tok), "trigger": c["trigger"], "confidence": 0.6}


def _dedupe(events: list[dict]) -> list[dict]:
    """A caption repeating the body, or two mentions of one strike, is one event."""
    kept, seen = [], set()
    for e in events:
        key = (e["event_type"], (e.get("actor") or {}).get("side"), (e.get("place") or {}).get("name"),
               e.get("date"), e["modality"], e["trigger"].lower(), e["evidence"]["text"])
        loose = key[:6]
        if key in seen or (loose in seen and e["place"] is not None):
            continue
        seen.update({key, loose})
        kept.append(e)
    return kept


# ------------------------------------------------------------------------------ modality

TRANSPARENT = {"xcomp", "conj", "pcomp", "pobj", "prep", "acl", "amod", "appos", "compound", "attr"}
NOMINAL_UP = {"dobj", "nsubj", "nsubjpass", "pobj", "attr", "appos", "conj", "compound"}


def modality_of(ctx: Context, tok, annex: bool = False) -> str:
    """asserted | negated | attempted | threatened | possible, from the words governing ``tok``.

    "failed to capture" -> negated; "tried to retake", "an offensive to capture" -> attempted;
    "threatens to capture", "vowed to retake" -> threatened; "could fall", "may have entered",
    "if X falls" -> possible. Climbs xcomp / infinitive / nominal links, never a clause border.
    An annexation stays a claim under "would"/"will" and purpose infinitives.
    """
    mod = ctx.lex.get("modality") or {}
    sets = {k: set(mod.get(k) or ()) for k in ("attempted", "negated", "threatened", "possible",
                                                "annex_ignores", "achieved")}
    if annex:
        sets["possible"] -= sets["annex_ignores"]
    transient = set(mod.get("transient") or ())
    if not annex and any(c.dep_ == "advmod" and c.lower_ in transient for c in tok.children):
        return "attempted"                      # "briefly entered Gondar before being pushed out"
    node = tok
    for step in range(6):
        if step:
            lem = node.lemma_.lower()
            if lem in sets["achieved"]:
                return "asserted"
            for kind in ("negated", "threatened", "attempted", "possible"):
                if lem in sets[kind] or node.lower_ in sets[kind]:
                    return kind
        for c in node.children:
            low, dep = c.lower_, c.dep_
            if dep == "neg" or (low in ("never", "no") and dep in ("advmod", "det")):
                return "negated"
            if dep in ("aux", "advmod", "mark", "acomp") and (low in sets["possible"] or c.lemma_.lower() in sets["possible"]):
                return "possible"
            if dep == "amod" and low in AMOD_MODALITY:
                return AMOD_MODALITY[low]
        if node.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children) and not annex:
            gov = node.head.lemma_.lower()
            if node.dep_ in ("advcl", "acl", "relcl"):
                return "attempted"          # purpose: "launched an offensive to capture"
            if node.dep_ == "xcomp" and not any(gov in sets[k] for k in sets if k != "annex_ignores"):
                return "possible"           # "needs to retake", "hopes to enter"
        if node.pos_ in ("NOUN", "PROPN") and node.dep_ in ("nsubj", "nsubjpass"):
            break                               # "the annexation was never recognised"
        up = node.dep_ in TRANSPARENT or (node.pos_ in ("NOUN", "PROPN") and node.dep_ in NOMINAL_UP)
        if not up or node.head is node:
            break
        node = node.head
    return "asserted"


AMOD_MODALITY = {"attempted": "attempted", "failed": "negated", "planned": "threatened",
                 "threatened": "threatened", "alleged": "possible", "possible": "possible",
                 "potential": "possible", "likely": "possible", "imminent": "possible"}


# ------------------------------------------------------------------------------ denials

def denial_of(ctx: Context, tok) -> dict | None:
    """Is the change at ``tok`` denied? ("denied that X had been captured", "claims that X
    was captured are false"). Returns ``{"name", "side", "claimed_side"}`` of the denial."""
    den = ctx.lex.get("denial") or {}
    deny, false = set(den.get("deny") or ()), set(den.get("falsity") or ())
    claim_nouns = set(den.get("claim_nouns") or ())
    node = tok
    for _ in range(6):
        if node.head is node:
            break
        node = node.head
        lem = node.lemma_.lower()
        if lem in deny and node.pos_ == "VERB":
            who = next((c for c in node.children if c.dep_ == "nsubj"), None)
            spk = ctx.actor(who) if who is not None else None
            claimed = _claimed_side(ctx, next((c for c in node.children if c.dep_ == "dobj"), None))
            return {"name": (spk or {}).get("name"), "side": (spk or {}).get("side"), "claimed_side": claimed}
        if lem in claim_nouns or node.lower_ in claim_nouns:
            falsity = [c for c in node.children if c.dep_ == "amod" and c.lower_ in false]
            if node.head is not node:
                falsity += [c for c in node.head.children if c.dep_ in ("acomp", "attr") and
                            (c.lower_ in false or c.lemma_.lower() in false)]
            if falsity:
                spk, _claim = ctx.attribution(node)
                return {"name": (spk or {}).get("name"), "side": (spk or {}).get("side"),
                        "claimed_side": _claimed_side(ctx, node)}
        if node.pos_ in ("VERB", "AUX") and any(c.dep_ in ("acomp", "attr") and c.lower_ in false
                                                  for c in node.children):
            spk, _claim = ctx.attribution(node)
            return {"name": (spk or {}).get("name"), "side": (spk or {}).get("side"), "claimed_side": None}
        if node.dep_ in ("ROOT",) or (node.pos_ == "VERB" and node.lemma_.lower() in ("say", "tell")):
            break
    return None


def _claimed_side(ctx: Context, noun) -> str | None:
    """"Russian claims", "Moscow's claims", "claims by the RSF" -> the claimant's side."""
    if noun is None:
        return None
    for c in noun.children:
        if c.dep_ in ("amod", "poss", "compound", "nmod") and ctx.side_of(c.text):
            return ctx.side_of(c.text)
    by = next((o for _k, o in prep_objects(noun, "by", "from")), None)
    return ctx.side_of(by.text) if by is not None else None


def find_denials(ctx: Context) -> list[dict]:
    """"repelled a Russian attack on Kreminna", "the advance was halted at Dudchany",
    "we are holding Bakhmut": the attacker is denied the place (stance denied)."""
    den = ctx.lex.get("denial") or {}
    repel, hold = set(den.get("repel") or ()), set(den.get("hold") or ())
    particles = den.get("repel_particles") or {}
    attack_nouns = set(den.get("attack_nouns") or ())
    out = []
    verbs = repel | hold
    lemmas = token_lemmas(ctx.doc)
    for i, lem in enumerate(lemmas):
        if lem not in verbs:
            continue
        tok = ctx.doc[i]
        if tok.pos_ != "VERB":
            continue
        if modality_of(ctx, tok) != "asserted":
            continue
        objs = children(tok, "dobj", "nsubjpass") or [c for c in tok.rights if c.dep_ in ("advmod", "npadvmod")
                                                       and ctx.place_at(c) is not None]
        attack = next((o for o in objs if o.lemma_.lower() in attack_nouns), None)
        needs = particles.get(lem)
        has_particle = needs is None or any(c.lower_ == needs for c in tok.children)
        attacker = places = None
        if lem in repel and has_particle and attack is not None:
            mod = next((c for c in attack.children if c.dep_ in ("amod", "poss", "compound", "nmod")
                        and ctx.side_of(c.text)), None)
            attacker = ctx.side_of(mod.text) if mod is not None else None
            targets = [o for _k, o in prep_objects(attack, "on", "near", "at", "in", "towards", "toward",
                                                   "against", "into", "around", "outside")]
            targets += [o for _k, o in prep_objects(tok, "at", "near", "in", "outside", "around", "on")]
            places = [p for t in targets for p in _places_for(ctx, t)]
        elif lem in repel and has_particle and objs and ctx.is_military(objs[0], ctx.actor(objs[0])):
            attacker = (ctx.actor(objs[0]) or {}).get("side")
            targets = [o for _k, o in prep_objects(tok, "at", "near", "in", "outside", "around", "from")]
            places = [p for t in targets for p in _places_for(ctx, t)]
        elif lem in hold and not needs and objs and not attack:
            holder_tok = subject(tok)
            holder = ctx.actor(holder_tok) if holder_tok is not None else None
            own_voice = holder_tok is not None and holder_tok.lower_ in ("we", "us")
            still = any(c.lower_ in ("still", "firmly") for c in tok.children) or \
                tok.head.lemma_.lower() in ("continue", "remain")
            if holder and holder.get("side") and (own_voice or still) and ctx.is_military(holder_tok, holder):
                attacker = ctx.other_side(holder["side"])
                places = [p for t in objs for p in _places_for(ctx, t)]
        if not places or not attacker:
            continue
        spk, _claim = ctx.attribution(tok)
        for place in places:
            out.append({"_tok": tok, "_entry": {"confidence": 0.7}, "_agent": None, "frame": "gain",
                        "place": place, "to": {"name": attacker, "side": attacker}, "from": None,
                        "stance": "denied", "modality": "asserted", "trigger": tok.text, "_inferred": False,
                        "_denier": {"name": (spk or {}).get("name"), "side": (spk or {}).get("side"),
                                    "claimed_side": attacker}})
    return out


def _places_for(ctx, tok):
    from sitrep.nlp.control import places_for  # control imports this module

    return places_for(ctx, tok)
