"""`econsec init` output: paths printed whole on a line of their own, counts as stored."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import run_cli
from econsec.kb.browse import PRIVATE

ROW = re.compile(r"^│\s*(?P<name>[^│]+?)\s*│\s*(?P<count>\d+)\s*│")


@pytest.fixture(scope="module")
def initialised(built_db: Path,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """``econsec init`` into a folder whose path is longer than the widest table line (on a
    copy of the session's knowledge base, which init refreshes: the output is the same as
    on an empty file, without building it all again); the screening index is new."""
    folder = tmp_path_factory.mktemp("init")
    for part in ("a-long-folder-name-" * 3, "another-long-folder-name-" * 3,
                 "a-third-long-folder-name-" * 3, "and-one-more-long-folder-" * 3):
        folder /= part.rstrip("-")
    folder.mkdir(parents=True)
    db, index = folder / "econsec.db", folder / "screening.db"
    assert len(str(db)) > 240  # wider than the table output when stdout is not a terminal
    shutil.copy(built_db, db)
    stdout = run_cli("init", "--screening-index", str(index), db=db,
                     env={"COLUMNS": "80"}).stdout
    return db, index, stdout


def test_init_prints_each_path_whole_on_its_own_line(initialised) -> None:
    db, index, stdout = initialised
    lines = stdout.splitlines()
    assert f"  sqlite:///{db}" in lines
    assert f"  {index}" in lines
    assert lines[0] == "Knowledge base ready:"
    assert "Screening lists loaded into:" in lines


def test_init_counts_are_the_stored_rows(initialised) -> None:
    """Every table of the knowledge data is counted as stored; the council's private tables
    (accounts, sessions, shared items, the audit log, ...) are not counted at all."""
    db, index, stdout = initialised
    shown = {m["name"]: int(m["count"]) for m in map(ROW.match, stdout.splitlines()) if m}
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
            " AND name NOT LIKE 'sqlite_%'") if r[0] not in PRIVATE]
        stored = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    with sqlite3.connect(index) as conn:
        entities = dict(conn.execute("SELECT list, count(*) FROM entities GROUP BY list"))
    assert stored["observations"] > 10_000 and len(entities) == 4
    for table, count in stored.items():
        assert shown[table] == count, table
    for name, count in entities.items():
        assert shown[name] == count, name
    assert set(shown) == set(stored) | set(entities)
    assert not set(shown) & PRIVATE
