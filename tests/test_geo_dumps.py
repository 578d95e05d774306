"""Loading official GeoNames dumps (tiny fixture files in the exact formats) over the embedded data."""
from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from sitrep.errors import GazetteerError
from sitrep.geo import Gazetteer, load_dumps
from sitrep.options import Options

GEO = Path(__file__).parent / "data" / "geo"


def _copy(gazetteer, tmp: Path) -> Options:
    target = tmp / "gazetteer.sqlite"
    shutil.copyfile(gazetteer.path, target)
    return Options(gazetteer=str(target), cache_dir=tmp)


@pytest.fixture(scope="module")
def places_pipeline(cache_dir):
    """places_pipeline(gazetteer) -> the real spaCy model with only sitrep_places."""
    import spacy

    import sitrep.nlp.places  # noqa: F401  (registers the factory)
    from sitrep.nlp.pipeline import register_extensions

    def make(gaz):
        register_extensions()
        nlp = spacy.load(Options().model)
        nlp.add_pipe("sitrep_places")
        nlp.get_pipe("sitrep_places").setup(options=Options(cache_dir=cache_dir), gazetteer=gaz)
        return nlp

    return make


@pytest.fixture(scope="module")
def loaded(gazetteer, tmp_path_factory):
    """A copy of the session gazetteer with every fixture dump loaded (one zipped)."""
    tmp = tmp_path_factory.mktemp("dumps")
    options = _copy(gazetteer, tmp)
    with zipfile.ZipFile(tmp / "alternateNamesV2.zip", "w") as z:
        z.write(GEO / "alternateNamesV2.txt", "alternateNamesV2.txt")
        z.writestr("iso-languagecodes.txt", "ISO 639-3\tISO 639-2\tISO 639-1\tLanguage Name\n")
    with zipfile.ZipFile(tmp / "UA.zip", "w") as z:
        z.write(GEO / "UA.txt", "UA.txt")
        z.writestr("readme.txt", "not data")
    stats = load_dumps([tmp / "alternateNamesV2.zip", tmp / "UA.zip", GEO / "admin1CodesASCII.txt",
                        GEO / "admin2Codes.txt"], options)
    return Gazetteer(options.gazetteer_path()), stats


def test_loaded_row_overrides_the_embedded_row(gazetteer, loaded):
    gaz, stats = loaded
    before = [c for c in gazetteer.lookup("Lyman") if c["geonames_id"] == 704204][0]
    after = [c for c in gaz.lookup("Lyman") if c["geonames_id"] == 704204][0]
    assert before["feature"] == "PPL" and before["population"] == 20066
    assert after["feature"] == "PPLA2" and after["population"] == 20469
    assert stats["rows"] == 4            # the hotel (class S) is not kept


def test_loaded_admin1_row_replaces_the_derived_centroid(loaded):
    gaz, _ = loaded
    unit = [c for c in gaz.lookup("Kherson Oblast") if c["feature"] == "ADM1"][0]
    assert (unit["lat"], unit["lon"]) == (46.75, 33.5)


def test_new_village_from_the_dump_is_found(loaded):
    gaz, _ = loaded
    hits = [c for c in gaz.lookup("Novopetrovka") if c["geonames_id"] == 98000001]
    assert hits and hits[0]["admin1"] == "Kherson" and hits[0]["lat"] == 47.43


def test_admin_code_files_name_the_units(loaded):
    gaz, stats = loaded
    lyman = [c for c in gaz.lookup("Lyman") if c["geonames_id"] == 704204][0]
    assert lyman["admin1"] == "Donetsk Oblast"
    assert stats["admin_codes"] == 3


def test_alternate_names_are_loaded_without_links(loaded):
    gaz, stats = loaded
    assert any(c["geonames_id"] == 704204 for c in gaz.lookup("Лиман"))
    assert any(c["geonames_id"] == 98000001 for c in gaz.lookup("Новопетрівка"))
    assert not gaz.lookup("https://en.wikipedia.org/wiki/Lyman,_Ukraine")
    assert not gaz.lookup("Nowhere At All")          # its id is not in the gazetteer
    assert stats["alternate_names"] == 4


def test_data_file_aliases_survive_a_load(loaded):
    gaz, _ = loaded
    assert any(c["geonames_id"] == 713174 for c in gaz.lookup("Artemovsk"))
    assert any(c["name"] == "Dnipro River" for c in gaz.lookup("Dnieper"))


def test_a_loaded_village_beats_the_region_fallback(loaded, places_pipeline):
    gaz, _ = loaded
    nlp = places_pipeline(gaz)
    doc = nlp("Soldiers raised a flag in Novopetrivka, a newly recaptured village in Kherson.")
    place = [p for p in doc._.places if p["name"] == "Novopetrivka"][0]
    assert place["precision"] == "settlement" and place["resolved"]["geonames_id"] == 98000001


def test_small_batches_keep_every_name(gazetteer, tmp_path, monkeypatch):
    import sitrep.geo.build as build
    import sitrep.geo.dumps as dumps

    monkeypatch.setattr(dumps, "BATCH", 2)
    monkeypatch.setattr(build._Writer, "FLUSH_EVERY", 3)
    options = _copy(gazetteer, tmp_path)
    assert load_dumps([GEO / "UA.txt"], options)["rows"] == 4
    gaz = Gazetteer(options.gazetteer_path())
    assert any(c["geonames_id"] == 704204 for c in gaz.lookup("Krasnyy Liman"))
    assert any(c["geonames_id"] == 98000001 for c in gaz.lookup("Novopetrovka"))


def test_bad_dump_is_sr402_and_changes_nothing(gazetteer, tmp_path):
    options = _copy(gazetteer, tmp_path)
    digest = hashlib.sha256(options.gazetteer_path().read_bytes()).hexdigest()
    with pytest.raises(GazetteerError) as err:
        load_dumps([GEO / "bad_rows.txt"], options)
    assert err.value.code == "SR402" and "line 1" in str(err.value)
    assert hashlib.sha256(options.gazetteer_path().read_bytes()).hexdigest() == digest


def test_missing_dump_file_is_sr402(gazetteer, tmp_path):
    with pytest.raises(GazetteerError) as err:
        load_dumps([tmp_path / "nope.zip"], _copy(gazetteer, tmp_path))
    assert err.value.code == "SR402"
