"""The JSON API over a real SQLite store (FastAPI TestClient): filters, views, schema, safety."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent / "data" / "ui"))
from uifixture import build_store  # noqa: E402

from sitrep.serve.app import create_app  # noqa: E402


@pytest.fixture
def ids(store):
    return build_store(store)


@pytest.fixture
def no_fusion(monkeypatch):
    """Pretend sitrep.fuse.timeline is not installed (the UI's own fallback timeline)."""
    monkeypatch.setitem(sys.modules, "sitrep.fuse.timeline", None)


@pytest.fixture
def client(store, options, ids):
    with TestClient(create_app(store, options), base_url="http://127.0.0.1") as c:
        yield c


def test_openapi_schema_lists_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/stats", "/api/events", "/api/facts", "/api/documents", "/api/documents/{doc_id}",
                 "/api/places", "/api/place", "/api/speakers", "/api/speaker", "/api/clusters", "/api/basemap"):
        assert path in spec["paths"], path
        assert set(spec["paths"][path]) == {"get"}
    assert "Item" in spec["components"]["schemas"]
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert {"date_from", "date_to", "side", "event_type", "speaker", "place", "status"} <= params


def test_stats_count_documents_facts_and_clusters(client):
    st = client.get("/api/stats").json()
    assert st["documents"] == 8 and st["documents_by_status"] == {"ok": 6, "skipped": 1, "failed": 1}
    assert st["facts"] == {"control_change": 6, "event": 4, "claim": 4}
    assert st["clusters"] == {"same_event": 1, "contradiction": 1}
    assert (st["date_min"], st["date_max"]) == ("2022-09-30", "2022-10-05")
    assert st["sides"] == ["RUS", "UKR"]
    assert st["event_types"] == ["ASSAULT", "CONTROL_CHANGE", "RETREAT"]
    assert "Vladimir Saldo" in st["speakers"] and "Dmitry Peskov" in st["speakers"]


def test_events_filter_by_date_side_type_speaker_and_place(client):
    def n(**params):
        r = client.get("/api/events", params=params)
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert n() == 10
    assert n(date_from="2022-10-03") == 5
    assert n(date_from="2022-10-01", date_to="2022-10-01") == 4
    assert n(side="RUS") == 9           # involved as actor or target
    assert n(event_type="CONTROL_CHANGE") == 6
    assert n(event_type="ASSAULT", side="UKR") == 2
    assert n(speaker="Vladimir Saldo") == 1
    assert n(place="gn:702658") == 4
    assert n(status="contested") == 2
    assert n(kind="event", located=True) == 4
    assert client.get("/api/events", params={"date_from": "01/10/2022"}).status_code == 422


def test_events_match_the_documented_item_schema(client):
    from sitrep.serve.api import ItemPage

    page = ItemPage.model_validate(client.get("/api/events").json())
    assert page.total == 10 and all(i.evidence.text for i in page.items)


def test_event_without_own_date_falls_back_to_publication_date(client):
    (item,) = client.get("/api/events", params={"place": "gn:704202"}).json()["items"]
    assert item["date"] is None and item["day"] == "2022-10-05" and item["date_inferred"] is True


def test_same_event_cluster_gives_corroboration_and_confirms_a_claim(client):
    items = client.get("/api/events", params={"place": "gn:702658", "kind": "control_change"}).json()["items"]
    assert [i["corroboration"] for i in items] == [2, 2]
    assert {i["status"] for i in items} == {"confirmed"}
    retreat = client.get("/api/events", params={"event_type": "RETREAT"}).json()["items"][0]
    assert retreat["status"] == "claimed" and retreat["corroboration"] == 1


def test_status_is_contested_in_a_contradiction_and_claimed_for_annexation(client):
    by_place = {}
    for i in client.get("/api/events", params={"kind": "control_change"}).json()["items"]:
        by_place.setdefault(i["place_name"], set()).add(i["status"])
    assert by_place == {"Lyman": {"confirmed"}, "Dudchany": {"contested"}, "Novopetrivka": {"claimed"},
                        "Donetsk": {"claimed"}}


def test_place_view_has_timeline_reports_with_highlighted_evidence_and_contradictions(client, no_fusion):
    v = client.get("/api/place", params={"key": "gn:709000"}).json()
    assert v["place"]["name"] == "Dudchany" and v["place"]["contested"] is True
    assert [(e["date"], e["controller"], e["stance"]) for e in v["timeline"]] == [
        ("2022-10-03", "UKR", "denied"), ("2022-10-04", "UKR", "asserted")]
    assert [r["outlet"] for r in v["reports"]] == ["TASS", "The Guardian"]
    first = v["reports"][0]
    assert first["speaker"] == "Vladimir Saldo"
    assert first["context"]["match"] == "denied on Monday that Ukrainian troops had taken Dudchany"
    assert first["context"]["before"].startswith("Vladimir Saldo, the Russian-installed head")
    (contra,) = v["contradictions"]
    assert sorted(s["stance"] for s in contra["sides"]) == ["asserted", "denied"]
    assert client.get("/api/place", params={"key": "gn:1"}).status_code == 404


def test_region_level_places_keep_their_precision(client):
    places = {p["key"]: p for p in client.get("/api/places").json()}
    assert places["gn:706442"]["precision"] == "admin1"     # Kherson Oblast
    assert places["gn:702658"]["precision"] == "settlement"  # Lyman
    assert places["gn:709716"]["controller_status"] == "claimed"  # annexation claim


