"""What runs inside a Dask worker process: the sitrep pipeline, loaded once per process.

``analyse_batch(options, rows)`` is the only task the runner submits. The first call in a worker
process builds the spaCy pipeline (``sitrep.nlp.pipeline.build_pipeline``) with the gazetteer
opened from ``options.gazetteer_path()``; later calls with the same NLP-relevant options reuse it.
Scale-only fields (db, workers, scheduler, progress) do not force a reload.

Before the first build the worker undoes a Dask default that costs spaCy ~15 % CPU (``tune_malloc``).
"""
from __future__ import annotations

import sys
import threading

from sitrep.options import Options

_lock = threading.Lock()            # one pipeline build at a time; spaCy is not run concurrently either
_cached: tuple[Options, object, object] | None = None   # (key, nlp, gazetteer)
MALLOC_TUNED: bool | None = None    # None: not tried yet in this process; False: not glibc
# glibc mallopt parameters: large blocks (up to 32 MiB) come from the heap and stay there up to 64 MiB
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES, TRIM_THRESHOLD_BYTES = 32 * 2**20, 64 * 2**20


def tune_malloc() -> bool:
    """Let the model's per-batch buffers be reused instead of mapped and unmapped each time (glibc).

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (and copies it into the parent's
    environment, so later workers inherit it); setting it switches off glibc's dynamic mmap threshold,
    so every large numpy buffer spaCy allocates becomes an mmap, page faults and an munmap: ~15 % more
    CPU for the same documents (bench/README.md, "Throughput"). These thresholds are where glibc's own
    dynamic adjustment ends up. Returns False where there is no glibc ``mallopt`` (macOS, musl).
    """
    global MALLOC_TUNED
    if MALLOC_TUNED is None:
        MALLOC_TUNED = False
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                mallopt = ctypes.CDLL(None).mallopt
            except (OSError, AttributeError):
                return False
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            MALLOC_TUNED = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and \
                bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
    return MALLOC_TUNED


def pipeline_key(options: Options) -> Options:
    """The options that decide what the pipeline computes (scale and store fields cleared)."""
    return options.with_(db=None, workers=1, scheduler=None, progress=None)


def pipeline_for(options: Options):
    """The worker's pipeline for ``options``: built on first use, then cached (one at a time)."""
    global _cached
    key = pipeline_key(options)
    if _cached is not None and _cached[0] == key:
        return _cached[1]
    from sitrep.geo import open_gazetteer
    from sitrep.nlp.pipeline import build_pipeline

    tune_malloc()
    if _cached is not None:                 # a different configuration: let the old one go
        _close(_cached[2])
        _cached = None
    gazetteer = open_gazetteer(key)
    nlp = build_pipeline(key, gazetteer=gazetteer)
    _cached = (key, nlp, gazetteer)
    return nlp


def analyse_batch(options: Options, rows: list[dict]) -> list[tuple[int, list | None, str | None]]:
    """Dask task: NLP over document rows -> ``(row id, facts, error)`` (``sitrep.pipeline.analyse``),
    the facts encoded for the store (``sitrep.store.db.encode_facts``)."""
    from sitrep.pipeline import analyse
    from sitrep.store.db import encode_facts

    with _lock:                             # a worker with several threads still runs one batch at a time
        nlp = pipeline_for(options)
        results = analyse(nlp, rows, options.batch_size)
    return [(row_id, None if facts is None else encode_facts(facts), error) for row_id, facts, error in results]


def warm_up(options: Options) -> bool:
    """Dask task: build this worker's pipeline now (while the parent still ingests)."""
    with _lock:
        pipeline_for(options)
    return True


def _close(gazetteer) -> None:
    close = getattr(gazetteer, "close", None)
    if close:
        close()
