"""The web app's read cache: results keyed by the knowledge base's data version, computed
once per key however many requests ask at the same time, never waited for without bound.

Every page and read endpoint asks :meth:`ReadCache.get` for what it shows (the overview's
analyses, a commodity's profile, a JSON document). An import makes every cached result
stale (:meth:`ReadCache.invalidate` bumps :attr:`ReadCache.version`); the next requests
recompute. Under load (imports arriving while many readers ask for cold pages) three rules
keep every reader answered:

- **single flight**: the first request for a cold key starts one computation (a *flight*)
  on its own thread; every other request for that key joins it instead of computing it
  again;
- **no lost work**: a request is answered by the flight it joined even if an import made
  the result stale while it ran (a flight that had not started yet computes on the newer
  data; a request never joins a flight that started before the data it must see was
  stored, so whoever imported sees the import on the next page);
- **bounded work**: at most ``workers`` costly flights compute at once (more would only
  share the same cores and all finish late); the others queue, and a queued flight
  computes on the newest data when its turn comes. A key whose last computation was quick
  (under :attr:`ReadCache.QUICK`) never queues;
- **bounded wait**: a request waits for results at most until its deadline (``wait_seconds``
  after it arrived, set by :class:`ReadDeadline`), then gets :class:`StillComputing`,
  answered like :class:`~econsec.errors.BusyError` (503 with ``Retry-After``, an error
  page in a browser); the flight goes on, and the retry finds the result cached.

``probe()`` (the store's :meth:`data_version`) notices imports made outside this server
(``econsec import`` on the same database), checked at most every ``probe_interval`` seconds.
"""

from __future__ import annotations

import contextvars
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from econsec.errors import BusyError
from econsec.i18n.terms import N_

#: The message of a read that waited ``wait_seconds`` for its result.
STILL_COMPUTING = N_("the answer is still being computed (the data changed a moment ago); "
                     "try again in a few seconds")

_local = threading.local()

#: When the current request must be answered (``time.monotonic()``), set per request by
#: :class:`ReadDeadline`; a read waits for a result at most until then.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "econsec_read_deadline", default=None)


class StillComputing(Exception):
    """A read waited as long as its request may for a result still being computed.

    Deliberately not an :class:`~econsec.errors.EconsecError`, so that a page handler
    catching those (to show "not found") lets it through; the app answers it as
    :meth:`busy` (503 with ``Retry-After``)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(STILL_COMPUTING)

    def busy(self) -> BusyError:
        """The same answer as a :class:`BusyError`."""
        return BusyError(STILL_COMPUTING, retry_after=self.retry_after)


class ReadDeadline:
    """ASGI middleware: every HTTP request gets its :data:`DEADLINE`, ``seconds()`` from
    its arrival (the cache waits within it, however many results a page needs)."""

    def __init__(self, app: Any, seconds: Callable[[], float]) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        token = DEADLINE.set(time.monotonic() + self.seconds())
        try:
            await self.app(scope, receive, send)
        finally:
            DEADLINE.reset(token)


class _Flight:
    """One computation of one key: started by the first request, joined by the others."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute
        self.done = threading.Event()
        self.started_version: int | None = None  # None: not started yet
        self.started_at = 0.0
        self.value: Any = None
        self.error: BaseException | None = None
        self._claim = threading.Lock()

    def claim(self) -> bool:
        """True for the one caller that may run the computation."""
        return self._claim.acquire(blocking=False)


