"""Table definitions (SQLAlchemy Core). Changes go through numbered migrations (migrations.py).

documents        one row per document version (ok, skipped or failed), cleaned text included
facts            one row per extracted fact (place, claim, control_change, event) with its evidence span
clusters         fused groups (wire_copy, same_event, same_claim, contradiction) with a JSON payload
cluster_members  which documents/facts belong to a cluster
schema_migrations  applied migration numbers
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", String(32), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_id", String(255), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("is_current", Boolean, nullable=False, default=True),
    Column("content_hash", String(64), nullable=False),   # sha256 of cleaned text; for failures: of path+reason
    Column("duplicate_of", String(255)),                   # doc_id of an earlier document with identical text
    Column("seq", Integer, nullable=False, default=0),      # input order (for deterministic output)
    Column("path", Text), Column("url", Text), Column("title", Text), Column("outlet", Text),
    Column("published", String(10)), Column("published_source", Text),
    Column("lang", String(12)), Column("encoding", String(40)),
    Column("status", String(16), nullable=False),           # ok | skipped | failed
    Column("reason", Text),
    Column("text", Text),
    Column("meta", Text),                                    # JSON
    Column("nlp_status", String(16), nullable=False, default="pending"),  # pending | done | failed | n/a
    Column("nlp_reason", Text),
    Column("ingested_at", String(32), nullable=False),
    UniqueConstraint("doc_id", "content_hash", name="uq_documents_docid_hash"),
    Index("ix_documents_hash", "content_hash"),
    Index("ix_documents_docid", "doc_id"),
    Index("ix_documents_nlp", "nlp_status"),
)

facts = Table(
    "facts", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("doc_id", String(255), nullable=False),
    Column("kind", String(20), nullable=False),             # place | claim | control_change | event
    Column("seq", Integer, nullable=False),                  # order within the document and kind
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("place_key", String(100)),                        # geonames id, or normalised name; blocking key
    Column("event_date", String(10)),
    Column("side", String(32)),
    Column("speaker", String(255)),
    Column("lat", Float), Column("lon", Float),
    Column("payload", Text, nullable=False),                 # JSON: the CONTRACT record minus type/doc_id
    Index("ix_facts_doc", "document_id"),
    Index("ix_facts_kind_place", "kind", "place_key", "event_date"),
    Index("ix_facts_speaker", "kind", "speaker"),
)

clusters = Table(
    "clusters", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),              # wire_copy | same_event | same_claim | contradiction
    Column("key", String(255), nullable=False),
    Column("payload", Text),                                  # JSON summary (corroboration, outlets, first/last seen)
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("kind", "key", name="uq_clusters_kind_key"),
)

cluster_members = Table(
    "cluster_members", metadata,
    Column("cluster_id", Integer, ForeignKey("clusters.id", ondelete="CASCADE"), nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE")),
    Column("fact_id", Integer, ForeignKey("facts.id", ondelete="CASCADE")),
    Column("role", String(20)),
    Index("ix_cluster_members_cluster", "cluster_id"),
    Index("ix_cluster_members_fact", "fact_id"),
    Index("ix_cluster_members_doc", "document_id"),
)

# --- fusion (sitrep.fuse): incremental state, so new documents are fused without recomputing --------
# fuse_runs       one row per fuse_store() call (cluster payloads carry the run that last rebuilt them)
# fuse_documents  documents already fused, with their wire-copy group (min document row id of the group)
# fuse_bands      MinHash LSH band keys of each document's text windows (candidate wire copies)
# fuse_facts      control changes/events reduced to their blocking keys (place, direction, date)
# fuse_claims     claims reduced to speaker key + content-word stems, with their same-claim group

fuse_runs = Table(
    "fuse_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", String(32), nullable=False),
    Column("n_documents", Integer, nullable=False, default=0),
    Column("n_clusters", Integer, nullable=False, default=0),
)

fuse_documents = Table(
    "fuse_documents", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("wire_group", Integer, nullable=False),
    Column("run_id", Integer),
    Index("ix_fuse_documents_group", "wire_group"),
)

fuse_bands = Table(
    "fuse_bands", metadata,
    Column("band_key", BigInteger, nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Index("ix_fuse_bands_key", "band_key"),
    Index("ix_fuse_bands_doc", "document_id"),
)

fuse_facts = Table(
    "fuse_facts", metadata,
    Column("fact_id", Integer, ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),               # control_change | event
    Column("place_key", String(100), nullable=False),
    Column("direction", String(80), nullable=False),          # "cc:UKR:asserted" | "ev:ASSAULT"
    Column("stance", String(20)),
    Column("side", String(32)),                               # to.side (control_change) / actor side (event)
    Column("asserter", String(255)),                          # who says so: side:RUS | name:... | outlet:...
    Column("eff_date", String(10)),                           # fact date, else the document's published date
    Column("date_source", String(10)),                        # fact | published | None
    Column("place_name", Text),
    Column("resolved_name", Text),
    Index("ix_fuse_facts_place", "place_key", "eff_date"),
    Index("ix_fuse_facts_doc", "document_id"),
)

fuse_claims = Table(
    "fuse_claims", metadata,
    Column("fact_id", Integer, ForeignKey("facts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("speaker_key", String(100), nullable=False),       # surname, folded
    Column("speaker", String(255)),
    Column("side", String(32)),
    Column("day", String(10)),                                # the document's published date
    Column("stems", Text, nullable=False),                    # content-word stems (synonyms folded), space-joined
    Column("claim_group", Integer, nullable=False),           # min fact id of the same-claim group
    Index("ix_fuse_claims_speaker", "speaker_key", "day"),
    Index("ix_fuse_claims_group", "claim_group"),
    Index("ix_fuse_claims_doc", "document_id"),
)
