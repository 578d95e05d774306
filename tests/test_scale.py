"""The Dask runner writes exactly what one process writes (records, facts, ids, order), on SQLite and PostgreSQL.

Real pipeline, real worker processes: a LocalCluster started by sitrep (``workers=2``) and an existing
scheduler (``scheduler=tcp://...``). Small corpus and batch_size=2 so that many batches are in flight.
"""
from __future__ import annotations

import os
import sys

import pytest

from pg import database_url
from sitrep.errors import ScaleError
from sitrep.options import Options
from sitrep.pipeline import extract_records, process
from sitrep.store import Store

from conftest import DATA, ROOT

CORPUS = [DATA / "scale", ROOT / "src" / "sitrep" / "examples"]
PUBLISHED = "2024-12-01"


def snapshot(store: Store) -> dict:
    """Everything the NLP stage decides, including row ids and order."""
    docs = [(d["id"], d["doc_id"], d["nlp_status"], d["nlp_reason"]) for d in store.documents(with_text=False)]
    facts = [(f["id"], f["document_id"], f["kind"], f["seq"], f["start_char"], f["end_char"], f["place_key"],
              f["payload"]) for f in store.facts()]
    return {"documents": docs, "facts": facts}


def extract(url: str, options: Options, nlp=None) -> tuple[list[dict], dict]:
    """``extract_records`` keeping its store at ``url``: the records and the store's snapshot."""
    records = extract_records(CORPUS, options.with_(db=url), nlp=nlp)
    with Store(url) as store:
        return records, snapshot(store)


@pytest.fixture(scope="module")
def options(base_options) -> Options:
    return base_options.with_(published=PUBLISHED, batch_size=2)


@pytest.fixture(scope="module")
def one_process(options, nlp, tmp_path_factory) -> dict:
    """The reference: records and store contents from a single process."""
    url = f"sqlite:///{tmp_path_factory.mktemp('one') / 'one.db'}"
    records, snap = extract(url, options, nlp=nlp)
    assert len(snap["facts"]) > 20, "the reference run found almost no facts: is the pipeline complete?"
    return {"records": records, "snapshot": snap, "url": url}


