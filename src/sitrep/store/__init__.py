"""Store stage: documents, facts and clusters in SQLite (default) or PostgreSQL."""
from sitrep.store.db import Store, normalise_url

__all__ = ["Store", "normalise_url"]
