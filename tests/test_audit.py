"""The audit log: an intact chain verifies; every kind of tampering is found and named by
``econsec audit verify`` (exit 1, the first broken record); concurrent writers lose nothing
(SQLite and PostgreSQL); export round trip; secrets are refused."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from conftest import run_cli
from econsec.access.actor import Actor
from econsec.audit import AuditLog
from econsec.audit.anchor import anchor_file, load_key
from econsec.audit.chain import (
    GENESIS,
    Anchor,
    canonical_detail,
    record_hash,
    record_mac,
    verify,
)
from econsec.cli.app import app
from econsec.kb.engine import open_engine

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")
MIDDLE = 3


@pytest.fixture(autouse=True)
def audit_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test keeps its key and anchors in its own folder (inherited by subprocesses)."""
    folder = tmp_path / "audit-state"
    monkeypatch.setenv("ECONSEC_AUDIT_DIR", str(folder))
    monkeypatch.delenv("ECONSEC_AUDIT_KEY", raising=False)
    return folder


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated knowledge base (copied by each test)."""
    path = tmp_path_factory.mktemp("audit-template") / "kb.db"
    open_engine(str(path)).dispose()
    return path


def _fresh(empty_db: Path, tmp_path: Path, name: str = "kb.db") -> Path:
    target = tmp_path / name
    shutil.copy(empty_db, target)
    return target


def _fill(db: Path, count: int = 5) -> AuditLog:
    engine = open_engine(str(db))
    log = AuditLog(engine)
    alice = Actor(name="alice", user_id=7)
    for i in range(count):
        log.record(actor=alice if i % 2 else "cli:ops", action=["login", "read", "write"][i % 3],
                   resource=f"/items/{i}", outcome="denied" if i == 1 else "ok",
                   detail={"n": i, "note": "日本語"})
    return log


def _rows(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log ORDER BY seq")]


def _sql(db: Path, *statements: tuple[str, tuple]) -> None:
    with sqlite3.connect(db) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


def _verify_cli(db: Path) -> tuple[int, str]:
    """``econsec audit verify`` in a subprocess, as a user runs it."""
    proc = run_cli("audit", "verify", db=db, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def _verify_in_process(db: Path) -> tuple[int, str]:
    """The same command in this process (the many tampering cases stay fast)."""
    result = CliRunner().invoke(app, ["audit", "verify", "--db", str(db)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


# ---------------------------------------------------------------- intact


def test_intact_chain_verifies(empty_db: Path, tmp_path: Path, audit_dir: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    log = _fill(db)
    rows = _rows(db)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, 5))
    assert rows[1]["actor"] == "alice" and rows[1]["actor_id"] == 7
    assert rows[0]["detail"] == '{"n":0,"note":"日本語"}'
    result = log.verify()
    assert result.ok and result.checked == 5 and result.keyed and result.anchored
    code, output = _verify_cli(db)
    assert code == 0, output
    assert f"intact: 5 records, head {rows[-1]['hash']}" in output
    key_file = audit_dir / "audit-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert json.loads(anchor_file(log.engine).read_text())["seq"] == 5


# ---------------------------------------------------------------- tampering


def _recompute_from(db: Path, start: int, key: bytes | None = None) -> None:
    """Recompute hashes (and, with ``key``, MACs) from record ``start`` on, as someone with
    database access would after an edit."""
    rows = _rows(db)
    prev = GENESIS if start == 1 else rows[start - 2]["hash"]
    with sqlite3.connect(db) as conn:
        for row in rows[start - 1:]:
            row["prev_hash"] = prev
            row["hash"] = record_hash(row)
            mac = record_mac(key, row["hash"]) if key else row["mac"]
            conn.execute("UPDATE audit_log SET prev_hash=?, hash=?, mac=? WHERE seq=?",
                         (row["prev_hash"], row["hash"], mac, row["seq"]))
            prev = row["hash"]


def _forge(db: Path, seq: int, prev: str, key: bytes | None = None) -> None:
    row = {"seq": seq, "at": "2026-01-01T00:00:00+00:00", "actor": "mallory", "actor_id": None,
           "action": "read", "resource": "/forged", "outcome": "ok", "detail": "{}",
           "prev_hash": prev}
    row["hash"] = record_hash(row)
    row["mac"] = record_mac(key, row["hash"]) if key else "0" * 64
    _sql(db, ("INSERT INTO audit_log (seq, at, actor, actor_id, action, resource, outcome, "
              "detail, prev_hash, hash, mac) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
              tuple(row[c] for c in ("seq", "at", "actor", "actor_id", "action", "resource",
                                     "outcome", "detail", "prev_hash", "hash", "mac"))))


def _insert_middle(db: Path) -> None:
    """Renumber 4 and 5 to 5 and 6, insert a forged 4 with a correct hash, re-link 5."""
    _sql(db, ("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 4", ()),
         ("UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100", ()))
    _forge(db, 4, _rows(db)[2]["hash"])
    _recompute_from(db, 5)


def _swap(db: Path) -> None:
    rows = {r["seq"]: r for r in _rows(db)}
    columns = [c for c in rows[2] if c != "seq"]
    with sqlite3.connect(db) as conn:
        for target, source in ((2, 3), (3, 2)):
            conn.execute(f"UPDATE audit_log SET {', '.join(c + '=?' for c in columns)} "
                         "WHERE seq=?", (*(rows[source][c] for c in columns), target))


Tamper = Callable[[Path], None]


def _edit(column: str, value: object) -> Tamper:
    return lambda db: _sql(db, (f"UPDATE audit_log SET {column}=? WHERE seq=?",
                                (value, MIDDLE)))


CASES: dict[str, tuple[Tamper, int, str]] = {
    "edit seq": (_edit("seq", 99), MIDDLE, "seq"),
    "edit at": (_edit("at", "2020-01-01T00:00:00+00:00"), MIDDLE, "hash"),
    "edit actor": (_edit("actor", "bob"), MIDDLE, "hash"),
    "edit actor_id": (_edit("actor_id", 8), MIDDLE, "hash"),
    "edit action": (_edit("action", "admin"), MIDDLE, "hash"),
    "edit resource": (_edit("resource", "/items/99"), MIDDLE, "hash"),
    "edit outcome": (_edit("outcome", "denied"), MIDDLE, "hash"),
    "edit detail": (_edit("detail", '{"n":99,"note":"日本語"}'), MIDDLE, "hash"),
    "edit detail whitespace only": (_edit("detail", '{"n": 2, "note": "日本語"}'), MIDDLE,
                                    "hash"),
    "edit prev_hash": (_edit("prev_hash", "f" * 64), MIDDLE, "hash"),
    "edit hash": (_edit("hash", "e" * 64), MIDDLE, "hash"),
    "edit mac": (_edit("mac", "d" * 64), MIDDLE, "mac"),
    "delete first": (lambda db: _sql(db, ("DELETE FROM audit_log WHERE seq=1", ())), 1, "seq"),
    "delete middle": (lambda db: _sql(db, ("DELETE FROM audit_log WHERE seq=3", ())), 3,
                      "seq"),
    "delete last": (lambda db: _sql(db, ("DELETE FROM audit_log WHERE seq=5", ())), 5,
                    "anchor"),
    "truncate tail": (lambda db: _sql(db, ("DELETE FROM audit_log WHERE seq>=4", ())), 4,
                      "anchor"),
    "delete middle and renumber": (
        lambda db: (_sql(db, ("DELETE FROM audit_log WHERE seq=3", ()),
                         ("UPDATE audit_log SET seq=seq-1 WHERE seq>3", ())),
                    _recompute_from(db, 3)), 3, "mac"),
    "append forged record": (lambda db: _forge(db, 6, _rows(db)[-1]["hash"]), 6, "mac"),
    "insert forged record in the middle": (_insert_middle, 4, "mac"),
    "swap two records": (_swap, 2, "hash"),
    "recompute the chain after an edit without the key": (
        lambda db: (_edit("resource", "/innocent")(db), _recompute_from(db, MIDDLE)), MIDDLE,
        "mac"),
    "recompute everything under another key": (
        lambda db: (_edit("actor", "nobody")(db), _recompute_from(db, 1, b"guessed")), 1,
        "mac"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_found_and_named(case: str, empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    assert _fill(db).verify().ok
    tamper, seq, check = CASES[case]
    tamper(db)
    code, output = _verify_in_process(db)
    assert code == 1, output
    assert f"broken at record {seq} ({check})" in output, output


@pytest.mark.parametrize("case", ["delete middle", "truncate tail",
                                  "recompute the chain after an edit without the key"])
def test_tampering_is_found_by_the_command(case: str, empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    _fill(db)
    tamper, seq, check = CASES[case]
    tamper(db)
    code, output = _verify_cli(db)
    assert code == 1, output
    assert f"broken at record {seq} ({check})" in output, output


def test_an_edited_anchor_file_is_refused(empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    log = _fill(db)
    path = anchor_file(log.engine)
    anchor = json.loads(path.read_text())
    path.write_text(json.dumps({**anchor, "seq": 2}))  # roll back to hide a later deletion
    result = log.verify()
    assert not result.ok and result.check == "anchor" and "edited" in (result.reason or "")
    code, output = _verify_cli(db)
    assert code == 1 and "anchor" in output


def test_without_key_and_anchor_the_plain_chain_is_still_checked(
        empty_db: Path, tmp_path: Path, audit_dir: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    _fill(db)
    shutil.rmtree(audit_dir)
    code, output = _verify_cli(db)
    assert code == 0 and "MACs not checked" in output and "No head anchor" in output
    _edit("outcome", "failed")(db)
    code, output = _verify_in_process(db)
    assert code == 1 and f"broken at record {MIDDLE} (hash)" in output


# ---------------------------------------------------------------- writing


def test_record_inside_the_callers_transaction_commits_or_rolls_back_with_it(
        empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    log = _fill(db, 2)
    with pytest.raises(RuntimeError), log.engine.begin() as conn:
        assert log.record(actor="cli:ops", action="admin", resource="users/x", conn=conn) == 3
        raise RuntimeError("the change fails")
    assert [r["seq"] for r in _rows(db)] == [1, 2]
    assert log.verify().ok  # the anchor did not move to the rolled-back record
    with log.engine.begin() as conn:
        conn.execute(text("SELECT 1"))
        assert log.record(actor="cli:ops", action="admin", resource="users/x", conn=conn) == 3
    assert json.loads(log.anchor_file.read_text())["seq"] == 3
    assert log.verify().ok


def test_an_unwritable_anchor_folder_does_not_lose_records(
        empty_db: Path, tmp_path: Path, audit_dir: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    log = _fill(db, 2)
    log.anchor_file.unlink()
    log.anchor_file.mkdir()  # the anchor's place cannot be written as a file
    assert log.record(actor="x", action="read", resource="/") == 3
    with log.engine.begin() as conn:
        assert log.record(actor="x", action="read", resource="/", conn=conn) == 4
    assert [r["seq"] for r in _rows(db)] == [1, 2, 3, 4]


@pytest.mark.parametrize("detail", [
    {"password": "correct horse battery"}, {"user": {"new_password": "x"}},
    {"csrf_token": "abc"}, {"Session-Cookie": "abc"}, {"items": [{"body": "level 3 text"}]},
    {"totp": "123456"}, {"api_secret": "s"},
])
def test_secrets_are_refused(detail: dict, empty_db: Path, tmp_path: Path) -> None:
    log = _fill(_fresh(empty_db, tmp_path), 1)
    with pytest.raises(ValueError, match="may not hold"):
        log.record(actor="x", action="login", resource="session", detail=detail)
    assert log.verify().checked == 1


def test_bad_records_are_refused(empty_db: Path, tmp_path: Path) -> None:
    log = _fill(_fresh(empty_db, tmp_path), 1)
    with pytest.raises(ValueError, match="outcome"):
        log.record(actor="x", action="read", resource="/", outcome="maybe")
    with pytest.raises(ValueError, match="not JSON"):
        log.record(actor="x", action="read", resource="/", detail={"when": object()})
    assert log.verify().checked == 1


def _hammer(log: AuditLog, threads: int = 8, each: int = 50) -> None:
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for i in range(each):
                log.record(actor=f"writer{number}", action="write", resource=f"/t/{i}",
                           detail={"i": i})
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def test_concurrent_writers_lose_nothing_sqlite(empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    log = AuditLog(open_engine(str(db)))
    _hammer(log)
    result = log.verify()
    assert result.ok and result.checked == 400 and result.anchored
    assert [r["seq"] for r in _rows(db)] == list(range(1, 401))
    assert sorted(r["actor"] for r in _rows(db)).count("writer3") == 50
    assert json.loads(log.anchor_file.read_text())["seq"] == 400


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test module's own."""
    assert PG_URL
    import psycopg

    server = make_url(PG_URL)
    own = server.set(database="econsec_audit_e")
    admin = server.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS econsec_audit_e WITH (FORCE)")
        conn.execute("CREATE DATABASE econsec_audit_e")
    yield own.render_as_string(hide_password=False)
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS econsec_audit_e WITH (FORCE)")


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_concurrent_writers_lose_nothing_postgres(pg_url: str) -> None:
    engine = open_engine(pg_url)
    log = AuditLog(engine)
    _hammer(log)
    result = log.verify()
    assert result.ok and result.checked == 400 and result.anchored
    with engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM audit_log ORDER BY seq"))]
    assert seqs == list(range(1, 401))
    proc = run_cli("audit", "verify", "--db", pg_url)
    assert "intact: 400 records" in proc.stdout
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 400"))
    proc = run_cli("audit", "verify", "--db", pg_url, check=False)
    assert proc.returncode == 1 and "broken at record 400 (anchor)" in proc.stdout
    engine.dispose()


