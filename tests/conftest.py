"""Shared fixtures: a knowledge base built once per test session from the bundled data."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ECONSEC = [sys.executable, "-m", "econsec"]

#: The pytest-xdist worker running this process ("gw0", "gw1", ...), None when run serially.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _create_database(url: str, name: str) -> None:
    """CREATE DATABASE ``name`` on the server of ``url`` if missing. Two CREATE DATABASE at
    once (the xdist workers start together) fail with "source database template1 is being
    accessed by other users": try again."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql", database="postgres")
    for attempt in range(30):
        try:
            with psycopg.connect(admin.render_as_string(hide_password=False),
                                 autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (name,)).fetchone() is None:
                    conn.execute(f'CREATE DATABASE "{name}"')
            return
        except (psycopg.errors.ObjectInUse, psycopg.errors.DuplicateDatabase,
                psycopg.errors.UniqueViolation):
            if attempt == 29:
                raise
            time.sleep(0.2 + 0.1 * attempt)


#: The test files that take longest (about 40-90 s each on two cores), longest first.
#: Under pytest-xdist they are handed out first (the collection order, not xdist's
#: most-tests-first order), so that no worker is left with one of them at the end while
#: the other has nothing to do; the second and the fourth do not need ``built_db``, so
#: that one worker has work while the other builds it.
SLOW_FILES = (
    "test_web_schemathesis_roles.py", "test_deployment.py", "test_access_matrix.py",
    "test_kb_store.py", "test_cli.py", "test_access_properties.py", "test_web_browser.py",
    "test_web_schemathesis.py", "test_bad_input_data.py", "test_concurrency.py",
    "test_web_start.py", "test_scenario_jobs_shared.py", "test_report.py",
    "test_geopolrisk_web.py", "test_energy_space_web.py", "test_narrow_screens.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the slowest files first (see :data:`SLOW_FILES`); a file's
    tests stay together and in their order, and a serial run keeps pytest's order."""
    if WORKER:
        rank = {name: n for n, name in enumerate(SLOW_FILES)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own: tests empty and
    fill the database of ECONSEC_TEST_POSTGRES_URL, and two workers on one would see each
    other's rows. The variable is rewritten before any test module reads it (and is
    inherited by the ``econsec`` subprocesses); databases the tests create under their own
    names belong to one test file each, and ``--dist loadfile`` keeps a file on one worker."""
    if not WORKER and getattr(config.option, "loadscopereorder", None):
        config.option.loadscopereorder = False  # the controller: files in collection order
    url = os.environ.get("ECONSEC_TEST_POSTGRES_URL")
    if not url or not WORKER:
        return
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{WORKER}"
    _create_database(url, name)
    os.environ["ECONSEC_TEST_POSTGRES_URL"] = base.set(database=name).render_as_string(
        hide_password=False)


def run_cli(
    *args: str, db: Path | None = None, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``econsec`` command in a subprocess, as a user would."""
    cmd = [*ECONSEC, *args]
    if db is not None:
        cmd += ["--db", str(db)]
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    full_env.pop("ECONSEC_DB", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
            f"stderr:\n{proc.stderr}"
        )
    return proc


@pytest.fixture(autouse=True, scope="session")
def private_screening_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No test touches the user's screening index: the session gets its own (inherited by
    the ``econsec`` subprocesses); tests that need another set ECONSEC_SCREENING_DB."""
    path = tmp_path_factory.mktemp("screening") / "screening.db"
    os.environ["ECONSEC_SCREENING_DB"] = str(path)
    return path


@pytest.fixture(autouse=True, scope="session")
def private_mrio_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No test writes to the user's MRIO cache: the session gets its own folder (inherited by
    the ``econsec`` subprocesses); tests of the cache itself set ECONSEC_CACHE_DIR."""
    path = tmp_path_factory.mktemp("mrio-cache")
    os.environ["ECONSEC_CACHE_DIR"] = str(path)
    return path


