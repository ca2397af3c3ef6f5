"""Where ensemble runs execute: in this process, in a process pool, or on Dask (DESIGN §2).

All three share one small interface::

    with executor:
        results = executor.map(fn, items, shared=mrio, progress=callback)

``fn(shared, item)`` must be a module-level function (it is pickled by name). ``shared``
(the MRIO) is shipped to each worker once: process-pool workers receive it through their
initializer, Dask workers through ``Client.scatter(..., broadcast=True)``. Results come
back in the order of ``items`` whatever the order of completion, so a seeded ensemble gives
the same numbers on every executor. ``progress(step, done, total)`` is called in this
process as runs finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[str, int, int], None]


class Executor(Protocol):
    """Runs ``fn(shared, item)`` for every item; a context manager owning its workers."""

    name: str

    def __enter__(self) -> Executor: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def map(self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S,
            progress: Progress | None = None, step: str = "runs") -> list[R]: ...


class _Base:
    name = "base"

    def __enter__(self) -> Any:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the workers (nothing to do for the serial executor)."""

    def describe(self) -> str:
        return self.name


class SerialExecutor(_Base):
    """Every run in this process, one after the other (the reference for the others)."""

    name = "serial"

    def map(self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S,
            progress: Progress | None = None, step: str = "runs") -> list[R]:
        out = []
        for done, item in enumerate(items, 1):
            out.append(fn(shared, item))
            if progress:
                progress(step, done, len(items))
        return out


#: The shared object of a process-pool worker, set once by its initializer.
_WORKER_SHARED: dict[str, Any] = {}


def _init_worker(shared: Any) -> None:
    _WORKER_SHARED["value"] = shared


def _call_in_worker(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_WORKER_SHARED["value"], item)


class ProcessExecutor(_Base):
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes
    (``spawn`` start method; the shared object goes to each worker once, at start)."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or multiprocessing.cpu_count()
        self._pool: cf.ProcessPoolExecutor | None = None
        self._shared_id: int | None = None

    def _pool_for(self, shared: Any) -> cf.ProcessPoolExecutor:
        if self._pool is None or self._shared_id != id(shared):
            self.close()
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(shared,))
            self._shared_id = id(shared)
        return self._pool

    def map(self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S,
            progress: Progress | None = None, step: str = "runs") -> list[R]:
        pool = self._pool_for(shared)
        futures = {pool.submit(_call_in_worker, fn, item): i for i, item in enumerate(items)}
        out: list[Any] = [None] * len(items)
        for done, future in enumerate(cf.as_completed(futures), 1):
            out[futures[future]] = future.result()
            if progress:
                progress(step, done, len(items))
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def describe(self) -> str:
        return f"processes ({self.workers} workers)"


def _call_with_shared(fn: Callable[[Any, Any], Any], shared: Any, item: Any) -> Any:
    return fn(shared, item)


#: glibc settings of the LocalCluster's worker processes (set before they start). Dask
#: sets ``MALLOC_TRIM_THRESHOLD_`` to 64 KiB, so the ARIO loop's daily arrays (hundreds of KB)
#: go back to the system when freed and are faulted in again the next day: a 90-day run on
#: the ICIO table took 0.73 s instead of 0.39 s, a third of it in the kernel. Freed memory is
#: kept for reuse instead (up to 1 GiB), and arrays below 256 MiB come from the heap.
WORKER_MALLOC = {"MALLOC_TRIM_THRESHOLD_": 1 << 30, "MALLOC_MMAP_THRESHOLD_": 1 << 28}


class DaskExecutor(_Base):
    """Runs on Dask distributed: a ``LocalCluster`` (``workers`` processes, one thread
    each) unless ``address`` names a running scheduler (``tcp://host:8786``), or on a
    ``client`` you pass in (left open on exit)."""

    name = "dask"

    def __init__(self, address: str | None = None, *, workers: int | None = None,
                 threads_per_worker: int = 1, processes: bool = True,
                 client: Any | None = None) -> None:
        self.address = address
        self.workers = workers
        self.threads_per_worker = threads_per_worker
        self.processes = processes
        self._client = client
        self._own_client = client is None
        self._cluster: Any = None

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` (started on first use)."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.address:
                self._client = Client(self.address)
            else:
                import dask

                environ = {f"distributed.nanny.pre-spawn-environ.{k}": v
                           for k, v in WORKER_MALLOC.items()}
                with dask.config.set(environ):
                    self._cluster = LocalCluster(
                        n_workers=self.workers or multiprocessing.cpu_count(),
                        threads_per_worker=self.threads_per_worker, processes=self.processes,
                        dashboard_address=":0", silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
        return self._client

    def map(self, fn: Callable[[S, T], R], items: Sequence[T], *, shared: S,
            progress: Progress | None = None, step: str = "runs") -> list[R]:
        from distributed import as_completed

        client = self.client
        shared_future = client.scatter(shared, broadcast=True, hash=False)
        futures = [client.submit(_call_with_shared, fn, shared_future, item, pure=False)
                   for item in items]
        for done, _future in enumerate(as_completed(futures), 1):
            if progress:
                progress(step, done, len(items))
        results = client.gather(futures)
        client.cancel([shared_future])
        return list(results)

    def close(self) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def describe(self) -> str:
        if self.address:
            return f"dask ({self.address})"
        return f"dask (LocalCluster, {self.workers or multiprocessing.cpu_count()} workers)"


def make_executor(kind: str = "serial", *, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """An executor by name: ``serial``, ``processes`` or ``dask`` (``scheduler`` implies
    Dask on that address)."""
    if scheduler:
        return DaskExecutor(scheduler)
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers=workers)
    from econsec.errors import ValidationError

    raise ValidationError(f"unknown executor '{kind}' (serial, processes, dask)")
