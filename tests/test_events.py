"""PLOVER events (sitrep_events -> doc._.events) and quantities."""
from __future__ import annotations

import pytest
import yaml

from conftest import DATA

CASES = yaml.safe_load((DATA / "events" / "event_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def process(nlp):
    """process(text, published) -> Doc through the real pipeline (conftest ``nlp``)."""
    from sitrep.nlp.pipeline import run

    def _process(text, published="2022-10-05"):
        ((doc, _ctx),) = list(run(nlp, [(text, {"doc_id": "t", "published": published})]))
        return doc

    return _process


def _ok(ev, want) -> bool:
    for key, val in want.items():
        if key == "actor_side":
            ok = (ev.get("actor") or {}).get("side") == val
        elif key == "place":
            place = ev.get("place") or {}
            ok = val in (place.get("name"), (place.get("resolved") or {}).get("name"))
        elif key == "quantities":
            got = {(q["value"], q["unit"]) for q in ev.get("quantities") or []}
            ok = all(tuple(q) in got for q in val)
        elif key == "asserted_by":
            ok = val.lower() in ((ev.get("asserted_by") or {}).get("name") or "").lower()
        else:
            ok = ev.get(key) == val
        if not ok:
            return False
    return True


def _summary(doc):
    return [(e["event_type"], e["mode"], (e.get("actor") or {}).get("side"), (e.get("place") or {}).get("name"),
             e["date"], e["modality"], [(q["value"], q["unit"]) for q in e["quantities"]], e["trigger"])
            for e in doc._.events]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_event_case(process, case):
    doc = process(case["text"].strip(), case.get("published", "2022-10-05"))
    assert any(_ok(ev, case["expect"]) for ev in doc._.events), _summary(doc)


def test_event_records_have_contract_fields_and_exact_evidence(process):
    doc = process("Russian air strikes on Kharkiv killed four civilians. Russia mobilized 300,000 reservists.")
    assert doc._.events
    for ev in doc._.events:
        for key in ("event_type", "mode", "actor", "target", "place", "date", "quantities", "asserted_by",
                    "evidence", "modality", "trigger"):
            assert key in ev
        assert doc.text[ev["evidence"]["start"]:ev["evidence"]["end"]] == ev["evidence"]["text"]


def test_caption_repeated_is_one_event(process):
    text = ("Russian shelling of Kharkiv continued\nRussian shelling of Kharkiv continued\n"
            "Russian shelling of Kharkiv continued.")
    doc = process(text)
    assert len([e for e in doc._.events if e["event_type"] == "ASSAULT"]) == 1, _summary(doc)


def test_rejected_talks_are_not_also_a_consultation(process):
    doc = process("The Sudanese army rejected talks with the RSF.")
    types = [e["event_type"] for e in doc._.events]
    assert "REJECT" in types and "CONSULT" not in types, _summary(doc)


def test_control_changes_are_not_repeated_as_events(process):
    doc = process("M23 rebels captured Goma on Monday.")
    assert doc._.control_changes
    assert not [e for e in doc._.events if e["trigger"] == "captured"]


# --- quantities (parse only: the model, no sitrep components) ----------------------------------

@pytest.fixture(scope="module")
def parser(base_options):
    from sitrep.nlp.pipeline import load_spacy

    return load_spacy(base_options.model)


@pytest.mark.parametrize("text, expected", [
    ("destroyed 31 Russian tanks and one multiple rocket launcher",
     [(31, "tank", False), (1, "launcher", False)]),
    ("pushing the frontline back by an additional 20km", [(20, "km", False)]),
    ("Russia has mobilized hundreds of thousands of reservists", [(200000, "reservist", True)]),
    ("The town is about 30 kilometres south", [(30, "km", True)]),
    ("at least 12 civilians were killed and dozens of homes destroyed", [(12, "civilian", True), (24, "home", True)]),
    ("1,200 people fled", [(1200, "people", False)]),
    ("a dozen drones hit Kyiv", [(12, "drone", False)]),
    ("close to 18 per cent of Ukrainian territory", [(18, "percent", True)]),
    ("after more than four months of occupation", []),
    ("2.5 million people", [(2500000, "people", False)]),
    ("the two sides agreed to a 72-hour ceasefire", [(2, "side", False)]),
    ("a 20-km stretch of the front", [(20, "km", False)]),
    ("more than 300 civilians were killed on March 3", [(300, "civilian", True)]),
    ("the rebels captured the city in 2014, killing 20 soldiers", [(20, "soldier", False)]),
])
def test_quantities(parser, text, expected):
    from sitrep.nlp.quantities import find_quantities

    doc = parser(text)
    got = find_quantities(doc)
    assert [(q["value"], q["unit"], q["approximate"]) for q in got] == expected
    for q in got:
        assert doc.text[q["start"]:q["end"]] == q["text"]


@pytest.mark.parametrize("text, not_type", [
    ("The fire burned for hours before it was put out.", "ASSAULT"),
    ("The protesters burned tyres.", "ASSAULT"),
    ("Russian troops marched into the town of Kherson.", "PROTEST"),
])
def test_burn_and_march_need_their_objects_or_marchers(process, text, not_type):
    assert not [e for e in process(text)._.events if e["event_type"] == not_type]


def test_a_month_in_a_date_is_never_a_place(process):
    doc = process("More than 300 civilians were killed in the attack on the camp on March 3.", "2024-03-05")
    assert [((e.get("place") or {}).get("name"), e["date"]) for e in doc._.events] == [(None, "2024-03-03")]
