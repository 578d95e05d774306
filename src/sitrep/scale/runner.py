"""Run the per-document NLP on Dask: a LocalCluster of worker processes, or an existing scheduler.

    from sitrep.scale import process_distributed
    n_facts, n_failed = process_distributed(store, Options(workers=2))            # local processes
    n_facts, n_failed = process_distributed(store, Options(scheduler="tcp://10.0.0.5:8786"))

How it works (and why the result is identical to the single-process run):

- the parent streams the store's pending documents in batches of ``options.batch_size``, the last few
  smaller (``sitrep.pipeline.batches``: the same batches ``sitrep.pipeline.process`` makes, and the
  workers finish together) and submits each as one task; a new batch goes out as soon
  as any batch finishes (``6 x worker threads`` computing or queued, at most ``8 x worker threads``
  not yet written), so workers do not wait for a slow batch, nor while the parent is busy fusing the
  batches already written (``sitrep.pipeline.run_all``), and memory stays flat whatever the corpus size;
- every worker process builds the pipeline once (``sitrep.scale.worker``) and only computes:
  workers never open the store, so any store works, and a remote cluster needs no database access;
- the parent writes each batch with ``store.save_results`` in submission order, so documents, facts,
  fact ids and their order are the ones a single process writes; once every result is in, it fetches
  the ones not yet written and lets the workers shut down while it writes and fuses them;
- a worker that dies on a batch (crash, out of memory) is replaced by Dask; the batch is then retried
  document by document (once the other batches in flight have ended: Dask fails every batch queued on
  the dead worker), and a document that kills its worker again fails alone (SR302).

The gazetteer is built by the parent before local workers start, so workers only open it; workers of a
remote cluster open (or build, under a file lock) the one at ``options.gazetteer_path()`` on their host.
"""
from __future__ import annotations

import logging
import uuid
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from sitrep.errors import ScaleError
from sitrep.options import Options

log = logging.getLogger("sitrep")

CONNECT_TIMEOUT = 10.0   # seconds to reach a --scheduler
WORKER_TIMEOUT = 30.0    # seconds to wait for a worker to join an existing scheduler that has none
IN_FLIGHT_PER_THREAD = 6    # batches computing or queued per worker thread (2: workers starve while the
                            # parent fuses; bench/README.md, "Throughput")
BUFFERED_PER_THREAD = 8     # batches submitted but not yet written (finished ones wait for older ones)
KILLED_REASON = "SR302 WorkerDied: the worker process died while analysing this document"
# A local cluster (scheduler and nannies in this process, workers in child processes) runs without
# Dask's 10 ms stack-sampling profiler (it competes with spaCy for the GIL) and polls less: the event
# loop health tick (20 ms), the psutil system monitor (500 ms, with disk counters) and the nannies'
# and workers' memory checks (100 ms) wake every Dask server dozens of times a second, on the same two
# cores the NLP needs (bench/README.md, "Throughput"). Memory limits still apply, checked every 500 ms.
# Dask's other costly default, MALLOC_TRIM_THRESHOLD_, is undone in every worker, local or remote, by
# ``sitrep.scale.worker.tune_malloc``.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "500ms",
}


def process_distributed(store, options: Options, ids: list[int] | None = None,
                        progress: Callable[[int], None] | None = None,
                        saved: Callable[[int], None] | None = None, workers: Workers | None = None) -> tuple[int, int]:
    """NLP over the store's pending documents on Dask; returns ``(facts stored, documents failed)``.

    ``ids`` limits the run to these document rows; ``progress(n)`` and ``saved(last row id)`` are called
    after each written batch (as in ``sitrep.pipeline.process``). ``workers``: a ``Workers`` started
    earlier (else a client is opened and closed here).
    Raises ``ScaleError`` (SR701) when ``options.scheduler`` cannot be reached.
    """
    if workers is not None:         # shut down as soon as the last result is in (while the parent writes it)
        return run_batches(workers.client(), store, options, ids=ids, progress=progress, saved=saved,
                           drained=workers.release)
    with dask_client(options) as client:
        return run_batches(client, store, options, ids=ids, progress=progress, saved=saved)


class Workers:
    """``dask_client(options)`` opened on a background thread, each worker then building its pipeline,
    so that the workers start and load the model while the caller goes on (``sitrep.pipeline.run_all``
    ingests meanwhile: one core would otherwise sit idle for both).

        with Workers(options) as workers:
            ...                                   # ingest
            process_distributed(store, options, workers=workers)
            workers.release()                     # optional: shut down in the background from here

    ``client()`` waits for the start and raises its error (``ScaleError``) if it failed.
    """

    def __init__(self, options: Options):
        from concurrent.futures import ThreadPoolExecutor

        if not options.scheduler:
            import distributed  # noqa: F401 - here, not on the thread: it would wait for the GIL behind
                                # the caller's ingest and the workers would start seconds later
        self.options = options
        self._context = dask_client(options)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sitrep-workers")
        self._closing = None
        self._started = self._thread.submit(self._start)

    def _start(self):
        client = self._context.__enter__()
        warm_up(client, self.options)
        return client

    def client(self):
        return self._started.result()

    def release(self) -> None:
        """Start shutting the workers down in the background (``close`` waits for it): the caller
        goes on fusing and writing records meanwhile."""
        if self._closing is None:
            self._closing = self._thread.submit(self._stop)

    def _stop(self) -> None:
        if self._started.exception() is None:
            self._context.__exit__(None, None, None)

    def close(self) -> None:
        try:
            self.release()
            self._closing.result()
        finally:
            self._thread.shutdown()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def warm_up(client, options: Options) -> None:
    """Have every worker build its pipeline now (fire and forget; batches queue behind it)."""
    from sitrep.scale.worker import warm_up as build

    for address in sorted(client.scheduler_info().get("workers", {})):
        client.submit(build, options, workers=[address], allow_other_workers=False, pure=False,
                      key=f"sitrep-warm-{uuid.uuid4().hex[:10]}")


