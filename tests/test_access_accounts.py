"""Identity of the council portal (econsec.access.accounts): organisations, users,
clearances, groups, argon2id passwords, TOTP accepted once, lock-out, validity, the actor
built for the gates, break-glass, the audit records of every change; on a real SQLite file
and (with ECONSEC_TEST_POSTGRES_URL) on PostgreSQL in a database of its own; the CLI in a
subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import argon2
import pyotp
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from conftest import ECONSEC, reset_postgres, run_cli
from econsec.access import accounts as acc
from econsec.access import passwords
from econsec.access.accounts import Accounts, UnknownAccountError
from econsec.access.actions import Action, Role
from econsec.audit.log import AuditLog
from econsec.errors import ForbiddenError, NotFoundError, ValidationError
from econsec.kb.engine import open_engine
from econsec.kb.models import USERS, metadata

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")
PG_DATABASE = "econsec_identity"
PASSWORD = "correct horse battery staple"
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _private_audit_and_cheap_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit key and anchors go to a folder of the test's own; hashes use the cheap
    documented test profile (ECONSEC_PASSWORD_HASH_COST=test) unless a test unsets it."""
    monkeypatch.setenv("ECONSEC_AUDIT_DIR", str(tmp_path / "audit"))
    monkeypatch.delenv("ECONSEC_AUDIT_KEY", raising=False)
    monkeypatch.setenv("ECONSEC_PASSWORD_HASH_COST", "test")