@pytest.fixture(scope="module")
def scheduler():
    """An existing Dask cluster (2 worker processes), as a user would start with dask-scheduler/dask-worker."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


def test_two_local_workers_write_the_same_records_facts_ids_and_order_as_one_process(one_process, options, tmp_path):
    records, snap = extract(f"sqlite:///{tmp_path / 'two.db'}", options.with_(workers=2))
    assert records == one_process["records"]
    assert snap == one_process["snapshot"]


def test_existing_scheduler_and_postgresql_store_match_one_process(one_process, options, scheduler, tmp_path):
    for url in database_url("postgresql", tmp_path):
        records, snap = extract(url, options.with_(scheduler=scheduler))
        assert records == one_process["records"]
        assert snap == one_process["snapshot"]
        with Store(url) as store:      # a rerun finds nothing pending and changes nothing
            assert process(store, options.with_(scheduler=scheduler)) == (0, 0)
            assert snapshot(store) == one_process["snapshot"]


def test_extract_to_file_with_two_workers_writes_the_records_of_one_process(one_process, options, tmp_path, monkeypatch):
    """The JSONL file: document and fact lines written while the workers still analyse (after each
    stored batch), cluster lines at the end -- the same lines, in the same order, as one process."""
    import json

    from sitrep.pipeline import Records, extract_to_file

    streamed = []
    documents = Records.documents

    def counting(self, up_to=None):
        for line in documents(self, up_to):
            streamed.append(up_to)
            yield line

    monkeypatch.setattr(Records, "documents", counting)
    from sitrep.scale.runner import Workers

    release, released_after = Workers.release, []

    def noting(self):                  # how many batches had been written when the workers were let go
        released_after.append(len({up_to for up_to in streamed if up_to is not None}))
        release(self)

    monkeypatch.setattr(Workers, "release", noting)
    out = tmp_path / "two.jsonl"
    summary = extract_to_file(CORPUS, out, options.with_(workers=2, db=f"sqlite:///{tmp_path / 'two.db'}"))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == one_process["records"]
    assert summary.records == len(lines)
    assert not (tmp_path / "two.jsonl.part").exists()
    batches_written_after = {up_to for up_to in streamed if up_to is not None}
    assert len(batches_written_after) >= 2     # lines went out after several batches: during the NLP stage
    # the workers were let go once every result was in, before the last batch was written (and fused)
    assert released_after and released_after[0] < len(batches_written_after)


def test_batches_cut_the_last_documents_small_and_stream():
    """``batches``: full batches, then the last TAIL_BATCHES batches' rows in quarter batches; every row
    once, in order; reads a bounded number of rows ahead."""
    from sitrep.pipeline import TAIL_BATCHES, batches

    read = []

    def rows(n):
        for i in range(n):
            read.append(i)
            yield i

    cut = batches(rows(2000), 32)
    first = next(cut)
    assert first == list(range(32)) and len(read) <= (TAIL_BATCHES + 1) * 32
    sizes = [len(first)] + [len(b) for b in cut]
    assert sum(sizes) == 2000 and len(read) == 2000
    assert sizes[:58] == [32] * 58 and set(sizes[-14:]) == {8}
    assert sum(s for s in sizes if s < 32) <= TAIL_BATCHES * 32
    assert [b for b in batches(range(40), 32)] == [list(range(i, i + 8)) for i in range(0, 40, 8)]
    assert [len(b) for b in batches(range(5), 2)] == [1] * 5 and list(batches([], 32)) == []


def test_fusion_parts_end_small():
    """Fusion batches: 500 documents, the last 500 (or fewer) halved down to TAIL_MIN, so that little is
    left to fuse when the workers finish; every id once, in order."""
    from sitrep.fuse.sqlstore import BATCH, TAIL_MIN, fusion_parts

    ids = list(range(100, 2100))
    parts = fusion_parts(ids)
    assert [i for part in parts for i in part] == ids
    assert [len(p) for p in parts] == [500, 500, 500, 250, 125, 63, 62]
    assert len(parts[-1]) <= 2 * TAIL_MIN and max(len(p) for p in parts) == BATCH
    assert [len(p) for p in fusion_parts(list(range(64)))] == [64]
    assert [len(p) for p in fusion_parts(list(range(501)))] == [500, 1]
    assert fusion_parts([]) == []


def test_records_streamed_a_few_documents_at_a_time_are_the_same(one_process, monkeypatch):
    import sitrep.pipeline

    monkeypatch.setattr(sitrep.pipeline, "RECORD_CHUNK", 3)
    with Store(one_process["url"]) as store:
        row_ids = [d[0] for d in one_process["snapshot"]["documents"]]
        assert list(sitrep.pipeline.iter_records(store, row_ids)) == one_process["records"]


def test_unreachable_scheduler_is_one_line_SR701(options, monkeypatch):
    import socket

    from sitrep.scale import runner

    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", 2.0)
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Store("sqlite:///:memory:") as store, pytest.raises(ScaleError) as err:
        process(store, options.with_(scheduler=f"tcp://127.0.0.1:{port}"))
    assert err.value.code == "SR701" and "\n" not in str(err.value)
    assert str(err.value).startswith(f"SR701 cannot reach Dask scheduler tcp://127.0.0.1:{port}")


def test_extract_with_unreachable_scheduler_is_SR701_after_ingesting(options, monkeypatch, tmp_path):
    """run_all connects to the workers while it ingests: a failed start still ends in one SR701 line."""
    import socket

    from sitrep.scale import runner

    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", 2.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(ScaleError) as err:
        extract_records(CORPUS, options.with_(db=url, scheduler=f"tcp://127.0.0.1:{port}"))
    assert err.value.code == "SR701" and "\n" not in str(err.value)
    with Store(url) as store:           # the documents were ingested; their NLP is still pending
        docs = store.documents(with_text=False)
        assert docs and {d["nlp_status"] for d in docs if d["status"] == "ok"} == {"pending"}


def test_workers_build_their_pipeline_before_the_first_batch(options):
    """``Workers`` has every worker load the model as soon as it is up (while the parent ingests)."""
    import time

    from distributed import LocalCluster

    from sitrep.scale import Workers

    def built() -> bool:
        import sitrep.scale.worker as worker

        return worker._cached is not None

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster, \
            Workers(options.with_(scheduler=cluster.scheduler_address)) as workers:
        client = workers.client()
        deadline = time.monotonic() + 120
        while not all(client.run(built).values()):
            assert time.monotonic() < deadline, "the workers never built their pipeline"
            time.sleep(0.2)
        assert len(client.run(built)) == 2


def test_scheduler_without_workers_is_SR701(options, monkeypatch):
    from distributed import LocalCluster

    from sitrep.scale import runner

    monkeypatch.setattr(runner, "WORKER_TIMEOUT", 1.0)
    with LocalCluster(n_workers=0, processes=False, dashboard_address="127.0.0.1:0") as cluster, \
            Store("sqlite:///:memory:") as store, pytest.raises(ScaleError) as err:
        process(store, options.with_(scheduler=cluster.scheduler_address))
    assert err.value.code == "SR701" and "no workers" in str(err.value)


def test_local_workers_run_tuned_malloc_and_no_profiler(options, tmp_path):
    """sitrep's LocalCluster: no stack-sampling profiler, Dask's pollers slowed down (LOCAL_WORKER_CONFIG)
    in the workers and in the scheduler and nannies here; every worker that analysed a batch tuned malloc."""
    import dask

    from sitrep.pipeline import ingest
    from sitrep.scale.runner import LOCAL_WORKER_CONFIG, dask_client, run_batches

    def worker_settings(dask_worker):
        import sys

        worker = sys.modules.get("sitrep.scale.worker")
        return (getattr(worker, "MALLOC_TUNED", None), dask.config.get("distributed.worker.profile.enabled"),
                dask_worker._tick_interval, dask_worker.memory_manager.memory_monitor_interval,
                dask_worker.periodic_callbacks["monitor"].callback_time)

    assert LOCAL_WORKER_CONFIG["distributed.admin.tick.interval"] == "500ms"
    callers_tick = dask.config.get("distributed.admin.tick.interval")
    with Store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        summary = ingest([DATA / "scale"], options, store)
        with dask_client(options.with_(workers=2)) as client:
            assert run_batches(client, store, options, ids=summary.row_ids)[0] > 0
            settings = list(client.run(worker_settings).values())
            scheduler = client.cluster.scheduler
            nannies = list(client.cluster.workers.values())
            assert scheduler._tick_interval == 0.5 and scheduler.periodic_callbacks["monitor"].callback_time == 2000
            assert {n.memory_manager.memory_monitor_interval for n in nannies} == {0.5}
    assert len(settings) == 2 and {s[1:] for s in settings} == {(False, 0.5, 0.5, 2000)}
    assert True in {s[0] for s in settings} and False not in {s[0] for s in settings}
    assert callers_tick != "500ms" and dask.config.get("distributed.admin.tick.interval") == callers_tick


TUNE_PROBE = """
import os, resource, sys
import numpy as np
if sys.argv[1] == "tuned":
    from sitrep.scale.worker import tune_malloc
    assert tune_malloc()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(400):
    a = np.ones(2**17)            # 1 MiB, allocated, written and freed like a batch's buffers
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_tune_malloc_stops_dasks_trim_setting_from_remapping_every_large_buffer():
    """Under Dask's MALLOC_TRIM_THRESHOLD_ every 1 MiB buffer is a fresh mmap (256 page faults each);
    after tune_malloc it is reused from the heap."""
    import subprocess

    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    faults = {mode: int(subprocess.run([sys.executable, "-c", TUNE_PROBE, mode], env=env, check=True,
                                       capture_output=True, text=True).stdout)
              for mode in ("plain", "tuned")}
    assert faults["plain"] > 400 * 200
    assert faults["tuned"] < faults["plain"] / 10


