"""Numbered schema migrations, recorded in ``schema_migrations``.

Append new migrations to ``MIGRATIONS`` as ``(number, name, function(connection))``; never edit an
applied one. ``migrate(engine)`` applies the missing ones in order, each in its own transaction.
"""
from __future__ import annotations

import datetime as _dt

from sqlalchemy import inspect, select

from sitrep.errors import StoreError
from sitrep.store import schema


def _m001_initial(conn) -> None:
    for table in (schema.documents, schema.facts, schema.clusters, schema.cluster_members):
        table.create(conn, checkfirst=True)


def _m050_fusion_state(conn) -> None:
    for table in (schema.fuse_runs, schema.fuse_documents, schema.fuse_bands, schema.fuse_facts, schema.fuse_claims):
        table.create(conn, checkfirst=True)


def _m051_documents_url_index(conn) -> None:
    """Versions are looked up by URL for every new document: without an index ingest is quadratic.
    PostgreSQL gets a hash index (B-tree entries are capped at ~2.7 kB; URLs can be longer)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_documents_url ON documents USING hash (url)")
    else:
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_documents_url ON documents (url)")


MIGRATIONS = [
    (1, "initial: documents, facts, clusters, cluster_members", _m001_initial),
    (50, "fusion state: fuse_runs, fuse_documents, fuse_bands, fuse_facts, fuse_claims", _m050_fusion_state),
    (51, "index on documents.url (version lookups)", _m051_documents_url_index),
]


def applied_versions(conn) -> set[int]:
    if not inspect(conn).has_table("schema_migrations"):
        return set()
    return {row[0] for row in conn.execute(select(schema.schema_migrations.c.version))}


def migrate(engine) -> list[int]:
    """Apply missing migrations; return the numbers applied now."""
    with engine.begin() as conn:
        schema.schema_migrations.create(conn, checkfirst=True)
    done = []
    for number, name, fn in MIGRATIONS:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":  # serialise concurrent migrators
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
            if number in applied_versions(conn):
                continue
            try:
                fn(conn)
            except Exception as exc:  # noqa: BLE001 - report any driver error as one line
                raise StoreError(f"migration {number} ({name}) failed: {exc}", code="SR202") from exc
            conn.execute(schema.schema_migrations.insert().values(
                version=number, name=name, applied_at=_dt.datetime.now(_dt.timezone.utc).isoformat()))
            done.append(number)
    return done
