"""Errors as RFC 9457 problem details (``application/problem+json``).

Every :class:`econsec.errors.EconsecError` becomes a problem with its ``title``, ``detail``
and location members; validation errors from request parsing become 422 problems too.
A busy knowledge base is 503 with ``Retry-After``; a knowledge-base failure is a generic 500
with an incident id (its message, which may quote SQL, goes to the server log only). No
answer carries the database URL, a server path or SQL: :func:`redact` removes them.
Exceptions nothing else handles become a generic 500 problem in
:class:`econsec.web.security.SecurityMiddleware`.

A browser that navigates to a page (``Accept: text/html``, not an ``/api/`` path, not an
htmx request: :func:`wants_page`) gets the same answer as a small HTML page in the reader's
language instead (:func:`error_page`): the host refusal (400), a body over the limit (413),
an error of econsec's (404/422, its message through the error's own translation), a
failure (500, with the incident id) and a busy knowledge base (503). The API and clients
that do not ask for HTML keep the problem documents.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from econsec.errors import (
    BusyError,
    EconsecError,
    ForbiddenError,
    NotFoundError,
    NotSignedInError,
    StoreError,
    UnknownNameError,
    translate_message,
)
from econsec.i18n import translator
from econsec.i18n.terms import N_

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("econsec.web")


def status_of(error: EconsecError) -> int:
    """404 for a name or record that does not exist, 503 when the knowledge base is busy,
    500 when it failed, 422 for any other bad input."""
    if isinstance(error, NotFoundError | UnknownNameError):
        return 404
    if isinstance(error, NotSignedInError):
        return 401
    if isinstance(error, ForbiddenError):
        return 403
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
    async def econsec_error(request: Request, exc: EconsecError) -> Response:
        status = status_of(exc)
        path = str(request.url.path)
        page = wants_page(request.headers, path)
        if isinstance(exc, BusyError):
            retry = {"Retry-After": str(max(1, int(exc.retry_after)))}
            if page:
                return error_page(request, 503, headers=retry,
                                  seconds=max(1, int(exc.retry_after)))
            return problem(503, exc.title, redact(exc.message, _database_url(request)),
                           headers=retry, error=type(exc).__name__, instance=path)
        if status >= 500:
            incident = uuid.uuid4().hex[:12]
            log.error("incident %s: %s %s: %s", incident, request.method, path, exc)
            if page:
                return error_page(request, status, incident=incident)
            return problem(status, exc.title, "the knowledge base could not complete the "
                           f"request (incident {incident}; details are in the server log)",
                           error=type(exc).__name__, instance=path, incident=incident)
        data = exc.to_dict()
        extra: dict[str, Any] = {k: data[k] for k in ("file", "line", "column")
                                 if data.get(k) is not None}
        if isinstance(extra.get("file"), str):
            extra["file"] = redact(extra["file"], _database_url(request))
        if page:
            return error_page(request, status, error=exc)
        if isinstance(exc, UnknownNameError):
            extra["suggestions"] = list(exc.suggestions)
        return problem(status, exc.title, redact(exc.message, _database_url(request)),
                       error=type(exc).__name__, instance=path, **extra)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        if wants_page(request.headers, str(request.url.path)):
            from econsec.web.i18n import request_language

            lang = request_language(request)
            shown = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: "
                              f"{validation_message(e, lang)}" for e in exc.errors())
            return error_page(request, 422, detail=shown)
        return problem(422, "invalid request", detail, errors=errors,
                       instance=str(request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers) if exc.headers else None
        if wants_page(request.headers, str(request.url.path)):
            return error_page(request, exc.status_code, headers=headers,
                              limit=getattr(exc, "limit", None))
        return problem(exc.status_code, "request failed",
                       redact(str(exc.detail), _database_url(request)),
                       headers=headers, instance=str(request.url.path))


# ------------------------------------------------------------------ pages for browsers


#: The request parser's messages per error type, with its wording as message id (the
#: English page reads as before; a page in another language reads its translation).
VALIDATION_MESSAGES = {
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "string_too_long": N_("String should have at most %(max_length)s characters"),
    "string_too_short": N_("String should have at least %(min_length)s characters"),
    "string_pattern_mismatch": N_("String should match pattern '%(pattern)s'"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "greater_than": N_("Input should be greater than %(gt)s"),
    "less_than": N_("Input should be less than %(lt)s"),
    "missing": N_("Field required"),
}


def validation_message(error: Mapping[str, Any], lang: str) -> str:
    """One request-parser error's message in ``lang`` (its own wording where the type is
    not one of :data:`VALIDATION_MESSAGES`)."""
    msgid = VALIDATION_MESSAGES.get(str(error.get("type")))
    ctx = dict(error.get("ctx") or {})
    if msgid is None:
        return str(error.get("msg", ""))
    needed = set(re.findall(r"%\((\w+)\)s", msgid))
    if not needed <= set(ctx):
        return str(error.get("msg", ""))
    return translate_message(msgid, {k: ctx[k] for k in needed} if needed else None, lang)


def wants_page(headers: Mapping[str, str], path: str) -> bool:
    """A browser navigating to a page (``Accept`` names ``text/html``; a plain link or form
    post), not the API (``/api/``) and not an htmx or script request."""
    return ("text/html" in headers.get("accept", "").lower() and "hx-request" not in headers
            and not path.startswith("/api/"))


#: Title and explanation of an error page per status (English message ids of the catalogue;
#: ``%(name)s`` placeholders are filled in after translation).
PAGE_TEXTS: dict[int, tuple[str, str]] = {
    400: (N_("Address not served"),
          N_("This econsec server does not answer for the host name '%(host)s'. Open it at "
             "the address econsec serve printed on start (%(address)s), or start the server "
             "with %(option)s.")),
    404: (N_("Page not found"), N_("There is no page at this address.")),
    413: (N_("Upload too large"),
          N_("The file or form is larger than this server accepts (at most %(limit)s). "
             "Nothing was read further or stored.")),
    422: (N_("Request not accepted"),
          N_("The request could not be carried out as sent:")),
    500: (N_("Something went wrong"),
          N_("The server could not complete the request. The details are in the server "
             "log under the incident id below; quote it when you report the problem.")),
    503: (N_("Knowledge base busy"),
          N_("The knowledge base is busy with another change, so this request was not "
             "carried out. Wait %(seconds)s seconds and try again.")),
}
#: Any other status.
OTHER_PAGE_TEXT = (N_("Request failed"),
                   N_("The server could not answer this request (HTTP status %(status)s)."))


def size_text(size: int, lang: str) -> str:
    """``size`` bytes in MiB for a reader (locale digits)."""
    mib = size / (1024 * 1024)
    return f"{translator(lang).number(mib, 1 if mib >= 1 else 2)} MiB"


@cache
def _inline_css() -> Markup:
    """The pages' stylesheet for a ``<style>`` element (a file of this package)."""
    from importlib import resources

    text = (resources.files("econsec.web") / "static" / "econsec.css").read_text("utf-8")
    return Markup(text.replace("</", "<\\/"))


