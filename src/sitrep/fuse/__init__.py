"""Fusion stage: many reports -> evidence. Wire copies, same event, same claim, corroboration,
contradictions and the control timeline, kept incrementally in the store.

    from sitrep.fuse import fuse_store, corroboration, control_timeline, format_timeline
    fuse_store(store, options, document_ids=new_row_ids)     # after NLP; returns clusters touched
    corroboration(store, min_sources=2)                      # fused events + independent sources
    print(format_timeline(control_timeline(store, "Lyman")))

Modules: ``text`` (shingles, MinHash band keys, claim stems), ``events`` (same event +
contradictions per place), ``engine`` (a batch through all steps), ``sqlstore`` (state in the
store's ``fuse_*`` tables), ``memory`` (state in memory: benchmarks), ``timeline``, ``corroborate``.
Nothing is imported or loaded until a function is called.
"""
from __future__ import annotations


def fuse_store(store, options, document_ids: list[int] | None = None) -> int:
    """Update clusters for newly processed documents (row ids; None = all not yet fused).
    Returns the number of clusters created or updated."""
    from sitrep.fuse.sqlstore import fuse_store as _fuse_store

    return _fuse_store(store, options, document_ids)


def corroboration(store, *, place: str | None = None, min_sources: int = 1, options=None) -> list[dict]:
    """Fused events with their independent sources (wire copies once), outlets, first/last seen."""
    from sitrep.fuse.corroborate import corroboration as _corroboration

    return _corroboration(store, place=place, min_sources=min_sources, options=options)


def control_timeline(store, place: str, options=None) -> list[dict]:
    """Ordered control entries for PLACE (see ``sitrep.fuse.timeline``)."""
    from sitrep.fuse.timeline import control_timeline as _control_timeline

    return _control_timeline(store, place, options)


def format_timeline(entries: list[dict], **kwargs) -> str:
    from sitrep.fuse.timeline import format_timeline as _format_timeline

    return _format_timeline(entries, **kwargs)


__all__ = ["fuse_store", "corroboration", "control_timeline", "format_timeline"]
