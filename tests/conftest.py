"""Shared fixtures: a knowledge base built once per test session from the bundled data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ECONSEC = [sys.executable, "-m", "econsec"]


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


def reset_postgres(url: str) -> None:
    """Drop every table of the knowledge base (and Alembic's version) at ``url``."""
    from sqlalchemy import create_engine, text

    from econsec.kb.models import metadata

    engine = create_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite knowledge base built by ``econsec init`` from the bundled data (read-only use)."""
    db = tmp_path_factory.mktemp("kb") / "econsec.db"
    run_cli("init", db=db)
    return db


@pytest.fixture
def db_copy(built_db: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the built knowledge base that a test may change (removed after
    the test: with the BACI flows a copy is about 160 MB)."""
    target = tmp_path / "econsec.db"
    shutil.copy(built_db, target)
    yield target
    for leftover in tmp_path.glob("*.db*"):
        leftover.unlink(missing_ok=True)
