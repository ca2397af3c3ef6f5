"""Opening a knowledge base: the SQLAlchemy engine, lock handling and the schema check.

:func:`open_engine` takes a SQLAlchemy URL (``sqlite:///path`` by default, or
``postgresql+psycopg://…``), creates the folder of a SQLite file and brings the schema to
the newest Alembic revision. A database already at the newest revision is recognised with
one read of ``alembic_version`` (Alembic is imported only to migrate).

Writes go through ``engine.begin()``, which takes the write lock up front (SQLite
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock); lock contention becomes
:class:`~econsec.errors.BusyError`.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from econsec.errors import BusyError, EconsecError, StoreError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


#: SQLite engines opened by this process; disposed at exit so that the last connection
#: checkpoints the write-ahead log into the database file (a copied file is then complete).
_SQLITE_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
_BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
"""PostgreSQL: lock not available, serialization failure, deadlock: contention, not a bug."""
_WRITE = "econsec_write"


def busy_timeout() -> float:
    """Seconds a write waits for another writer (``ECONSEC_BUSY_TIMEOUT``, default 30)."""
    from econsec.settings import Settings

    return Settings().busy_timeout


def _is_busy(error: BaseException | None) -> bool:
    """True when the DBAPI error is lock contention (SQLite busy/locked, PostgreSQL lock
    timeout, serialization failure or deadlock)."""
    if error is None:
        return False
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if code in _BUSY_SQLSTATES:
        return True
    text = str(error).casefold()
    return type(error).__module__.startswith("sqlite3") and (
        "database is locked" in text or "database is busy" in text
        or "database table is locked" in text)


def _on_error(context: Any) -> BaseException | None:
    """Lock contention becomes :class:`BusyError` (one line, no SQL, no parameters)."""
    if _is_busy(context.original_exception):
        return BusyError()
    return None


@contextmanager
def _write_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` for writes: on SQLite ``BEGIN IMMEDIATE`` (the write lock is
    taken up front, waiting up to the busy timeout, so a transaction that read first can
    never fail to upgrade); on PostgreSQL an advisory lock serialises writers the same way."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(busy_timeout() * 1000)}ms'")
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
            yield conn


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if path is not None:
            path.expanduser().parent.mkdir(parents=True, exist_ok=True)
        timeout = busy_timeout()
        # Many threads (the web app's pool) may wait for the write lock at once: never let
        # a reader wait for a pooled connection behind them.
        pool = {"pool_size": 8, "max_overflow": -1} if path is not None else {}
        engine = create_engine(url, connect_args={"timeout": timeout}, **pool)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (so that
            # validation reads and writes share one transaction) and enforce foreign keys.
            # WAL: readers never wait for a writer, and a writer never waits for readers.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if path is not None:
                mode = cursor.execute("PRAGMA journal_mode").fetchone()
                if mode and str(mode[0]).casefold() != "wal":
                    try:
                        cursor.execute("PRAGMA journal_mode=WAL")
                    except Exception as exc:  # busy: WAL next time
                        if not _is_busy(exc):
                            raise
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get(_WRITE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        if path is not None:
            _SQLITE_ENGINES.add(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "handle_error", _on_error, retval=True)
    # Every ``engine.begin()`` in econsec is a write: take the lock up front.
    engine.begin = partial(_write_transaction, engine)  # type: ignore[method-assign]
    return engine


@atexit.register
def _dispose_sqlite_engines() -> None:
    for engine in list(_SQLITE_ENGINES):
        with suppress(Exception):  # best effort at exit
            engine.dispose()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (Config built in code). A database
    already at the newest revision is recognised with one read and no Alembic import."""
    if revision == "head" and _at_head(engine):
        return  # a read: opening the store never waits for a writer
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _at_head(engine: Engine) -> bool:
    """True when the revision stored in ``alembic_version`` is the newest one known from
    the migration files (:func:`econsec.kb.migrations.head_revisions`)."""
    from sqlalchemy import inspect

    from econsec.kb.migrations import head_revisions

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        current = {row[0] for row in conn.exec_driver_sql(
            "SELECT version_num FROM alembic_version")}
    return bool(current) and current == head_revisions()



def open_engine(url: str) -> Engine:
    """The engine of the knowledge base at ``url``, migrated to the newest schema.

    A plain file path is accepted too (see :func:`econsec.settings.to_database_url`). For a
    SQLite file the parent folder is created. Raises :class:`StoreError` if the database
    cannot be opened or migrated.
    """
    from econsec.settings import to_database_url

    url = to_database_url(url)
    try:
        engine = make_engine(url)
        migrate(engine)
    except EconsecError:
        raise
    except (SQLAlchemyError, OSError, ImportError) as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise StoreError(f"cannot open knowledge base {shown}: {exc}") from exc
    return engine


def sql_reason(error: SQLAlchemyError) -> str:
    """The database's one-line reason, without the SQL and parameters SQLAlchemy adds."""
    original = getattr(error, "orig", None) or error
    return str(original).splitlines()[0][:300] if str(original) else type(original).__name__

