"""The Alembic migration creates exactly the schema of the models; open_store migrates."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from econsec.errors import StoreError
from econsec.kb.engine import MIGRATIONS_DIR
from econsec.kb.models import metadata
from econsec.kb.store import open_store

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_migration_matches_models_sqlite(tmp_path) -> None:
    store = open_store(str(tmp_path / "a" / "b" / "kb.db"))  # plain path, folders created
    assert (tmp_path / "a" / "b" / "kb.db").is_file()
    assert _diff(store.engine) == []
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) | {"alembic_version"} == tables
    store.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_migration_matches_models_postgres() -> None:
    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    store = open_store(PG_URL)
    assert _diff(store.engine) == []
    store.close()


def test_reopening_is_a_no_op(tmp_path) -> None:
    path = tmp_path / "kb.db"
    open_store(f"sqlite:///{path}").close()
    before = path.read_bytes()
    store = open_store(f"sqlite:///{path}")
    store.counts()
    store.close()
    assert path.read_bytes() == before


def test_migration_files_ship_with_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "__init__.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()


def test_unopenable_database_is_a_store_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open knowledge base"):
        open_store(f"sqlite:///{blocker / 'kb.db'}")
