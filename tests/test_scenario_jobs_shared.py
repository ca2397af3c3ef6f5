"""Scenario runs shared by the worker processes through the knowledge base, and owned.

Two :class:`JobRunner` on one database stand for two worker processes (SQLite and
PostgreSQL): a run is read, and cancelled, through the runner that did not start it; the
quota counts over both; a run whose worker stopped (no heartbeat) is reported failed, one
whose worker is alive is not. Then the real thing: ``econsec serve --workers 2``, a run
started through one worker is polled to its end and cancelled through either worker. And
in users mode a run is its owner's alone: another user gets the 404 of an unknown run."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from access_world import PG_URL, own_postgres_url
from audit_env import private_audit_dir
from conftest import reset_postgres
from econsec.web.jobs import (
    WORKER_STOPPED,
    JobControl,
    JobLimits,
    JobNotFound,
    JobRunner,
    QuotaExceeded,
)
from test_deployment import fill, own_database, serve
from web_server import LiveServer, live_server

PASSWORD = "correct horse battery"
#: One variant on the pymrio test system: SHORT ends in a moment, LONG runs until cancelled.
LONG = {
    "name": "long run", "mrio": "pymrio:test", "horizon_days": 36_500,
    "events": [{"type": "capacity_loss", "region": "reg2", "sector": "mining", "share": 0.5,
                "start_day": 1, "duration_days": 30, "recovery_days": 30}],
}
SHORT = {**LONG, "name": "short run", "horizon_days": 30,
         "events": [{**LONG["events"][0], "duration_days": 10, "recovery_days": 5}]}
RUNS = "/api/v1/scenarios/runs"


# ------------------------------------------------------------------ two runners, one database


@pytest.fixture(scope="module", params=[
    "sqlite",
    pytest.param("postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")]),
])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Engine]:
    from econsec.kb.engine import open_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.db'}"
    else:
        url = own_postgres_url("econsec_jobs")
        reset_postgres(url)
    engine = open_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def runners(engine: Engine) -> Iterator[Callable[..., JobRunner]]:
    """Runners on the test's database (each a 'worker'), shut down at the end."""
    made: list[JobRunner] = []

    def make(**options: Any) -> JobRunner:
        limits = options.pop("limits", JobLimits())
        runner = JobRunner(workers=1, limits=limits, engine=engine, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.shutdown()


def steps(count: int, pause: float = 0.005) -> Callable[[JobControl], Any]:
    """A job of ``count`` steps that reports progress and checks for a stop at each."""

    def work(control: JobControl) -> Any:
        for i in range(count):
            control.check()
            control((i + 1) / count, f"step {i + 1}")
            time.sleep(pause)
        return {"result": {"steps": count}, "series": {"days": list(range(count))}}

    return work


def hung(release: threading.Event) -> Callable[[JobControl], Any]:
    """A job that neither reports nor checks until ``release`` is set."""

    def work(control: JobControl) -> Any:
        release.wait(10)
        return {"result": {}, "series": {}}

    return work


def wait_status(runner: JobRunner, job_id: str, statuses: tuple[str, ...],
                timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = runner.get(job_id)
        if job.status in statuses:
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} not {statuses} after {timeout} s: {job.status}")


def test_a_run_of_one_worker_is_read_and_cancelled_through_another(
        runners: Callable[..., JobRunner]) -> None:
    a = runners(write_every=0.05, cancel_poll=0.05)
    b = runners()
    done = a.submit("scenario", steps(20), {"scenario": "s"}, client="c1")
    job = wait_status(b, done.id, ("done",))
    assert job.result == {"result": {"steps": 20}, "series": {"days": list(range(20))}}
    assert job.progress == 1.0 and job.meta == {"scenario": "s"}
    assert job.started is not None and job.finished is not None
    # a long run, and one queued behind it (a has one thread)
    running = a.submit("scenario", steps(100_000), client="c1")
    queued = a.submit("scenario", steps(10), client="c2")
    seen = wait_status(b, running.id, ("running",))
    deadline = time.monotonic() + 5
    while b.get(running.id).progress == 0:  # progress written by a, read by b
        assert time.monotonic() < deadline, "no progress reached the database"
        time.sleep(0.02)
    assert b.get(running.id).message.startswith("step ")
    assert seen.status == "running" and b.get(queued.id).status == "queued"
    # cancelled through b: the queued one never starts, the running one stops on a
    gone = b.cancel(queued.id)
    assert gone.status == "cancelled" and gone.started is None
    started = time.monotonic()
    b.cancel(running.id, wait=0)
    stopped = wait_status(b, running.id, ("cancelled",), timeout=5)
    assert time.monotonic() - started < 2
    assert stopped.result is None and stopped.progress < 1
    deadline = time.monotonic() + 2  # a's own record of its runs follows
    while [j.status for j in a.jobs()] != ["done", "cancelled", "cancelled"]:
        assert time.monotonic() < deadline, [j.status for j in a.jobs()]
        time.sleep(0.01)
    # a finished run is left as it is; every run is listed (without results)
    assert b.cancel(done.id).status == "done"
    listed = {j.id: j for j in b.list_jobs()}
    assert {done.id, running.id, queued.id} <= set(listed)
    assert listed[done.id].result is None


def test_quota_counts_the_runs_of_every_worker(runners: Callable[..., JobRunner]) -> None:
    release = threading.Event()
    limits = JobLimits(per_client=1, max_active=2)
    a, b = runners(limits=limits), runners(limits=limits)
    first = a.submit("scenario", hung(release), client="quota-x")
    with pytest.raises(QuotaExceeded, match="at most 1 per client"):
        b.submit("scenario", steps(1), client="quota-x")
    other = b.submit("scenario", hung(release), client="quota-y")
    with pytest.raises(QuotaExceeded, match="at most 2"):
        a.submit("scenario", steps(1), client="quota-z")
    release.set()
    wait_status(b, first.id, ("done",))
    wait_status(a, other.id, ("done",))
    b.submit("scenario", steps(1), client="quota-x")


def test_a_run_whose_worker_stopped_is_reported_failed(
        runners: Callable[..., JobRunner]) -> None:
    release = threading.Event()
    alive = runners(heartbeat=0.1)
    dead = runners(heartbeat=3600)  # never marks its runs alive: as if its process died
    reader = runners(stale_after=0.6, limits=JobLimits(per_client=1))
    kept = alive.submit("scenario", hung(release), client="stale-a")
    lost = dead.submit("scenario", hung(release), client="stale-b")
    wait_status(reader, kept.id, ("running",))
    time.sleep(1.0)
    assert reader.get(kept.id).status == "running"  # the heartbeat kept it alive
    job = reader.get(lost.id)
    assert job.status == "failed" and job.error is not None
    assert job.error["error"] == "WorkerStopped"
    assert job.error["detail_text"] == {"id": WORKER_STOPPED, "params": {}}
    assert "server process running it stopped" in job.error["detail"]
    # no longer counted by the quota, and the record says failed for every reader
    reader.submit("scenario", steps(1), client="stale-b")
    assert alive.get(lost.id).status == "failed"
    assert reader.cancel(lost.id).status == "failed"
    release.set()
    wait_status(reader, kept.id, ("done",))
    time.sleep(0.2)  # the stopped worker's late end does not overwrite the record
    assert alive.get(lost.id).status == "failed"


def test_only_the_owner_reads_or_cancels_a_run(runners: Callable[..., JobRunner]) -> None:
    a, b = runners(cancel_poll=0.05), runners()
    job = a.submit("scenario", steps(100_000), client="user:alice", owner="alice",
                   owner_org_id=7)
    for reader in (a, b):
        with pytest.raises(JobNotFound):
            reader.get(job.id, owner="bob")
        with pytest.raises(JobNotFound):
            reader.cancel(job.id, owner="bob")
        assert job.id not in {j.id for j in reader.list_jobs(owner="bob")}
    assert b.get(job.id, owner="alice").owner_org_id == 7
    assert job.id in {j.id for j in b.list_jobs(owner="alice")}
    assert b.get(job.id).status in ("queued", "running")  # local mode: everyone's
    assert b.cancel(job.id, owner="alice").status == "cancelled"


def test_a_message_with_a_nul_is_recorded(runners: Callable[..., JobRunner]) -> None:
    """A variant name in a progress message comes from the scenario file: a NUL in it
    (which PostgreSQL refuses in text) does not lose the run."""

    def work(control: JobControl) -> Any:
        control(0.5, "variant\x00name: day 1 of 2")
        return {"result": {"ok": True}, "series": {}}

    runner = runners(write_every=0)
    job = runner.submit("scenario", work, {"scenario": "x\x00y"}, client="nul")
    done = wait_status(runner, job.id, ("done", "failed"))
    assert done.status == "done" and done.result == {"result": {"ok": True}, "series": {}}
    assert done.meta == {"scenario": "x\x00y"}


@pytest.mark.parametrize("job_id", ["0123", "x" * 32, "\x00" * 32, "A" * 32 + "'", ""])
def test_malformed_ids_are_unknown(runners: Callable[..., JobRunner], job_id: str) -> None:
    runner = runners()
    with pytest.raises(JobNotFound):
        runner.get(job_id)
    with pytest.raises(JobNotFound):
        runner.cancel(job_id)


# ------------------------------------------------------------------ econsec serve --workers 2


def poll(client: httpx.Client, job_id: str, statuses: tuple[str, ...],
         timeout: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(f"{RUNS}/{job_id}")
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] in statuses:
            return answer
        assert time.monotonic() < deadline, f"not {statuses}: {answer.json()['status']}"
        time.sleep(0.1)


def two_workers_share_runs(url: str, tmp_path: Path) -> None:
    with serve(url, tmp_path, "--workers", "2") as served:
        probe = served.client()
        a = served.answering(probe.get("/api/v1/health"))
        other = served.client(avoid=a)
        b = served.answering(other.get("/api/v1/health"))
        assert a is not None and b is not None and a != b
        probe.close()
        other.close()
        opened: list[httpx.Client] = []

        def at(pid: int) -> httpx.Client:
            """A new client answered by worker ``pid`` (a fresh connection for each step:
            an idle one is closed by the server and may come back on the other worker)."""
            client = served.client(avoid=b if pid == a else a)
            opened.append(client)
            return client

        headers = {"X-CSRF-Token": served.token}
        started = at(a).post(RUNS, json=SHORT, headers=headers)
        assert started.status_code == 202, started.text
        assert served.answering(started) == a
        done = poll(at(b), started.json()["id"], ("done", "failed"))
        assert served.answering(done) == b
        doc = done.json()
        assert doc["status"] == "done", doc["error"]
        assert doc["result"]["variants"] and len(doc["series"]["days"]) == 30
        assert doc["scenario"] == "short run" and doc["started"] is not None
        # cancelled through the other worker (DELETE), then through the starting one (POST)
        for starter, canceller, method in ((a, b, "DELETE"), (b, a, "POST")):
            long = at(starter).post(RUNS, json=LONG, headers=headers)
            assert long.status_code == 202, long.text
            assert served.answering(long) == starter
            job_id = long.json()["id"]
            client = at(canceller)
            poll(client, job_id, ("running",))
            path = f"{RUNS}/{job_id}" + ("/cancel" if method == "POST" else "")
            clock = time.monotonic()
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == 200, answer.text
            assert served.answering(answer) == canceller
            ended = poll(at(starter), job_id, ("cancelled",), timeout=5)
            assert served.answering(ended) == starter
            assert time.monotonic() - clock < 4
            assert ended.json()["result"] is None and ended.json()["progress"] < 1
        listed = at(b).get(RUNS).json()
        assert listed["total"] == 3 and {j["status"] for j in listed["items"]} == {
            "done", "cancelled"}
        assert at(a).get(f"{RUNS}/{'0' * 32}").status_code == 404
        for client in opened:
            client.close()


@pytest.fixture(scope="module")
def records() -> Any:
    """The bundled data a small knowledge base is filled from (test_deployment.fill)."""
    from econsec.datasets.bundled import load_bundled

    return load_bundled()


def test_two_workers_share_scenario_runs_sqlite(tmp_path: Path, records: Any) -> None:
    url = f"sqlite:///{tmp_path / 'econsec.db'}"
    fill(url, records)
    two_workers_share_runs(url, tmp_path)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_two_workers_share_scenario_runs_postgres(tmp_path: Path, records: Any) -> None:
    url = own_database("econsec_jobs_serve")
    fill(url, records)
    two_workers_share_runs(url, tmp_path)


# ------------------------------------------------------------------ owners in users mode


@pytest.fixture(scope="module")
def users_server(built_db: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[LiveServer]:
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine

    before = os.environ.get("ECONSEC_PASSWORD_HASH_COST")
    os.environ["ECONSEC_PASSWORD_HASH_COST"] = "test"
    folder = tmp_path_factory.mktemp("jobs-users")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with private_audit_dir(folder / "audit"):
        engine = open_engine(f"sqlite:///{db}")
        accounts = Accounts(engine, by="test")
        accounts.add_org("acme", kind="company")
        for name in ("alice", "bob"):
            accounts.add_user(name, org="acme", roles=["analyst"], password=PASSWORD,
                              clearance_level=1)
        engine.dispose()
        with live_server(db, warm_up=False) as live:
            yield live
    if before is None:
        os.environ.pop("ECONSEC_PASSWORD_HASH_COST", None)
    else:
        os.environ["ECONSEC_PASSWORD_HASH_COST"] = before


def signed_in(server: LiveServer, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    answer = client.post("/api/v1/session", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_another_user_gets_404_for_a_run(users_server: LiveServer) -> None:
    alice, bob = signed_in(users_server, "alice"), signed_in(users_server, "bob")
    started = alice.post(RUNS, json=LONG)
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    poll(alice, job_id, ("running",))
    unknown = bob.get(f"{RUNS}/{'0' * 32}")
    assert unknown.status_code == 404
    for method, path in (("GET", f"{RUNS}/{job_id}"), ("DELETE", f"{RUNS}/{job_id}"),
                         ("POST", f"{RUNS}/{job_id}/cancel")):
        answer = bob.request(method, path)
        assert answer.status_code == 404, (method, answer.text)
        body = answer.json()
        # the same answer as for a run that does not exist (only the id differs)
        assert body["title"] == unknown.json()["title"]
        assert body["detail_text"]["id"] == unknown.json()["detail_text"]["id"]
    assert bob.get(RUNS).json()["total"] == 0
    assert alice.get(f"{RUNS}/{job_id}").json()["status"] == "running"  # bob stopped nothing
    assert [j["id"] for j in alice.get(RUNS).json()["items"]] == [job_id]
    assert httpx.get(f"{users_server.url}{RUNS}/{job_id}", timeout=30).status_code == 401
    # bob's own run counts for bob's quota, not alice's
    assert bob.post(RUNS, json=SHORT).status_code == 202
    cancelled = alice.delete(f"{RUNS}/{job_id}")
    assert cancelled.status_code == 200, cancelled.text
    poll(alice, job_id, ("cancelled",), timeout=5)
    alice.close()
    bob.close()
