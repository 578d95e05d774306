"""sitrep_places on short sentences we wrote (real model, real gazetteer), and on the seeds."""
from __future__ import annotations

import importlib.util
import json

import pytest

import sitrep.nlp.places  # noqa: F401  (registers the sitrep_places factory)


UA_IDS = {"Kharkiv": 706483, "Kyiv": 703448, "Zaporizhzhia": 687700, "Izium": 707292, "Lyman": 704204,
          "Kupiansk": 703656, "Mykolaiv": 700569, "Kryvyi Rih": 703845, "Bakhmut": 713174}


@pytest.fixture(scope="session")
def places_nlp(base_options, gazetteer):
    """The real model with only sitrep_places (the other components are not needed here)."""
    import spacy

    nlp = spacy.load(base_options.model)
    nlp.add_pipe("sitrep_places")
    nlp.get_pipe("sitrep_places").setup(options=base_options, gazetteer=gazetteer)
    return nlp


def places(nlp, text):
    doc = nlp(text)
    return doc, doc._.places


def named(ps, name):
    hits = [p for p in ps if p["name"] == name]
    assert hits, f"{name!r} not found in {[p['name'] for p in ps]}"
    return hits


def ids(ps):
    return {p["name"]: (p["resolved"] or {}).get("geonames_id") for p in ps}


# -- transliteration and renaming -------------------------------------------------------------

def test_russian_spellings_resolve_to_the_ukrainian_places(places_nlp):
    _, ps = places(places_nlp, "Russian troops shelled Kharkov and Zaporozhye overnight; Izyum and Kupyansk "
                               "were also hit, officials in Kiev said.")
    got = ids(ps)
    assert got["Kharkov"] == UA_IDS["Kharkiv"] and got["Zaporozhye"] == UA_IDS["Zaporizhzhia"]
    assert got["Izyum"] == UA_IDS["Izium"] and got["Kupyansk"] == UA_IDS["Kupiansk"]
    assert got["Kiev"] == UA_IDS["Kyiv"]


def test_old_names_and_variants_resolve(places_nlp):
    _, ps = places(places_nlp, "Ukrainian forces advanced near Novogrygorivka and Krasny Liman, and struck "
                               "Artemovsk, Nikolayev and Krivoy Rog.")
    got = ids(ps)
    assert got["Krasny Liman"] == UA_IDS["Lyman"] and got["Artemovsk"] == UA_IDS["Bakhmut"]
    assert got["Nikolayev"] == UA_IDS["Mykolaiv"] and got["Krivoy Rog"] == UA_IDS["Kryvyi Rih"]
    assert named(ps, "Novogrygorivka")[0]["resolved"]["name"] == "Novohryhorivka"


def test_apostrophes_and_diacritics(places_nlp):
    _, ps = places(places_nlp, "Shelling hit Kup’yans’k and Zaporižžja on Sunday.")
    got = ids(ps)
    assert got["Kup’yans’k"] == UA_IDS["Kupiansk"] and got["Zaporižžja"] == UA_IDS["Zaporizhzhia"]


# -- what is not a place ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Ukrainian and Russian officials met, as Sudanese and Syrian refugees fled.",
    "The Ukrainians and the Russians both claimed gains.",
    "Congolese and Burmese delegates spoke.",
])
def test_demonyms_are_not_places(places_nlp, text):
    _, ps = places(places_nlp, text)
    assert ps == []


@pytest.mark.parametrize("text,start", [("Ukraine's army advanced.", 0), ("It is Russia’s war.", 6),
                                        ("Sudan's army regrouped.", 0)])
def test_possessive_is_not_part_of_the_name(places_nlp, text, start):
    doc, ps = places(places_nlp, text)
    (p,) = ps
    assert p["name"] == text[start:].split("'")[0].split("’")[0] and p["precision"] == "country"
    assert p["evidence"] == {"start": start, "end": start + len(p["name"]), "text": p["name"]}


