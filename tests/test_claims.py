"""sitrep_claims: attributed statements with resolved speakers, on our own fixtures and the seeds."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitrep.options import Options

FIXTURES = yaml.safe_load((Path(__file__).parent / "data" / "claims" / "fixtures.yaml").read_text("utf-8"))
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def claims_nlp():
    """The real model with only sitrep_claims (other components are tested elsewhere)."""
    import spacy

    from sitrep.nlp.claims import ClaimsComponent  # noqa: F401  (registers the factory)
    from sitrep.nlp.pipeline import register_extensions

    register_extensions()
    nlp = spacy.load(Options().model)
    nlp.add_pipe("sitrep_claims")
    return nlp


def run(nlp, text: str, outlet: str | None = None):
    from sitrep.nlp.pipeline import set_context

    doc = nlp.make_doc(text)
    set_context(doc, {"doc_id": "t", "meta": {"outlet": outlet} if outlet else {}})
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def _describe(claims) -> str:
    return "\n".join(f"  {c['kind']:8} {c['speaker']} :: {c['text']!r}" for c in claims)


def _matches(claim: dict, want: dict) -> bool:
    words = set(claim["speaker"]["name"].lower().split())
    if not set(want["speaker"].lower().split()) <= words | {w.strip(".,") for w in words}:
        return False
    if "side" in want and claim["speaker"]["side"] != want["side"]:
        return False
    if "kind" in want and claim["kind"] != want["kind"]:
        return False
    return want["contains"] in claim["text"]


@pytest.mark.parametrize("case", FIXTURES, ids=[c["id"] for c in FIXTURES])
def test_fixture(claims_nlp, case):
    doc = run(claims_nlp, case["text"], case.get("outlet"))
    claims = doc._.claims
    for want in case.get("claims") or []:
        assert any(_matches(c, want) for c in claims), f"missing {want}\ngot:\n{_describe(claims)}"
    if "count" in case:
        assert len(claims) == case["count"], f"expected {case['count']} claims, got:\n{_describe(claims)}"
    for phrase in case.get("absent") or []:
        assert not any(phrase in c["text"] for c in claims), _describe(claims)


def _assert_exact(doc):
    for c in doc._.claims:
        span, ev = c["text_span"], c["evidence"]
        assert doc.text[span["start"]:span["end"]] == c["text"]
        assert doc.text[ev["start"]:ev["end"]] == ev["text"]
        assert ev["start"] <= span["start"] and span["end"] <= ev["end"]
        assert set(c["speaker"]) == {"name", "title", "side"}
        assert c["kind"] in ("direct", "indirect")


def test_offsets_exact_on_all_fixtures(claims_nlp):
    for case in FIXTURES:
        _assert_exact(run(claims_nlp, case["text"], case.get("outlet")))


def test_works_lazily_without_setup():
    import spacy

    from sitrep.nlp.claims import ClaimsComponent  # noqa: F401
    from sitrep.nlp.pipeline import register_extensions

    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("sitrep_claims")
    doc = nlp("Nothing to parse here.")
    assert doc._.claims == []


def test_user_cue_file_extends_verbs(tmp_path):
    from sitrep.nlp.claims import load_cues

    (tmp_path / "cues.yaml").write_text("speech_verbs: [opine]\n", encoding="utf-8")
    cues = load_cues(Options(extra_data_dirs=(tmp_path,)))
    assert "opine" in cues["speech_verbs"] and "say" in cues["speech_verbs"]


# --- the seeds -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_docs(claims_nlp):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    return {p.stem: run(claims_nlp, p.read_text("utf-8")) for p in sorted(SEEDS.glob("*.txt"))}


def test_offsets_exact_on_seeds(seed_docs):
    for doc in seed_docs.values():
        _assert_exact(doc)


def test_both_peskov_renderings_attributed_to_peskov(seed_docs):
    texts = {
        "000": "Certain territories will still be returned",
        "004": "certain territories will be reclaimed",
    }
    for stem, doc in seed_docs.items():
        want = texts.get(stem[:3])
        if want:
            hits = [c for c in doc._.claims if want in c["text"]]
            assert hits and all(c["speaker"]["name"] == "Dmitry Peskov" for c in hits), _describe(doc._.claims)
            assert hits[0]["speaker"]["side"] == "RUS"
