"""Several writer processes, and writers killed mid-batch, on SQLite and a real PostgreSQL server.

Children are real processes (multiprocessing, spawn) so locks, transactions and crashes are real.
"""
from __future__ import annotations

import multiprocessing as mp
import random
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from pg import BACKENDS, database_url
from sitrep.models import Document
from sitrep.store import Store, schema
from sitrep.store.migrations import MIGRATIONS

WRITERS = 4
CTX = mp.get_context("spawn")


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


def corpus(n: int, prefix: str = "d") -> list[Document]:
    return [Document(doc_id=f"{prefix}{i:03d}", text=f"Shelling was reported near Kupiansk on day {i}. " * (1 + i % 7))
            for i in range(n)]


def facts_for(doc_id: str) -> dict:
    ev = {"start": 0, "end": 8, "text": "Shelling"}
    return {"places": [{"name": "Kupiansk", "resolved": None, "precision": None, "evidence": ev}],
            "events": [{"event_type": "ASSAULT", "evidence": ev, "note": doc_id}, {"event_type": "CONFLICT", "evidence": ev}]}


def run_children(target, args_list, timeout=120) -> None:
    procs = [CTX.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout)
    assert [p.exitcode for p in procs] == [0] * len(procs)


# ---------------------------------------------------------------------------- children (module level: spawn)
def _open_store(url, barrier):
    barrier.wait(30)
    Store(url).close()


def _write(url, k, barrier):
    docs = corpus(40)
    random.Random(k).shuffle(docs)
    docs += [Document(doc_id=f"copy-{k}", text="The same wire report, filed by every outlet."),
             Document(doc_id="live", text=f"Live blog, update number {k}.")]
    with Store(url) as store:
        barrier.wait(30)
        for _ in store.add_documents(docs, batch_size=5):
            pass
        barrier.wait(30)
        rows = [r for r in store.pending() if r["doc_id"].startswith("d")]
        random.Random(100 + k).shuffle(rows)
        for i in range(0, len(rows), 5):
            store.save_results([(r["id"], facts_for(r["doc_id"]), None) for r in rows[i:i + 5]])


def _ingest_then_hang(url, kill_at, reached):
    """Ingest in batches of 10; stop forever inside the transaction after ``kill_at`` documents."""
    from sitrep.store import db as store_db

    original, seen = store_db.Store._add_one, [0]

    def add_one(self, conn, doc, seq):
        out = original(self, conn, doc, seq)
        seen[0] += 1
        if seen[0] == kill_at:
            reached.set()
            time.sleep(600)
        return out

    store_db.Store._add_one = add_one
    with Store(url) as store:
        for _ in store.add_documents(corpus(30), batch_size=10):
            pass


def _save_then_hang(url, kill_at, reached):
    """Save results of all pending documents in one batch; hang inside its transaction at fact ``kill_at``."""
    from sitrep.store import db as store_db

    original, seen = store_db.fact_columns, [0]

    def fact_columns(kind, fact):
        seen[0] += 1
        if seen[0] == kill_at:
            reached.set()
            time.sleep(600)
        return original(kind, fact)

    store_db.fact_columns = fact_columns
    with Store(url) as store:
        store.save_results([(r["id"], facts_for(r["doc_id"]), None) for r in store.pending()])


def kill_when(target, args) -> None:
    reached = CTX.Event()
    p = CTX.Process(target=target, args=(*args, reached))
    p.start()
    try:
        assert reached.wait(60), "child never reached the crash point"
        time.sleep(0.2)   # let the child's statements reach the database
    finally:
        p.kill()
        p.join(30)
    assert p.exitcode == -9


def scalar(store: Store, query):
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


# ---------------------------------------------------------------------------- tests
def test_processes_opening_a_new_store_together_migrate_it_once(db_url):
    barrier = CTX.Barrier(WRITERS)
    run_children(_open_store, [(db_url, barrier)] * WRITERS)
    with Store(db_url) as store:
        assert scalar(store, select(func.count()).select_from(schema.schema_migrations)) == len(MIGRATIONS)


def test_concurrent_writers_store_each_document_and_fact_once(db_url):
    Store(db_url).close()
    barrier = CTX.Barrier(WRITERS)
    run_children(_write, [(db_url, k, barrier) for k in range(WRITERS)])
    with Store(db_url) as store:
        docs = store.documents(current_only=False, with_text=False)
        ids = Counter(d["doc_id"] for d in docs)
        assert ids == Counter({f"d{i:03d}": 1 for i in range(40)} | {f"copy-{k}": 1 for k in range(WRITERS)}
                              | {"live": WRITERS})
        copies = [d for d in docs if d["doc_id"].startswith("copy-")]
        assert sorted(d["status"] for d in copies) == ["ok"] + ["skipped"] * (WRITERS - 1)
        live = [d for d in docs if d["doc_id"] == "live"]
        assert sorted(d["version"] for d in live) == list(range(1, WRITERS + 1))
        assert [d["version"] for d in live if d["is_current"]] == [WRITERS]
        assert len({d["seq"] for d in docs}) == len(docs)           # input order stays a total order
        facts = store.facts()
        per_doc = Counter(f["doc_id"] for f in facts)
        assert per_doc == Counter({f"d{i:03d}": 3 for i in range(40)})
        assert all(d["nlp_status"] == "done" for d in docs if d["doc_id"].startswith("d"))


def test_writer_killed_mid_batch_leaves_no_half_batch_and_rerun_completes(db_url):
    Store(db_url).close()
    kill_when(_ingest_then_hang, (db_url, 15))          # inside the second batch of 10
    with Store(db_url) as store:
        assert [d["doc_id"] for d in store.documents()] == [f"d{i:03d}" for i in range(10)]
        actions = Counter(action for _, action, _ in store.add_documents(corpus(30), batch_size=10))
        assert actions == Counter({"unchanged": 10, "new": 20})
        docs = store.documents()
        assert [d["doc_id"] for d in docs] == [f"d{i:03d}" for i in range(30)]
        assert all(d["text"] and d["content_hash"] and d["nlp_status"] == "pending" for d in docs)


def test_nlp_writer_killed_mid_batch_leaves_documents_pending_and_rerun_completes(db_url):
    with Store(db_url) as store:
        list(store.add_documents(corpus(12)))
    kill_when(_save_then_hang, (db_url, 20))   # 3 facts a document: inside the 7th
    with Store(db_url) as store:
        assert scalar(store, select(func.count()).select_from(schema.facts)) == 0
        assert len(list(store.pending())) == 12
        store.save_results((r["id"], facts_for(r["doc_id"]), None) for r in list(store.pending()))
        assert list(store.pending()) == []
        assert Counter(f["doc_id"] for f in store.facts()) == Counter({f"d{i:03d}": 3 for i in range(12)})
