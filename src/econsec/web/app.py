"""``create_app()``: the FastAPI application of ``econsec serve``.

The knowledge base is opened (and built from the bundled data if empty) when the app is
created; routers come from :mod:`econsec.web.registry`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from econsec import __version__
from econsec.web import problems
from econsec.web.registry import routers
from econsec.web.state import WebState


def open_knowledge_base(database_url: str) -> object:
    """Open the store at ``database_url``; build it from the bundled data when empty."""
    from econsec.datasets.bundled import load_bundled
    from econsec.kb.store import open_store

    store = open_store(database_url)
    if not store.counts().get("observations"):
        store.import_bundle(load_bundled(), replace=True)
    return store


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """On shutdown, stop the services that hold threads (the job runner)."""
    yield
    for service in app.state.econsec.services.values():
        stop = getattr(service, "shutdown", None)
        if callable(stop):
            stop()


def create_app(database_url: str, *, store: object | None = None) -> FastAPI:
    """The application on the knowledge base at ``database_url`` (a SQLAlchemy URL)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="econsec",
        version=__version__,
        description="Economic-security intelligence on real public data: dependence, "
        "criticality, scenarios. JSON shapes match the CLI's --format json.",
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.econsec = WebState(
        store=store if store is not None else open_knowledge_base(database_url),
        database_url=database_url,
    )
    problems.install(app)
    for router, prefix in routers():
        app.include_router(router, prefix=prefix)
    return app