def error_page(request: Request, status: int, *, headers: Mapping[str, str] | None = None,
               token: bool = True, host: str = "", limit: int | None = None,
               seconds: int | None = None, incident: str | None = None,
               error: EconsecError | None = None, detail: str = "") -> HTMLResponse:
    """The error page of ``status`` in the request's language (the base template, so the
    same header and styles as every page; no inline script). ``error``: an econsec error
    whose one-line message (with its location) the page shows, through the error's own
    translation (:meth:`EconsecError.translate`); ``detail``: a line to show as it is (the
    request parser's own English wording of a malformed query).

    ``token=False`` leaves the server's token out of the page: the host refusal is read by
    whatever page asked under a foreign host name, so it must not carry it.
    """
    from econsec.web.i18n import request_language
    from econsec.web.pages.common import render

    lang = request_language(request)
    t = translator(lang)
    title, text = PAGE_TEXTS.get(status, OTHER_PAGE_TEXT)
    if status == 400 and not host:
        title, text = OTHER_PAGE_TEXT
    values = {"host": host[:100], "limit": size_text(limit, lang) if limit else "?",
              "seconds": seconds or 5, "status": status,
              "address": Markup("<code>http://127.0.0.1:&lt;port&gt;/</code>"),
              "option": Markup("<code>--allowed-host NAME</code>")}
    # the text escaped, then the values (escaped unless markup) put in
    message = escape(t.gettext(text)) % values
    if error is not None:
        detail = error.translate(lang)
    detail = redact(detail, _database_url(request))
    if error is not None and status == 404:  # the error says what was not found
        title, message = N_("Not found"), Markup("")
    context: dict[str, Any] = {"back": ("/", t.gettext("Overview"))}
    if not token:
        # served under a host name the server refuses, where /static/ and the links are
        # refused too: the stylesheet inline (CSP allows inline styles), no scripts or menu
        context = {"back": None, "navigation": (), "inline_css": _inline_css()}
    response = render(request, "error.html.j2", status_code=status, charts=False,
                      token=token, title=t.gettext(title), message=message, detail=detail,
                      incident=incident, **context)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