class ReadCache:
    """Results keyed by ``(data version, key)``; least recently used beyond ``size``.

    ``wait_seconds``: how long a request waits for a cold result before the busy answer
    (when its request set no :data:`DEADLINE`); ``workers``: computations running at once
    (more only share the same processor cores; the others queue, first come first
    served in practice).
    """

    #: Seconds of computation under which a key runs at once, without waiting for a slot.
    QUICK = 0.25

    def __init__(self, size: int = 1024, *, probe: Callable[[], Any] | None = None,
                 probe_interval: float = 2.0, wait_seconds: float = 5.0,
                 workers: int = 2) -> None:
        self.size = size
        self.version = 0
        self.wait_seconds = wait_seconds
        self._slots = threading.Semaphore(workers)
        #: How many computations ran (tests and the server log read it).
        self.computations = 0
        self._probe = probe
        self._probe_interval = probe_interval
        self._probed_at = 0.0
        self._fingerprint: Any = None
        self._lock = threading.Lock()
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._flights: dict[tuple[Any, ...], _Flight] = {}
        #: Seconds the last computation of each key took (for ``Retry-After``).
        self._seconds: dict[tuple[Any, ...], float] = {}

    # ----------------------------------------------------------------- versions

    def _check_probe(self) -> None:
        if self._probe is None:
            return
        now = time.monotonic()
        if now - self._probed_at < self._probe_interval:
            return
        self._probed_at = now
        fingerprint = self._probe()
        with self._lock:
            known = self._fingerprint
            self._fingerprint = fingerprint
        if known is not None and fingerprint != known:
            self.invalidate(reprobe=False)

    def invalidate(self, *, reprobe: bool = True) -> None:
        """Forget every cached result (the knowledge base changed). The next probe only
        records the new fingerprint: the change it would see is this one."""
        with self._lock:
            self.version += 1
            self._values.clear()
            if reprobe:
                self._fingerprint = None
                self._probed_at = 0.0

    # ----------------------------------------------------------------- reads

    def peek(self, key: tuple[Any, ...]) -> Any | None:
        """The cached value of ``key`` for the current data version, or None."""
        self._check_probe()
        with self._lock:
            full = (self.version, *key)
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full]
        return None

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any], *,
            wait: float | None = None) -> Any:
        """The value of ``key``: cached, else computed once for every caller asking now.

        A request waits at most ``wait`` seconds (default: until the request's deadline,
        :data:`DEADLINE`, else :attr:`wait_seconds`), then :class:`StillComputing` is
        raised while the computation goes on. Called from inside a computation (a result
        built from other cached results) it waits without bound and runs a flight that has
        not started itself, so that nested results never deadlock.
        """
        self._check_probe()
        nested = getattr(_local, "computing", False)
        with self._lock:
            version = self.version
            full = (version, *key)
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full]
            flight = self._flights.get(key)
            fresh = flight is None or (flight.started_version is not None
                                       and flight.started_version < version)
            if fresh:
                flight = self._flights[key] = _Flight(compute)
        assert flight is not None
        if nested:
            if flight.claim():
                self._run(key, flight)
            flight.done.wait()
        else:
            if fresh:
                context = contextvars.copy_context()
                threading.Thread(target=context.run, args=(self._queued, key, flight),
                                 daemon=True, name="econsec-read").start()
            if not flight.done.wait(self._wait(wait)):
                raise StillComputing(self._retry_after(key, flight))
        if flight.error is not None:
            raise flight.error
        return flight.value

    def _wait(self, wait: float | None) -> float:
        if wait is not None:
            return wait
        deadline = DEADLINE.get()
        if deadline is None:
            return self.wait_seconds
        return max(0.0, deadline - time.monotonic())

    def _retry_after(self, key: tuple[Any, ...], flight: _Flight) -> int:
        """Seconds until the flight is likely done (its last duration minus time spent)."""
        with self._lock:
            expected = self._seconds.get(key, 5.0)
        spent = time.monotonic() - flight.started_at if flight.started_at else 0.0
        return int(min(30, max(1, math.ceil(expected - spent))))

    def _queued(self, key: tuple[Any, ...], flight: _Flight) -> None:
        """A flight's own thread: wait for a free slot, then compute (unless a computation
        that needed this result has run it meanwhile)."""
        with self._lock:
            quick = self._seconds.get(key, math.inf) < self.QUICK
        if quick:  # a cheap result (health, a list) never queues behind the costly ones
            if flight.claim():
                self._run(key, flight)
            return
        with self._slots:
            if flight.claim():
                self._run(key, flight)

    def _run(self, key: tuple[Any, ...], flight: _Flight) -> None:
        with self._lock:
            flight.started_version = self.version
        flight.started_at = time.monotonic()
        outer = getattr(_local, "computing", False)
        _local.computing = True
        try:
            flight.value = flight.compute()
        except BaseException as exc:  # handed to every waiting request
            flight.error = exc
        finally:
            _local.computing = outer
            seconds = time.monotonic() - flight.started_at
            with self._lock:
                self.computations += 1
                if len(self._seconds) > 4 * self.size:
                    self._seconds.clear()
                self._seconds[key] = seconds
                if flight.error is None and flight.started_version == self.version:
                    self._values[(self.version, *key)] = flight.value
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()


def reading_store(store: Any, cache: ReadCache) -> Any:
    """``store`` (a :class:`econsec.kb.store.Store`) whose reads are kept for the cache's
    data version inside read computations.

    The analyses behind one overview ask for the same lists hundreds of times (every name
    lookup reads every item, every commodity's shares and trend read its observations once
    per measure); the overview of another home country asks for them all again. Inside a
    computation of the read cache each read goes to one
    :class:`econsec.kb.cached.CachedReads` per data version (the item, country and source
    lists, an item's observations in one query filtered in memory, trade flows, groups,
    governance), which here also keeps the governance scores, input edges, country risk
    and the EU CRM inputs. Outside a computation (an import's checks, a write) every call
    reads the database as before. Any other store is returned as it is.
    """
    from econsec.kb.cached import CachedReads
    from econsec.kb.store import Store

    if type(store) is not Store:
        return store

    class VersionReads(CachedReads):
        """:class:`CachedReads` that also keeps what the web pages read once per version."""

        def governance_scores(self, iso3: str | None = None) -> list[Any]:
            return list(self._once(("governance_scores", iso3),
                                   lambda: Store.governance_scores(self, iso3)))

        def input_edges(self) -> list[Any]:
            return list(self._once(("input_edges",), lambda: Store.input_edges(self)))

        def country_risk(self) -> list[Any]:
            return list(self._once(("country_risk",), lambda: Store.country_risk(self)))

        def eu_crm_inputs(self) -> Any:
            return self._once(("eu_crm_inputs",), lambda: Store.eu_crm_inputs(self))

        def eu_crm_names_ja(self) -> dict[str, str]:
            return dict(self._once(("eu_crm_names_ja",), lambda: Store.eu_crm_names_ja(self)))

    current: list[Any] = [None, None]
    lock = threading.Lock()

    def reads() -> VersionReads:
        """The kept reads of the cache's current data version."""
        with lock:
            if current[0] != cache.version:
                current[:] = [cache.version, VersionReads(store.engine)]
            found: VersionReads = current[1]
            return found

    def kept(name: str) -> Callable[..., Any]:
        plain = getattr(Store, name)

        def read(self: Store, *args: Any, **kwargs: Any) -> Any:
            if getattr(_local, "computing", False):
                return getattr(reads(), name)(*args, **kwargs)
            return plain(self, *args, **kwargs)

        read.__name__ = name
        read.__doc__ = plain.__doc__
        return read

    names = [n for n in dir(VersionReads) if not n.startswith("_") and n != "import_bundle"
             and callable(getattr(VersionReads, n))
             and getattr(VersionReads, n) is not getattr(Store, n, None)]
    reading = type("ReadingStore", (Store,), {n: kept(n) for n in names})
    return reading(store.engine)
