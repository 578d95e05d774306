"""The per-document caches of the sitrep components (``sitrep.nlp.doctext``) are exact and never keep
documents alive: a long run's memory must not grow with the documents it has analysed."""
from __future__ import annotations

import gc
import weakref

from sitrep.nlp.doctext import doc_ents, doc_text
from sitrep.nlp.pipeline import run

TEXTS = [
    "Rebel fighters said on Monday they had captured the town of Kidal after the army withdrew, "
    "a local official told reporters.",
    "The army said it had retaken Wad Madani. Residents in Khartoum said shelling continued overnight.",
    "Police in Goma said the M23 group had entered the airport, according to the governor of North Kivu.",
]


def test_cached_entities_and_text_are_exactly_spacys(nlp):
    for doc, _ in run(nlp, [(t, {"doc_id": str(i)}) for i, t in enumerate(TEXTS)]):
        assert doc_text(doc) == doc.text
        assert [(e.start, e.end, e.label_) for e in doc_ents(doc)] == [(e.start, e.end, e.label_) for e in doc.ents]
        assert doc_ents(doc) and all(e.doc is doc for e in doc_ents(doc))


def test_analysed_documents_are_not_kept_alive(nlp):
    refs = []
    for doc, _ in run(nlp, [(t * 3, {"doc_id": str(i)}) for i, t in enumerate(TEXTS * 4)]):
        refs.append(weakref.ref(doc))
        del doc
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert len(refs) == 12 and len(alive) <= 1      # at most the last one, until the next document comes
