"""Serving with several worker processes: the app factory and the first-start lock.

``econsec serve --workers N`` starts N uvicorn worker processes on one listening socket (the
kernel hands each new connection to one of them). Uvicorn imports the application in each
worker by name, so the configuration travels in environment variables that the command
sets before the workers start and :func:`app_from_environment` reads:

- ``ECONSEC_DB``: the knowledge base (a SQLAlchemy URL);
- ``ECONSEC_SERVE_HOST`` / ``ECONSEC_SERVE_PORT``: where the server listens (the host
  policy of :class:`econsec.web.security.HostPolicy`);
- ``ECONSEC_ALLOWED_HOSTS``: further host names, comma-separated (``--allowed-host``);
- ``ECONSEC_TOKEN_FILE``: the token file. The command writes it before the workers start,
  so every worker reads the same token (local mode's request-forgery token).

What must be the same in every worker lives in the database, not in a process: signed-in
sessions (table ``sessions``), the audit trail, the data. Each worker keeps its own read
cache; an import through one worker changes the knowledge base's data version, which the
others notice within the cache's probe interval (:mod:`econsec.web.cache`).

A knowledge base that is still empty is built from the bundled data by the first worker
that takes the build lock (:func:`build_lock`: a PostgreSQL advisory lock, a lock file
beside a SQLite file); the others wait for it and find it built.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from econsec.settings import env

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("econsec.web")

T = TypeVar("T")

#: The advisory-lock key of the first build (distinct from the writers' key of
#: :mod:`econsec.kb.engine`, which the build itself takes inside).
BUILD_LOCK_KEY = 4242002
#: How long a worker waits for another one building the knowledge base.
BUILD_WAIT_SECONDS = 1800.0

#: What ``econsec serve --workers N`` says on a SQLite file (allowed: WAL lets the worker
#: processes read at once, and writes queue for the file's lock).
SQLITE_WORKERS_NOTE = (
    "note: several workers on a SQLite file: reads run in parallel, but every write "
    "(imports, sign-ins, the audit trail) waits for the one write lock of the file. For a "
    "server with several users, use PostgreSQL (--db postgresql+psycopg://…; "
    "docs/deployment.md).")


@contextmanager
def build_lock(url: str, *, wait: float = BUILD_WAIT_SECONDS) -> Iterator[None]:
    """Held by one process at a time per knowledge base at ``url``: a session advisory
    lock on PostgreSQL, an exclusive ``flock`` of ``<file>.build-lock`` beside a SQLite
    file; nothing for an in-memory database (one process)."""
    if url.startswith("postgresql"):
        with _pg_lock(url, wait):
            yield
        return
    path = _sqlite_file(url)
    if path is None:
        yield
        return
    lock = path.with_name(path.name + ".build-lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"waited {wait:g} s for the build lock") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _pg_lock(url: str, wait: float) -> Iterator[None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET lock_timeout = {int(wait * 1000)}")
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": BUILD_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": BUILD_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()


def _sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, None for memory databases and other URLs."""
    if not url.startswith("sqlite:///"):
        return None
    name = url[len("sqlite:///"):].split("?", 1)[0]
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        return None
    return Path(name)


def once(url: str, done: Callable[[], bool], build: Callable[[], T]) -> T | None:
    """``build()`` unless ``done()``: checked again under :func:`build_lock`, so that of
    several processes starting at once on an empty knowledge base exactly one builds it.
    Returns what ``build()`` returned, None when it was done already."""
    if done():
        return None
    with build_lock(url):
        if done():
            return None
        return build()


# ------------------------------------------------------------------------ the factory


def worker_environment(*, database_url: str, host: str, port: int,
                       allowed_hosts: list[str], token_file: Path) -> dict[str, str]:
    """The environment variables :func:`app_from_environment` reads, for these options."""
    return {"ECONSEC_DB": database_url, "ECONSEC_SERVE_HOST": host,
            "ECONSEC_SERVE_PORT": str(port), "ECONSEC_ALLOWED_HOSTS": ",".join(allowed_hosts),
            "ECONSEC_TOKEN_FILE": str(token_file)}


def app_from_environment() -> FastAPI:
    """The application of one worker process, configured by the environment (see the
    module docstring); uvicorn calls it in each worker (``factory=True``)."""
    from econsec.settings import Settings
    from econsec.web.app import create_app
    from econsec.web.security import default_token_file, load_or_create_token

    settings = Settings()
    url = settings.database_url()
    host = env("SERVE_HOST") or "127.0.0.1"
    port_text = env("SERVE_PORT")
    port = int(port_text) if port_text and port_text.isdigit() else None
    allowed = [h.strip() for h in (env("ALLOWED_HOSTS") or "").split(",") if h.strip()]
    token = load_or_create_token(default_token_file())
    app = create_app(url, host=host, port=port, allowed_hosts=allowed, token=token,
                     settings=settings, warm_up=False)
    log.info("econsec worker %s ready", os.getpid())
    return app
