"""Background jobs of the web app (scenario runs): a bounded thread pool, jobs in memory.

A job is a function ``work(control)``; ``control(fraction, message)`` updates the job's
``progress`` (0-1) and ``message`` (a :class:`~econsec.scenarios.texts.Text`: the job keeps
the English text in ``message`` and the pair in ``message_text`` for other languages), and
``control.check()`` raises :class:`JobStopped` once
the job is cancelled or has run longer than its time limit (long loops call it often: the
scenario runner calls it every simulated day). Library code reports progress through its
own callback (``(step, done, total)`` for the scenario runner); the router adapts it.

Jobs are kept in memory with their status (``queued``, ``running``, ``done``, ``failed``,
``cancelled``), result or error (RFC 9457 problem details); beyond ``max_jobs`` the oldest
finished jobs are forgotten. Nothing survives a restart.

Limits (:class:`JobLimits`): a client (an address, in local mode) may have at most
``per_client`` jobs queued or running, and the server at most ``max_active``
(:class:`QuotaExceeded`, answered 429 with ``Retry-After``); a job runs at most
``max_seconds`` of wall time. The cost cap on what a job may compute is checked by the
router before the job is submitted (:attr:`JobLimits.max_cost`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from econsec.errors import EconsecError, NotFoundError
from econsec.scenarios.texts import N_, Text, render

log = logging.getLogger("econsec.web")

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
ACTIVE = (QUEUED, RUNNING)
FINISHED = (DONE, FAILED, CANCELLED)


@dataclass(frozen=True)
class JobLimits:
    """What one job and one client may take from the server.

    ``max_cost``: the largest estimated cost of a job, in the router's units (for scenario
    runs: industries² × simulated days × variants, about 7 million per second of one
    worker); ``per_client``: jobs queued or running per client address; ``max_active``: jobs
    queued or running in all; ``max_seconds``: wall time of one job; ``retry_after``: the
    seconds a refused client is told to wait.
    """

    max_cost: float = 1.0e9
    per_client: int = 2
    max_active: int = 16
    max_seconds: float = 600.0
    retry_after: int = 5


CANCELLED_MESSAGE = N_("cancelled")
PER_CLIENT_QUOTA = N_(
    "you already have %(count)s scenario run(s) queued or running (at most %(limit)s per "
    "client); wait for one to finish or cancel it")
SERVER_QUOTA = N_(
    "the server already has %(count)s runs queued or running (at most %(limit)s); try again "
    "shortly")
TIMED_OUT = N_(
    "the run was stopped after the maximum run time of %(seconds)s s per job; shorten the "
    "horizon, run fewer variants, or use the econsec command line")
NO_SUCH_JOB = N_("no job '%(job)s' (finished jobs are kept for a while, not across restarts)")
FAILED_INTERNAL = N_("the run failed (incident %(incident)s; details are in the server log)")


class JobStopped(Exception):
    """Raised inside a job by :meth:`JobControl.check` when it must stop."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # "cancelled" or "timeout"
        super().__init__(reason)


class QuotaExceeded(Exception):
    """A client (or the server) has as many jobs queued or running as allowed."""

    def __init__(self, text: Text, retry_after: int) -> None:
        self.text = text
        self.message = render(text)
        self.retry_after = retry_after
        super().__init__(self.message)


class JobNotFound(NotFoundError):
    """No job of that id (unknown, or forgotten); ``text`` is the message as a pair."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(render(text))


@dataclass
class Job:
    """One background job and what is known about it."""

    id: str
    kind: str
    status: str = QUEUED
    progress: float = 0.0
    #: What the job is doing, in English; ``message_text``: the same as ``{id, params}``.
    message: str = ""
    message_text: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: Who submitted the job (an address); never shown.
    client: str = field(default="", repr=False)
    cancel_requested: bool = False
    deadline: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{id, kind, status, progress, message, message_text, created, started,
        finished, result, error, ...meta}`` (times in seconds since the epoch)."""
        return {
            "id": self.id, "kind": self.kind, "status": self.status,
            "progress": self.progress, "message": self.message,
            "message_text": self.message_text, "created": self.created,
            "started": self.started, "finished": self.finished, **self.meta,
            "result": self.result, "error": self.error,
        }


