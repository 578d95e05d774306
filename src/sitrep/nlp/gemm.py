"""The model's matrix products through numpy's BLAS (one thread) instead of thinc's bundled BLIS.

spaCy's CPU models multiply matrices with thinc's ``NumpyOps.gemm``, which calls the BLIS library
bundled in ``cython-blis``. BLIS picks its kernels from the CPU at start-up and falls back to slow,
SSE-only ``generic`` kernels on processors it does not recognise -- on the AMD EPYC (Zen 3) VMs
``bench/`` runs on it does (``BLIS_ARCH_DEBUG=1`` prints ``selecting sub-configuration 'generic'``),
and its ``gemm`` then runs ~4x slower than numpy's OpenBLAS on the same shapes. numpy's wheels
carry OpenBLAS (Accelerate on macOS) built for every current CPU.

``use_numpy_gemm(nlp)`` gives every thinc layer of the pipeline ``NumpyGemmOps``: thinc's own
``NumpyOps(use_blis=False)`` (thinc's documented way to multiply with ``numpy.dot``), limited to one
BLAS thread during each product -- sitrep runs one pipeline per core (``--workers``), and OpenBLAS
threads spinning on the other core cost more CPU than they save (bench/README.md). Everything
else (the parser's own C loops, which call BLIS's ``saxpy``/``sgemm`` directly) is unchanged.

The annotations are the same up to float rounding in the last bits (the two libraries sum in
different orders); tests/test_gemm.py compares tags, heads, labels and entities on our fixtures.
``Options(numpy_gemm=False)`` keeps thinc's BLIS. bench/README.md, "Throughput", has the figures.
"""
from __future__ import annotations

from thinc.api import NumpyOps

_controller = None     # threadpoolctl.ThreadpoolController, made on first use (scans loaded libraries)


def _blas_controller():
    """The BLAS libraries loaded when first called: numpy's among them (thinc imports numpy, which
    loads its BLAS); one loaded later (e.g. scipy's own OpenBLAS) is not the one ``numpy.dot`` uses."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


class NumpyGemmOps(NumpyOps):
    """``NumpyOps`` whose ``gemm`` is ``numpy.dot`` on one BLAS thread (everything else unchanged)."""

    def __init__(self, **kwargs):
        kwargs["use_blis"] = False
        super().__init__(**kwargs)

    def gemm(self, x, y, *, out=None, trans1=False, trans2=False):
        with _blas_controller().limit(limits=1, user_api="blas"):
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)


def use_numpy_gemm(nlp) -> int:
    """Give every thinc layer of ``nlp``'s components ``NumpyGemmOps``; returns how many layers
    changed. Layers on another backend (GPU: ``CupyOps``) or with their own ``NumpyOps`` subclass
    (e.g. ``thinc-apple-ops``) are left alone."""
    ops = NumpyGemmOps()
    changed = 0
    for _, component in nlp.components:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = ops
                changed += 1
    return changed


__all__ = ["NumpyGemmOps", "use_numpy_gemm"]