# ---------------------------------------------------------------- export and list


def test_export_round_trip(empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    _fill(db)
    out = tmp_path / "audit.jsonl"
    run_cli("audit", "export", "--output", str(out), db=db)
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert exported == _rows(db)
    proc = run_cli("audit", "verify", "--file", str(out))
    assert "intact: 5 records" in proc.stdout
    since = run_cli("audit", "export", "--since", "3", db=db).stdout.splitlines()
    assert [json.loads(line)["seq"] for line in since] == [4, 5]
    lines = out.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"/items/1"', '"/items/7"')
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("audit", "verify", "--file", str(out), check=False)
    assert proc.returncode == 1 and "broken at record 2 (hash)" in proc.stdout


def test_list_filters(empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    _fill(db)
    document = json.loads(run_cli("audit", "list", "--actor", "alice", "--format", "json",
                                  db=db).stdout)
    assert [r["seq"] for r in document["records"]] == [4, 2]
    assert document["records"][0]["detail"] == {"n": 3, "note": "日本語"}
    denied = json.loads(run_cli("audit", "list", "--outcome", "denied", "--limit", "5",
                                "--format", "json", db=db).stdout)
    assert [r["seq"] for r in denied["records"]] == [2]


def test_bad_input_on_the_cli(empty_db: Path, tmp_path: Path) -> None:
    db = _fresh(empty_db, tmp_path)
    _fill(db, 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"seq": 1}\nnot json\n', encoding="utf-8")
    proc = run_cli("audit", "verify", "--file", str(bad), check=False)
    assert proc.returncode == 2 and "line 1" in proc.stderr and "missing" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("audit", "list", "--outcome", "maybe", db=db, check=False)
    assert proc.returncode == 2 and "--outcome" in proc.stderr
    proc = run_cli("audit", "verify", "--file", str(tmp_path / "missing.jsonl"), check=False)
    assert proc.returncode == 2 and "missing.jsonl" in proc.stderr
    proc = run_cli("audit", "verify", db=tmp_path / "typo.db", check=False)
    assert proc.returncode == 2 and "no knowledge base" in proc.stderr
    assert not (tmp_path / "typo.db").exists()


# ---------------------------------------------------------------- property


def _chain(details: list[str], key: bytes) -> list[dict]:
    records, prev = [], GENESIS
    for seq, detail in enumerate(details, start=1):
        record = {"seq": seq, "at": f"2026-12-02T10:00:{seq % 60:02d}+00:00", "actor": "a",
                  "actor_id": seq % 3 or None, "action": "read", "resource": f"/r/{seq}",
                  "outcome": "ok", "detail": detail, "prev_hash": prev}
        record["hash"] = record_hash(record)
        record["mac"] = record_mac(key, record["hash"])
        records.append(record)
        prev = record["hash"]
    return records


FIELDS = ["seq", "at", "actor", "actor_id", "action", "resource", "outcome", "detail",
          "prev_hash", "hash", "mac"]


@settings(max_examples=300, deadline=None)
@given(details=st.lists(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5),
                                        max_size=3).map(canonical_detail),
                        min_size=1, max_size=8),
       data=st.data())