def test_speaker_view_lists_claims_and_assertions(client):
    speakers = {s["name"]: s for s in client.get("/api/speakers").json()}
    assert speakers["Vladimir Saldo"]["n_claims"] == 1 and speakers["Vladimir Saldo"]["n_assertions"] == 1
    v = client.get("/api/speaker", params={"name": "Vladimir Putin"}).json()
    assert v["speaker"]["side"] == "RUS"
    assert v["claims"][0]["text"] == "We will defend our land with all the means at our disposal"
    assert v["claims"][0]["context"]["match"] == v["claims"][0]["text"]
    assert v["assertions"][0]["stance"] == "annexation_claim"
    assert client.get("/api/speaker", params={"name": "Nobody"}).status_code == 404


def test_documents_list_and_one_document_with_text_and_facts(client):
    page = client.get("/api/documents").json()
    assert page["total"] == 8 and all("text" not in d or d["text"] is None for d in page["items"])
    assert client.get("/api/documents", params={"status": "failed"}).json()["total"] == 1
    doc = client.get("/api/documents/a4").json()
    assert doc["outlet"] == "The Guardian" and doc["text"].startswith("Ukrainian troops took Dudchany")
    assert sorted(f["kind"] for f in doc["facts"]) == ["control_change", "control_change", "event"]
    for f in doc["facts"]:
        ev = f["evidence"]
        assert doc["text"][ev["start"]:ev["end"]] == ev["text"]
    assert client.get("/api/documents/nope").status_code == 404


def test_facts_carry_the_contract_payload(client):
    claims = client.get("/api/facts", params={"kind": "claim"}).json()["items"]
    assert len(claims) == 4 and all(c["payload"]["speaker"]["name"] == c["speaker"] for c in claims)


def test_clusters_with_members(client):
    cl = client.get("/api/clusters", params={"kind": "contradiction"}).json()
    assert len(cl) == 1 and sorted(m["role"] for m in cl[0]["members"]) == ["asserts", "denies"]
    assert {m["outlet"] for m in cl[0]["members"]} == {"TASS", "The Guardian"}


def test_basemap_is_served_or_missing_cleanly(client):
    from sitrep.serve.basemap import basemap_path

    r = client.get("/api/basemap")
    if basemap_path() is None:
        assert r.status_code == 404
    else:
        assert r.status_code == 200 and r.json()["type"] == "Topology" and "countries" in r.json()["objects"]


def test_app_is_read_only_and_sends_security_headers(client):
    assert client.post("/api/events").status_code == 405
    assert client.delete("/api/documents/a1").status_code == 405
    r = client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_foreign_host_header_is_refused(client):
    assert client.get("/api/stats", headers={"host": "attacker.example"}).status_code == 400


def test_index_and_leaflet_are_local(client):
    html = client.get("/").text
    assert "http://" not in html and "https://" not in html
    assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/vendor/leaflet/leaflet.css").status_code == 200
    for name in ("app.js", "sitrep-data.js", "sitrep-map.js", "sitrep-views.js", "app.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/docs").status_code == 404   # Swagger UI would load from a CDN


def test_ledger_is_rebuilt_when_the_store_changes(client, store, ids):
    before = client.get("/api/stats").json()["facts"]["claim"]
    store.save_results([(ids["docs"]["a5"], {"claims": []}, None)])
    assert client.get("/api/stats").json()["facts"]["claim"] == before - 1


def test_place_timeline_comes_from_fusion_when_installed(client, monkeypatch):
    fake = types.ModuleType("sitrep.fuse.timeline")
    fake.control_timeline = lambda store, place: [
        {"date": "2022-10-01", "controller": "UKR", "controller_name": "Ukraine", "status": "confirmed",
         "stance": "asserted", "sources": [{"outlet": "Reuters"}], "n_sources": 2}]
    monkeypatch.setitem(sys.modules, "sitrep.fuse.timeline", fake)
    v = client.get("/api/place", params={"key": "gn:702658"}).json()
    assert v["timeline"] == [{"date": "2022-10-01", "controller": "UKR", "controller_name": "Ukraine",
                              "status": "confirmed", "stance": "asserted", "sources": [{"outlet": "Reuters"}],
                              "n_sources": 2}]
    assert client.get("/api/stats").json()["fusion"] is True


def test_place_view_works_with_the_real_fusion_stage(store, options):
    fuse = pytest.importorskip("sitrep.fuse")
    build_store(store, clusters=False)
    fuse.fuse_store(store, options)
    with TestClient(create_app(store, options), base_url="http://127.0.0.1") as client:
        assert client.get("/api/stats").json()["fusion"] is True
        v = client.get("/api/place", params={"key": "gn:702658"}).json()
        assert v["timeline"] and all(e["controller"] == "UKR" for e in v["timeline"])
        assert len(v["reports"]) == 4
        for key in [p["key"] for p in client.get("/api/places").json()]:
            assert client.get("/api/place", params={"key": key}).status_code == 200


def test_place_timeline_falls_back_when_fusion_fails(client, monkeypatch):
    fake = types.ModuleType("sitrep.fuse.timeline")

    def broken(store, place):
        raise RuntimeError("not yet")

    fake.control_timeline = broken
    monkeypatch.setitem(sys.modules, "sitrep.fuse.timeline", fake)
    v = client.get("/api/place", params={"key": "gn:702658"}).json()
    assert [(e["date"], e["controller"], e["n_sources"]) for e in v["timeline"]] == [("2022-10-01", "UKR", 2)]