@contextmanager
def dask_client(options: Options) -> Iterator[object]:
    """A ``distributed.Client`` on ``options.scheduler``, or on a fresh LocalCluster closed afterwards."""
    if options.scheduler:
        client = _remote_client(options.scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    _ensure_gazetteer(options)
    import dask
    from distributed import Client, LocalCluster

    with quiet_dask():
        try:
            with dask.config.set(LOCAL_WORKER_CONFIG):     # passed on by each nanny, kept for restarts
                cluster = LocalCluster(n_workers=options.workers, threads_per_worker=1, processes=True,
                                       dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        except Exception as exc:  # noqa: BLE001 - any startup failure becomes one line
            raise ScaleError(f"cannot start {options.workers} local Dask workers: {_one_line(exc)}",
                             code="SR702") from exc
        with cluster, Client(cluster, set_as_default=False) as client:
            yield client


@contextmanager
def quiet_dask() -> Iterator[None]:
    """The local scheduler runs in this process and logs every nanny, worker and client at INFO; keep
    that out of sitrep's output unless sitrep itself logs at INFO (``--verbose``)."""
    logger = logging.getLogger("distributed")
    old = logger.level
    if not log.isEnabledFor(logging.INFO):
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(old)


def run_batches(client, store, options: Options, *, ids: list[int] | None = None,
                progress: Callable[[int], None] | None = None,
                saved: Callable[[int], None] | None = None,
                drained: Callable[[], None] | None = None) -> tuple[int, int]:
    """Stream pending documents through ``client`` (bounded in flight), write results in order.

    ``drained()`` is called once every batch has been computed successfully and the results not yet
    written have been fetched (``Workers.release``: the cluster shuts down while the parent stores and
    fuses them).
    """
    from distributed import wait

    from sitrep.pipeline import batches, store_batch
    from sitrep.scale.worker import analyse_batch

    threads = max(1, sum(client.nthreads().values()))
    limit, cap = IN_FLIGHT_PER_THREAD * threads, BUFFERED_PER_THREAD * threads
    prefix = f"sitrep-nlp-{uuid.uuid4().hex[:10]}"
    window: deque = deque()          # (key, rows, future) in submission order
    n_facts = n_failed = 0

    def write(rows: list[dict], results: list[tuple]) -> None:
        nonlocal n_facts, n_failed
        facts, failed = store_batch(store, rows, results, progress, saved)
        n_facts, n_failed = n_facts + facts, n_failed + failed

    def write_oldest() -> None:
        key, rows, future = window.popleft()
        write(rows, _results(client, options, key, rows, future, window))

    try:
        for i, rows in enumerate(batches(store.pending(ids=ids), options.batch_size)):
            key = f"{prefix}-{i}"
            window.append((key, rows, client.submit(analyse_batch, options, rows, key=key)))
            while True:   # refill as soon as any batch finishes: a slow batch must not idle the other workers
                while window and window[0][2].done():
                    write_oldest()
                running = [future for _, _, future in window if not future.done()]
                if len(running) < limit and len(window) < cap:
                    break
                if len(window) >= cap:
                    write_oldest()
                else:
                    with client.as_current():     # wait() looks up "the current client"
                        wait(running, return_when="FIRST_COMPLETED")
        while window:
            if drained is not None:
                with client.as_current():
                    wait([window[0][2]])
                if all(future.status == "finished" for _, _, future in window):
                    break
            write_oldest()
        if window:                   # every batch computed: fetch the results, then let the workers go
            rest = [(rows, result) for (_, rows, _), result in
                    zip(window, client.gather([future for _, _, future in window]))]
            window.clear()
            drained()
            for rows, result in rest:
                write(rows, result)
    finally:
        if window:                   # an error: do not leave work running on a shared cluster
            client.cancel([future for _, _, future in window])
    return n_facts, n_failed


def _results(client, options: Options, key: str, rows: list[dict], future, window: Iterable = ()) -> list[tuple]:
    """A batch's results; when its worker died, retry its documents one by one to find the culprit.

    The death may have come from another batch queued on the same worker (Dask fails them all), so
    the retries start once the batches still in flight (``window``: ``(key, rows, future)``) have
    ended: then a worker that dies during a one-document retry was killed by that document.
    """
    from distributed import KilledWorker, wait

    from sitrep.scale.worker import analyse_batch

    try:
        return future.result()
    except KilledWorker:
        pass
    others = [f for _, _, f in window]
    if others:
        with client.as_current():
            wait(others)
    log.warning("a worker died on batch %s; retrying its %d documents one at a time", key, len(rows))
    out = []
    for j, row in enumerate(rows):   # one at a time: a culprit cannot take innocent documents down with it
        try:
            out.extend(client.submit(analyse_batch, options, [row], key=f"{key}-{j}").result())
        except KilledWorker:
            log.warning("%s %s", row["doc_id"], KILLED_REASON)
            out.append((row["id"], None, KILLED_REASON))
    return out


def _remote_client(address: str):
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise ScaleError(f"cannot reach Dask scheduler {address}: {_one_line(exc)}", code="SR701") from None
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ScaleError(f"Dask scheduler {address} has no workers (waited {WORKER_TIMEOUT:g} s)",
                         code="SR701") from exc
    return client


def _ensure_gazetteer(options: Options) -> None:
    """Build the gazetteer once in the parent (if missing) so that local workers only open it."""
    from sitrep.geo import open_gazetteer

    gazetteer = open_gazetteer(options)
    close = getattr(gazetteer, "close", None)
    if close:
        close()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