@pytest.mark.parametrize("text", [
    "Vladimir Saldo said Mr. Putin would visit.",
    "Lyman Frank Baum wrote books.",
    "Stalin ordered the deportations.",
    "The Globe reported in May that Watch the West was popular.",
    "Mykola Bielieskov, a senior analyst at Come Back Alive, spoke to the MOD and RIA.",
])
def test_people_organisations_and_common_words_are_not_places(places_nlp, text):
    _, ps = places(places_nlp, text)
    assert ps == [], ps


@pytest.mark.parametrize("text", [
    "Zelensky thanked Biden and Scholz.",                   # NER calls them GPE; nothing says place
    "Hamas and Hezbollah fired rockets.",                    # "Hamas" is an alternate name of Hamm
    "Speaking to CNN, Senator Lindsey Graham said Congress would act, Israel said.",
])
def test_names_the_model_mislabels_are_not_places(places_nlp, text):
    _, ps = places(places_nlp, text)
    assert [p["name"] for p in ps] in ([], ["Israel"])


@pytest.mark.parametrize("text, name, country", [
    ("Fighting was reported in Avdiivka.", "Avdiivka", "UA"),       # the model says PERSON
    ("Fighting was reported in Khan Younis.", "Khan Younis", "PS"),  # a two-word PERSON
    ("Israeli troops withdrew from Khan Younis on Sunday.", "Khan Younis", "PS"),
])
def test_a_town_the_model_calls_a_person_is_a_place_after_in_or_from(places_nlp, text, name, country):
    _, ps = places(places_nlp, text)
    assert [(p["name"], (p["resolved"] or {}).get("country")) for p in ps] == [(name, country)]


def test_a_mislabelled_list_of_towns_is_still_places(places_nlp):
    _, ps = places(places_nlp, "Russian troops attacked near Avdiivka, Marinka and Vuhledar in the Donetsk region.")
    got = {p["name"]: (p["resolved"] or {}).get("admin1") for p in ps}
    assert got == {"Avdiivka": "Donetsk", "Marinka": "Donetsk", "Vuhledar": "Donetsk", "Donetsk": "Donetsk"}


def test_a_region_after_a_list_holds_only_the_towns_that_lie_in_it(places_nlp):
    _, ps = places(places_nlp, "Missiles hit Kharkiv, Dnipro and Kupiansk in Kharkiv region.")
    got = {p["evidence"]["text"]: (p["precision"], (p["resolved"] or {}).get("admin1")) for p in ps}
    assert got["Dnipro"] == ("settlement", "Dnipropetrovsk")        # a city elsewhere, not the region
    assert got["Kupiansk"] == ("settlement", "Kharkiv") and got["Kharkiv region"] == ("admin1", "Kharkiv")


def test_dateline_in_capitals(places_nlp):
    _, ps = places(places_nlp, "KYIV, Ukraine (AP) — Russian forces pounded the eastern city of Bakhmut.")
    assert ids(ps) == {"KYIV": UA_IDS["Kyiv"], "Ukraine": 690791, "Bakhmut": UA_IDS["Bakhmut"]}


def test_a_capital_beats_a_same_named_state(places_nlp):
    _, ps = places(places_nlp, "In Washington, President Joe Biden promised more aid to Ukraine.")
    assert named(ps, "Washington")[0]["resolved"]["feature"] == "PPLC"


def test_a_small_namesake_abroad_is_not_pinned(places_nlp):
    _, ps = places(places_nlp, "The RSF took El Fasher, the capital of North Darfur state in Sudan. "
                               "The army said its troops had withdrawn to Tawila.")
    tawila = named(ps, "Tawila")[0]            # only a Yemeni Tawila is in the gazetteer
    assert tawila["resolved"] is None and tawila["precision"] is None


def test_a_city_inside_an_organisation_name_is_a_place(places_nlp):
    _, ps = places(places_nlp, "The Kyiv city council said pills will be distributed.")
    assert ids(ps) == {"Kyiv": UA_IDS["Kyiv"]}


# -- regions and cities -----------------------------------------------------------------------

