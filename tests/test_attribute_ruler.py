"""The compiled attribute ruler (sitrep/nlp/attribute_ruler.py) gives exactly spaCy's annotations."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.pipeline import AttributeRuler

from sitrep.nlp.attribute_ruler import (
    FastAttributeRuler,
    compile_ruler,
    use_fast_attribute_ruler,
)
from sitrep.options import Options

ROOT = Path(__file__).resolve().parents[1]
TEXTS = sorted((ROOT / "src" / "sitrep" / "examples").glob("*.txt")) + sorted((ROOT / "tests" / "data").rglob("*.txt"))
# sentences for the model's rarer rules: two-token words, DEP- and LOWER-specific rules, whitespace
RARE = [
    "Gonna be honest: we gotta leave, let's go. C'mon, y'all know it ain't over.",
    "There is no water and there were no doctors, but the convoy still got through.",
    "I saw it and it saw me; they gave it to you and you gave it to I.",
    "He does what he did, and she has what she had; that is what they do.",
    "The army gets the town back.  Shelling resumed.\n\nWhich of them left? That was all.",
    "Residents said   the bridge, which the militia had destroyed, is being rebuilt\tquickly.",
]


def _annotations(nlp, texts):
    out = []
    for doc in nlp.pipe(texts):
        out.append([(t.text, t.pos_, t.tag_, t.dep_, t.head.i, t.lemma_, t.morph.key, str(t.morph), t.ent_type_,
                     t.ent_iob_) for t in doc])
    return out


@pytest.fixture(scope="module")
def pair():
    model = Options().model
    plain, fast = spacy.load(model), spacy.load(model)
    assert use_fast_attribute_ruler(fast)
    return plain, fast


def test_same_annotations_as_spacy(pair):
    plain, fast = pair
    texts = RARE + [p.read_text(encoding="utf-8", errors="replace") for p in TEXTS]
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert type(plain.get_pipe("attribute_ruler")) is AttributeRuler
    assert fast.pipe_names == plain.pipe_names
    a, b = _annotations(plain, texts), _annotations(fast, texts)
    assert sum(len(d) for d in a) > 5000
    for doc_a, doc_b in zip(a, b):
        assert doc_a == doc_b


def test_rare_rules_are_exercised(pair):
    """The two-token and DEP rules fire in RARE (so the comparison above covers them)."""
    _, fast = pair
    doc = fast(RARE[0])
    lemmas = {t.lower_: t.lemma_ for t in doc}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to" and lemmas["ta"] == "to"
    assert lemmas["'s"] == "us" and lemmas["c'm"] == "come" and lemmas["y'"] == "you"
    doc = fast(RARE[1])
    assert [t.pos_ for t in doc if t.lower_ in ("is", "were")] == ["VERB", "VERB"]
    doc = fast(RARE[4])
    assert any(t.is_space and t.pos_ == "SPACE" and t.tag_ == "_SP" for t in doc)


def test_plain_rules_only(pair):
    plain, _ = pair
    ruler = AttributeRuler(plain.vocab)
    ruler.add([[{"LOWER": "x", "OP": "+"}]], {"POS": "X"})
    assert compile_ruler(ruler) is None
    ruler = AttributeRuler(plain.vocab)
    ruler.add([[{"LOWER": "x"}]], {"NORM": "y"})          # an attribute it does not set
    assert compile_ruler(ruler) is None
    ruler = AttributeRuler(plain.vocab)
    ruler.add([[{"LOWER": "x"}, {"LOWER": "y"}]], {"POS": "X"}, index=1)
    assert compile_ruler(ruler) is not None


def test_unsupported_ruler_is_kept():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"TAG": "NN", "OP": "?"}]], {"POS": "NOUN"})
    assert not use_fast_attribute_ruler(nlp)
    assert type(nlp.get_pipe("attribute_ruler")) is AttributeRuler
    assert not use_fast_attribute_ruler(spacy.blank("en"))        # no ruler at all


def test_custom_rules_and_order():
    """Later rules win; multi-token indices (negative too); a blank pipeline with user rules."""
    def build(fast: bool):
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("attribute_ruler")
        ruler.add([[{"LOWER": {"IN": ["rebels", "troops"]}}]], {"POS": "NOUN", "LEMMA": "fighter"})
        ruler.add([[{"LOWER": "troops"}]], {"LEMMA": "troop"})
        ruler.add([[{"LOWER": "took"}, {"LOWER": {"REGEX": "^con"}}]], {"LEMMA": "seize"}, index=-2)
        ruler.add([[{"IS_PUNCT": True}]], {"POS": "PUNCT"})
        ruler.add([[{"LOWER": {"NOT_IN": ["the"]}, "IS_ALPHA": True}]], {"MORPH": "Foo=Bar"})
        if fast:
            assert use_fast_attribute_ruler(nlp)
        return nlp

    text = "The rebels took control, then troops took Contested ground and took back the town."
    got = [[(t.pos_, t.lemma_, str(t.morph)) for t in build(f)(text)] for f in (False, True)]
    assert got[0] == got[1]
    doc = build(True)(text)
    assert [t.lemma_ for t in doc if t.lower_ in ("rebels", "troops")] == ["fighter", "troop"]
    assert [t.lemma_ for t in doc if t.lower_ == "took"] == ["seize", "seize", ""]


def test_serialisation_round_trip(pair, tmp_path):
    plain, fast = pair
    component = fast.get_pipe("attribute_ruler")
    assert component.patterns == plain.get_pipe("attribute_ruler").patterns
    again = FastAttributeRuler(fast.vocab).from_bytes(component.to_bytes())
    assert again.patterns == component.patterns
    component.to_disk(tmp_path / "ruler")
    from_disk = FastAttributeRuler(fast.vocab).from_disk(tmp_path / "ruler")
    doc_a, doc_b = plain.make_doc(RARE[0]), fast.make_doc(RARE[0])
    for (_, proc_a), (_, proc_b) in zip(plain.pipeline[:3], fast.pipeline[:3]):   # tok2vec, tagger, parser
        doc_a, doc_b = proc_a(doc_a), proc_b(doc_b)
    plain.get_pipe("attribute_ruler")(doc_a)
    from_disk(doc_b)
    assert [(t.pos_, t.lemma_, t.morph.key) for t in doc_a] == [(t.pos_, t.lemma_, t.morph.key) for t in doc_b]


def test_build_pipeline_swaps_unless_told_not_to(nlp, base_options, gazetteer):
    from sitrep.nlp.pipeline import build_pipeline

    assert isinstance(nlp.get_pipe("attribute_ruler"), FastAttributeRuler)
    kept = build_pipeline(base_options.with_(fast_attribute_ruler=False), gazetteer=gazetteer)
    assert type(kept.get_pipe("attribute_ruler")) is AttributeRuler
