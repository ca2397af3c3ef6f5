"""Concurrent writers and readers on one knowledge base (SQLite in WAL mode).

Two imports at once both succeed (the second waits for the first's lock); a writer that
waits longer than the busy timeout fails with one line (exit 75 / 503), never SQL; reads
during a bulk import answer 200; a 32-thread loopback load of imports, status moves and
reads gives no 500 and no spurious 422.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import ECONSEC
from web_server import live_server

HEADER = "item,country,year,measure,value,unit,series\n"
COUNTRIES = ("Chile", "Australia", "Argentina", "China", "Japan", "Peru", "Canada", "Brazil")


def csv_text(rows: int, offset: int = 0) -> str:
    lines = [HEADER]
    for n in range(rows):
        per_series = len(COUNTRIES) * 400
        lines.append(f"lithium,{COUNTRIES[n % len(COUNTRIES)]},"
                     f"{1800 + n // len(COUNTRIES) % 400},production,{offset + n},t,"
                     f"s{n // per_series}\n")
    return "".join(lines)


def popen_import(path: Path, db: Path, **env: str) -> subprocess.Popen[str]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **env}
    full_env.pop("ECONSEC_DB", None)
    return subprocess.Popen([*ECONSEC, "import", str(path), "--db", str(db)], env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_imports_at_once_both_succeed(db_copy: Path, tmp_path: Path) -> None:
    files = []
    for n in range(3):
        path = tmp_path / f"batch{n}.csv"
        path.write_text(csv_text(3000, offset=n), encoding="utf-8")
        files.append(path)
    procs = [popen_import(path, db_copy) for path in files]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, _stdout, stderr in results:
        assert code == 0, stderr
        assert "locked" not in stderr and "Traceback" not in stderr
    with sqlite3.connect(db_copy) as conn:
        stored = conn.execute("select count(*) from observations where source_key like "
                              "'user:batch%'").fetchone()[0]
        mode = conn.execute("pragma journal_mode").fetchone()[0]
    assert stored == 9000
    assert mode == "wal"


def test_lock_held_too_long_is_one_line_exit_75(db_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_text(csv_text(20), encoding="utf-8")
    holder = sqlite3.connect(db_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        proc = popen_import(path, db_copy, ECONSEC_BUSY_TIMEOUT="0.5")
        code = proc.wait(timeout=120)
        _, stderr = proc.communicate()
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 75, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "busy" in lines[0]
    for word in ("INSERT", "SELECT", "BEGIN", "sqlite", "[SQL", "parameters"):
        assert word not in stderr
    assert waited < 60


def test_busy_store_is_503_with_retry_after(db_copy: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECONSEC_BUSY_TIMEOUT", "0.5")
    with live_server(db_copy) as server:
        holder = sqlite3.connect(db_copy, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            answer = httpx.post(server.url + "/api/v1/data/import",
                                files={"file": ("late.csv", csv_text(10).encode())},
                                headers=token(server), timeout=120)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers.get("retry-after")
    body = answer.json()
    assert "busy" in body["detail"]
    assert "INSERT" not in answer.text and "sqlite" not in answer.text.casefold()


def token(server: Any) -> dict[str, str]:
    """The header state-changing requests carry."""
    return {"X-CSRF-Token": getattr(server.state, "csrf_token", "")}


def _bulk_import(server: Any, results: list[int]) -> None:
    answer = httpx.post(server.url + "/api/v1/data/import", headers=token(server),
                        files={"file": ("bulk.csv", csv_text(40000).encode())}, timeout=300)
    results.append(answer.status_code)


def test_reads_during_a_bulk_import_answer_200(db_copy: Path) -> None:
    with live_server(db_copy) as server:
        done: list[int] = []
        writer = threading.Thread(target=_bulk_import, args=(server, done))
        writer.start()
        statuses: Counter[int] = Counter()
        with httpx.Client(base_url=server.url, timeout=120) as client:
            while writer.is_alive():
                for path in ("/api/v1/health", "/api/v1/commodities?limit=5",
                             "/api/v1/countries/JPN"):
                    statuses[client.get(path).status_code] += 1
                time.sleep(0.01)
        writer.join()
    assert done == [200]
    assert statuses and set(statuses) == {200}, statuses


def _hold_a_large_write(db: Path, seconds: float, ready: threading.Event) -> None:
    """A bulk writer: a transaction with more changed pages than the page cache holds
    (SQLite then writes them out early), kept open for ``seconds``."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("PRAGMA cache_size=20")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "insert into observations (item_id, area, iso3, is_aggregate, year, measure, value, "
        "unit, source_key, is_estimate, withheld, value_raw, series, note) values "
        "('lithium', 'World total', NULL, 1, 1500, 'production', ?, 't', "
        "(select min(key) from sources), 0, 0, '', ?, '')",
        [(float(n), f"bulk {n}") for n in range(30000)])
    ready.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_reads_while_a_bulk_write_is_open_answer_200(db_copy: Path) -> None:
    with live_server(db_copy) as server:
        ready = threading.Event()
        writer = threading.Thread(target=_hold_a_large_write, args=(db_copy, 7.0, ready))
        writer.start()
        assert ready.wait(120)
        statuses: Counter[int] = Counter()
        with httpx.Client(base_url=server.url, timeout=120) as client:
            while writer.is_alive():
                statuses[client.get("/api/v1/commodities?limit=5").status_code] += 1
                statuses[client.get("/api/v1/health").status_code] += 1
        writer.join()
    assert statuses and set(statuses) == {200}, statuses


