"""The store behaves the same on SQLite and on a real PostgreSQL server (same migrations, same queries)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pg import BACKENDS, database_url
from sitrep.errors import StoreError
from sitrep.models import Document
from sitrep.store import Store, schema
from sitrep.store.migrations import MIGRATIONS, migrate

TEXT_A = "Ukrainian forces recaptured Lyman on Saturday, the defence ministry said."
TEXT_B = "Russian troops shelled Kharkiv overnight, regional governor Oleh Syniehubov said."


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def db(db_url):
    with Store(db_url) as s:
        yield s


def doc(doc_id: str, text: str | None, **kw) -> Document:
    return Document(doc_id=doc_id, text=text, **kw)


def count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def place(name: str, start: int, geonames_id: int | None = None) -> dict:
    resolved = {"name": name, "geonames_id": geonames_id, "lat": 49.0, "lon": 37.8} if geonames_id else None
    return {"name": name, "resolved": resolved, "precision": "settlement" if resolved else None,
            "evidence": {"start": start, "end": start + len(name), "text": name}}


def test_migrations_are_recorded_once(db_url):
    with Store(db_url) as s:
        with s.engine.connect() as conn:
            rows = conn.execute(select(schema.schema_migrations.c.version, schema.schema_migrations.c.name)).all()
        assert [r.version for r in rows] == [n for n, _, _ in MIGRATIONS]
        assert all(r.name for r in rows)
        assert migrate(s.engine) == []
    with Store(db_url) as again:                       # reopening migrates nothing
        assert count(again, schema.schema_migrations) == len(MIGRATIONS)


def test_reingesting_the_same_documents_changes_nothing(db):
    docs = [doc("a", TEXT_A), doc("b", TEXT_B)]
    first = [(action, row_id) for _, action, row_id in db.add_documents(docs)]
    second = [(action, row_id) for _, action, row_id in db.add_documents([doc("a", TEXT_A), doc("b", TEXT_B)])]
    assert [a for a, _ in first] == ["new", "new"]
    assert [a for a, _ in second] == ["unchanged", "unchanged"]
    assert [i for _, i in first] == [i for _, i in second]
    assert count(db, schema.documents) == 2


def test_changed_text_becomes_a_new_current_version(db):
    ((_, _, old_id),) = db.add_documents([doc("a", TEXT_A, url="https://example.org/a")])
    ((_, action, new_id),) = db.add_documents([doc("a", TEXT_A + " Fighting continued.", url="https://example.org/a")])
    assert action == "version"
    current = db.documents()
    assert [(d["id"], d["version"]) for d in current] == [(new_id, 2)]
    assert db.document(old_id)["is_current"] is False
    assert [r["id"] for r in db.pending()] == [new_id]


def test_same_url_under_a_new_id_is_a_version(db):
    list(db.add_documents([doc("a", TEXT_A, url="https://example.org/x")]))
    ((_, action, _),) = db.add_documents([doc("a2", TEXT_B, url="https://example.org/x")])
    assert action == "version"
    assert [d["doc_id"] for d in db.documents()] == ["a2"]


def test_identical_text_under_another_id_is_a_skipped_duplicate(db):
    list(db.add_documents([doc("a", TEXT_A)]))
    ((d, action, row_id),) = db.add_documents([doc("copy", "  " + TEXT_A.replace(" ", "  ") + "\n")])
    assert action == "duplicate"
    row = db.document(row_id)
    assert (row["status"], row["duplicate_of"], row["nlp_status"]) == ("skipped", "a", "n/a")
    assert row["reason"].startswith("SR114") and d.reason == row["reason"]
    assert [r["doc_id"] for r in db.pending()] == ["a"]


def test_failed_document_is_kept_with_its_reason_and_reingest_is_a_noop(db):
    bad = doc("bad", None, status="failed", reason="SR104 not UTF-8 and no charset found", path="in/bad.txt")
    ((_, action, row_id),) = db.add_documents([bad])
    ((_, again, same_id),) = db.add_documents([doc("bad", None, status="failed", reason=bad.reason, path="in/bad.txt")])
    assert (action, again, same_id) == ("new", "unchanged", row_id)
    row = db.document(row_id)
    assert (row["status"], row["reason"], row["nlp_status"]) == ("failed", bad.reason, "n/a")
    assert list(db.pending()) == []


def test_pending_streams_in_input_order_across_pages(db):
    docs = [doc(f"d{i:03d}", f"{TEXT_A} Report number {i}.", meta={"n": i}) for i in range(25)]
    ids = [row_id for _, _, row_id in db.add_documents(docs, batch_size=7)]
    rows = list(db.pending(batch_size=4))
    assert [r["id"] for r in rows] == ids
    assert rows[3]["meta"] == {"n": 3} and rows[3]["text"].endswith("Report number 3.")
    assert [r["id"] for r in db.pending(ids=ids[5:9], batch_size=2)] == ids[5:9]


def test_saving_results_twice_replaces_facts_and_records_failures(db):
    (a, b) = [row_id for _, _, row_id in db.add_documents([doc("a", TEXT_A), doc("b", TEXT_B)])]
    facts = {"places": [place("Lyman", 28, 702658)], "claims": [], "control_changes": [], "events": []}
    assert db.save_results([(a, facts, None), (b, None, "SR302 ValueError: boom")]) == 1
    assert db.save_results([(a, facts, None)]) == 1
    rows = db.facts()
    assert [(r["doc_id"], r["kind"], r["place_key"], r["payload"]["name"]) for r in rows] == [
        ("a", "place", "gn:702658", "Lyman")]
    assert (rows[0]["start_char"], rows[0]["end_char"]) == (28, 33)
    assert db.document(b)["nlp_status"] == "failed" and db.document(b)["nlp_reason"].startswith("SR302")
    assert list(db.pending()) == []


def test_facts_are_ordered_by_document_kind_and_position_and_filterable(db):
    (a, b) = [row_id for _, _, row_id in db.add_documents([doc("a", TEXT_A), doc("b", TEXT_B)])]
    claim = {"speaker": {"name": "Oleh Syniehubov", "title": "governor", "side": "UKR"}, "kind": "indirect",
             "text": "Russian troops shelled Kharkiv overnight", "evidence": {"start": 0, "end": 40, "text": "x"}}
    db.save_results([(b, {"places": [place("Kharkiv", 23)], "claims": [claim]}, None),
                     (a, {"places": [place("Lyman", 28, 702658), place("Lyman", 28, 702658)]}, None)])
    rows = db.facts()
    assert [(r["doc_id"], r["kind"], r["seq"]) for r in rows] == [
        ("a", "place", 0), ("a", "place", 1), ("b", "place", 0), ("b", "claim", 0)]
    assert [r["doc_id"] for r in db.facts(place_key="name:kharkiv")] == ["b"]
    assert [r["side"] for r in db.facts(speaker="Oleh Syniehubov")] == ["UKR"]
    assert [r["kind"] for r in db.facts(kind="claim", document_ids=[b])] == ["claim"]


def test_non_ascii_text_and_payload_round_trip(db):
    text = "Збройні сили України — “Lyman” ☢ recaptured; Ḩalab 😀 " * 50
    ((_, _, row_id),) = db.add_documents([doc("uk", text, title="Лиман", meta={"outlet": "Укрінформ"})])
    db.save_results([(row_id, {"places": [place("Ḩalab", 5)]}, None)])
    row = db.document(row_id)
    assert row["text"] == text and row["title"] == "Лиман" and row["meta"] == {"outlet": "Укрінформ"}
    assert db.facts()[0]["payload"]["name"] == "Ḩalab"


def test_clusters_upsert_and_replace_members(db):
    (a, b) = [row_id for _, _, row_id in db.add_documents([doc("a", TEXT_A), doc("b", TEXT_B)])]
    cid = db.upsert_cluster("wire_copy", "k1", {"outlets": ["x"]}, [{"document_id": a}, {"document_id": b}])
    assert db.upsert_cluster("wire_copy", "k1", {"outlets": ["y"]}, [{"document_id": a}]) == cid
    (c,) = db.clusters()
    assert c["payload"] == {"outlets": ["y"]} and [m["document_id"] for m in c["members"]] == [a]
    db.delete_cluster("wire_copy", "k1")
    assert db.clusters() == []


@pytest.mark.parametrize("url", ["postgresql://sitrep:secret@127.0.0.1:1/nowhere", "/no/such/folder/x.db"])
def test_unreachable_database_is_one_line_SR201_without_password(url):
    with pytest.raises(StoreError) as err:
        Store(url)
    msg = str(err.value)
    assert err.value.code == "SR201" and "\n" not in msg and "secret" not in msg


def test_queries_by_id_accept_more_ids_than_one_statement_can_bind(db):
    ids = [row_id for _, _, row_id in db.add_documents([doc("a", TEXT_A), doc("b", TEXT_B)])]
    db.save_results([(ids[1], {"places": [place("Kharkiv", 23)]}, None)])
    many = list(range(10**6, 10**6 + 70_000)) + ids[::-1]      # PostgreSQL's limit is 65,535 parameters
    assert [r["id"] for r in db.pending(ids=many)] == ids[:1]
    assert [d["id"] for d in db.documents(ids=many)] == ids
    assert [f["document_id"] for f in db.facts(document_ids=many)] == ids[1:]


def test_documents_are_indexed_by_url(db):
    """Every new document looks up earlier versions by URL: that lookup must use an index, not a scan."""
    from sqlalchemy import inspect

    with db.engine.connect() as conn:
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(conn).get_indexes("documents")}
        assert indexes.get("ix_documents_url") == ["url"]
        if db.dialect == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT max(version) FROM documents WHERE url = 'u' OR doc_id = 'd'"))
            assert "ix_documents_url" in plan and "SCAN documents" not in plan
