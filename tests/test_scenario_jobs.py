"""Scenario runs as web jobs on a real server on loopback: accepted media types, the cost
cap, the per-client quota, cancellation and the time limit of a job."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from econsec.web.jobs import JobLimits, JobRunner
from web_server import LiveServer, live_server

#: One variant, long enough to keep a worker busy for a while (pymrio test system).
LONG = {
    "name": "long run", "mrio": "pymrio:test", "horizon_days": 36_500,
    "events": [{"type": "capacity_loss", "region": "reg2", "sector": "mining", "share": 0.5,
                "start_day": 1, "duration_days": 30, "recovery_days": 30}],
}
SHORT = {**LONG, "name": "short run", "horizon_days": 30,
         "events": [{**LONG["events"][0], "duration_days": 10, "recovery_days": 5}]}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # a copy of the session's knowledge base (what an empty file would be built into)
    db = tmp_path_factory.mktemp("jobs") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    headers = dict(getattr(server, "headers", {}) or {})
    with httpx.Client(base_url=server.url + "/api/v1", timeout=30, headers=headers) as c:
        yield c


def use_runner(server: LiveServer, **limits: Any) -> JobRunner:
    """Install a fresh job runner with these limits (the old one is shut down)."""
    old = server.state.services.get("jobs")
    if old is not None:
        old.shutdown()
    runner = JobRunner(workers=1, limits=JobLimits(**limits),
                       engine=server.state.store.engine)
    server.state.services["jobs"] = runner
    return runner


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def wait_for(client: httpx.Client, job_id: str, statuses: tuple[str, ...],
             timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/scenarios/runs/{job_id}").json()
        if job["status"] in statuses:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} not {statuses} after {timeout} s: {job}")


# ----------------------------------------------------------------- media types


@pytest.mark.parametrize("kind", ["text/plain", "text/plain; charset=utf-8",
                                  "application/x-www-form-urlencoded", "multipart/form-data",
                                  "text/html", None])
def test_other_media_types_are_415(client: httpx.Client, kind: str | None) -> None:
    body = b"name: x\nmrio: pymrio:test\nhorizon_days: 10\nevents: []\n"
    headers = {"content-type": kind} if kind else {}
    request = client.build_request("POST", "/scenarios/runs", content=body, headers=headers)
    if kind is None:
        request.headers.pop("content-type", None)
    answer = problem(client.send(request), 415)
    assert "application/json" in answer["detail"]


def test_yaml_and_json_are_accepted(server: LiveServer, client: httpx.Client) -> None:
    use_runner(server)
    text = ("name: yaml run\nmrio: pymrio:test\nhorizon_days: 20\nevents:\n"
            "  - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, "
            "start_day: 1}\n")
    for content, kind in ((text, "application/yaml"), (text, "application/x-yaml")):
        started = client.post("/scenarios/runs", content=content, headers={"content-type": kind})
        assert started.status_code == 202, started.text
        wait_for(client, started.json()["id"], ("done",))
    started = client.post("/scenarios/runs", json=SHORT)
    assert started.status_code == 202 and started.json()["cost"] == 48**2 * 30
    wait_for(client, started.json()["id"], ("done",))


# ----------------------------------------------------------------- cost cap


def test_cost_cap_refuses_a_huge_run_at_once(server: LiveServer, client: httpx.Client) -> None:
    """The 2.9 KB request that pinned a worker for hours: 40 variants × 100 years of days
    on the BEA table. Refused before anything runs, with the cap explained."""
    runner = use_runner(server)
    scenario = {
        "name": "huge", "mrio": "bundled:bea-2023", "horizon_days": 36_500,
        "events": [{"type": "capacity_loss", "region": "USA", "sector": "331", "share": 0.5,
                    "start_day": 1, "duration_days": 30}],
        "variants": [{"name": f"v{i}", "mitigations": []} for i in range(40)],
    }
    started = time.monotonic()
    body = problem(client.post("/scenarios/runs", json=scenario), 422)
    assert time.monotonic() - started < 10  # the table loads once; nothing is simulated
    assert body["column"] == "horizon_days"
    assert "71 industries² × 36,500 days × 41 variant(s)" in body["detail"]
    assert "cap" in body["detail"] and "econsec simulate" in body["detail"]
    assert runner.jobs() == []


def test_cost_cap_is_the_runners(server: LiveServer, client: httpx.Client) -> None:
    use_runner(server, max_cost=48**2 * 29)
    problem(client.post("/scenarios/runs", json=SHORT), 422)
    use_runner(server, max_cost=48**2 * 30)
    assert client.post("/scenarios/runs", json=SHORT).status_code == 202


# ----------------------------------------------------------------- quota and cancellation


def test_quota_then_cancel(server: LiveServer, client: httpx.Client) -> None:
    use_runner(server, per_client=2)
    first = client.post("/scenarios/runs", json=LONG)
    second = client.post("/scenarios/runs", json=LONG)
    assert first.status_code == second.status_code == 202
    a, b = first.json()["id"], second.json()["id"]
    wait_for(client, a, ("running",))
    third = client.post("/scenarios/runs", json=SHORT)
    body = problem(third, 429)
    assert int(third.headers["retry-after"]) >= 1 and "at most 2 per client" in body["detail"]
    # the queued run is cancelled before it starts
    queued = client.delete(f"/scenarios/runs/{b}")
    assert queued.status_code == 200 and queued.json()["status"] == "cancelled"
    assert queued.json()["started"] is None
    # the running one stops within a simulated day (POST .../cancel)
    started = time.monotonic()
    running = client.post(f"/scenarios/runs/{a}/cancel")
    assert running.status_code == 200, running.text
    job = wait_for(client, a, ("cancelled",), timeout=5)
    assert time.monotonic() - started < 3
    assert job["result"] is None and job["progress"] < 1
    # the quota is free again
    again = client.post("/scenarios/runs", json=SHORT)
    assert again.status_code == 202
    done = wait_for(client, again.json()["id"], ("done", "failed"))
    assert done["status"] == "done"
    # cancelling a finished run leaves it as it is; an unknown one is 404
    assert client.delete(f"/scenarios/runs/{again.json()['id']}").json()["status"] == "done"
    problem(client.delete("/scenarios/runs/0123abc"), 404)


def test_a_run_stops_at_its_time_limit(server: LiveServer, client: httpx.Client) -> None:
    use_runner(server, max_seconds=0.3)
    started = client.post("/scenarios/runs", json=LONG)
    assert started.status_code == 202
    job = wait_for(client, started.json()["id"], ("failed",), timeout=10)
    assert job["error"]["error"] == "JobTimeout" and "0.3 s" in job["error"]["detail"]
    assert job["finished"] - job["started"] < 3


def test_failed_run_does_not_leak_internals(server: LiveServer, client: httpx.Client) -> None:
    runner = use_runner(server)
    job = runner.submit("scenario", lambda control: 1 / 0, client="x")
    wait_for(client, job.id, ("failed",))
    doc = client.get(f"/scenarios/runs/{job.id}").json()
    assert doc["error"]["status"] == 500 and "incident" in doc["error"]["detail"]
    assert "ZeroDivision" not in str(doc) and "Traceback" not in str(doc)
    assert "traceback" not in doc


def test_worked_bea_run_carries_result_notes(server: LiveServer, client: httpx.Client) -> None:
    use_runner(server)
    started = client.post("/scenarios/runs", json={"worked": "bea-primary-metals"})
    assert started.status_code == 202, started.text
    job = wait_for(client, started.json()["id"], ("done", "failed"), timeout=60)
    assert job["status"] == "done", job["error"]
    notes = job["result"]["result_notes"]
    assert any("gives the same totals" in n for n in notes)
    rows = {v["name"]: v for v in job["result"]["variants"]}
    assert rows["all measures"]["supplied_by_measures"] > 0


def test_page_has_a_cancel_button_and_sends_the_token(server: LiveServer) -> None:
    page = httpx.get(server.url + "/scenarios", timeout=30)
    assert page.status_code == 200 and 'id="cancel-button"' in page.text
    script = httpx.get(server.url + "/static/scenarios.js", timeout=30).text
    assert 'method: "DELETE"' in script and "X-CSRF-Token" in script
