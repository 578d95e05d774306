"""The model's matrix products through numpy's BLAS (sitrep/nlp/gemm.py): same annotations, one thread."""
from __future__ import annotations

from pathlib import Path

import numpy
import pytest
import spacy
from thinc.api import NumpyOps
from threadpoolctl import threadpool_info

from sitrep.nlp.gemm import NumpyGemmOps, _blas_controller, use_numpy_gemm
from sitrep.options import Options

ROOT = Path(__file__).resolve().parents[1]
TEXTS = sorted((ROOT / "src" / "sitrep" / "examples").glob("*.txt")) + sorted((ROOT / "tests" / "data").rglob("*.txt"))


def _annotations(nlp, texts):
    return [[(t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.ent_iob_) for t in doc] for doc in nlp.pipe(texts)]


def _blas_threads() -> list[int]:
    """Threads of the BLAS libraries loaded with numpy (others, e.g. scipy's, may load later)."""
    numpy_libs = {lib.filepath for lib in _blas_controller().select(user_api="blas").lib_controllers}
    return [lib["num_threads"] for lib in threadpool_info() if lib["filepath"] in numpy_libs]


@pytest.fixture(scope="module")
def pair():
    model = Options().model
    plain, fast = spacy.load(model), spacy.load(model)
    assert use_numpy_gemm(fast) > 100            # every layer of tok2vec, tagger, parser, ner
    return plain, fast


def test_every_numpy_layer_switched(pair):
    plain, fast = pair
    for nlp, expected in ((plain, NumpyOps), (fast, NumpyGemmOps)):
        for _, component in nlp.components:
            model = getattr(component, "model", None)
            if model is not None and hasattr(model, "walk"):
                assert {type(node.ops) for node in model.walk()} == {expected}
    assert use_numpy_gemm(fast) == 0              # already switched: nothing left to change


def test_same_annotations_as_blis(pair):
    plain, fast = pair
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in TEXTS]
    a, b = _annotations(plain, texts), _annotations(fast, texts)
    tokens = sum(len(d) for d in a)
    assert tokens > 5000
    # the two libraries sum in different orders: allow a rounding flip in a thousand tokens, no more
    differing = sum(x != y for doc_a, doc_b in zip(a, b) for x, y in zip(doc_a, doc_b))
    assert [len(d) for d in a] == [len(d) for d in b]
    assert differing <= tokens // 1000, f"{differing} of {tokens} tokens annotated differently"


def test_gemm_matches_numpy_and_runs_on_one_blas_thread():
    rng = numpy.random.default_rng(7)
    x = rng.random((300, 96), dtype=numpy.float32)
    w = rng.random((64, 96), dtype=numpy.float32)
    seen: list[list[int]] = []

    class Probe:                                   # numpy, recording the BLAS threads while it multiplies
        def __getattr__(self, name):
            return getattr(numpy, name)

        def dot(self, a, b, out=None):
            seen.append(_blas_threads())
            return numpy.dot(a, b, out=out)

    ops = NumpyGemmOps()
    ops.xp = Probe()
    before = _blas_threads()
    if not before:
        pytest.skip("numpy's BLAS is not one threadpoolctl controls (e.g. Accelerate)")
    y = ops.gemm(x, w, trans2=True)
    out = numpy.empty((96, 96), dtype=numpy.float32)
    z = ops.gemm(x, x, trans1=True, out=out)
    assert y.shape == (300, 64) and y.dtype == numpy.float32
    numpy.testing.assert_allclose(y, x @ w.T, rtol=1e-5)
    assert z is out
    numpy.testing.assert_allclose(out, x.T @ x, rtol=1e-5)
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    assert _blas_threads() == before               # the caller's setting is back afterwards


def test_option_off_keeps_blis(cache_dir):
    from sitrep.nlp.pipeline import build_pipeline

    nlp = build_pipeline(Options(cache_dir=cache_dir, numpy_gemm=False))
    assert type(nlp.get_pipe("tok2vec").model.ops) is NumpyOps
    nlp = build_pipeline(Options(cache_dir=cache_dir))
    assert type(nlp.get_pipe("parser").model.ops) is NumpyGemmOps


def test_tune_spacy_reports_what_it_changed():
    from sitrep.nlp.pipeline import tune_spacy

    nlp = spacy.load(Options().model)
    changed = tune_spacy(nlp, Options(fast_attribute_ruler=False))
    assert changed["attribute_ruler"] is False and changed["gemm_layers"] > 100
    assert tune_spacy(nlp, Options()) == {"attribute_ruler": True, "gemm_layers": 0}   # gemm already switched