def _postgres_url() -> str:
    """A database of this module's own on the test server (created once)."""
    import psycopg
    from sqlalchemy.engine import make_url

    assert PG_URL
    url = make_url(PG_URL)
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         password=url.password, dbname="postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (PG_DATABASE,)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return url.set(database=PG_DATABASE).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def postgres_engine() -> Iterator[Engine]:
    """The module's PostgreSQL database, migrated once (emptied before each test)."""
    url = _postgres_url()
    reset_postgres(url)
    engine = open_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.skipif(
        not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")]),
])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        pg: Engine = request.getfixturevalue("postgres_engine")
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with pg.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield pg
        return
    engine = open_engine(str(tmp_path / "kb.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def accounts(engine: Engine) -> Accounts:
    """Two organisations, a working group, a cleared analyst and an administrator."""
    a = Accounts(engine, by="cli:test")
    a.add_org("meti", kind="government", title="Ministry of Economy, Trade and Industry")
    a.add_org("acme", kind="company", certified_until=TODAY + timedelta(days=365),
              contract_until=TODAY + timedelta(days=730))
    a.add_group("crm", title="Critical minerals")
    a.add_user("alice", org="acme", roles=["analyst"], password=PASSWORD, clearance_level=3,
               compartments=["CRM", "SEMI"], groups=["crm"],
               expires=TODAY + timedelta(days=100), display_name="Alice A.")
    a.add_user("root", org="meti", roles=["admin"], password=PASSWORD, clearance_level=2)
    return a


def _records(engine: Engine) -> list:
    return list(AuditLog(engine).records())


def _uid(a: Accounts, name: str) -> int:
    user_id = a.actor_by_name(name, at=NOW).user_id
    assert user_id is not None
    return user_id


# -- users, organisations, groups, the actor ---------------------------------------------

def test_actor_has_roles_org_dates_clearance_groups(accounts: Accounts, engine: Engine
                                                    ) -> None:
    alice = accounts.actor_by_name("alice", at=NOW)
    crm = next(g for g in accounts.list_groups() if g.name == "crm")
    assert alice.roles == frozenset({Role.ANALYST})
    assert alice.may(Action.ITEM_CREATE) and not alice.may(Action.USER_ADMIN)
    assert alice.org_name == "acme" and alice.org_kind == "company"
    assert alice.org_certified_until == TODAY + timedelta(days=365)
    assert alice.org_contract_until == TODAY + timedelta(days=730)
    assert alice.account_expires == TODAY + timedelta(days=100)
    assert alice.groups == frozenset({crm.id})
    assert alice.clearance is not None and alice.clearance.level == 3
    assert alice.clearance.issued == TODAY
    assert alice.compartments(TODAY) == frozenset({"CRM", "SEMI"})
    assert alice.effective_level(TODAY) == 3
    assert alice.display_name == "Alice A." and not alice.break_glass_open(NOW)
    assert accounts.actor(alice.user_id or 0, at=NOW) == alice
    # the organisation's certification lapses: a company's level 3 falls to 2
    accounts.update_org("acme", certified_until=TODAY - timedelta(days=1))
    assert accounts.actor_by_name("alice", at=NOW).effective_level(TODAY) == 2
    # a government user needs no certification for level 3
    accounts.set_clearance("root", level=3)
    assert accounts.actor_by_name("root", at=NOW).effective_level(TODAY) == 3


def test_listings_and_audit_of_every_change(accounts: Accounts, engine: Engine) -> None:
    users = {u.name: u for u in accounts.list_users()}
    assert set(users) == {"alice", "root"}
    assert users["alice"].roles == ["analyst"] and users["alice"].groups == ["crm"]
    assert users["alice"].compartments == ["CRM", "SEMI"] and not users["alice"].totp
    orgs = {o.name: o for o in accounts.list_orgs()}
    assert orgs["acme"].users == 1 and orgs["meti"].kind == "government"
    assert [g.members for g in accounts.list_groups()] == [["alice"]]
    records = _records(engine)
    assert [(r.action, r.resource) for r in records] == [
        ("admin", "org:meti"), ("admin", "org:acme"), ("admin", "group:crm"),
        ("admin", "user:alice"), ("admin", "user:root")]
    assert all(r.actor == "cli:test" for r in records)
    added = json.loads(records[3].detail)
    assert added["op"] == "add_user" and added["clearance_level"] == 3
    assert PASSWORD not in "".join(r.detail for r in records)
    assert AuditLog(engine).verify().ok


def test_membership_clearance_suspension_changes(accounts: Accounts, engine: Engine) -> None:
    accounts.add_member("crm", "root")
    with pytest.raises(ValidationError, match="already a member"):
        accounts.add_member("crm", "root")
    accounts.remove_member("crm", "root")
    with pytest.raises(ValidationError, match="not a member"):
        accounts.remove_member("crm", "root")
    accounts.set_clearance("alice", level=2, compartments=["CRM"],
                           expires=TODAY + timedelta(days=10))
    alice = accounts.actor_by_name("alice", at=NOW)
    assert alice.clearance is not None and alice.clearance.level == 2
    assert alice.compartments(TODAY) == frozenset({"CRM"})
    assert alice.effective_level(TODAY + timedelta(days=11)) == 0  # clearance expired
    accounts.set_clearance("alice", level=2, suspended=True)
    assert accounts.actor_by_name("alice", at=NOW).effective_level(TODAY) == 0
    accounts.suspend_user("root")
    assert accounts.actor_by_name("root", at=NOW).suspended
    accounts.suspend_user("root", False)
    assert not accounts.actor_by_name("root", at=NOW).suspended
    ops = [json.loads(r.detail)["op"] for r in _records(engine)[5:]]
    assert ops == ["add_member", "remove_member", "set_clearance", "set_clearance",
                   "suspend", "unsuspend"]


def test_bad_input_names_what_and_stores_nothing(accounts: Accounts, engine: Engine) -> None:
    before_users, before_audit = accounts.list_users(), len(_records(engine))
    cases = [
        (dict(org="nowhere"), UnknownAccountError, "unknown organisation 'nowhere'"),
        (dict(groups=["crm", "ghosts"]), UnknownAccountError, "unknown group 'ghosts'"),
        (dict(roles=["member", "boss"]), ValidationError, "unknown role.*boss"),
        (dict(roles=[]), ValidationError, "at least one role"),
        (dict(clearance_level=4), ValidationError, "1, 2 or 3, got 4"),
        (dict(password="short"), ValidationError, "at least 12 characters"),
        (dict(password=" " * 20), ValidationError, "only spaces"),
        (dict(compartments=["a b"]), ValidationError, "compartment 'a b'"),
    ]
    for change, error, pattern in cases:
        args = dict(org="acme", roles=["member"], password=PASSWORD, clearance_level=1)
        args.update(change)  # type: ignore[arg-type]
        with pytest.raises(error, match=pattern):
            accounts.add_user("carol", **args)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="user 'alice' already exists"):
        accounts.add_user("alice", org="acme", roles=["member"], password=PASSWORD,
                          clearance_level=1)
    with pytest.raises(ValidationError, match="user name 'bad name'"):
        accounts.add_user("bad name", org="acme", roles=["member"], password=PASSWORD,
                          clearance_level=1)
    with pytest.raises(ValidationError, match="organisation 'acme' already exists"):
        accounts.add_org("acme")
    with pytest.raises(ValidationError, match="kind must be one of"):
        accounts.add_org("ngo", kind="charity")
    with pytest.raises(NotFoundError, match="unknown user 'nobody'"):
        accounts.actor_by_name("nobody", at=NOW)
    with pytest.raises(UnknownAccountError, match="did you mean: crm"):
        accounts.add_member("crn", "alice")
    assert accounts.list_users() == before_users
    assert len(_records(engine)) == before_audit
    assert not any(o.name == "ngo" for o in accounts.list_orgs())


def test_any_users(engine: Engine) -> None:
    a = Accounts(engine, by="cli:test")
    assert not a.any_users()
    a.add_org("acme")
    assert not a.any_users()
    a.add_user("bob", org="acme", roles=["member"], password=PASSWORD, clearance_level=1)
    assert a.any_users()


# -- passwords ---------------------------------------------------------------------------

def test_password_is_an_argon2id_hash_never_stored_or_audited(accounts: Accounts,
                                                              engine: Engine) -> None:
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == "alice")).mappings().one()
    assert row["password_hash"].startswith("$argon2id$")
    assert argon2.extract_parameters(row["password_hash"]).type is argon2.Type.ID
    assert PASSWORD not in json.dumps({k: str(v) for k, v in row.items()})
    accounts.set_password("alice", "another long passphrase")
    assert not accounts.authenticate("alice", PASSWORD, at=NOW).ok
    assert accounts.authenticate("alice", "another long passphrase", at=NOW).ok
    text = json.dumps([r.model_dump() for r in _records(engine)])
    assert PASSWORD not in text and "another long passphrase" not in text


