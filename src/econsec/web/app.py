"""``create_app()``: the FastAPI application of ``econsec serve``.

The knowledge base is opened (and built from the bundled data if empty) when the app is
created, and the results the first pages show are computed then
(:func:`econsec.web.pages.site.warm_up`), so that ``econsec serve`` says it is listening
once its pages answer at once; routers come from :mod:`econsec.web.registry`. Every request passes
:class:`econsec.web.security.SecurityMiddleware` (host, origin and token checks, body limits,
security headers, the last-resort 500 problem) and gets a deadline
(:class:`econsec.web.cache.ReadDeadline`): a read waits for results being computed at most
``read_wait_seconds``, then answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response

from econsec import __version__
from econsec.errors import EconsecError
from econsec.settings import Settings
from econsec.web import problems
from econsec.web.audit_requests import AuditRequests
from econsec.web.auth import SignInGate
from econsec.web.cache import ReadDeadline, StillComputing
from econsec.web.limits import ExpensiveRequests
from econsec.web.pages.site import warm_up as compute_first_pages
from econsec.web.registry import routers
from econsec.web.security import UNSAFE_METHODS, HostPolicy, SecurityMiddleware, new_token
from econsec.web.state import WebState


def open_knowledge_base(database_url: str) -> tuple[object, bool]:
    """Open the store at ``database_url``; build it from the bundled data when empty.
    Returns the store and whether it was built just now. Of several worker processes
    starting at once on an empty knowledge base, one builds it; the others wait for the
    build lock and find it built (:func:`econsec.web.serving.once`)."""
    from econsec.datasets.bundled import load_bundled
    from econsec.kb.store import open_store
    from econsec.web.serving import once

    store = open_store(database_url)
    built = once(database_url, store.has_observations,
                 lambda: store.import_bundle(load_bundled(), replace=True))
    return store, built is not None


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """On start-up, compute what the first pages show on a background thread unless it is
    computed already (:func:`econsec.web.pages.site.warm_up`); on shutdown, stop the
    services that hold threads (the job runner)."""
    threading.Thread(target=compute_first_pages, args=(app.state.econsec,), daemon=True,
                     name="econsec-warm-up").start()
    yield
    for service in app.state.econsec.services.values():
        stop = getattr(service, "shutdown", None)
        if callable(stop):
            stop()


def create_app(database_url: str, *, store: object | None = None, host: str = "127.0.0.1",
               port: int | None = None, allowed_hosts: Iterable[str] = (),
               token: str | None = None, settings: Settings | None = None,
               warm_up: bool = True) -> FastAPI:
    """The application on the knowledge base at ``database_url`` (a SQLAlchemy URL).

    ``host``/``port``: where the server listens (the ``Host`` values it answers, with
    loopback names and ``allowed_hosts``; without ``port`` loopback names on any port).
    ``token``: what state-changing requests must carry (random when not given).
    ``settings``: the ``ECONSEC_*`` settings (read from the environment when not given).
    ``warm_up``: compute the first pages' results before returning (else on a background
    thread when the server starts; a knowledge base built just now is always warmed up).
    """
    app = FastAPI(
        lifespan=_lifespan,
        title="econsec",
        version=__version__,
        description="Economic-security intelligence on real public data: dependence, "
        "criticality, scenarios. JSON shapes match the CLI's --format json. Requests that "
        "change anything (POST) need the X-CSRF-Token header: see the API guide.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    built = False
    if store is None:
        store, built = open_knowledge_base(database_url)
    state = WebState(
        store=store,
        database_url=database_url,
        settings=settings if settings is not None else Settings(),
        csrf_token=token or new_token(),
        host_policy=HostPolicy(host, port, tuple(allowed_hosts)),
    )
    app.state.econsec = state
    problems.install(app)
    _answer_still_computing(app)
    for router, prefix in routers():
        app.include_router(router, prefix=prefix)
    app.add_middleware(ExpensiveRequests, state=lambda: app.state.econsec)
    app.add_middleware(ReadDeadline, seconds=lambda: app.state.econsec.read_wait_seconds)
    app.add_middleware(SignInGate, settings=lambda: app.state.econsec)
    app.add_middleware(SecurityMiddleware, settings=lambda: app.state.econsec)
    # Outermost: in users mode every request is recorded, refusals of the layers above too.
    app.add_middleware(AuditRequests, settings=lambda: app.state.econsec)
    _document_token(app)
    if warm_up or built:
        compute_first_pages(state)
    return app


def _answer_still_computing(app: FastAPI) -> None:
    """A read that waited its time for a result still being computed gets the busy answer
    (503 with ``Retry-After``: a problem document, or the error page in a browser)."""
    busy = app.exception_handlers[EconsecError]

    @app.exception_handler(StillComputing)
    async def still_computing(request: Request, exc: StillComputing) -> Response:
        answer = busy(request, exc.busy())
        return await answer if inspect.isawaitable(answer) else answer


def _document_token(app: FastAPI) -> None:
    """Declare the ``X-CSRF-Token`` header in the OpenAPI document: required by every
    operation that changes something (the check itself is the security middleware's)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["csrfToken"] = {
            "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
            "description": "The server's token: pages carry it, scripts read the token file "
                           "that `econsec serve` names on start."}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if method.upper() in UNSAFE_METHODS:
                    operation["security"] = [{"csrfToken": []}]
                    operation.setdefault("responses", {}).setdefault(
                        "403", {"description": "Missing or wrong token, or a request from "
                                "another origin or site"})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