@pytest.fixture(autouse=True, scope="session")
def private_audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No test writes the user's audit key or head anchor: the session gets its own folder
    (inherited by the ``econsec`` subprocesses and servers); tests of the audit log itself
    set ECONSEC_AUDIT_DIR to folders of their own."""
    path = tmp_path_factory.mktemp("audit")
    os.environ["ECONSEC_AUDIT_DIR"] = str(path)
    os.environ.pop("ECONSEC_AUDIT_KEY", None)
    return path


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> None:
    """Passwords are hashed with the documented cheap profile (ECONSEC_PASSWORD_HASH_COST
    =test) in every test, server and subprocess: sign-ins are many and argon2id at the
    production cost takes ~0.15 s each. Tests of the production profile unset it."""
    os.environ["ECONSEC_PASSWORD_HASH_COST"] = "test"


def reset_postgres(url: str) -> None:
    """Drop every table of the knowledge base (and Alembic's version) at ``url``."""
    from sqlalchemy import create_engine, text

    from econsec.kb.models import metadata

    engine = create_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str,
                 build: Callable[[Path], object]) -> Path:
    """The folder ``name`` in the temporary folder all pytest-xdist workers of this run
    share, filled by ``build(folder)`` in the first worker that asks (the others wait)."""
    shared = tmp_path_factory.getbasetemp().parent / name
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (shared / "done").exists():
                build(shared)
                (shared / "done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return shared


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite knowledge base built by ``econsec init`` from the bundled data (read-only use).

    Under pytest-xdist the first worker that needs it builds it (~35 s) in the run's shared
    temporary folder while the others wait on a lock, and each worker then uses a copy of
    its own (servers on it write sessions and audit records). ``econsec init`` also loads
    the Japanese screening lists into the session's index: a worker gets a copy of the
    index the build filled, or loads the lists into the index it already has."""
    db = tmp_path_factory.mktemp("kb") / "econsec.db"
    if not WORKER:
        run_cli("init", db=db)
        return db
    shared = once_per_run(tmp_path_factory, "built-kb", lambda folder: run_cli(
        "init", "--screening-index", str(folder / "screening.db"), db=folder / "econsec.db"))
    shutil.copy(shared / "econsec.db", db)
    index = Path(os.environ["ECONSEC_SCREENING_DB"])
    if not index.exists():
        shutil.copy(shared / "screening.db", index)
    else:
        from econsec.screening.bundled import JAPANESE
        from econsec.screening.index import load_bundled, open_index

        with open_index(str(index)) as idx:
            for name in JAPANESE:
                load_bundled(idx, name, force=False)
    return db


@pytest.fixture(scope="session")
def reinitialised(built_db: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A copy of ``built_db`` (the first ``econsec init``) on which ``econsec init --format
    json`` ran a second time, and the document it printed (read-only use; under
    pytest-xdist made once per run from the shared build, as ``built_db``)."""
    db = tmp_path_factory.mktemp("reinit") / "econsec.db"
    if not WORKER:
        shutil.copy(built_db, db)
        return db, json.loads(run_cli("init", "--format", "json", db=db).stdout)

    def again(folder: Path) -> None:
        built = tmp_path_factory.getbasetemp().parent / "built-kb"
        shutil.copy(built / "econsec.db", folder / "econsec.db")
        shutil.copy(built / "screening.db", folder / "screening.db")
        (folder / "init.json").write_text(run_cli(
            "init", "--format", "json", "--screening-index", str(folder / "screening.db"),
            db=folder / "econsec.db").stdout, encoding="utf-8")

    shared = once_per_run(tmp_path_factory, "reinit-kb", again)
    shutil.copy(shared / "econsec.db", db)
    return db, json.loads((shared / "init.json").read_text(encoding="utf-8"))


@pytest.fixture
def db_copy(built_db: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the built knowledge base that a test may change (removed after
    the test: with the BACI flows a copy is about 160 MB)."""
    target = tmp_path / "econsec.db"
    shutil.copy(built_db, target)
    yield target
    for leftover in tmp_path.glob("*.db*"):
        leftover.unlink(missing_ok=True)


def stored_counts(db: Path) -> dict[str, int]:
    """Rows per table of the SQLite file ``db`` (read with sqlite3, not econsec)."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def differing_rows(db: Path, other: Path, *, ids: bool = True) -> dict[str, int]:
    """Per table of the knowledge base, the rows found in one SQLite file and not in the
    other (every column; without ``ids`` the surrogate ``id`` columns are left out, as
    :func:`econsec.kb.testing.snapshot` does). The database compares: a million trade
    flows take seconds, not the minute of reading them into Python."""
    from econsec.kb.models import metadata

    def count(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    def except_both_ways(table: str, columns: str) -> int:
        return sum(count(f'SELECT count(*) FROM (SELECT {columns} FROM {a}."{table}" '
                         f'EXCEPT SELECT {columns} FROM {b}."{table}")')
                   for a, b in (("main", "other"), ("other", "main")))

    conn = sqlite3.connect(db)
    try:
        conn.execute("ATTACH DATABASE ? AS other", (str(other),))
        differ = {}
        for name, table in sorted(metadata.tables.items()):
            n = except_both_ways(name, ", ".join(f'"{c.name}"' for c in table.columns))
            if n and not ids:  # the same rows under other ids? (slower: the id is the key)
                n = except_both_ways(name, ", ".join(
                    f'"{c.name}"' for c in table.columns
                    if not (c.name == "id" and c.autoincrement is True)))
                n += abs(count(f'SELECT count(*) FROM main."{name}"')
                         - count(f'SELECT count(*) FROM other."{name}"'))
            if n:
                differ[name] = n
        return differ
    finally:
        conn.close()
