"""A real PostgreSQL server for tests: one fresh database per test.

The server comes from ``SITREP_TEST_PG_URL`` (``source .ci/postgres.sh`` starts one and sets it).
Without it PostgreSQL tests skip locally, but fail in CI (``CI=true``): CI must never silently
stop testing the PostgreSQL store.

    @pytest.fixture(params=BACKENDS)
    def db_url(request, tmp_path):
        yield from database_url(request.param, tmp_path)
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def server_url() -> str:
    """The PostgreSQL server URL for tests; skip (locally) or fail (in CI) when unset."""
    url = os.environ.get("SITREP_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("SITREP_TEST_PG_URL is not set in CI: `source .ci/postgres.sh` before pytest")
    pytest.skip("SITREP_TEST_PG_URL not set (source .ci/postgres.sh to run PostgreSQL tests)")


def _admin_connect(url: str):
    import psycopg

    base, _, _db = url.rpartition("/")
    return psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=10)


def create_database(url: str) -> str:
    """Create an empty database next to the one in ``url``; return its URL."""
    name = f"sitrep_t_{uuid.uuid4().hex[:12]}"
    with _admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return f"{url.rpartition('/')[0]}/{name}"


def drop_database(url: str) -> None:
    name = url.rpartition("/")[2]
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Generator for fixtures: the URL of an empty database of ``backend``, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url = create_database(server_url())
    try:
        yield url
    finally:
        drop_database(url)