def test_region_word_makes_the_admin1_unit_and_stays_in_the_evidence(places_nlp):
    _, ps = places(places_nlp, "A rocket was launched toward positions in Kharkiv region on Tuesday.")
    (p,) = ps
    assert p["name"] == "Kharkiv" and p["evidence"]["text"] == "Kharkiv region"
    assert p["precision"] == "admin1" and p["resolved"]["feature"] == "ADM1"


def test_oblast_in_the_name(places_nlp):
    _, ps = places(places_nlp, "Russia faces a dilemma over the defence of the rest of Kherson Oblast.")
    p = named(ps, "Kherson")[0]
    assert p["evidence"]["text"] == "Kherson Oblast" and p["precision"] == "admin1"


def test_city_of_x_is_the_city_and_bare_name_defaults_to_the_city(places_nlp):
    _, ps = places(places_nlp, "Missiles hit the city of Kherson, while shelling continued across Kherson region.")
    city, region = named(ps, "Kherson")
    assert city["precision"] == "settlement" and city["resolved"]["feature"] in ("PPLA", "PPL")
    assert region["precision"] == "admin1" and region["evidence"]["text"] == "Kherson region"


def test_annexed_regions_list_is_read_as_regions(places_nlp):
    text = ("The upper house voted to approve the annexation of four occupied regions: Donetsk, Luhansk, "
            "Zaporizhzhia and Kherson. Mr. Putin's paperwork would admit Donetsk, Luhansk, Kherson and "
            "Zaporizhzhia into Russia.")
    _, ps = places(places_nlp, text)
    regions = [p for p in ps if p["name"] != "Russia"]
    assert len(regions) == 8
    assert all(p["precision"] == "admin1" for p in regions), [(p["name"], p["precision"]) for p in regions]


def test_regions_named_after_the_list(places_nlp):
    _, ps = places(places_nlp, "He signed treaties to absorb Ukraine's Donetsk, Luhansk, Kherson and "
                               "Zaporizhzhia regions into Russia.")
    assert [p["precision"] for p in ps if p["name"] not in ("Ukraine", "Russia")] == ["admin1"] * 4


def test_the_dnipro_is_the_river_and_dnipro_the_city(places_nlp):
    _, ps = places(places_nlp, "Missiles hit Dnipro overnight, and troops crossed the Dnipro near Kherson.")
    city, river = named(ps, "Dnipro")
    assert city["precision"] == "settlement" and river["precision"] == "natural_feature"
    _, ps = places(places_nlp, "Forces advanced along the strategic Dnipro River on Monday.")
    (p,) = ps
    assert p["name"] == "Dnipro" and p["evidence"]["text"] == "Dnipro River" and p["precision"] == "natural_feature"


# -- disambiguation and fallback ------------------------------------------------------------------

def test_lyman_in_a_ukrainian_story_is_the_donetsk_town(places_nlp):
    _, ps = places(places_nlp, "In the east of Ukraine, troops recaptured the key city of Lyman near Kreminna.")
    assert ids(ps)["Lyman"] == UA_IDS["Lyman"]


def test_settlement_missing_from_the_gazetteer_falls_back_to_its_region(places_nlp):
    _, ps = places(places_nlp, "Soldiers removed a flag in Novopetrivka, a newly recaptured village in Kherson.")
    village = named(ps, "Novopetrivka")[0]
    assert village["precision"] == "admin1" and village["resolved"]["feature"] == "ADM1"
    assert village["resolved"]["admin1"] == "Kherson"
    assert named(ps, "Kherson")[0]["precision"] == "admin1"


def test_unknown_village_with_a_region_gets_the_region(places_nlp):
    _, ps = places(places_nlp, "Fighting raged around Zhovtneve-Pershe, a village in Donetsk region.")
    village = named(ps, "Zhovtneve-Pershe")[0]
    assert village["precision"] == "admin1" and village["resolved"]["name"] == "Donetsk"


