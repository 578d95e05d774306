"""Faults on a Dask cluster: a document that kills its worker, one that breaks the NLP, a worker killed mid-run.

A real cluster of worker processes runs the real pipeline; a worker plugin (re-installed on every
restarted worker) adds the faults: text containing POISON-PILL kills the worker process, text containing
BROKEN-TEXT makes the pipeline raise. ``allowed-failures`` is 0 so one death is enough for Dask to give up
on a task and for sitrep's one-document-at-a-time retry to start.
"""
from __future__ import annotations

import os
import signal

import pytest

from sitrep.models import Document
from sitrep.options import Options
from sitrep.pipeline import ingest, process
from sitrep.store import Store

from conftest import DATA

CORPUS = [DATA / "scale"]
POISON = Document(doc_id="poison", text="Troops entered Lyman on Monday. POISON-PILL " * 3)
BROKEN = Document(doc_id="broken", text="Troops entered Kupiansk on Monday. BROKEN-TEXT " * 3)


def _sabotage_plugin():
    from distributed.diagnostics.plugin import WorkerPlugin

    class Sabotage(WorkerPlugin):
        name = "sitrep-test-sabotage"

        def setup(self, worker):
            import sitrep.nlp.pipeline as nlp_pipeline
            import sitrep.pipeline as pipeline

            if getattr(pipeline.analyse, "sabotaged", False):
                return
            analyse, set_context = pipeline.analyse, nlp_pipeline.set_context

            def analyse_or_die(nlp, rows, batch_size=32):
                if any("POISON-PILL" in r["text"] for r in rows):
                    os._exit(13)       # like a segfault or the OOM killer: no exception, no goodbye
                return analyse(nlp, rows, batch_size)

            def set_context_or_raise(doc, ctx):
                if "BROKEN-TEXT" in doc.text:
                    raise ValueError("component exploded")
                set_context(doc, ctx)

            analyse_or_die.sabotaged = True
            pipeline.analyse, nlp_pipeline.set_context = analyse_or_die, set_context_or_raise

    return Sabotage()


@pytest.fixture(scope="module")
def cluster():
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster, \
                Client(cluster, set_as_default=False) as client:
            client.register_plugin(_sabotage_plugin())
            yield cluster, client


@pytest.fixture(scope="module")
def options(base_options) -> Options:
    return base_options.with_(published="2024-12-01", batch_size=2)


def load(url: str, options: Options, extra: list[Document] = ()) -> list[int]:
    with Store(url) as store:
        ids = ingest(CORPUS, options, store).row_ids
        return ids + [row_id for _, _, row_id in store.add_documents(list(extra))]


def facts_by_doc(store: Store) -> list[tuple]:
    return [(f["doc_id"], f["kind"], f["seq"], f["payload"]) for f in store.facts()]


@pytest.fixture(scope="module")
def reference(options, nlp, tmp_path_factory) -> list[tuple]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}"
    ids = load(url, options)
    with Store(url) as store:
        process(store, options, nlp=nlp, ids=ids)
        return facts_by_doc(store)


def test_document_that_kills_its_worker_fails_alone_and_the_rest_completes(cluster, options, reference, tmp_path):
    url = f"sqlite:///{tmp_path / 'poison.db'}"
    ids = load(url, options, [POISON])
    with Store(url) as store:
        n_facts, n_failed = process(store, options.with_(scheduler=cluster[0].scheduler_address), ids=ids)
        failed = {d["doc_id"]: d["nlp_reason"] for d in store.documents() if d["nlp_status"] != "done"}
        assert failed == {"poison": "SR302 WorkerDied: the worker process died while analysing this document"}
        assert n_failed == 1 and facts_by_doc(store) == reference and n_facts == len(reference)


def test_document_that_breaks_the_pipeline_fails_alone_even_in_a_batch_of_one(cluster, options, reference, tmp_path):
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    ids = load(url, options, [BROKEN])
    for batch_size in (2, 1):
        with Store(url) as store:
            _mark_pending(store, ids)                 # the second round runs everything again
            n_facts, n_failed = process(store, options.with_(scheduler=cluster[0].scheduler_address,
                                                             batch_size=batch_size), ids=ids)
            failed = {d["doc_id"]: d["nlp_reason"] for d in store.documents() if d["nlp_status"] != "done"}
            assert failed == {"broken": "SR302 ValueError: component exploded"}, batch_size
            assert n_failed == 1 and facts_by_doc(store) == reference


def test_worker_killed_mid_run_is_replaced_and_the_results_are_complete(cluster, options, reference, tmp_path):
    _, client = cluster
    pids = list(client.run(os.getpid).values())
    killed = []

    def kill_one_worker(_n):
        if not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    ids = load(url, options)
    with Store(url) as store:
        process(store, options.with_(scheduler=cluster[0].scheduler_address), ids=ids, progress=kill_one_worker)
        assert killed and all(d["nlp_status"] == "done" for d in store.documents())
        assert facts_by_doc(store) == reference
    client.wait_for_workers(2, timeout=60)


def _mark_pending(store: Store, ids: list[int]) -> None:
    from sqlalchemy import update

    from sitrep.store import schema

    with store.writer.begin() as conn:
        conn.execute(update(schema.documents).where(schema.documents.c.id.in_(ids))
                     .values(nlp_status="pending", nlp_reason=None))
