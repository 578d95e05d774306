"""NLP stage: spaCy components that find places, claims, control changes and events.

Each component is registered with ``@Language.factory`` in its own module and writes
its findings to a ``Doc._`` extension (see ``sitrep.nlp.pipeline``).
"""