def test_unknown_names_resolve_to_null(places_nlp):
    _, ps = places(places_nlp, "Fighting was reported in Zzyzxograd on Tuesday.")
    (p,) = ps
    assert p["name"] == "Zzyzxograd" and p["resolved"] is None and p["precision"] is None


# -- other conflicts ----------------------------------------------------------------------

@pytest.mark.parametrize("text,expect", [
    ("RSF fighters stormed El Fasher, the capital of North Darfur, after a long siege. Fighting also "
     "spread to Khartoum and across Darfur.",
     {"El Fasher": ("SD", "settlement"), "North Darfur": ("SD", "admin1"), "Khartoum": ("SD", "settlement"),
      "Darfur": ("SD", "admin1")}),
    ("Rebels seized Idlib and pushed towards Aleppo, the Syrian Observatory said.",
     {"Idlib": ("SY", "settlement"), "Aleppo": ("SY", "settlement")}),
    ("Rebels captured Goma, the capital of North Kivu province, on Monday.",
     {"Goma": ("CD", "settlement"), "North Kivu": ("CD", "admin1")}),
    ("Resistance forces took Myawaddy on the Thai border, while fighting continued in northern Shan State.",
     {"Myawaddy": ("MM", "settlement"), "Shan": ("MM", "admin1")}),
])
def test_other_conflicts(places_nlp, text, expect):
    _, ps = places(places_nlp, text)
    got = {p["name"]: ((p["resolved"] or {}).get("country"), p["precision"]) for p in ps}
    assert got == expect


# -- the output contract --------------------------------------------------------------------

def test_every_occurrence_sorted_with_exact_evidence(places_nlp):
    doc, ps = places(places_nlp, "Lyman fell. Later Lyman was shelled from Kreminna, near Lyman.")
    assert [p["name"] for p in ps] == ["Lyman", "Lyman", "Kreminna", "Lyman"]
    starts = [p["evidence"]["start"] for p in ps]
    assert starts == sorted(starts)
    for p in ps:
        ev = p["evidence"]
        assert doc.text[ev["start"]:ev["end"]] == ev["text"]
        assert set(p) == {"name", "resolved", "precision", "evidence", "label"}


def test_resolve_text_uses_the_document_context(places_nlp):
    doc, _ = places(places_nlp, "Ukrainian troops pushed east from Izium towards Kreminna in Luhansk region.")
    comp = places_nlp.get_pipe("sitrep_places")
    assert comp.resolve_text("Lyman", doc)["geonames_id"] == UA_IDS["Lyman"]
    assert comp.resolve_text("Kharkiv region", doc)["feature"] == "ADM1"
    assert comp.resolve_text("the Dnipro River", doc)["feature_class"] == "H"
    assert comp.resolve_text("Ukraine's", doc)["country"] == "UA"
    assert comp.resolve_text("Zzyzxograd", doc) is None
    assert comp.resolve_text("", doc) is None


def test_doc_stays_serialisable(places_nlp):
    from spacy.tokens import Doc

    doc, ps = places(places_nlp, "Shelling hit Kharkiv and Lyman in Ukraine.")
    again = Doc(places_nlp.vocab).from_bytes(doc.to_bytes())
    assert again.text == doc.text and ps


def test_users_extend_the_word_lists(base_options, gazetteer, tmp_path):
    import spacy

    (tmp_path / "places.yaml").write_text("not_places: [kreminna]\n", encoding="utf-8")
    nlp = spacy.load(base_options.model)
    nlp.add_pipe("sitrep_places")
    nlp.get_pipe("sitrep_places").setup(options=base_options.with_(extra_data_dirs=(tmp_path,)), gazetteer=gazetteer)
    assert [p["name"] for p in nlp("Troops left Kreminna and Lyman.")._.places] == ["Lyman"]


def test_component_sets_itself_up_lazily(base_options, monkeypatch):
    import spacy

    from sitrep.nlp.pipeline import register_extensions

    monkeypatch.setenv("SITREP_CACHE", str(base_options.cache_dir))   # Options() finds the built gazetteer
    register_extensions()
    nlp = spacy.load(base_options.model)
    nlp.add_pipe("sitrep_places")
    assert ids(nlp("Shelling hit Kharkiv.")._.places) == {"Kharkiv": UA_IDS["Kharkiv"]}


