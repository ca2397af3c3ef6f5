"""What every request needs: the knowledge base, the job runner, the settings.

Held on ``app.state.econsec`` by :func:`econsec.web.app.create_app`; routers get it through
the :func:`get_state` dependency (never through a module-level global).

Imports through the web app (the API and the data page) pass one :class:`ImportGate` per
store: one import at a time, the others wait their turn in a bounded queue (first come,
first served) without holding a worker thread, and get :class:`~econsec.errors.BusyError`
(503 with ``Retry-After``) when the queue is full or their turn does not come within the
busy timeout. Reads never wait for an import: they use their own connections (SQLite WAL)
and the read cache (:mod:`econsec.web.cache`).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from econsec.errors import BusyError, EconsecError
from econsec.i18n.terms import N_
from econsec.settings import Settings
from econsec.web.security import HostPolicy, new_token

MB = 1024 * 1024

#: The messages of an import that did not get its turn (English; translated on the page).
IMPORT_QUEUE_FULL = N_("the import queue of this knowledge base is full (%(count)s waiting); "
                       "nothing was stored, try again in a few seconds")
IMPORT_WAITED = N_("another import held this knowledge base for %(seconds)s seconds; "
                   "nothing was stored, try again in a few seconds")


class ImportBusy(BusyError):
    """An import that did not get its turn at the gate (503 with ``Retry-After``; a
    message id with parameters, so that the data page shows it in the reader's language)."""

    def __init__(self, msgid: str, params: dict[str, Any], retry_after: int = 5) -> None:
        self.retry_after = retry_after
        EconsecError.__init__(self, msgid, params=params)


class ImportGate:
    """One import at a time; at most ``max_waiting`` imports (and ``max_waiting_bytes``
    of their uploads) wait, each at most ``wait_seconds`` (None: the store's busy timeout).

    Waiting is asynchronous (the event loop polls; no thread is held), so waiting imports
    never take the worker threads that reads need.
    """

    POLL = 0.02

    def __init__(self, max_waiting: int = 32, max_waiting_bytes: int = 200 * MB,
                 wait_seconds: float | None = None) -> None:
        self.max_waiting = max_waiting
        self.max_waiting_bytes = max_waiting_bytes
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._queue: deque[int] = deque()
        self._bytes: dict[int, int] = {}
        self._tickets = itertools.count()
        self._holder: int | None = None
        #: Imports run through the gate, refused by it (tests and the log read these).
        self.admitted = 0
        self.refused = 0

    def _timeout(self) -> float:
        if self.wait_seconds is not None:
            return self.wait_seconds
        from econsec.kb.engine import busy_timeout

        return busy_timeout()

    @asynccontextmanager
    async def turn(self, size: int = 0) -> AsyncIterator[None]:
        """Wait for this import's turn (FIFO), hold the gate while the body runs."""
        ticket = next(self._tickets)
        with self._lock:
            waiting_bytes = sum(self._bytes.values())
            busy = self._holder is not None or bool(self._queue)
            if busy and (len(self._queue) >= self.max_waiting
                         or (self._queue and waiting_bytes + size > self.max_waiting_bytes)):
                self.refused += 1
                raise ImportBusy(IMPORT_QUEUE_FULL, {"count": len(self._queue)})
            self._queue.append(ticket)
            self._bytes[ticket] = size
        limit = self._timeout()
        deadline = time.monotonic() + limit
        try:
            while True:
                with self._lock:
                    if self._holder is None and self._queue[0] == ticket:
                        self._queue.popleft()
                        self._bytes.pop(ticket, None)
                        self._holder = ticket
                        self.admitted += 1
                        break
                if time.monotonic() > deadline:
                    with self._lock:
                        self.refused += 1
                    raise ImportBusy(IMPORT_WAITED, {"seconds": f"{limit:g}"})
                await asyncio.sleep(self.POLL)
        except BaseException:
            with self._lock:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                self._bytes.pop(ticket, None)
            raise
        try:
            yield
        finally:
            with self._lock:
                self._holder = None

    @property
    def waiting(self) -> int:
        """Imports waiting for their turn now."""
        with self._lock:
            return len(self._queue)


@dataclass
class WebState:
    """The store (``econsec.kb.store.Store``), the database URL, the settings, shared
    services and the request limits and checks of :mod:`econsec.web.security`."""

    store: Any
    database_url: str
    #: ``ECONSEC_*`` settings (the default home country of pages and API reads).
    settings: Settings = field(default_factory=Settings)
    #: Limit of a ``multipart/form-data`` upload (data files, entity lists).
    max_upload_bytes: int = 50 * MB
    #: Limit of any other request body (JSON, YAML, form fields).
    max_body_bytes: int = 1 * MB
    services: dict[str, Any] = field(default_factory=dict)
    #: The token state-changing requests must carry (header ``X-CSRF-Token`` or form field
    #: ``csrf_token``); pages show it in ``<meta name="csrf-token">``.
    csrf_token: str = field(default_factory=new_token)
    #: The ``Host`` values the server answers.
    host_policy: HostPolicy = field(default_factory=HostPolicy)
    #: Seconds a read waits for a result being computed before the busy answer (503).
    read_wait_seconds: float = 8.0
    #: Imports through this server: one at a time, a bounded queue.
    import_gate: ImportGate = field(default_factory=ImportGate)

    @property
    def home_country(self) -> str:
        """The home country pages and reads use when the request names none."""
        return self.settings.home_country.strip().upper()

    def __post_init__(self) -> None:
        from econsec.web.cache import ReadCache, reading_store

        probe = getattr(self.store, "data_version", None)
        cache = self.services.setdefault("read_cache", ReadCache(
            probe=probe if callable(probe) else None, wait_seconds=self.read_wait_seconds))
        if isinstance(cache, ReadCache):
            self.store = reading_store(self.store, cache)


async def run_import(state: WebState, size: int, work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` (an import) on a worker thread once this import's turn at the
    store's :class:`ImportGate` has come; the gate is held until the import has finished,
    even if the client goes away meanwhile."""
    import anyio
    from starlette.concurrency import run_in_threadpool

    async with state.import_gate.turn(size):
        with anyio.CancelScope(shield=True):
            return await run_in_threadpool(work, *args)


def get_state(request: Request) -> WebState:
    """FastAPI dependency: the application's :class:`WebState`."""
    return request.app.state.econsec
