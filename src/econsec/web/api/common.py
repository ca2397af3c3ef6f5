"""What the API routers share: JSON responses, pagination, the read cache, uploads.

- :func:`json_response`: the analyses' dictionaries as JSON (NaN and infinities become
  ``null``, as in the CLI's ``--format json``), serialised once and cached as bytes;
- :func:`read_cache`: the app's read cache (:class:`econsec.web.cache.ReadCache`, results
  keyed by the knowledge base's data version) and :func:`cached_json` / :func:`cached_value`
  on it; :class:`LoadCache`: loaded tables (MRIOs), single-flight;
- :func:`page`: ``{"items", "total", "limit", "offset", "next"}`` plus an RFC 8288 ``Link``
  header;
- :func:`saved_upload`: an uploaded file written to a private temporary folder under its
  own (sanitised) name, with errors pointing at the name the user gave;
- :func:`check_mrio_ref`: the API loads only named tables (``pymrio:test``,
  ``bundled:…``), never a server path.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.errors import EconsecError, ValidationError
from econsec.jsonable import jsonable
from econsec.web.cache import ReadCache
from econsec.web.security import UploadTooLarge
from econsec.web.state import WebState, get_state

JSON = "application/json"
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


def clean(value: Any) -> Any:
    """JSON-ready copy (see :func:`econsec.jsonable.jsonable`)."""
    return jsonable(value)


def dumps(document: Any) -> bytes:
    """Compact UTF-8 JSON of ``document`` (after :func:`clean`)."""
    return json.dumps(clean(document), ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: bytes | Any, status_code: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response from bytes (already serialised) or a document."""
    content = body if isinstance(body, bytes) else dumps(body)
    return Response(content, status_code=status_code, media_type=JSON,
                    headers=dict(headers or {}))


# ------------------------------------------------------------------------ read cache


class LoadCache:
    """Loaded tables by key, least recently used beyond ``size``; single-flight, so that
    many clients asking for the same cold table load it once (the others wait for it).
    Not tied to the knowledge base: the app's read cache is :func:`read_cache`."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._pending: dict[tuple[Any, ...], threading.Event] = {}

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, computing it once (other callers wait) if missing."""
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                waiting = self._pending.get(key)
                if waiting is None:
                    event = self._pending[key] = threading.Event()
                    break
            waiting.wait()
        try:
            value = compute()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()


_SERVICE_LOCK = threading.Lock()


def service(state: WebState, name: str, factory: Callable[[], Any]) -> Any:
    """The shared service ``name`` of the app (created once, thread-safe)."""
    found = state.services.get(name)
    if found is None:
        with _SERVICE_LOCK:
            found = state.services.get(name)
            if found is None:
                found = state.services[name] = factory()
    return found


def read_cache(state: WebState) -> ReadCache:
    """The app's :class:`~econsec.web.cache.ReadCache` (registered by :class:`WebState`)."""
    return service(state, "read_cache", lambda: ReadCache(probe=state.store.data_version))


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
    found = cache.peek(page_key)
    if found is None:
        def compute() -> tuple[bytes, str | None]:
            document, following = page_document(request, cache.get(key, items), limit, offset)
            return dumps(document), following

        found = await run_in_threadpool(cache.get, page_key, compute)
    body, following = found
    return json_response(body, headers={"Link": f'<{following}>; rel="next"'}
                         if following else None)


# ------------------------------------------------------------------------ uploads

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str | None, default: str = "upload") -> str:
    """A file name without folders or odd characters (its suffix kept)."""
    base = Path(name or "").name.strip()
    cleaned = _SAFE.sub("_", base).lstrip(".")
    return cleaned[:120] or default


@contextmanager
def saved_upload(data: bytes, name: str) -> Iterator[Path]:
    """``data`` written to a private temporary folder as ``name``; removed afterwards.

    Typed errors raised inside name the user's file, not the temporary path.
    """
    with tempfile.TemporaryDirectory(prefix="econsec-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            yield path
        except EconsecError as exc:
            file = exc.location.file
            if file and (file == str(path) or file.startswith(folder)):
                exc.location.file = name + file[len(str(path)):]
            exc.message = exc.message.replace(str(path), name).replace(folder + "/", "")
            raise


def check_length(request: Request, limit: int) -> None:
    """Refuse (413) a request whose declared length exceeds ``limit`` before reading it."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise UploadTooLarge(limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) beyond ``limit`` bytes even without Content-Length."""
    check_length(request, limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def uploaded_file(request: Request, limit: int, field: str = "file"
                        ) -> tuple[str, bytes]:
    """The file of the multipart field ``field``: (sanitised name, bytes)."""
    check_length(request, limit)
    form = await request.form(max_files=1, max_fields=20)
    try:
        upload = form.get(field)
        if upload is None or isinstance(upload, str):
            raise ValidationError(f"send the file as multipart/form-data field '{field}'")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise UploadTooLarge(limit)
        return safe_name(upload.filename), data
    finally:
        await form.close()


# ------------------------------------------------------------------------ MRIO references

API_MRIO_PREFIXES = ("pymrio:", "bundled:")


def check_mrio_ref(ref: str) -> str:
    """``ref`` if it names a table the API may load (``pymrio:test``, ``bundled:…``)."""
    if not ref.startswith(API_MRIO_PREFIXES):
        raise ValidationError(
            f"MRIO '{ref}': the API loads only named tables (pymrio:test, bundled:bea-2023); "
            "run server-side folders with the econsec command line", )
    return ref


#: The app's :class:`WebState` as a dependency (``state: State``).
State = Annotated[WebState, Depends(get_state)]
