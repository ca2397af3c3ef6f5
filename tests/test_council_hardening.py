"""Council hardening (issue 11 follow-ups): migration 0006 (public item ids for old rows,
the sign-in failure table), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Engine, make_url

from econsec.kb.engine import make_engine, migrate
from econsec.kb.models import ORGS, SHARED_ITEMS, USERS, metadata

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _own_postgres(name: str) -> str:
    assert PG_URL
    url = make_url(PG_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                        {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(target)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return target


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")])])
def at_0005(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """An empty knowledge base migrated to 0005 only (before this work)."""
    url = (f"sqlite:///{tmp_path / 'kb.db'}" if request.param == "sqlite"
           else _own_postgres("econsec_council_hardening"))
    engine = make_engine(url)
    migrate(engine, "0005")
    return engine


def test_migration_0006_gives_old_items_public_ids(at_0005: Engine) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    good = str(uuid.uuid4())
    with at_0005.begin() as conn:
        conn.execute(insert(ORGS).values(id=1, name="meti", kind="government",
                                         created_at=stamp))
        conn.execute(insert(USERS).values(id=1, name="sec", org_id=1, roles="secretariat",
                                          password_hash="-", failed_logins=0,
                                          suspended=False, created_at=stamp))
        for key, value in ((1, good), (2, ""), (3, "12"), (4, good.upper()[:35] + "X"),
                           (5, str(uuid.uuid4()).upper())):
            conn.execute(text(
                "INSERT INTO shared_items (id, uuid, kind, title, summary, body, level, tlp,"
                " to_all_members, originator_user_id, originator_org_id, caveats, links,"
                " created_at) VALUES (:id, :uuid, 'report', 't', '', '', 1, 'clear', TRUE,"
                " 1, 1, '', '[]', :at)"), {"id": key, "uuid": value, "at": stamp})
    upper = None
    with at_0005.connect() as conn:
        upper = conn.execute(select(SHARED_ITEMS.c.uuid).where(SHARED_ITEMS.c.id == 5)
                             ).scalar_one()
    migrate(at_0005)
    with at_0005.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        ids = dict(conn.execute(select(SHARED_ITEMS.c.id, SHARED_ITEMS.c.uuid)).all())
        assert conn.execute(text("SELECT count(*) FROM login_failures")).scalar() == 0
    assert ids[1] == good  # a well-formed id is kept
    assert ids[5] == upper.lower()
    for key in (2, 3, 4):
        assert UUID4.match(ids[key]), ids[key]
    assert len(set(ids.values())) == 5
    at_0005.dispose()