def test_fusion_during_the_nlp_stage_gives_the_clusters_of_fusion_after_it(options, nlp, tmp_path, monkeypatch):
    """run_all fuses each batch of documents as soon as its NLP results are stored; the records are the
    ones of ingest -> NLP -> fusion run one after the other."""
    from sitrep.fuse import fuse_store, sqlstore
    from sitrep.pipeline import ingest, iter_records

    import sitrep.pipeline

    monkeypatch.setattr(sqlstore, "BATCH", 3)        # several fusion batches in this small corpus
    monkeypatch.setattr(sitrep.pipeline, "fuse_while_analysing", lambda options: True)
    early = []
    finish = sqlstore.StoreFuser.finish

    def counting_finish(self):
        early.append(self._next)                     # batches fused before the NLP stage ended
        return finish(self)

    monkeypatch.setattr(sqlstore.StoreFuser, "finish", counting_finish)
    during = extract_records(CORPUS, options.with_(db=f"sqlite:///{tmp_path / 'during.db'}"), nlp=nlp)
    assert early and early[0] >= 2
    with Store(f"sqlite:///{tmp_path / 'after.db'}") as store:
        summary = ingest(CORPUS, options, store)
        process(store, options, nlp=nlp, ids=summary.row_ids)
        assert fuse_store(store, options, summary.row_ids) > 0
        after = list(iter_records(store, summary.row_ids))
    assert [r for r in during if r["type"] == "cluster"]
    assert during == after


