"""Errors as RFC 9457 problem details (``application/problem+json``).

Every :class:`econsec.errors.EconsecError` becomes a problem with its ``title``, ``detail``
and location members; validation errors from request parsing become 422 problems too.
A busy knowledge base is 503 with ``Retry-After``; a knowledge-base failure is a generic 500
with an incident id (its message, which may quote SQL, goes to the server log only). No
answer carries the database URL, a server path or SQL: :func:`redact` removes them.
Exceptions nothing else handles become a generic 500 problem in
:class:`econsec.web.security.SecurityMiddleware`.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from econsec.errors import BusyError, EconsecError, NotFoundError, StoreError, UnknownNameError

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("econsec.web")


def status_of(error: EconsecError) -> int:
    """404 for a name or record that does not exist, 503 when the knowledge base is busy,
    500 when it failed, 422 for any other bad input."""
    if isinstance(error, NotFoundError | UnknownNameError):
        return 404
    if isinstance(error, BusyError):
        return 503
    if isinstance(error, StoreError):
        return 500
    return 422


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


_SQL = re.compile(r"\s*(\[SQL:|\[parameters:|\(Background on this error at:).*", re.DOTALL)
_DRIVER = re.compile(r"\((sqlite3|psycopg[0-9]?|sqlalchemy)\.[A-Za-z.]+\)\s*")
_URL = re.compile(r"\b(sqlite|postgres(?:ql)?|mysql)(\+\w+)?://\S*", re.IGNORECASE)


def redact(text: str, database_url: str = "") -> str:
    """``text`` without SQL, driver exception names, database URLs or server paths (the
    database file, the temporary folder, the home folder)."""
    out = _SQL.sub("", text)
    out = _DRIVER.sub("", out)
    secrets = [database_url]
    if "://" in database_url:
        secrets.append(database_url.split("://", 1)[1].lstrip("/"))
    for secret in secrets:
        if secret and len(secret) > 3:
            out = out.replace(secret, "<database>")
    out = _URL.sub("<database>", out)
    for folder, name in ((tempfile.gettempdir(), "<temp>"), (str(Path.home()), "~"),
                         (os.getcwd(), "<server>")):
        if len(folder) > 1:
            out = out.replace(folder.rstrip("/") + "/", name + "/")
    return out


def _database_url(request: Request) -> str:
    state = getattr(request.app.state, "econsec", None)
    return getattr(state, "database_url", "") or ""


def install(app: FastAPI) -> None:
    """Register the problem-details exception handlers on ``app``."""

    @app.exception_handler(EconsecError)
    async def econsec_error(request: Request, exc: EconsecError) -> JSONResponse:
        status = status_of(exc)
        path = str(request.url.path)
        if isinstance(exc, BusyError):
            return problem(503, exc.title, redact(exc.message, _database_url(request)),
                           headers={"Retry-After": str(max(1, int(exc.retry_after)))},
                           error=type(exc).__name__, instance=path)
        if status >= 500:
            incident = uuid.uuid4().hex[:12]
            log.error("incident %s: %s %s: %s", incident, request.method, path, exc)
            return problem(status, exc.title, "the knowledge base could not complete the "
                           f"request (incident {incident}; details are in the server log)",
                           error=type(exc).__name__, instance=path, incident=incident)
        data = exc.to_dict()
        extra = {k: data[k] for k in ("file", "line", "column") if data.get(k) is not None}
        if isinstance(extra.get("file"), str):
            extra["file"] = redact(extra["file"], _database_url(request))
        if isinstance(exc, UnknownNameError):
            extra["suggestions"] = list(exc.suggestions)
        return problem(status, exc.title, redact(exc.message, _database_url(request)),
                       error=type(exc).__name__, instance=path, **extra)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        return problem(422, "invalid request", detail, errors=errors,
                       instance=str(request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "request failed",
                       redact(str(exc.detail), _database_url(request)),
                       headers=dict(exc.headers) if exc.headers else None,
                       instance=str(request.url.path))