def test_production_profile_and_rehash_on_sign_in(accounts: Accounts, engine: Engine,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def stored() -> str:
        with engine.connect() as conn:
            return str(conn.execute(select(USERS.c.password_hash)
                                    .where(USERS.c.name == "alice")).scalar())

    cheap = argon2.extract_parameters(stored())
    assert (cheap.time_cost, cheap.memory_cost) == (1, 1024)  # the test profile
    monkeypatch.delenv("ECONSEC_PASSWORD_HASH_COST")  # the production default
    assert passwords.hasher().time_cost == argon2.profiles.RFC_9106_LOW_MEMORY.time_cost
    result = accounts.authenticate("alice", PASSWORD, at=NOW)
    assert result.ok
    assert argon2.extract_parameters(stored()) == argon2.profiles.RFC_9106_LOW_MEMORY
    assert json.loads(_records(engine)[-1].detail)["rehashed"] is True
    assert accounts.authenticate("alice", PASSWORD, at=NOW).ok  # the new hash verifies
    assert json.loads(_records(engine)[-1].detail)["rehashed"] is False
    monkeypatch.setenv("ECONSEC_PASSWORD_HASH_COST", "cheapest")
    with pytest.raises(ValidationError, match="ECONSEC_PASSWORD_HASH_COST"):
        passwords.hasher()


def test_unknown_name_takes_as_long_as_a_wrong_password(
        accounts: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the production cost (about 0.15 s a hash) an unknown name is refused in about
    the time a known name with a wrong password is: a dummy hash is verified."""
    if accounts._engine.dialect.name != "sqlite":
        pytest.skip("the same code on every store; timed once, on SQLite")
    monkeypatch.delenv("ECONSEC_PASSWORD_HASH_COST")
    accounts.set_password("root", PASSWORD)  # a production-cost hash
    passwords.burn_time("warm-up")  # the dummy hash is made once per profile

    def timed(name: str) -> float:
        started = time.perf_counter()
        assert not accounts.authenticate(name, "not the password", at=NOW).ok
        return time.perf_counter() - started

    known = statistics.median(timed("root") for _ in range(3))
    unknown = statistics.median(timed("nobody-at-all") for _ in range(3))
    assert known > 0.02  # a real argon2id verification happened
    assert 0.5 < unknown / known < 2.0, (unknown, known)
    result = accounts.authenticate("nobody-at-all", PASSWORD, at=NOW)
    assert result.reason == acc.BAD_CREDENTIALS and result.user_id is None


# -- sign-in: lock-out, validity, TOTP ---------------------------------------------------

def test_lockout_after_five_failures_for_fifteen_minutes(accounts: Accounts,
                                                         engine: Engine) -> None:
    for _ in range(4):
        assert accounts.authenticate("alice", "wrong password!", at=NOW).reason == \
            acc.BAD_CREDENTIALS
    assert accounts.authenticate("alice", PASSWORD, at=NOW).ok  # success resets the count
    for _ in range(4):
        accounts.authenticate("alice", "wrong password!", at=NOW)
    assert accounts.authenticate("alice", PASSWORD, at=NOW).ok
    for _ in range(5):
        assert not accounts.authenticate("alice", "wrong password!", at=NOW).ok
    locked = accounts.authenticate("alice", PASSWORD, at=NOW + timedelta(minutes=14))
    assert not locked.ok and locked.reason == acc.LOCKED
    assert [u.locked_until for u in accounts.list_users() if u.name == "alice"] == [
        (NOW + timedelta(minutes=15)).isoformat()]
    assert accounts.authenticate("alice", PASSWORD, at=NOW + timedelta(minutes=15, seconds=1)
                                 ).ok
    logins = [r for r in _records(engine) if r.action == "login"]
    assert [r.outcome for r in logins].count("failed") == 14
    assert json.loads(logins[-3].detail)["locked_until"] == \
        (NOW + timedelta(minutes=15)).isoformat()
    # another user is not affected; an administrator's new password lifts the lock
    assert accounts.authenticate("root", PASSWORD, at=NOW).ok
    for _ in range(5):
        accounts.authenticate("root", "wrong password!", at=NOW)
    accounts.set_password("root", "a fresh long password")
    assert accounts.authenticate("root", "a fresh long password", at=NOW).ok


def test_expired_suspended_and_contract_ended_accounts_cannot_sign_in(
        accounts: Accounts) -> None:
    later = NOW + timedelta(days=101)  # alice's account ends after day 100
    expired = accounts.authenticate("alice", PASSWORD, at=later)
    assert not expired.ok and expired.reason == acc.EXPIRED
    assert accounts.actor_by_name("alice", at=later).effective_level(later.date()) == 0
    assert accounts.authenticate("alice", "wrong password!", at=later).reason == \
        acc.BAD_CREDENTIALS  # the state is told only to the right password
    accounts.suspend_user("alice")
    suspended = accounts.authenticate("alice", PASSWORD, at=NOW)
    assert not suspended.ok and suspended.reason == acc.SUSPENDED
    assert accounts.actor_by_name("alice", at=NOW).effective_level(TODAY) == 0
    accounts.suspend_user("alice", False)
    accounts.update_org("acme", contract_until=TODAY - timedelta(days=1))
    ended = accounts.authenticate("alice", PASSWORD, at=NOW)
    assert not ended.ok and ended.reason == acc.CONTRACT_ENDED
    assert not accounts.actor_by_name("alice", at=NOW).may(Action.ITEM_READ)
    accounts.update_org("acme", contract_until=None)
    assert accounts.authenticate("alice", PASSWORD, at=NOW).ok


def test_totp_code_accepted_once(accounts: Accounts, engine: Engine) -> None:
    uri = accounts.enable_totp("alice")
    assert uri.startswith("otpauth://totp/econsec:alice?")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    assert pyotp.parse_uri(uri).secret == secret
    result = accounts.authenticate("alice", PASSWORD, at=NOW)
    assert result.ok and result.needs_totp and result.user_id is not None
    app = pyotp.TOTP(secret)
    uid = result.user_id
    assert accounts.verify_totp(uid, app.at(NOW), at=NOW)
    assert not accounts.verify_totp(uid, app.at(NOW), at=NOW)  # replay refused
    assert not accounts.verify_totp(uid, app.at(NOW - timedelta(seconds=30)), at=NOW)  # older
    # one step of drift: the next step's code is accepted now, then not again
    assert accounts.verify_totp(uid, app.at(NOW + timedelta(seconds=30)), at=NOW)
    assert not accounts.verify_totp(uid, app.at(NOW + timedelta(seconds=30)),
                                    at=NOW + timedelta(seconds=30))
    assert not accounts.verify_totp(uid, app.at(NOW + timedelta(seconds=120)),
                                    at=NOW + timedelta(seconds=30))  # outside the window
    assert not accounts.verify_totp(uid, "12345x", at=NOW)
    assert accounts.verify_totp(uid, app.at(NOW + timedelta(seconds=60)),
                                at=NOW + timedelta(seconds=60))
    with engine.connect() as conn:
        assert conn.execute(select(USERS.c.totp_secret)).scalars().all().count(secret) == 1
    assert secret not in json.dumps([r.model_dump() for r in _records(engine)])
    # wrong codes count towards the lock-out
    at = NOW + timedelta(seconds=90)
    for _ in range(5):
        assert not accounts.verify_totp(uid, "000000" if app.at(at) != "000000" else "111111",
                                        at=at)
    assert not accounts.verify_totp(uid, app.at(at), at=at)  # locked
    assert accounts.authenticate("alice", PASSWORD, at=at).reason == acc.LOCKED


# -- break-glass -------------------------------------------------------------------------

def test_break_glass_limited_justified_and_audited(accounts: Accounts, engine: Engine) -> None:
    root, alice = _uid(accounts, "root"), _uid(accounts, "alice")
    reason = "investigating a suspected leak of report 12"
    until = accounts.open_break_glass(root, reason, 30, at=NOW)
    assert until == NOW + timedelta(minutes=30)
    assert accounts.actor(root, at=NOW + timedelta(minutes=29)).break_glass_open(
        NOW + timedelta(minutes=29))
    assert not accounts.actor(root, at=NOW + timedelta(minutes=31)).break_glass_open(
        NOW + timedelta(minutes=31))
    assert not accounts.actor(root, at=NOW - timedelta(minutes=1)).break_glass_open(
        NOW - timedelta(minutes=1))
    record = _records(engine)[-1]
    assert (record.action, record.actor, record.outcome) == ("break_glass", "root", "ok")
    assert json.loads(record.detail)["reason"] == reason
    with pytest.raises(ValidationError, match="1 to 60 minutes, got 61"):
        accounts.open_break_glass(root, reason, 61, at=NOW)
    with pytest.raises(ValidationError, match="at least 20 characters"):
        accounts.open_break_glass(root, "   just because    ", 10, at=NOW)
    with pytest.raises(ForbiddenError, match="may not open break-glass"):
        accounts.open_break_glass(alice, reason, 10, at=NOW)
    denied = _records(engine)[-1]
    assert (denied.action, denied.actor, denied.outcome) == ("break_glass", "alice", "denied")
    assert not accounts.actor(alice, at=NOW).break_glass_open(NOW)
    accounts.suspend_user("root")
    with pytest.raises(ForbiddenError):
        accounts.open_break_glass(root, reason, 10, at=NOW)
    assert AuditLog(engine).verify().ok


# -- command line ------------------------------------------------------------------------

def _cli_stdin(*args: str, db: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    """The real ``econsec`` command in a subprocess with ``stdin`` as standard input."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("ECONSEC_DB", None)
    return subprocess.run([*ECONSEC, *args, "--db", str(db)], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def _cli(*args: str, db: Path, stdin: str = "") -> tuple[int, str, str]:
    """``econsec ARGS --db DB`` as the console script runs it (:func:`main`), in this
    process for speed (the machine is shared): (exit status, stdout, stderr)."""
    from econsec.cli.app import main

    stdout, stderr = io.StringIO(), io.StringIO()
    argv, stdin_before = sys.argv, sys.stdin
    sys.argv, sys.stdin = ["econsec", *args, "--db", str(db)], io.StringIO(stdin)
    code: int | str | None = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv, sys.stdin = argv, stdin_before
    return int(code or 0), stdout.getvalue(), stderr.getvalue()


def _ok(*args: str, db: Path, stdin: str = "") -> str:
    code, stdout, stderr = _cli(*args, db=db, stdin=stdin)
    assert code == 0, stderr
    return stdout


def test_cli_main_paths(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    run_cli("orgs", "add", "acme", "--kind", "company", "--certified-until", "2099-12-31",
            "--title", "ACME K.K.", db=db)
    _ok("orgs", "add", "meti", "--kind", "government", db=db)
    _ok("groups", "add", "crm", "--title", "Critical minerals", db=db)
    added = _cli_stdin("users", "add", "bob", "--org", "acme", "--role", "member",
                       "--role", "analyst", "--clearance", "2", "--compartment", "CRM",
                       "--group", "crm", "--expires", "2099-01-31", "--password-stdin",
                       "--format", "json", db=db, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    bob = json.loads(added.stdout)["users"][0]
    assert (bob["org"], bob["roles"], bob["clearance_level"], bob["groups"]) == (
        "acme", ["member", "analyst"], 2, ["crm"])
    assert PASSWORD not in added.stdout + added.stderr
    _ok("users", "add", "root", "--org", "meti", "--role", "admin", "--clearance", "1",
        "--password-stdin", db=db, stdin=PASSWORD)
    _ok("users", "passwd", "root", "--password-stdin", db=db, stdin="a new long password\n")
    _ok("users", "clearance", "bob", "--level", "3", "--compartment", "CRM", db=db)
    _ok("users", "suspend", "bob", db=db)
    listed = run_cli("users", "list", "--format", "csv", db=db).stdout.splitlines()
    assert listed[0].startswith("name,display_name,org,roles,clearance_level")
    assert any(line.startswith('bob,,acme,"member, analyst",3,CRM,') and ",True," in line
               for line in listed)
    _ok("users", "unsuspend", "bob", db=db)
    uri = _ok("users", "totp", "bob", db=db).strip()
    assert uri.startswith("otpauth://totp/econsec:bob?secret=")
    _ok("groups", "add-member", "crm", "root", db=db)
    groups = json.loads(_ok("groups", "list", "--format", "json", db=db))
    assert groups["groups"][0]["members"] == ["bob", "root"]
    _ok("orgs", "update", "acme", "--contract-until", "2098-01-01", db=db)
    orgs = {o["name"]: o for o in json.loads(_ok("orgs", "list", "--format", "json",
                                                 db=db))["orgs"]}
    assert orgs["acme"]["contract_until"] == "2098-01-01" and orgs["acme"]["users"] == 1
    glass = run_cli("break-glass", "--as", "root", "--reason",
                    "checking a misdirected level 2 alert", "--minutes", "5", db=db)
    assert "open until" in glass.stdout
    engine = open_engine(str(db))
    a = Accounts(engine)
    assert a.authenticate("root", "a new long password", at=datetime.now(UTC)).ok
    assert a.actor_by_name("root", at=datetime.now(UTC)).break_glass_open(datetime.now(UTC))
    actions = [(r.actor.split(":")[0], r.action) for r in AuditLog(engine).records()]
    assert actions.count(("cli", "admin")) == 12
    assert ("root", "break_glass") in actions and actions[-1] == ("root", "login")
    assert AuditLog(engine).verify().ok
    engine.dispose()


def test_cli_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    _ok("orgs", "add", "acme", db=db)
    base = ["users", "add", "carol", "--org", "acme", "--role", "member", "--clearance", "2"]
    cases = [
        (["--org", "acmx"], PASSWORD, "unknown organisation 'acmx'; did you mean: acme"),
        (["--role", "boss"], PASSWORD, "unknown role(s) boss"),
        (["--group", "nope"], PASSWORD, "unknown group 'nope'"),
        (["--clearance", "4"], PASSWORD, "clearance level must be 1, 2 or 3, got 4"),
        (["--expires", "2027-02-30"], PASSWORD, "--expires must be a date YYYY-MM-DD"),
        ([], "short", "a password needs at least 12 characters"),
    ]
    for extra, password, message in cases:
        code, _, stderr = _cli(*base, *extra, "--password-stdin", db=db, stdin=password)
        assert code == 2 and message in stderr, (extra, stderr)
        assert stderr.startswith("error: ") and password not in stderr
    code, _, stderr = _cli(*base, db=db, stdin=PASSWORD)
    assert code == 2 and "--password-stdin" in stderr
    _ok(*base, "--password-stdin", db=db, stdin=PASSWORD)
    duplicate = _cli_stdin(*base, "--password-stdin", db=db, stdin=PASSWORD)  # real command
    assert duplicate.returncode == 2 and "user 'carol' already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr
    users = json.loads(_ok("users", "list", "--format", "json", db=db))["users"]
    assert [u["name"] for u in users] == ["carol"]
    code, _, stderr = _cli("orgs", "add", "ngo", "--kind", "charity", db=db)
    assert code == 2 and "kind must be one of government, company" in stderr
    code, _, stderr = _cli("break-glass", "--as", "carol", "--reason", "because",
                           "--minutes", "5", db=db)
    assert code == 2 and "at least 20 characters" in stderr
    code, _, stderr = _cli("break-glass", "--as", "carol", "--reason",
                           "a long enough reason to open access", "--minutes", "5", db=db)
    assert code == 77 and "may not open break-glass" in stderr
    code, _, stderr = _cli("users", "suspend", "dave", db=db)
    assert code == 2 and "unknown user 'dave'" in stderr
    code, _, stderr = _cli("groups", "add-member", "crm", "carol", db=db)
    assert code == 2 and "unknown group 'crm'" in stderr