def test_fusion_overlaps_the_nlp_stage_only_when_workers_analyse():
    import sitrep.pipeline

    assert not sitrep.pipeline.fuse_while_analysing(Options())
    assert sitrep.pipeline.fuse_while_analysing(Options(workers=2))
    assert sitrep.pipeline.fuse_while_analysing(Options(scheduler="tcp://10.0.0.5:8786"))


def test_record_lines_are_exactly_the_json_of_the_records(one_process):
    """The JSONL export splices fact lines from the stored payload text: byte for byte json.dumps."""
    import json

    from sitrep.pipeline import fact_line_text, iter_record_lines, iter_records

    with Store(one_process["url"]) as store:
        row_ids = [d[0] for d in one_process["snapshot"]["documents"]]
        lines = list(iter_record_lines(store, row_ids))
        assert lines == [json.dumps(r, ensure_ascii=False) for r in iter_records(store, row_ids)]
    assert len(lines) == len(one_process["records"]) and any('"type": "event"' in x for x in lines)
    payload = json.dumps({"name": "Kīdal", "quantities": [{"type": "killed", "value": 3}]}, ensure_ascii=False)
    for text in (payload, "{}"):     # nested "type" keys and empty payloads
        assert json.loads(fact_line_text("event", ', "doc_id": "d1"', text)) == {
            "type": "event", "doc_id": "d1", **json.loads(text)}


def test_dask_chatter_stays_out_of_the_output_unless_verbose():
    """The in-process scheduler logs every worker and client at INFO: silenced unless sitrep logs INFO."""
    import logging

    from sitrep.scale.runner import quiet_dask

    dask_log, sitrep_log = logging.getLogger("distributed"), logging.getLogger("sitrep")
    before, sitrep_before = dask_log.level, sitrep_log.level
    try:
        dask_log.setLevel(logging.INFO)
        sitrep_log.setLevel(logging.WARNING)
        with quiet_dask():
            assert not dask_log.isEnabledFor(logging.INFO)
        assert dask_log.level == logging.INFO                  # restored
        sitrep_log.setLevel(logging.INFO)                      # --verbose
        with quiet_dask():
            assert dask_log.isEnabledFor(logging.INFO)
    finally:
        dask_log.setLevel(before)
        sitrep_log.setLevel(sitrep_before)
