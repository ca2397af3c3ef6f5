"""What the API routers share: problem documents, cached JSON, pagination.

- :func:`cached_json` / :func:`cached_value`: documents and intermediate results in the
  app's read cache (:class:`econsec.web.cache.ReadCache`, keyed by the knowledge base's
  data version), served as JSON bytes;
- :func:`cached_page`: ``{"items", "total", "limit", "offset", "next"}`` plus an RFC 8288
  ``Link`` header;
- :func:`problem_responses`: the OpenAPI description of problem documents.

JSON responses, the read cache, services, uploads and MRIO references are shared with the
pages through :mod:`econsec.web.common` (named here too, for the API modules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.web.common import (
    JSON,
    LoadCache,
    Upload,
    check_length,
    check_mrio_ref,
    clean,
    dumps,
    json_response,
    read_body,
    read_cache,
    receive_upload,
    safe_name,
    service,
    upload_on_disk,
)
from econsec.web.state import WebState, get_state

__all__ = ["JSON", "PROBLEM", "LoadCache", "State", "Upload", "cached_json", "cached_page",
           "cached_value", "check_length", "check_mrio_ref", "clean", "dumps",
           "json_response", "page_document", "problem_responses", "read_body", "read_cache",
           "receive_upload", "safe_name", "service", "upload_on_disk"]

PROBLEM = "application/problem+json"

#: OpenAPI description of the problem-details responses every endpoint may return.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "instance": {"type": "string"}, "error": {"type": "string"},
        "file": {"type": "string"}, "line": {"type": "integer"},
        "column": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail"],
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting problem details for the given status codes."""
    text = {404: "Unknown name or record (with suggestions)", 413: "Upload too large",
            422: "Invalid request or input (with location)", 415: "Unsupported media type"}
    return {code: {"description": text.get(code, "Problem"),
                   "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}} for code in codes}


async def cached_json(state: WebState, key: tuple[Any, ...],
                      compute: Callable[[], Any]) -> Response:
    """The JSON of ``compute()`` (a document), cached; a hit is served without a thread,
    a miss is computed in the thread pool (never on the event loop)."""
    cache = read_cache(state)
    body = cache.peek(key)
    if body is None:
        body = await run_in_threadpool(cache.get, key, lambda: dumps(compute()))
    return json_response(body)


def cached_value(state: WebState, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A cached intermediate result (call from a worker thread)."""
    return read_cache(state).get(key, compute)


# ------------------------------------------------------------------------ pagination

MAX_LIMIT = 500


def page_document(request: Request, items: Sequence[Any], limit: int, offset: int
                  ) -> tuple[dict[str, Any], str | None]:
    """One page of ``items`` with ``total``, ``limit``, ``offset`` and the ``next`` URL."""
    total = len(items)
    following = None
    if offset + limit < total:
        following = str(request.url.include_query_params(limit=limit, offset=offset + limit))
    return {"items": list(items[offset:offset + limit]), "total": total, "limit": limit,
            "offset": offset, "next": following}, following


async def cached_page(request: Request, state: WebState, key: tuple[Any, ...],
                      items: Callable[[], Sequence[Any]], limit: int, offset: int) -> Response:
    """A page of the cached list ``items()`` (the page's JSON is cached too), with an
    RFC 8288 ``Link: <next>; rel="next"`` header when there is a next page."""
    cache = read_cache(state)
    page_key = ("page", *key, str(request.url), limit, offset)
    found: Any = cache.peek(page_key)
    if found is None:
        def compute() -> tuple[bytes, str | None]:
            document, following = page_document(request, cache.get(key, items), limit, offset)
            return dumps(document), following

        found = await run_in_threadpool(cache.get, page_key, compute)
    body, following = found
    return json_response(body, headers={"Link": f'<{following}>; rel="next"'}
                         if following else None)


#: The app's :class:`WebState` as a dependency (``state: State``).
State = Annotated[WebState, Depends(get_state)]
