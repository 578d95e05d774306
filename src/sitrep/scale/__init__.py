"""Scale-out: the per-document NLP on Dask (``--workers N`` / ``--scheduler tcp://HOST:PORT``).

``process_distributed`` is what ``sitrep.pipeline.process`` calls when ``options.uses_dask``
(``workers > 1`` or a ``scheduler``); ``Workers`` starts them ahead, while the caller ingests. See
``sitrep.scale.runner`` for how it works. Dask is imported only when a run starts.
"""
from sitrep.scale.runner import Workers, process_distributed

__all__ = ["Workers", "process_distributed"]
