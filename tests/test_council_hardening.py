"""Council hardening (issue 11 follow-ups): migration 0006 (public item ids for old rows,
the sign-in failure table), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
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


# -- screening decisions name their reviewer ----------------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data" / "screening"
PASSWORD = "hardening-password-0123"


def test_an_index_made_before_reviewers_gains_the_columns(tmp_path: Path) -> None:
    import sqlite3

    from econsec.screening.decisions import decisions_for, record_decision

    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE decisions (query_key TEXT NOT NULL, entity_id TEXT NOT NULL,"
                 " decision TEXT NOT NULL, query TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
                 " decided_at TEXT NOT NULL, PRIMARY KEY (query_key, entity_id))")
    record = ("sato taro", "e1", "match", "Sato Taro", "", "2026-01-01T00:00:00+00:00")
    conn.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)", record)
    old = decisions_for(conn, "Sato Taro")["e1"]
    assert (old.decided_by, old.decided_org) == ("", "")  # not known: shown as nobody
    made = record_decision(conn, "Sato Taro", "e2", "false_positive", by="ana", org="acme")
    again = decisions_for(conn, "Sato Taro")
    assert (again["e2"].decided_by, again["e2"].decided_org) == ("ana", "acme") == (
        made.decided_by, made.decided_org)
    assert again["e1"].decided_by == ""
    conn.close()


def test_a_decision_records_the_signed_in_reviewer(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from econsec.access.accounts import Accounts
    from econsec.kb.store import open_store
    from econsec.web.screening_service import ScreeningService
    from web_server import live_server

    monkeypatch.setenv("ECONSEC_PASSWORD_HASH_COST", "test")
    monkeypatch.setenv("ECONSEC_AUDIT_DIR", str(tmp_path / "audit"))
    db = tmp_path / "kb.db"
    store = open_store(f"sqlite:///{db}")
    accounts = Accounts(store.engine)
    accounts.add_org("acme", kind="company")
    accounts.add_user("rev", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    service = ScreeningService(tmp_path / "screening.db")
    service.load(SAMPLE / "sample_list.jsonl", "sample", "sample_list.jsonl")
    with live_server(db, store=store, warm_up=False) as server:
        server.state.services["screening"] = service
        client = httpx.Client(base_url=server.url, timeout=30)
        session = client.post("/api/v1/session", json={"name": "rev", "password": PASSWORD})
        assert session.status_code == 200, session.text
        csrf = {"X-CSRF-Token": session.json()["csrf_token"]}
        made = client.post("/api/v1/screening/decisions", headers=csrf, json={
            "entity_id": "sample-ja-p-2", "query": "Sato Taro", "decision": "false_positive",
            "note": "other person"})
        assert made.status_code == 201, made.text
        assert (made.json()["decided_by"], made.json()["decided_org"]) == ("rev", "acme")
        matches = {m["entity_id"]: m for m in client.get(
            "/api/v1/screening/screen", params={"name": "Sato Taro"}).json()["matches"]}
        assert matches["sample-ja-p-2"]["decision"]["decided_by"] == "rev"
        for lang, text_ in (("en", "by rev (acme)"), ("ja", "判断者：rev（acme）")):
            page = client.get("/screening", params={"name": "Sato Taro", "lang": lang})
            assert page.status_code == 200 and text_ in page.text, lang
        # the table browser and the counts show no account, session, item or audit row
        from econsec.kb.browse import PRIVATE

        unknown = client.get("/data/tables/nosuchtable", params={"lang": "en"})
        assert unknown.status_code == 404
        for table in sorted(PRIVATE):
            for fmt in ("csv", "json", None):
                answer = client.get(f"/data/tables/{table}",
                                    params={"lang": "en", **({"_format": fmt} if fmt else {})})
                assert answer.status_code == 404, (table, fmt)
                assert "argon2" not in answer.text and "rev" not in answer.text.split()
            page = client.get(f"/data/tables/{table}", params={"lang": "en"})
            assert f"There is no table &#39;{table}&#39;" in page.text
        # /api/v1/health answers without sign-in: it counted users and shared items
        counts = httpx.get(server.url + "/api/v1/health").json()["counts"]
        assert counts and not set(counts) & PRIVATE
        # a failed sign-in is counted for the client's address (the lock-out's key)
        wrong = httpx.post(server.url + "/api/v1/session",
                           json={"name": "rev", "password": "not the password"})
        assert wrong.status_code == 401
        client.close()
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, client, failures FROM login_failures")).all()
    assert [tuple(r) for r in rows] == [("rev", "127.0.0.1", 1)]


def test_an_index_made_before_scopes_keeps_its_decisions_locally(tmp_path: Path) -> None:
    """A decisions table with reviewers but no scope is rebuilt once: its decisions stay
    the local operator's (the command line's), nobody else's."""
    import sqlite3

    from econsec.screening.decisions import decisions_for, record_decision

    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.execute("CREATE TABLE decisions (query_key TEXT NOT NULL, entity_id TEXT NOT NULL,"
                 " decision TEXT NOT NULL, query TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
                 " decided_at TEXT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',"
                 " decided_org TEXT NOT NULL DEFAULT '', PRIMARY KEY (query_key, entity_id))")
    conn.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 ("sato taro", "e1", "false_positive", "Sato Taro", "n",
                  "2026-01-01T00:00:00+00:00", "ana", "acme"))
    assert decisions_for(conn, "Sato Taro", "org:1") == {}
    kept = decisions_for(conn, "Sato Taro")["e1"]
    assert (kept.decision, kept.decided_by, kept.decided_org, kept.note) == (
        "false_positive", "ana", "acme", "n")
    # the same pair may now be judged differently by two scopes
    record_decision(conn, "Sato Taro", "e1", "match", by="bo", org="beta", scope="org:2")
    assert decisions_for(conn, "Sato Taro")["e1"].decision == "false_positive"
    assert decisions_for(conn, "Sato Taro", "org:2")["e1"].decision == "match"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"decisions"}
    conn.close()


