"""Background jobs of the web app (scenario runs): a bounded thread pool, jobs in memory.

A job is a function ``work(progress)``; ``progress(fraction, message)`` updates the job's
``progress`` (0-1) and ``message``. Library code reports progress through its own callback
(``(step, done, total)`` for the scenario runner); the router adapts it to this one.

Jobs are kept in memory with their status (``queued``, ``running``, ``done``, ``failed``),
result or error (RFC 9457 problem details); beyond ``max_jobs`` the oldest finished jobs are
forgotten. Nothing survives a restart.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from econsec.errors import EconsecError, NotFoundError

#: ``progress(fraction, message)``
JobProgress = Callable[[float, str], None]

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Job:
    """One background job and what is known about it."""

    id: str
    kind: str
    status: str = QUEUED
    progress: float = 0.0
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{id, kind, status, progress, message, created, started, finished, result,
        error, ...meta}`` (times in seconds since the epoch)."""
        return {
            "id": self.id, "kind": self.kind, "status": self.status,
            "progress": self.progress, "message": self.message, "created": self.created,
            "started": self.started, "finished": self.finished, **self.meta,
            "result": self.result, "error": self.error,
        }


def error_problem(exc: BaseException) -> dict[str, Any]:
    """RFC 9457 problem details of a failed job's exception."""
    if isinstance(exc, EconsecError):
        from econsec.web.problems import status_of

        data = exc.to_dict()
        problem = {"type": "about:blank", "title": exc.title, "status": status_of(exc),
                   "detail": exc.message, "error": type(exc).__name__}
        problem.update({k: data[k] for k in ("file", "line", "column")
                        if data.get(k) is not None})
        return problem
    return {"type": "about:blank", "title": "internal error", "status": 500,
            "detail": f"{type(exc).__name__}: {exc}", "error": type(exc).__name__}


class JobRunner:
    """Runs jobs on at most ``workers`` threads and keeps up to ``max_jobs`` of them."""

    def __init__(self, workers: int = 2, max_jobs: int = 100) -> None:
        self.max_jobs = max_jobs
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="econsec-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, work: Callable[[JobProgress], Any],
               meta: dict[str, Any] | None = None) -> Job:
        """Queue ``work(progress)``; its return value becomes the job's result."""
        job = Job(id=uuid.uuid4().hex, kind=kind, meta=dict(meta or {}))
        with self._lock:
            self._jobs[job.id] = job
            self._evict()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job:
        """The job ``job_id``; :class:`NotFoundError` if unknown (or evicted)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job '{job_id}' (finished jobs are kept for a while, "
                                "not across restarts)")
        return job

    def jobs(self) -> list[Job]:
        """Every job kept, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self, wait: bool = False) -> None:
        """Stop accepting jobs; queued ones are cancelled."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _evict(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.status in (DONE, FAILED)]
        while len(self._jobs) > self.max_jobs and finished:
            self._jobs.pop(finished.pop(0), None)

    def _run(self, job: Job, work: Callable[[JobProgress], Any]) -> None:
        job.status, job.started = RUNNING, time.time()

        def progress(fraction: float, message: str = "") -> None:
            job.progress = min(1.0, max(job.progress, float(fraction)))
            if message:
                job.message = message

        try:
            result = work(progress)
        except Exception as exc:  # a job's failure is its result
            job.error = error_problem(exc)
            if not isinstance(exc, EconsecError):
                job.meta["traceback"] = traceback.format_exc(limit=5)
            job.status = FAILED
        else:
            job.result = result
            job.progress = 1.0
            job.status = DONE
        finally:
            job.finished = time.time()
            with self._lock:
                self._evict()
