"""Background jobs of the web app (scenario runs): a bounded thread pool per worker
process, the jobs themselves in the knowledge base (table ``scenario_jobs``), so that every
worker process of ``econsec serve --workers N`` answers for every job.

A job is a function ``work(control)``; ``control(fraction, message)`` updates the job's
``progress`` (0-1) and ``message`` (a :class:`~econsec.scenarios.texts.Text`: the job keeps
the English text in ``message`` and the pair in ``message_text`` for other languages), and
``control.check()`` raises :class:`JobStopped` once
the job is cancelled or has run longer than its time limit (long loops call it often: the
scenario runner calls it every simulated day). Library code reports progress through its
own callback (``(step, done, total)`` for the scenario runner); the router adapts it.

Jobs have a status (``queued``, ``running``, ``done``, ``failed``, ``cancelled``), a result
or an error (RFC 9457 problem details with ``detail_text``, the message as a pair), and an
owner (the signed-in user, or ``local``). The worker process running a job writes it to the
database when its state changes and its progress at most every ``write_every`` seconds (and
a heartbeat every ``heartbeat`` seconds while queued or running); any worker reads it from
there. A cancel through any worker sets the job's ``cancel_requested`` flag (a queued job is
cancelled at once); the running worker reads the flag at most every ``cancel_poll`` seconds
from ``control.check()``. A job still queued or running without an update for
``stale_after`` seconds is reported failed: the worker process running it stopped. Beyond
``max_jobs`` the oldest finished jobs are forgotten.

Limits (:class:`JobLimits`): a client (the signed-in user, or an address in local mode) may
have at most ``per_client`` jobs queued or running, and the server at most ``max_active``
(both counted in the database, over every worker; :class:`QuotaExceeded`, answered 429 with
``Retry-After``); a job runs at most ``max_seconds`` of wall time. The cost cap on what a
job may compute is checked by the router before the job is submitted
(:attr:`JobLimits.max_cost`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import SQLAlchemyError

from econsec.errors import EconsecError, NotFoundError
from econsec.kb.models import SCENARIO_JOBS as T
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
NO_SUCH_JOB = N_("no job '%(job)s' (the newest 100 finished jobs are kept)")
WORKER_STOPPED = N_(
    "the run stopped: the server process running it stopped (a restart or a crash); "
    "start the run again")
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
    #: Who submitted the job (what the quota counts); never shown.
    client: str = field(default="", repr=False)
    #: The actor who started it (a user name, or ``local``) and its organisation.
    owner: str = "local"
    owner_org_id: int | None = None
    cancel_requested: bool = False
    deadline: float | None = None
    #: The last write to the database (seconds since the epoch).
    updated: float = field(default_factory=time.time)

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


def stamp(seconds: float) -> str:
    """UTC ISO 8601 text of ``seconds`` since the epoch (milliseconds: job times are short)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def epoch(text: str | None) -> float | None:
    """Seconds since the epoch of a :func:`stamp` (None stays None)."""
    return None if text is None else datetime.fromisoformat(text).timestamp()


def _text_json(text: Text) -> tuple[str, dict[str, Any]]:
    return render(text), text.to_json()


def stopped_problem() -> dict[str, Any]:
    """The error of a job whose worker process stopped while it was queued or running."""
    text = Text(WORKER_STOPPED)
    return {"type": "about:blank", "title": "run stopped", "status": 503,
            "detail": render(text), "detail_text": text.to_json(), "error": "WorkerStopped"}


def valid_id(job_id: str) -> bool:
    """True for what a job id looks like (32 hex digits): anything else is unknown at once
    (never sent to the database)."""
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)


def not_found(job_id: str) -> JobNotFound:
    shown = job_id if len(job_id) <= 64 and job_id.isalnum() else "…"
    return JobNotFound(Text(NO_SUCH_JOB, {"job": shown}))


