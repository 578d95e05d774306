"""Every export format, written from a real SQLite store and read back with a standard reader."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "data" / "ui"))
from uifixture import build_store, text_of  # noqa: E402

from sitrep.errors import ExportError  # noqa: E402
from sitrep.export import FORMATS, export  # noqa: E402
from sitrep.options import Options  # noqa: E402


@pytest.fixture
def ids(store):
    return build_store(store)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_acled_csv_has_acled_columns_and_our_evidence(store, ids, tmp_path):
    out = tmp_path / "events.csv"
    assert export(store, "acled-csv", out, Options()) == 10
    rows = read_csv(out)
    assert len(rows) == 10
    for col in ("event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "admin1",
                "admin2", "location", "latitude", "longitude", "geo_precision", "time_precision", "source",
                "source_scale", "notes", "evidence", "evidence_start", "evidence_end", "doc_id", "corroboration"):
        assert col in rows[0], col
    by_loc = {}
    for r in rows:
        by_loc.setdefault((r["location"], r["sitrep_kind"]), []).append(r)
    lyman = by_loc[("Lyman", "control_change")][0]
    assert (lyman["event_date"], lyman["time_precision"], lyman["geo_precision"]) == ("2022-10-01", "1", "1")
    assert lyman["corroboration"] == "2" and lyman["actor1"] == "Armed Forces of Ukraine"
    assert lyman["event_type"] == "Battles" and lyman["sub_event_type"] == "Government regains territory"
    assert float(lyman["latitude"]) == pytest.approx(48.99)
    text = text_of(lyman["doc_id"])
    assert text[int(lyman["evidence_start"]):int(lyman["evidence_end"])] == lyman["evidence"]
    kherson = by_loc[("Kherson Oblast", "event")][0]
    assert kherson["geo_precision"] == "3" and kherson["fatalities"] == "2"
    assert kherson["sub_event_type"] == "Shelling/artillery/missile attack"
    kreminna = by_loc[("Kreminna", "event")][0]
    assert kreminna["event_date"] == "2022-10-05" and kreminna["time_precision"] == "2"  # publication date
    assert "according to Serhiy Haidai" in kreminna["notes"]


def test_acled_mapping_is_read_from_the_data_file(store, ids, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "acled_map.tsv").write_text(
        "# test map\nplover_type\tplover_mode\tacled_event_type\tacled_sub_event_type\n"
        "ASSAULT\t*\tViolence\tTest clash\nCONTROL_CHANGE\t*\tStrategic developments\tTerritory\n",
        encoding="utf-8")
    out = tmp_path / "events.csv"
    export(store, "acled-csv", out, Options(data_dir=data))
    rows = read_csv(out)
    assert {r["sub_event_type"] for r in rows if r["plover_event_type"] == "ASSAULT"} == {"Test clash"}
    assert {r["sub_event_type"] for r in rows if r["sitrep_kind"] == "control_change"} == {"Territory"}


def test_acled_csv_defuses_spreadsheet_formulas(store, tmp_path):
    from sitrep.models import Document

    text = "=HYPERLINK(\"http://x\") Rebels took Townsville."
    ((_, _, row),) = list(store.add_documents([Document(doc_id="f1", text=text, outlet="@evil", published="2022-10-02")]))
    start = text.index("Rebels took Townsville")
    store.save_results([(row, {"control_changes": [{
        "place": {"name": "Townsville", "resolved": None}, "to": {"name": "+Rebels", "side": None}, "from": None,
        "asserted_by": None, "stance": "asserted", "date": None, "confidence": 0.5,
        "evidence": {"start": start, "end": start + 22, "text": "Rebels took Townsville"}}]}, None)])
    out = tmp_path / "f.csv"
    export(store, "acled-csv", out)
    (r,) = read_csv(out)
    assert r["source"] == "'@evil" and r["actor1"] == "'+Rebels" and r["latitude"] == ""


def test_plover_json_uses_the_spec_field_names(store, ids, tmp_path):
    out = tmp_path / "events.json"
    assert export(store, "plover-json", out) == 4
    recs = json.loads(out.read_text(encoding="utf-8"))
    assert len(recs) == 4
    for r in recs:
        for field in ("id", "date", "source", "recipient", "event", "event_loc", "event_text", "mode",
                      "quad_code", "text_info", "cite_info", "coder"):
            assert field in r, field
    retreat = next(r for r in recs if r["event"] == ["RETREAT"])
    assert retreat["source"] == [{"code": "RUS", "actor_text": "Russian forces"}]
    assert retreat["quad_code"] == 2 and retreat["event_loc"]["geonameid"] == 702658
    assert retreat["cite_info"]["publication"] == "Reuters"
    text = text_of(retreat["doc_id"])
    assert text[retreat["text_info"]["start"]:retreat["text_info"]["end"]] == retreat["event_text"][0]
    shelling = next(r for r in recs if r["mode"] == ["shelling"])
    assert shelling["size"] == {"dead": 2} and shelling["recipient"] == []


def test_plover_jsonl_when_the_file_says_so(store, ids, tmp_path):
    out = tmp_path / "events.jsonl"
    assert export(store, "plover-json", out) == 4
    assert [json.loads(line)["event"] for line in out.read_text().splitlines()].count(["ASSAULT"]) == 3


def test_geojson_feature_collection_of_points(store, ids, tmp_path):
    out = tmp_path / "events.geojson"
    assert export(store, "geojson", out) == 10
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 10
    f = next(f for f in fc["features"] if f["properties"]["place_name"] == "Kherson Oblast")
    assert f["geometry"] == {"type": "Point", "coordinates": [33.2, 46.8]}
    assert f["properties"]["precision"] == "admin1" and f["properties"]["event_type"] == "ASSAULT"
    assert f["properties"]["evidence"] == "Russian artillery shelled positions across Kherson Oblast overnight."


def test_parquet_one_flat_table_of_all_facts(store, ids, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "facts.parquet"
    n = export(store, "parquet", out)
    table = pq.read_table(out)
    assert n == table.num_rows == 22   # 8 place mentions, 4 claims, 6 control changes, 4 events
    rows = table.to_pylist()
    assert sorted({r["kind"] for r in rows}) == ["claim", "control_change", "event", "place"]
    assert str(table.schema.field("lat").type) == "double" and str(table.schema.field("fact_id").type) == "int64"
    peskov = next(r for r in rows if r["speaker_name"] == "Dmitry Peskov")
    assert peskov["claim_text"] == "will be with Russia forever" and peskov["claim_kind"] == "indirect"
    lyman = next(r for r in rows if r["kind"] == "control_change" and r["place_name"] == "Lyman")
    assert lyman["corroboration"] == 2 and lyman["actor_side"] == "UKR" and lyman["target_side"] == "RUS"
    assert json.loads(lyman["payload"])["to"]["side"] == "UKR"


def test_parquet_of_an_empty_store_keeps_its_schema(store, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "empty.parquet"
    assert export(store, "parquet", out) == 0
    assert pq.read_table(out).schema.names[:3] == ["fact_id", "kind", "doc_id"]


def test_jsonl_is_the_contract_records_of_all_current_documents(store, ids, tmp_path):
    out = tmp_path / "records.jsonl"
    n = export(store, "jsonl", out)
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(recs)
    docs = {r["doc_id"]: r for r in recs if r["type"] == "document"}
    assert set(docs) == {"a1", "a2", "a3", "a4", "a5", "a6", "ru1", "bad1"}
    for r in recs:
        if r["type"] in ("place", "claim", "control_change", "event"):
            ev = r["evidence"]
            assert docs[r["doc_id"]]["text"][ev["start"]:ev["end"]] == ev["text"]
    assert {r["kind"] for r in recs if r["type"] == "cluster"} == {"same_event", "contradiction"}


def test_unknown_format_is_sr601(store, tmp_path):
    with pytest.raises(ExportError) as err:
        export(store, "xlsx", tmp_path / "x.xlsx")
    assert err.value.code == "SR601" and "acled-csv" in str(err.value)


def test_missing_folder_is_sr602_and_leaves_nothing(store, ids, tmp_path):
    for fmt in FORMATS:
        with pytest.raises(ExportError) as err:
            export(store, fmt, tmp_path / "nope" / "out")
        assert err.value.code == "SR602"
    assert not (tmp_path / "nope").exists()


def test_a_failed_write_leaves_no_partial_file(store, ids, tmp_path, monkeypatch):
    import sitrep.export.geojson as geojson

    def boom(store, out, options=None):
        Path(out).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(geojson, "write_geojson", boom)
    with pytest.raises(ExportError) as err:
        export(store, "geojson", tmp_path / "x.geojson")
    assert err.value.code == "SR602" and "No space left" in str(err.value)
    assert not (tmp_path / "x.geojson").exists() and not (tmp_path / "x.geojson.part").exists()