def test_any_single_mutation_is_detected(details: list[str], data: st.DataObject) -> None:
    key = b"k" * 32
    records = _chain(details, key)
    anchor = Anchor(records[-1]["seq"], records[-1]["hash"])
    assert verify(records, key=key, anchor=anchor) is None
    n = len(records)
    kind = data.draw(st.sampled_from(["edit", "delete", "insert", "swap", "recompute"]))
    mutated = [dict(r) for r in records]
    if kind == "edit":
        i = data.draw(st.integers(0, n - 1))
        field = data.draw(st.sampled_from(FIELDS))
        old = mutated[i][field]
        new = data.draw(st.one_of(st.integers(-2, 1000), st.text(max_size=70), st.none())
                        .filter(lambda v: v != old and not (isinstance(v, bool))))
        mutated[i][field] = new
    elif kind == "delete":
        del mutated[data.draw(st.integers(0, n - 1))]
    elif kind == "insert":
        i = data.draw(st.integers(0, n))
        forged = dict(records[data.draw(st.integers(0, n - 1))])
        forged["resource"] = "/forged"
        mutated.insert(i, forged)
    elif kind == "swap":
        if n < 2:
            return
        i = data.draw(st.integers(0, n - 2))
        j = data.draw(st.integers(i + 1, n - 1))
        mutated[i], mutated[j] = mutated[j], mutated[i]
    else:  # an edit, then the whole chain recomputed without the key
        i = data.draw(st.integers(0, n - 1))
        mutated[i]["actor"] = "z"
        prev = GENESIS
        for record in mutated:
            record["prev_hash"] = prev
            record["hash"] = prev = record_hash(record)
    broken = verify(mutated, key=key, anchor=anchor)
    assert broken is not None
    assert 1 <= broken.seq <= n + 1


