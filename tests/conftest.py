"""Shared fixtures: the real spaCy model, the real gazetteer, real SQLite files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitrep.options import Options

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
GOLD = ROOT.parent / "shared" / "eval" / "seeds.gold.jsonl"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """One gazetteer cache per test session (built once, from the installed PyPI data).

    SITREP_TEST_CACHE lets a developer reuse a built gazetteer across runs.
    """
    env = os.environ.get("SITREP_TEST_CACHE")
    if env:
        Path(env).mkdir(parents=True, exist_ok=True)
        return Path(env)
    return tmp_path_factory.mktemp("sitrep-cache")


@pytest.fixture(scope="session")
def base_options(cache_dir) -> Options:
    return Options(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def gazetteer(base_options):
    from sitrep.geo import open_gazetteer

    return open_gazetteer(base_options)


@pytest.fixture(scope="session")
def nlp(base_options, gazetteer):
    from sitrep.nlp.pipeline import build_pipeline

    return build_pipeline(base_options, gazetteer=gazetteer)


@pytest.fixture
def make_doc(nlp):
    """make_doc(text, published="2022-10-05") -> processed Doc."""
    from sitrep.nlp.pipeline import run

    def _make(text: str, published: str | None = "2022-10-05", doc_id: str = "t"):
        ((doc, _ctx),) = list(run(nlp, [(text, {"doc_id": doc_id, "published": published})]))
        return doc

    return _make


@pytest.fixture
def options(tmp_path, cache_dir) -> Options:
    """Options pointing at a fresh SQLite file in tmp_path."""
    return Options(db=f"sqlite:///{tmp_path / 'sitrep.db'}", cache_dir=cache_dir)


@pytest.fixture
def store(options):
    from sitrep.store import Store

    s = Store(options.db)
    yield s
    s.close()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    return SEEDS
