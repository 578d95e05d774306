"""What runs inside a Dask worker process: the sitrep pipeline, loaded once per process.

``analyse_batch(options, rows)`` is the only task the runner submits. The first call in a worker
process builds the spaCy pipeline (``sitrep.nlp.pipeline.build_pipeline``) with the gazetteer
opened from ``options.gazetteer_path()``; later calls with the same NLP-relevant options reuse it.
Scale-only fields (db, workers, scheduler, progress) do not force a reload.
"""
from __future__ import annotations

import threading

from sitrep.options import Options

_lock = threading.Lock()            # one pipeline build at a time; spaCy is not run concurrently either
_cached: tuple[Options, object, object] | None = None   # (key, nlp, gazetteer)


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

    if _cached is not None:                 # a different configuration: let the old one go
        _close(_cached[2])
        _cached = None
    gazetteer = open_gazetteer(key)
    nlp = build_pipeline(key, gazetteer=gazetteer)
    _cached = (key, nlp, gazetteer)
    return nlp


def analyse_batch(options: Options, rows: list[dict]) -> list[tuple[int, dict | None, str | None]]:
    """Dask task: NLP over document rows -> ``(row id, facts, error)`` (``sitrep.pipeline.analyse``)."""
    from sitrep.pipeline import analyse

    with _lock:                             # a worker with several threads still runs one batch at a time
        nlp = pipeline_for(options)
        return analyse(nlp, rows, options.batch_size)


def _close(gazetteer) -> None:
    close = getattr(gazetteer, "close", None)
    if close:
        close()
