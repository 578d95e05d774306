"""Shared by tests/test_control*.py and tests/test_events*.py: the real pipeline.

``build_events_nlp(options, gazetteer)`` returns ``build_pipeline(...)`` (real model, real
sitrep_places / sitrep_claims / sitrep_events). Only while ``sitrep.nlp.places`` does not exist
yet does it stand in a minimal gazetteer-backed places component, so the events tests can run
before that stage lands.
"""
from __future__ import annotations

import importlib.util

from sitrep.models import evidence


def open_gazetteer(options):
    """The session gazetteer (``sitrep.geo.open_gazetteer``; the module path while geo settles)."""
    try:
        from sitrep.geo import open_gazetteer as _open
    except ImportError:  # pragma: no cover
        from sitrep.geo.gazetteer import open_gazetteer as _open
    return _open(options)


def build_events_nlp(options, gazetteer):
    from sitrep.nlp.pipeline import build_pipeline, load_spacy, register_extensions

    if importlib.util.find_spec("sitrep.nlp.places") is not None:
        return build_pipeline(options, gazetteer=gazetteer)
    register_extensions()  # pragma: no cover - only until sitrep_places lands
    from spacy.language import Language

    import sitrep.nlp.claims  # noqa: F401
    import sitrep.nlp.events  # noqa: F401

    if "stand_in_places" not in Language.factories:
        Language.factory("stand_in_places")(lambda nlp, name: _StandInPlaces())
    nlp = load_spacy(options.model)
    nlp.add_pipe("stand_in_places", name="sitrep_places")
    nlp.add_pipe("sitrep_claims")
    nlp.add_pipe("sitrep_events")
    for name in ("sitrep_places", "sitrep_claims", "sitrep_events"):
        nlp.get_pipe(name).setup(options=options, gazetteer=gazetteer)
    return nlp


class _StandInPlaces:  # pragma: no cover - only until sitrep_places lands
    """Capitalised token runs that the gazetteer knows exactly (no disambiguation)."""

    def setup(self, *, options=None, gazetteer=None):
        self.gaz = gazetteer

    def resolve_text(self, name, doc=None):
        from sitrep.geo.gazetteer import precision_of, to_resolved

        hits = [c for c in self.gaz.lookup(name) if c.get("exact")]
        if not hits:
            return None
        return {"name": name, "resolved": to_resolved(hits[0]), "precision": precision_of(hits[0])}

    def __call__(self, doc):
        out, i = [], 0
        while i < len(doc):
            t = doc[i]
            if not t.text[:1].isupper() or t.ent_type_ in ("NORP", "DATE") or t.is_sent_start and t.pos_ != "PROPN" and t.pos_ != "ADV":
                i += 1
                continue
            j = i
            while j + 1 < len(doc) and doc[j + 1].text[:1].isupper() and doc[j + 1].pos_ == "PROPN":
                j += 1
            hit = None
            for a in range(i, j + 1):
                for b in range(j, a - 1, -1):
                    span = doc[a:b + 1]
                    if span[0].ent_type_ == "PERSON" and len(span) > 1:
                        continue
                    got = self.resolve_text(span.text)
                    if got:
                        hit = (span, got)
                        break
                if hit:
                    break
            if hit:
                span, got = hit
                got["evidence"] = evidence(doc.text, span.start_char, span.end_char)
                out.append(got)
            i = j + 1
        doc._.places = out
        return doc