# -- the seeds: the quality gate ----------------------------------------------------------------

def _scorer():
    from conftest import SCORER

    spec = importlib.util.spec_from_file_location("sitrep_eval_score", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_places_are_found_and_geocoded(places_nlp, seeds_dir):
    from conftest import GOLD

    score = _scorer()
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = ok = n = 0
    for g in gold:
        path = seeds_dir / f"{g['id']}.txt"
        if not path.exists():
            continue
        preds = places_nlp(path.read_text(encoding="utf-8"))._.places
        for gp in g["places"]:
            n += 1
            names = {" ".join(score.norm(x)) for x in [gp["name"], *gp.get("alt", [])]}
            hits = [p for p in preds if " ".join(score.norm(p["name"])) in names]
            found += bool(hits)
            ok += any(score.coords(p) and score.km(score.coords(p), (gp["lat"], gp["lon"])) <= score.limit_for(gp)
                      for p in hits)
    assert n and found / n >= 0.9 and ok / n >= 0.85, (found / n, ok / n)


def test_nearest_place_shortcut_scores_like_the_full_minimum():
    """Resolver.score skips far points by latitude alone; the proximity bonus is the one the plain
    minimum over all haversine distances gives (random documents' place sets)."""
    import random

    from sitrep.geo.resolve import NEAR_KM, _nearest_within, km

    def bonus(d):
        return 0.0 if d is None else 1.5 if d < 50 else 1.0 if d < 150 else 0.5 if d < 400 else 0.0

    rng = random.Random(7)
    for _ in range(20000):
        lat0, lon0 = rng.uniform(-60, 60), rng.uniform(-179, 179)
        spread = rng.choice([0.2, 1.0, 4.0])
        points = [(lat0 + rng.gauss(0, spread), lon0 + rng.gauss(0, spread), rng.randint(0, 4))
                  for _ in range(rng.randint(1, 6))]
        cid = rng.randint(0, 4)
        full = min((km((lat0, lon0), (la, lo)) for la, lo, pid in points if pid != cid), default=None)
        assert bonus(_nearest_within(lat0, lon0, cid, points, NEAR_KM[-1])) == bonus(full)


@pytest.mark.parametrize("text, expected", [
    ("An airstrike on a school in Gaza City killed 17 people.", [("Gaza City", "PS")]),
    ("Protests spread to Kuwait City.", [("Kuwait City", "KW")]),
    ("Fighting in Kherson City continued.", [("Kherson", "UA")]),   # not a name with "City": the type word
])
def test_city_is_part_of_the_name_when_the_name_has_it(places_nlp, text, expected):
    _, ps = places(places_nlp, text)
    assert [(p["name"], (p["resolved"] or {}).get("country")) for p in ps] == expected


@pytest.mark.parametrize("text, expected", [
    # the container reading is the one the place lies in
    ("Protests spread to Batumi, a port city in Georgia.", [("Batumi", "GE", "settlement"), ("Georgia", "GE", "country")]),
    ("Protests spread to Savannah, a city in Georgia.", [("Savannah", "US", "settlement"), ("Georgia", "US", "admin1")]),
    # a bare "Congo" is the DRC in wire style; Goma used to be pinned on the Republic of the Congo
    ("Fighting reached Goma, the largest city in eastern Congo.",
     [("Goma", "CD", "settlement"), ("Congo", "CD", "country")]),
    ("Brazzaville is the capital of the Republic of Congo.",
     [("Brazzaville", "CG", "settlement"), ("Republic of Congo", "CG", "country")]),
])
def test_x_a_city_in_y_takes_the_reading_of_y_that_holds_x(places_nlp, text, expected):
    _, ps = places(places_nlp, text)
    assert [(p["name"], (p["resolved"] or {}).get("country"), p["precision"]) for p in ps] == expected