def test_key_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch, audit_dir: Path) -> None:
    monkeypatch.setenv("ECONSEC_AUDIT_KEY", "a key from the environment")
    assert load_key(create=True) == b"a key from the environment"
    assert not (audit_dir / "audit-key").exists()


def test_the_key_file_is_read_once_per_process_and_again_when_it_changes(
        empty_db: Path, tmp_path: Path, audit_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A record (a new AuditLog each time, as the web app writes one per request) does not
    read the key file again; a replaced key file is read at the next record."""
    engine = open_engine(str(_fresh(empty_db, tmp_path)))
    AuditLog(engine).record(actor="first", action="read", resource="r")  # creates the key
    reads: list[str] = []
    read_text = Path.read_text

    def counting(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == "audit-key":
            reads.append(str(self))
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting)
    for i in range(20):
        AuditLog(engine).record(actor="again", action="read", resource=f"r{i}")
    assert len(reads) <= 1  # (at most once: a test before this one may have read another)
    reads.clear()
    new_key = "ab" * 32
    (audit_dir / "audit-key").write_text(new_key + "\n", encoding="ascii")
    seq = AuditLog(engine).record(actor="after", action="read", resource="changed")
    assert len(reads) == 1
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT hash, mac FROM audit_log WHERE seq = :s"),
                              {"s": seq}).one()
    assert stored.mac == record_mac(new_key.encode("ascii"), stored.hash)