class JobControl:
    """What a running job gets: ``control(fraction, message)`` reports progress,
    ``control.check()`` raises :class:`JobStopped` when the job must stop."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, fraction: float, message: Text | str = "") -> None:
        job = self.job
        job.progress = min(1.0, max(job.progress, float(fraction)))
        if isinstance(message, Text):
            job.message, job.message_text = render(message), message.to_json()
        elif message:
            job.message, job.message_text = message, None

    def check(self, *_: Any) -> None:
        """Raise :class:`JobStopped` if the job was cancelled or ran out of time."""
        job = self.job
        if job.cancel_requested:
            raise JobStopped("cancelled")
        if job.deadline is not None and time.monotonic() > job.deadline:
            raise JobStopped("timeout")


def error_problem(exc: BaseException) -> dict[str, Any]:
    """RFC 9457 problem details of a failed job's exception (no traceback, no server path:
    an unexpected error is logged with an incident id)."""
    if isinstance(exc, EconsecError):
        from econsec.web.problems import redact, status_of

        data = exc.to_dict()
        problem = {"type": "about:blank", "title": exc.title, "status": status_of(exc),
                   "detail": redact(exc.message), "error": type(exc).__name__}
        problem.update({k: data[k] for k in ("file", "line", "column")
                        if data.get(k) is not None})
        file = problem.get("file")
        if isinstance(file, str):
            problem["file"] = redact(file)
        return problem
    incident = uuid.uuid4().hex[:12]
    log.error("incident %s: job failed", incident, exc_info=exc)
    text = Text(FAILED_INTERNAL, {"incident": incident})
    return {"type": "about:blank", "title": "internal error", "status": 500,
            "detail": render(text), "detail_text": text.to_json(),
            "error": "InternalError", "incident": incident}


class JobRunner:
    """Runs jobs on at most ``workers`` threads and keeps up to ``max_jobs`` of them."""

    def __init__(self, workers: int = 2, max_jobs: int = 100,
                 limits: JobLimits | None = None) -> None:
        self.max_jobs = max_jobs
        self.limits = limits or JobLimits()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="econsec-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, work: Callable[[JobControl], Any],
               meta: dict[str, Any] | None = None, *, client: str = "") -> Job:
        """Queue ``work(control)``; its return value becomes the job's result.

        Raises :class:`QuotaExceeded` when ``client`` already has ``per_client`` jobs queued
        or running, or the server ``max_active``."""
        limits = self.limits
        job = Job(id=uuid.uuid4().hex, kind=kind, meta=dict(meta or {}), client=client)
        with self._lock:
            active = [j for j in self._jobs.values() if j.status in ACTIVE]
            mine = sum(1 for j in active if j.client == client)
            if mine >= limits.per_client:
                raise QuotaExceeded(
                    Text(PER_CLIENT_QUOTA, {"count": mine, "limit": limits.per_client}),
                    limits.retry_after)
            if len(active) >= limits.max_active:
                raise QuotaExceeded(
                    Text(SERVER_QUOTA, {"count": len(active), "limit": limits.max_active}),
                    limits.retry_after)
            self._jobs[job.id] = job
            self._evict()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job:
        """The job ``job_id``; :class:`JobNotFound` if unknown (or evicted)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            shown = job_id if len(job_id) <= 64 and job_id.isalnum() else "…"
            raise JobNotFound(Text(NO_SUCH_JOB, {"job": shown}))
        return job

    def cancel(self, job_id: str, wait: float = 2.0) -> Job:
        """Cancel ``job_id``: a queued job never starts, a running one stops at its next
        check (waited for up to ``wait`` seconds). A finished job is left as it is."""
        job = self.get(job_id)
        with self._lock:
            if job.status in FINISHED:
                return job
            job.cancel_requested = True
            if job.status == QUEUED:
                self._finish_cancelled(job)
                return job
        deadline = time.monotonic() + wait
        while job.status == RUNNING and time.monotonic() < deadline:
            time.sleep(0.01)
        return job

    def jobs(self) -> list[Job]:
        """Every job kept, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self, wait: bool = False) -> None:
        """Stop accepting jobs; queued ones are cancelled, running ones asked to stop."""
        with self._lock:
            for job in self._jobs.values():
                if job.status in ACTIVE:
                    job.cancel_requested = True
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _evict(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.status in FINISHED]
        while len(self._jobs) > self.max_jobs and finished:
            self._jobs.pop(finished.pop(0), None)

    def _finish_cancelled(self, job: Job) -> None:
        job.status = CANCELLED
        text = Text(CANCELLED_MESSAGE)
        job.message, job.message_text = render(text), text.to_json()
        job.finished = time.time()

    def _run(self, job: Job, work: Callable[[JobControl], Any]) -> None:
        with self._lock:
            if job.status != QUEUED:  # cancelled while queued
                return
            job.status, job.started = RUNNING, time.time()
            job.deadline = time.monotonic() + self.limits.max_seconds
        control = JobControl(job)
        try:
            control.check()
            result = work(control)
        except JobStopped as stop:
            if stop.reason == "cancelled":
                self._finish_cancelled(job)
            else:
                text = Text(TIMED_OUT, {"seconds": f"{self.limits.max_seconds:g}"})
                job.error = {
                    "type": "about:blank", "title": "run took too long", "status": 422,
                    "detail": render(text), "detail_text": text.to_json(),
                    "error": "JobTimeout"}
                job.status = FAILED
        except Exception as exc:  # a job's failure is its result
            job.error = error_problem(exc)
            job.status = FAILED
        else:
            job.result = result
            job.progress = 1.0
            job.status = DONE
        finally:
            if job.finished is None:
                job.finished = time.time()
            with self._lock:
                self._evict()
