"""Control changes (sitrep_events): our fixture sentences across conflicts, and the seeds."""
from __future__ import annotations


import pytest
import yaml

from conftest import DATA

CASES = yaml.safe_load((DATA / "events" / "control_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def process(nlp):
    """process(text, published, doc_id) -> Doc through the real pipeline (conftest ``nlp``)."""
    from sitrep.nlp.pipeline import run

    def _process(text, published="2022-10-05", doc_id="t"):
        ((doc, _ctx),) = list(run(nlp, [(text, {"doc_id": doc_id, "published": published})]))
        return doc

    return _process


def _summary(doc):
    return [(c["place"]["name"], (c["to"] or {}).get("side"), c["stance"],
             (c["asserted_by"] or {}).get("name"), c["date"], c["trigger"]) for c in doc._.control_changes]


def _matches(rec, want) -> bool:
    if rec["place"]["name"] != want["place"] and (rec["place"].get("resolved") or {}).get("name") != want["place"]:
        return False
    if (rec.get("to") or {}).get("side") != want["to"] or rec["stance"] != want.get("stance", "asserted"):
        return False
    if "from" in want and (rec.get("from") or {}).get("side") != want["from"]:
        return False
    if "asserted_by" in want:
        got = (rec.get("asserted_by") or {}).get("name")
        if want["asserted_by"] is None:
            if got:
                return False
        elif not got or want["asserted_by"].lower() not in got.lower():
            return False
    for key in ("date", "date_precision"):
        if key in want and rec.get(key) != want[key]:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_control_case(process, case):
    doc = process(case["text"].strip(), case.get("published", "2022-10-05"))
    got = doc._.control_changes
    if case.get("none"):
        assert got == [], _summary(doc)
        if case.get("event"):
            want = case["event"]
            assert any(all(e.get(k) == v for k, v in want.items()) for e in doc._.events), \
                [(e["event_type"], e["modality"], e["trigger"]) for e in doc._.events]
        return
    assert len(got) == len(case["expect"]), _summary(doc)
    for want in case["expect"]:
        assert any(_matches(rec, want) for rec in got), (want, _summary(doc))


def test_fixture_set_is_large_enough():
    assert len(CASES) >= 60


def test_every_record_has_exact_evidence_and_contract_fields(process):
    text = "M23 rebels captured Goma on Monday. The fall of Bukavu to M23 rebels followed."
    doc = process(text)
    assert doc._.control_changes
    for rec in doc._.control_changes:
        ev = rec["evidence"]
        assert doc.text[ev["start"]:ev["end"]] == ev["text"]
        for key in ("place", "to", "from", "asserted_by", "stance", "date", "date_precision",
                    "confidence", "claim", "trigger", "modality"):
            assert key in rec
        assert 0.0 <= rec["confidence"] <= 1.0


def test_claim_link_points_at_the_covering_claim(process):
    doc = process("Vladimir Saldo told Russian state television that Ukrainian troops had recaptured Dudchany.")
    (rec,) = doc._.control_changes
    if rec["claim"] is not None:
        claim = doc._.claims[rec["claim"]]
        assert claim["text_span"]["start"] <= doc.text.index("recaptured") < claim["text_span"]["end"]
    assert "Saldo" in rec["asserted_by"]["name"]


def test_component_works_without_setup(base_options):
    """Lazy defaults: a pipeline that never called setup() still annotates."""
    import spacy

    import sitrep.nlp.events  # noqa: F401
    from sitrep.nlp.pipeline import register_extensions

    register_extensions()
    nlp = spacy.load(base_options.model)
    nlp.add_pipe("sitrep_events")
    doc = nlp("Russian forces failed to capture Kupiansk.")
    assert doc._.control_changes == []
    assert isinstance(doc._.events, list)
