"""Errors as RFC 9457 problem details (``application/problem+json``).

Every :class:`econsec.errors.EconsecError` becomes a problem with its ``title``, ``detail``
and location members; validation errors from request parsing become 422 problems too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from econsec.errors import EconsecError, NotFoundError, UnknownNameError

MEDIA_TYPE = "application/problem+json"


def status_of(error: EconsecError) -> int:
    """404 for a name or record that does not exist, 422 for any other bad input."""
    if isinstance(error, NotFoundError | UnknownNameError):
        return 404
    return 422


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def install(app: FastAPI) -> None:
    """Register the problem-details exception handlers on ``app``."""

    @app.exception_handler(EconsecError)
    async def econsec_error(request: Request, exc: EconsecError) -> JSONResponse:
        data = exc.to_dict()
        extra = {k: data[k] for k in ("file", "line", "column") if data.get(k) is not None}
        if isinstance(exc, UnknownNameError):
            extra["suggestions"] = list(exc.suggestions)
        return problem(status_of(exc), exc.title, exc.message, error=type(exc).__name__,
                       instance=str(request.url.path), **extra)

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
        return problem(exc.status_code, "request failed", str(exc.detail),
                       instance=str(request.url.path))
