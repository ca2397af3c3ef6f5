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
    computation of the read cache each read is made once per data version: the item,
    country and source lists, an item's observations (all of them, in one query; the
    measure, year and aggregate filters and the years with a value are applied to the kept
    list, in the store's order), trade flows, governance scores, input edges, the commodity
    summary and the EU CRM inputs. Records are frozen; each call gets a new list. Outside a
    computation (an import's checks, a write) every call reads the database as before. Any
    other store is returned as it is.
    """
    from econsec.kb.store import Store
    from econsec.records import Measure

    if type(store) is not Store:
        return store

    memo: dict[Any, Any] = {}
    memo_version = [-1]
    memo_lock = threading.Lock()

    def computing() -> bool:
        return bool(getattr(_local, "computing", False))

    class ReadingStore(Store):
        def _kept(self, key: Any, read: Callable[[], Any]) -> Any:
            version = cache.version
            with memo_lock:
                if memo_version[0] != version:
                    memo.clear()
                    memo_version[0] = version
                found = memo.get(key)
            if found is None:
                found = read()
                with memo_lock:
                    if memo_version[0] == version:
                        memo[key] = found
            return found

        def _remembered(self, key: Any, read: Callable[[], list[Any]]) -> list[Any]:
            if not computing():
                return read()
            return list(self._kept(key, read))

        def _item_observations(self, item_id: str) -> list[Any] | None:
            """Every observation of ``item_id`` (kept), or None when it is not an item id
            (a name or an unknown id: the store resolves it or raises)."""
            if not computing():
                return None
            ids = self._kept(("item_ids",), lambda: frozenset(i.id for i in Store.items(self)))
            if item_id not in ids:
                return None
            found: list[Any] = self._kept(("observations", item_id),
                                          lambda: Store.observations(self, item_id))
            return found

        def items(self, kind: Any = None) -> list[Any]:
            return self._remembered(("items", kind), lambda: Store.items(self, kind))

        def countries(self) -> list[Any]:
            return self._remembered(("countries",), lambda: Store.countries(self))

        def observations(self, item_id: str, measure: Any = None, year: int | None = None,
                         include_aggregates: bool = True) -> list[Any]:
            kept = self._item_observations(item_id)
            if kept is None:
                return Store.observations(self, item_id, measure, year, include_aggregates)
            wanted = None if measure is None else Measure(measure)
            return [o for o in kept if (wanted is None or o.measure == wanted)
                    and (year is None or o.year == year)
                    and (include_aggregates or not o.is_aggregate)]

        def years(self, item_id: str, measure: Any) -> list[int]:
            kept = self._item_observations(item_id)
            if kept is None:
                return Store.years(self, item_id, measure)
            wanted = Measure(measure)
            return sorted({o.year for o in kept if o.measure == wanted and o.value is not None})

        def sources(self, keys: Any = None) -> list[Any]:
            keys = None if keys is None else tuple(sorted(set(keys)))
            return self._remembered(("sources", keys), lambda: Store.sources(self, keys))

        def commodity_summary(self) -> list[dict[str, Any]]:
            if not computing():
                return Store.commodity_summary(self)
            kept = self._kept(("commodity_summary",), lambda: Store.commodity_summary(self))
            return [{**row, "years": {k: list(v) for k, v in row["years"].items()}}
                    for row in kept]

        def trade_flows(self, item_id: str | None = None,
                        importer: str | None = None) -> list[Any]:
            return self._remembered(("trade_flows", item_id, importer),
                                    lambda: Store.trade_flows(self, item_id, importer))

        def governance(self, year: int | None = None) -> dict[str, dict[str, float]]:
            if not computing():
                return Store.governance(self, year)
            kept = self._kept(("governance", year), lambda: Store.governance(self, year))
            return {k: dict(v) for k, v in kept.items()}

        def governance_scores(self, iso3: str | None = None) -> list[Any]:
            return self._remembered(("governance_scores", iso3),
                                    lambda: Store.governance_scores(self, iso3))

        def group_members(self, group: str) -> list[str]:
            return self._remembered(("group_members", group),
                                    lambda: Store.group_members(self, group))

        def input_edges(self) -> list[Any]:
            return self._remembered(("input_edges",), lambda: Store.input_edges(self))

        def country_risk(self) -> list[Any]:
            return self._remembered(("country_risk",), lambda: Store.country_risk(self))

        def eu_crm_inputs(self) -> Any:
            if not computing():
                return Store.eu_crm_inputs(self)
            return self._kept(("eu_crm_inputs",), lambda: Store.eu_crm_inputs(self))

        def eu_crm_names_ja(self) -> dict[str, str]:
            return dict(self._kept(("eu_crm_names_ja",), lambda: Store.eu_crm_names_ja(self))) \
                if computing() else Store.eu_crm_names_ja(self)

    return ReadingStore(store.engine)