class JobControl:
    """What a running job gets: ``control(fraction, message)`` reports progress,
    ``control.check()`` raises :class:`JobStopped` when the job must stop."""

    def __init__(self, job: Job, runner: JobRunner | None = None) -> None:
        self.job = job
        self.runner = runner
        self._written = time.monotonic()
        self._polled = time.monotonic()
        self._kind: str | None = None

    def __call__(self, fraction: float, message: Text | str = "") -> None:
        job = self.job
        job.progress = min(1.0, max(job.progress, float(fraction)))
        if isinstance(message, Text):
            job.message, job.message_text = render(message), message.to_json()
        elif message:
            job.message, job.message_text = message, None
        runner = self.runner
        kind = message.id if isinstance(message, Text) else None
        if runner is not None and (kind != self._kind
                                   or time.monotonic() - self._written >= runner.write_every):
            # written at most every ``write_every`` s, and at once when the kind of message
            # changes (loading the table, then the first simulated day)
            self._written, self._kind = time.monotonic(), kind
            runner.write_progress(job)

    def check(self, *_: Any) -> None:
        """Raise :class:`JobStopped` if the job was cancelled (through any worker: the flag
        in the database is read at most every ``cancel_poll`` seconds) or ran out of time."""
        job = self.job
        runner = self.runner
        if (not job.cancel_requested and runner is not None
                and time.monotonic() - self._polled >= runner.cancel_poll):
            self._polled = time.monotonic()
            job.cancel_requested = runner.cancel_requested(job.id)
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
    """Runs jobs on at most ``workers`` threads of this process; the jobs are kept in the
    database of ``engine`` (bound later with :meth:`bind` when not given)."""

    def __init__(self, workers: int = 2, max_jobs: int = 100,
                 limits: JobLimits | None = None, engine: Engine | None = None, *,
                 write_every: float = 0.5, cancel_poll: float = 0.25,
                 heartbeat: float = 10.0, stale_after: float = 60.0) -> None:
        self.max_jobs = max_jobs
        self.limits = limits or JobLimits()
        self.engine = engine
        self.write_every = write_every
        self.cancel_poll = cancel_poll
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="econsec-job")
        #: The jobs submitted through this runner (this process), oldest first.
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def bind(self, engine: Engine) -> JobRunner:
        """Keep the jobs in ``engine``'s database (unless bound already)."""
        with self._lock:
            if self.engine is None:
                self.engine = engine
        return self

    def _db(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("the job runner has no database (JobRunner.bind)")
        return self.engine

    # ------------------------------------------------------------ submit, read, cancel

    def submit(self, kind: str, work: Callable[[JobControl], Any],
               meta: dict[str, Any] | None = None, *, client: str = "",
               owner: str = "local", owner_org_id: int | None = None) -> Job:
        """Queue ``work(control)``; its return value (JSON) becomes the job's result.

        Raises :class:`QuotaExceeded` when ``client`` already has ``per_client`` jobs queued
        or running, or the server ``max_active`` (counted over every worker)."""
        limits = self.limits
        now = time.time()
        job = Job(id=uuid.uuid4().hex, kind=kind, meta=dict(meta or {}), client=client,
                  owner=owner, owner_org_id=owner_org_id, created=now, updated=now)
        with self._db().begin() as conn:
            self._expire(conn, now)
            counts: dict[str, int] = {client_: count for client_, count in conn.execute(
                select(T.c.client, func.count()).where(T.c.status.in_(ACTIVE))
                .group_by(T.c.client))}
            mine, active = counts.get(client, 0), sum(counts.values())
            if mine >= limits.per_client:
                raise QuotaExceeded(
                    Text(PER_CLIENT_QUOTA, {"count": mine, "limit": limits.per_client}),
                    limits.retry_after)
            if active >= limits.max_active:
                raise QuotaExceeded(
                    Text(SERVER_QUOTA, {"count": active, "limit": limits.max_active}),
                    limits.retry_after)
            conn.execute(insert(T).values(
                id=job.id, kind=kind, owner=owner, owner_org_id=owner_org_id,
                client=client, status=QUEUED, progress=0.0, message="", message_text=None,
                meta=json.dumps(job.meta, ensure_ascii=False), cancel_requested=False,
                created_at=stamp(now), updated_at=stamp(now)))
            self._forget(conn)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j.id for j in self._jobs.values() if j.status in FINISHED]
            while len(self._jobs) > self.max_jobs and finished:
                self._jobs.pop(finished.pop(0), None)
        self._start_heartbeat()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str, owner: str | None = None) -> Job:
        """The job ``job_id`` (of ``owner`` when given); :class:`JobNotFound` if unknown,
        forgotten or another owner's."""
        if valid_id(job_id):
            with self._db().connect() as conn:
                row = conn.execute(select(T).where(T.c.id == job_id)).first()
            if row is not None and (owner is None or row.owner == owner):
                return self._job_of(row)
        raise not_found(job_id)

    def list_jobs(self, owner: str | None = None) -> list[Job]:
        """The jobs kept (of ``owner`` when given), oldest first, without their results."""
        columns = [c for c in T.c if c.name != "result"]
        query = select(*columns).order_by(T.c.created_at)
        if owner is not None:
            query = query.where(T.c.owner == owner)
        with self._db().connect() as conn:
            return [self._job_of(row) for row in conn.execute(query)]

    def cancel(self, job_id: str, wait: float = 2.0, owner: str | None = None) -> Job:
        """Cancel ``job_id`` (of ``owner`` when given): a queued job never starts, a running
        one stops at its next check (waited for up to ``wait`` seconds), on whichever
        worker it runs. A finished job is left as it is."""
        if not valid_id(job_id):
            raise not_found(job_id)
        now = time.time()
        with self._db().begin() as conn:
            row = conn.execute(select(T.c.owner, T.c.status, T.c.updated_at)
                               .where(T.c.id == job_id)).first()
            if row is None or (owner is not None and row.owner != owner):
                raise not_found(job_id)
            if row.status in ACTIVE and not self._stale(row.updated_at, now):
                values: dict[str, Any] = {"cancel_requested": True}
                if row.status == QUEUED:
                    message, message_text = _text_json(Text(CANCELLED_MESSAGE))
                    values.update(status=CANCELLED, message=message,
                                  message_text=json.dumps(message_text),
                                  finished_at=stamp(now), updated_at=stamp(now))
                conn.execute(update(T).where(T.c.id == job_id, T.c.status == row.status)
                             .values(**values))
        with self._lock:
            local = self._jobs.get(job_id)
            if local is not None and local.status in ACTIVE:
                local.cancel_requested = True
        deadline = time.monotonic() + wait
        while True:
            job = self.get(job_id, owner)
            if job.status != RUNNING or time.monotonic() >= deadline:
                return job
            time.sleep(0.02)

    def jobs(self) -> list[Job]:
        """The jobs submitted through this runner (this process), oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self, wait: bool = False) -> None:
        """Stop accepting jobs; this runner's queued and running ones are cancelled (the
        running ones stop at their next check)."""
        self._stop.set()
        with self._lock:
            active = [job for job in self._jobs.values() if job.status in ACTIVE]
            for job in active:
                job.cancel_requested = True
        if active and self.engine is not None:
            now = time.time()
            message, message_text = _text_json(Text(CANCELLED_MESSAGE))
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(T).where(T.c.id.in_([j.id for j in active]),
                                                 T.c.status.in_(ACTIVE)).values(
                        status=CANCELLED, cancel_requested=True, message=message,
                        message_text=json.dumps(message_text), finished_at=stamp(now),
                        updated_at=stamp(now)))
            except SQLAlchemyError:
                log.warning("could not record the cancelled jobs at shutdown", exc_info=True)
        self._pool.shutdown(wait=wait, cancel_futures=True)

    # ------------------------------------------------------------ what a job writes

    def write_progress(self, job: Job) -> None:
        """Record ``job``'s progress and message (best effort: a busy database only delays
        the next report)."""
        now = time.time()
        try:
            with self._db().begin() as conn:
                conn.execute(update(T).where(T.c.id == job.id, T.c.status == RUNNING).values(
                    progress=job.progress, message=_plain(job.message),
                    message_text=_dumps(job.message_text), updated_at=stamp(now)))
            job.updated = now
        except SQLAlchemyError:
            log.warning("could not record the progress of job %s", job.id, exc_info=True)

    def cancel_requested(self, job_id: str) -> bool:
        """True once the job was cancelled through any worker (or is no longer running)."""
        try:
            with self._db().connect() as conn:
                row = conn.execute(select(T.c.status, T.c.cancel_requested)
                                   .where(T.c.id == job_id)).first()
        except SQLAlchemyError:
            log.warning("could not read the cancel flag of job %s", job_id, exc_info=True)
            return False
        return row is None or bool(row.cancel_requested) or row.status != RUNNING

    def _start(self, job: Job) -> bool:
        now = time.time()
        with self._db().begin() as conn:
            started = conn.execute(update(T).where(
                T.c.id == job.id, T.c.status == QUEUED,
                T.c.cancel_requested.is_(False)).values(
                status=RUNNING, started_at=stamp(now), updated_at=stamp(now))).rowcount
        if started:
            job.status, job.started = RUNNING, now
            job.deadline = time.monotonic() + self.limits.max_seconds
        return bool(started)

    def _finish(self, job: Job) -> None:
        """Record the end of ``job`` (unless it was ended already: cancelled while queued,
        at shutdown, or reported stopped)."""
        values = {"status": job.status, "progress": job.progress,
                  "message": _plain(job.message),
                  "message_text": _dumps(job.message_text), "error": _dumps(job.error),
                  "finished_at": stamp(job.finished or time.time()),
                  "updated_at": stamp(time.time())}
        if job.status == DONE:
            from econsec.web.common import dumps

            values["result"] = dumps(job.result).decode()
        with self._db().begin() as conn:
            conn.execute(update(T).where(T.c.id == job.id, T.c.status.in_(ACTIVE))
                         .values(**values))

    def _run(self, job: Job, work: Callable[[JobControl], Any]) -> None:
        try:
            with self._lock:
                stopped = job.status != QUEUED or job.cancel_requested
            if stopped or not self._start(job):  # cancelled while queued
                self._finish_cancelled(job)
                return
        except SQLAlchemyError as exc:
            job.error, job.status, job.finished = error_problem(exc), FAILED, time.time()
            return
        control = JobControl(job, self)
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
        if job.finished is None:
            job.finished = time.time()
        try:
            self._finish(job)
        except Exception as exc:  # e.g. a result the database refuses
            job.result, job.error, job.status = None, error_problem(exc), FAILED
            try:
                self._finish(job)
            except SQLAlchemyError:
                log.error("could not record the end of job %s", job.id, exc_info=True)

    def _finish_cancelled(self, job: Job) -> None:
        job.status = CANCELLED
        job.message, job.message_text = _text_json(Text(CANCELLED_MESSAGE))
        job.finished = time.time()

    # ------------------------------------------------------------ housekeeping

    def _stale(self, updated_at: str, now: float) -> bool:
        return (epoch(updated_at) or 0.0) < now - self.stale_after

    def _job_of(self, row: Row[Any]) -> Job:
        data = row._mapping
        job = Job(
            id=data["id"], kind=data["kind"], status=data["status"],
            progress=float(data["progress"]), message=data["message"],
            message_text=_loads(data["message_text"]), created=epoch(data["created_at"]) or 0.0,
            started=epoch(data["started_at"]), finished=epoch(data["finished_at"]),
            result=_loads(data.get("result")), error=_loads(data["error"]),
            meta=_loads(data["meta"]) or {}, client=data["client"], owner=data["owner"],
            owner_org_id=data["owner_org_id"],
            cancel_requested=bool(data["cancel_requested"]),
            updated=epoch(data["updated_at"]) or 0.0)
        if job.status in ACTIVE and self._stale(data["updated_at"], time.time()):
            job.status, job.error, job.finished = FAILED, stopped_problem(), job.updated
        return job

    def _expire(self, conn: Connection, now: float) -> None:
        """Record as failed the jobs whose worker stopped (no update for ``stale_after``)."""
        conn.execute(update(T).where(
            T.c.status.in_(ACTIVE), T.c.updated_at < stamp(now - self.stale_after)).values(
            status=FAILED, error=json.dumps(stopped_problem()), finished_at=T.c.updated_at))

    def _forget(self, conn: Connection) -> None:
        """Forget the finished jobs beyond the newest ``max_jobs``."""
        cutoff = conn.execute(
            select(T.c.created_at).where(T.c.status.in_(FINISHED))
            .order_by(T.c.created_at.desc()).offset(self.max_jobs).limit(1)).scalar()
        if cutoff is not None:
            conn.execute(delete(T).where(T.c.status.in_(FINISHED), T.c.created_at <= cutoff))

    def _start_heartbeat(self) -> None:
        with self._lock:
            if self._beat is not None or self._stop.is_set():
                return
            self._beat = threading.Thread(target=self._beat_loop, daemon=True,
                                          name="econsec-job-heartbeat")
        self._beat.start()

    def _beat_loop(self) -> None:
        """Every ``heartbeat`` seconds, mark this process's queued and running jobs alive."""
        while not self._stop.wait(self.heartbeat):
            with self._lock:
                ids = [job.id for job in self._jobs.values() if job.status in ACTIVE]
            if not ids:
                continue
            try:
                with self._db().begin() as conn:
                    conn.execute(update(T).where(T.c.id.in_(ids), T.c.status.in_(ACTIVE))
                                 .values(updated_at=stamp(time.time())))
            except SQLAlchemyError:
                log.warning("could not record that jobs are alive", exc_info=True)


def _plain(text: str) -> str:
    """``text`` without NUL characters (PostgreSQL refuses them in text; a variant name in
    a progress message comes from the scenario file)."""
    return text.replace("\x00", "")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
