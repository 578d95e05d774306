"""The offline web UI: FastAPI app (JSON API + static files) and its uvicorn runner.

    app = create_app(store, options)          # FastAPI; nothing is read until a request comes
    serve(options, host="127.0.0.1", port=8000)

Read-only (GET only), binds 127.0.0.1 by default, loads nothing from outside: Leaflet comes
from the installed ``xstatic-leaflet`` package, country outlines from the optional basemap
build step (``python -m sitrep.serve.basemap``). Every response carries a strict
Content-Security-Policy (scripts only from this server), so even text that slipped past the
UI's escaping could not run.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

log = logging.getLogger("sitrep.serve")

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
    "x-frame-options": "DENY", "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def leaflet_dir() -> Path:
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def fusion_available() -> bool:
    try:
        import sitrep.fuse.timeline  # noqa: F401
    except ImportError:
        return False
    return True


class LedgerCache:
    """The store's ledger, rebuilt only when facts, clusters or documents changed."""

    def __init__(self, store):
        self.store = store
        self.lock = threading.Lock()
        self.signature = None
        self.ledger = None

    def _signature(self):
        from sqlalchemy import func, select

        from sitrep.store import schema

        with self.store.engine.connect() as conn:
            return tuple(conn.execute(select(func.count(), func.max(col))).one()
                         for col in (schema.facts.c.id, schema.documents.c.id, schema.clusters.c.updated_at,
                                     schema.cluster_members.c.cluster_id))

    def __call__(self):
        from sitrep.export.ledger import Ledger

        with self.lock:
            sig = self._signature()
            if self.ledger is None or sig != self.signature:
                self.ledger, self.signature = Ledger.from_store(self.store), sig
            return self.ledger


def create_app(store, options=None, *, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The app over an open Store. ``allowed_hosts`` (Host header check against DNS rebinding)
    defaults to the loopback names; pass ``["*"]`` when serving on a public interface."""
    from sitrep.serve.api import router

    app = FastAPI(title="sitrep", summary="Evidence-backed, geolocated event ledger (read-only)",
                  version=_version(), docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.store = store
    app.state.options = options
    app.state.ledger = LedgerCache(store)
    app.state.fusion_available = fusion_available
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)

    @app.middleware("http")
    async def security_headers(request, call_next):
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/vendor/leaflet", StaticFiles(directory=leaflet_dir()), name="leaflet")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    return app


def serve(options, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Open ``Store(options.db)`` and serve the UI with uvicorn until interrupted."""
    import uvicorn

    from sitrep.store import Store

    store = Store(options.db)
    hosts = None
    if host in ("0.0.0.0", "::"):
        hosts = ["*"]
    elif host not in LOOPBACK_HOSTS:
        hosts = LOOPBACK_HOSTS + [host]
    try:
        app = create_app(store, options, allowed_hosts=hosts)
        shown = f"[{host}]" if ":" in host else host
        log.info("sitrep UI on http://%s:%d/ (read-only; Ctrl-C stops)", shown, port)
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        store.close()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sitrep")
    except PackageNotFoundError:
        return "dev"