def test_one_organisations_decision_never_clears_a_name_for_another(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """acme marks a listed entity a false positive: acme sees it demoted with its reviewer;
    beta, screening the same name, sees the full score, a match, and no trace of acme's
    judgement (API and page); beta's own verdict does not overwrite acme's."""
    import httpx

    from econsec.access.accounts import Accounts
    from econsec.kb.store import open_store
    from econsec.web.screening_service import ScreeningService
    from web_server import live_server

    monkeypatch.setenv("ECONSEC_PASSWORD_HASH_COST", "test")
    monkeypatch.setenv("ECONSEC_AUDIT_DIR", str(tmp_path / "audit"))
    db = tmp_path / "kb.db"
    store = open_store(f"sqlite:///{db}")
    accounts = Accounts(store.engine)
    for org, user in (("acme", "rev"), ("beta", "other")):
        accounts.add_org(org, kind="company")
        accounts.add_user(user, org=org, roles=["member"], password=PASSWORD,
                          clearance_level=1)
    service = ScreeningService(tmp_path / "screening.db")
    service.load(SAMPLE / "sample_list.jsonl", "sample", "sample_list.jsonl")
    entity = "sample-ja-p-2"
    with live_server(db, store=store, warm_up=False) as server:
        server.state.services["screening"] = service
        clients = {}
        for user in ("rev", "other"):
            client = httpx.Client(base_url=server.url, timeout=30)
            session = client.post("/api/v1/session", json={"name": user, "password": PASSWORD})
            assert session.status_code == 200, session.text
            client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
            clients[user] = client

        def screened(user: str) -> dict:
            answer = clients[user].get("/api/v1/screening/screen",
                                       params={"name": "Sato Taro"})
            assert answer.status_code == 200, answer.text
            return {m["entity_id"]: m for m in answer.json()["matches"]}

        before = screened("other")[entity]
        assert before["decision"] is None
        made = clients["rev"].post("/api/v1/screening/decisions", json={
            "entity_id": entity, "query": "Sato Taro", "decision": "false_positive",
            "note": "acme-only note"})
        assert made.status_code == 201, made.text
        mine = screened("rev")[entity]
        assert mine["decision"]["decided_by"] == "rev"
        assert mine["score"] == pytest.approx(before["score"] * 0.5, abs=1e-4)
        theirs = screened("other")[entity]
        assert theirs["decision"] is None and theirs["score"] == before["score"]
        for lang in ("en", "ja"):
            page = clients["other"].get("/screening", params={"name": "Sato Taro",
                                                              "lang": lang})
            assert page.status_code == 200
            assert "acme-only note" not in page.text and "rev" not in page.text.split()
        assert "acme-only note" in clients["rev"].get(
            "/screening", params={"name": "Sato Taro", "lang": "en"}).text
        # beta confirms the match: acme's false positive stands for acme
        assert clients["other"].post("/api/v1/screening/decisions", json={
            "entity_id": entity, "query": "Sato Taro",
            "decision": "match"}).status_code == 201
        assert screened("other")[entity]["decision"]["decision"] == "match"
        assert screened("rev")[entity]["decision"]["decision"] == "false_positive"
        for client in clients.values():
            client.close()


# -- lock-out per (name, client address); per-account slow-down ---------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")])])
def signins(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> tuple[object, list[float]]:
    """Accounts on a fresh knowledge base (one user, alice) whose waits are recorded, not
    slept."""
    from econsec.access.accounts import Accounts

    monkeypatch.setenv("ECONSEC_PASSWORD_HASH_COST", "test")
    monkeypatch.setenv("ECONSEC_AUDIT_DIR", str(tmp_path / "audit"))
    url = (f"sqlite:///{tmp_path / 'kb.db'}" if request.param == "sqlite"
           else _own_postgres("econsec_council_hardening"))
    engine = make_engine(url)
    migrate(engine)
    waits: list[float] = []
    accounts = Accounts(engine, sleep=waits.append)
    accounts.add_org("acme", kind="company")
    accounts.add_user("alice", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    return accounts, waits


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_a_lock_holds_for_the_failing_address_only(signins: tuple) -> None:
    from econsec.access import accounts as acc

    accounts, _waits = signins
    for _ in range(acc.LOCK_AFTER):
        assert not accounts.authenticate("alice", "wrong password!", at=NOW,
                                         client="203.0.113.66").ok
    held = accounts.authenticate("alice", PASSWORD, at=NOW, client="203.0.113.66")
    assert not held.ok and held.reason == acc.LOCKED
    # the legitimate user elsewhere is not kept out
    assert accounts.authenticate("alice", PASSWORD, at=NOW, client="198.51.100.7").ok
    # ... and the lock from the attacker's address still holds, until it ends
    assert accounts.authenticate("alice", PASSWORD, at=NOW, client="203.0.113.66"
                                 ).reason == acc.LOCKED
    assert accounts.authenticate("alice", PASSWORD, client="203.0.113.66",
                                 at=NOW + timedelta(minutes=acc.LOCK_MINUTES, seconds=1)).ok
    with accounts._engine.connect() as conn:
        counted = conn.execute(select(USERS.c.failed_logins)).scalar_one()
    assert counted == 0  # the account's own count: reset by the success, kept meanwhile


def test_unknown_names_are_counted_and_locked_as_known_ones(signins: tuple) -> None:
    accounts, _waits = signins

    def reasons(name: str) -> list[str]:
        return [accounts.authenticate(name, "wrong password!", at=NOW,
                                      client="203.0.113.9").reason for _ in range(7)]

    assert reasons("alice") == reasons("nobody-here")  # 5 wrong, then locked: the same


def test_many_addresses_slow_the_name_down_without_locking_it(signins: tuple) -> None:
    from econsec.access import accounts as acc

    accounts, waits = signins
    spread = acc.SLOW_AFTER + 3
    for n in range(spread):  # one failure from each of many addresses: none locked
        accounts.authenticate("alice", "wrong password!", at=NOW, client=f"192.0.2.{n}")
        accounts.authenticate("ghost", "wrong password!", at=NOW, client=f"192.0.2.{n}")
    assert waits and max(waits) <= acc.slowdown(spread)
    waits.clear()
    assert accounts.authenticate("alice", PASSWORD, at=NOW, client="198.51.100.7").ok
    assert waits == [acc.slowdown(spread)] and 0 < waits[0] <= acc.SLOW_MAX
    waits.clear()
    assert not accounts.authenticate("ghost", PASSWORD, at=NOW, client="198.51.100.7").ok
    assert waits == [acc.slowdown(spread)]  # an unknown name waits as long
    waits.clear()
    later = NOW + timedelta(minutes=acc.SLOW_MINUTES + 1)
    assert accounts.authenticate("alice", PASSWORD, at=later, client="198.51.100.8").ok
    assert waits == []  # the failures have left the window
    assert acc.slowdown(10_000) == acc.SLOW_MAX and acc.slowdown(acc.SLOW_AFTER) == 0


def test_every_table_is_public_knowledge_or_private() -> None:
    """A new table must be put on one side: browsable knowledge data or private (never on
    /data/tables, never counted)."""
    from econsec.kb.browse import PRIVATE, tables

    assert set(PRIVATE) <= set(metadata.tables)  # (a renamed table would leave the list)
    assert set(tables()) == set(metadata.tables) - PRIVATE
    assert {"users", "sessions", "shared_items", "audit_log", "login_failures"} <= PRIVATE
    assert {"observations", "trade_flows", "countries", "items"} <= set(tables())