def test_32_thread_load_has_no_500_and_no_spurious_422(db_copy: Path) -> None:
    cases = 40
    with live_server(db_copy) as server:
        with httpx.Client(base_url=server.url, timeout=120, headers=token(server)) as client:
            ids = []
            for n in range(cases):
                answer = client.post("/api/v1/tech/cases", json={
                    "technology": "semiconductor-photoresists", "counterparty": f"Firm {n}",
                    "country": "VNM", "channel": "subsidiary", "decision_date": "2026-01-05"})
                assert answer.status_code == 201, answer.text[:200]
                ids.append(answer.json()["id"])

        def call(task: tuple[str, int]) -> tuple[str, int, str]:
            kind, n = task
            with httpx.Client(base_url=server.url, timeout=180, headers=token(server)) as c:
                if kind == "import":
                    r = c.post("/api/v1/data/import",
                               files={"file": (f"load{n}.csv", csv_text(200, n).encode())})
                elif kind == "move":
                    r = c.post(f"/api/v1/tech/cases/{ids[n]}/move",
                               json={"status": "reported", "note": "filed"})
                else:
                    r = c.get(("/api/v1/health", "/api/v1/commodities?limit=3",
                               f"/api/v1/tech/cases/{ids[n % cases]}")[n % 3])
            return kind, r.status_code, r.text[:300]

        tasks = ([("import", n) for n in range(60)] + [("move", n) for n in range(cases)]
                 + [("read", n) for n in range(120)])
        tasks.sort(key=lambda t: (t[1] * 7919 + len(t[0])) % 97)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=32) as pool:
            outcomes = list(pool.map(call, tasks))
        seconds = time.monotonic() - started
    by_kind = Counter((kind, status) for kind, status, _ in outcomes)
    print(json.dumps({f"{k}:{s}": v for (k, s), v in sorted(by_kind.items())}),
          f"{seconds:.1f}s", file=sys.stderr)
    bad = [o for o in outcomes if (o[1] >= 500 and o[1] != 503) or o[1] == 422]
    assert not bad, bad[:3]
    assert by_kind[("import", 200)] + by_kind[("import", 503)] == 60
    assert by_kind[("move", 200)] + by_kind[("move", 503)] == cases
    assert by_kind[("import", 200)] >= 55 and by_kind[("move", 200)] >= cases - 4


PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_postgres_concurrent_imports_and_busy(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import create_engine, text

    from econsec.datasets.user_tables import read_user_file
    from econsec.errors import BusyError
    from econsec.kb.models import metadata
    from econsec.kb.store import open_store
    from econsec.kb.testing import sample_bundle

    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    store = open_store(PG_URL)
    store.import_bundle(sample_bundle())
    bundles = []
    for n in range(4):
        path = tmp_path / f"pg{n}.csv"
        path.write_text(HEADER + "".join(
            f"lithium,Chile,{1800 + k % 400},production,{n + k},t,s{k // 400}\n"
            for k in range(500)),
            encoding="utf-8")
        bundles.append(read_user_file(path))
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(store.import_bundle, bundles))
    assert store.counts()["observations"] == len(sample_bundle().observations) + 2000
    monkeypatch.setenv("ECONSEC_BUSY_TIMEOUT", "0.5")
    with store.engine.begin():  # holds the writers' lock
        other = open_store(PG_URL)
        with pytest.raises(BusyError):
            other.import_bundle(bundles[0], replace=True)
        other.close()
    store.close()
