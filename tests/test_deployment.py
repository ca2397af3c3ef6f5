"""A real server deployment: ``econsec serve --workers N`` as real processes on a SQLite
file and on PostgreSQL, the first-build lock across processes, the limits on costly
requests, proxy headers believed only from a trusted proxy, and error answers that never
show a traceback, a server path or SQL.

Which worker answered a request is read from the operating system (the worker process
that holds the other end of the test's TCP connection), not from a debug endpoint."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from econsec.records import Bundle
from web_server import free_port, live_server

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")
ECONSEC = str(Path(sys.executable).with_name("econsec"))
#: What no error answer may contain.
LEAKS = ("/work", "Traceback", "site-packages", "SELECT", "sqlite3.", "psycopg", "File \"")


# ------------------------------------------------------------------ knowledge bases


@pytest.fixture(scope="session")
def bundled_records() -> Bundle:
    from econsec.datasets.bundled import load_bundled

    return load_bundled()


def small_bundle(bundle: Bundle) -> Bundle:
    """The bundled reference data (sources, countries, items, the crosswalk) with a few
    hundred observations: enough for the server to start without building, fast."""
    return dataclasses.replace(
        bundle, observations=bundle.observations[:300], trade_flows=[], input_edges=[],
        flow_tables=[], governance=bundle.governance[:100], country_risk=[], locations={})


def fill(url: str, bundle: Bundle) -> None:
    from econsec.kb.store import open_store

    store = open_store(url)
    store.import_bundle(small_bundle(bundle), replace=True)
    store.engine.dispose()


@pytest.fixture(scope="module")
def small_sqlite(tmp_path_factory: pytest.TempPathFactory, bundled_records: Bundle) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('deploy') / 'econsec.db'}"
    fill(url, bundled_records)
    return url


def own_database(name: str) -> str:
    """A fresh PostgreSQL database ``name`` beside the test database (dropped first)."""
    import psycopg
    from sqlalchemy.engine import make_url

    assert PG_URL
    url = make_url(PG_URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return url.set(database=name).render_as_string(hide_password=False)


# ------------------------------------------------------------------ servers


@dataclass
class Served:
    """An ``econsec serve`` process and what a client needs to talk to it."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    token: str

    def workers(self) -> list[int]:
        return [c.pid for c in psutil.Process(self.process.pid).children()]

    def answering(self, response: httpx.Response) -> int | None:
        """The worker process that holds the other end of ``response``'s connection."""
        stream = response.extensions["network_stream"]
        local_port = stream.get_extra_info("client_addr")[1]
        for pid in self.workers():
            try:
                connections = psutil.Process(pid).net_connections(kind="tcp")
            except psutil.NoSuchProcess:
                continue
            for c in connections:
                if c.laddr and c.laddr.port == self.port and c.raddr \
                        and c.raddr.port == local_port:
                    return pid
        return None

    def client(self, *, avoid: int | None = None, seconds: float = 60) -> httpx.Client:
        """An open client (one kept-alive connection) answered by a worker other than
        ``avoid``: new connections until the kernel hands one to such a worker (the
        connection is opened with a health request, which needs no session)."""
        deadline = time.monotonic() + seconds
        while True:
            assert time.monotonic() < deadline, f"no connection reached a worker but {avoid}"
            client = httpx.Client(base_url=self.url, timeout=30)
            try:
                response = client.get("/api/v1/health")
            except httpx.TransportError:
                client.close()
                time.sleep(0.2)
                continue
            pid = self.answering(response)
            if response.status_code == 200 and pid is not None and pid != avoid:
                return client
            client.close()


@contextmanager
def serve(url: str, tmp_path: Path, *options: str, env: dict[str, str] | None = None
          ) -> Iterator[Served]:
    """``econsec serve --db URL --port P OPTIONS…`` until the block ends (SIGTERM)."""
    port = free_port()
    token_file = tmp_path / "api-token"
    environment = {**os.environ, "ECONSEC_TOKEN_FILE": str(token_file), **(env or {})}
    log = (tmp_path / f"serve-{port}.log").open("wb")
    process = subprocess.Popen([ECONSEC, "serve", "--db", url, "--port", str(port), *options],
                               env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
            assert time.monotonic() < deadline, "econsec serve did not start"
            try:
                if httpx.get(base + "/api/v1/health", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield Served(process, base, port, token_file.read_text().strip())
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# ------------------------------------------------------------------ the build lock


BUILD_SCRIPT = """
import sys, time
from pathlib import Path
from econsec.web.serving import once
url, marker, log = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
def build():
    time.sleep(0.5)  # long enough for every process to ask at the same time
    with log.open("a") as out:
        out.write("built\\n")
    marker.write_text("done")
    return True
print("built" if once(url, marker.exists, build) else "found")
"""


def build_race(url: str, tmp_path: Path, processes: int = 3) -> list[str]:
    """``processes`` processes starting at once on a knowledge base not built yet: what
    each did, and the build log."""
    marker, log = tmp_path / "marker", tmp_path / "log"
    started = [subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, url, str(marker),
                                 str(log)], stdout=subprocess.PIPE, text=True)
               for _ in range(processes)]
    said = sorted(p.communicate(timeout=60)[0].strip() for p in started)
    assert all(p.returncode == 0 for p in started)
    assert log.read_text().splitlines() == ["built"], "built more than once"
    return said


def test_first_build_happens_once_across_processes_sqlite(tmp_path: Path) -> None:
    said = build_race(f"sqlite:///{tmp_path / 'kb.db'}", tmp_path)
    assert said == ["built", "found", "found"]
    assert (tmp_path / "kb.db.build-lock").exists()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_first_build_happens_once_across_processes_postgres(tmp_path: Path) -> None:
    url = own_database("econsec_deploy_lock")
    assert build_race(url, tmp_path) == ["built", "found", "found"]


def test_without_the_lock_the_race_builds_twice(tmp_path: Path) -> None:
    """The race of the two tests above is real: with no lock (an in-memory URL takes
    none), processes starting at once all build."""
    marker, log = tmp_path / "marker", tmp_path / "log"
    started = [subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, "sqlite://",
                                 str(marker), str(log)], stdout=subprocess.PIPE, text=True)
               for _ in range(3)]
    for p in started:
        p.communicate(timeout=60)
    assert len(log.read_text().splitlines()) > 1


# ------------------------------------------------------------------ several workers


CSV = "item,country,year,measure,value,unit\nlithium,Chile,2031,production,7,t\n"


def test_two_workers_on_sqlite_share_token_and_see_each_others_imports(
        small_sqlite: str, tmp_path: Path) -> None:
    """``econsec serve --workers 2`` on a SQLite file: both workers accept the token of
    the token file, and an import through one is seen by the other's read cache (its
    data-version probe) within a few seconds. ``X-Forwarded-Proto: https`` from the
    trusted proxy (``--forwarded-allow-ips``) turns on HSTS. Also the note that PostgreSQL
    is the server store."""
    with serve(small_sqlite, tmp_path, "--workers", "2",
               "--forwarded-allow-ips", "127.0.0.1") as served:
        assert len(served.workers()) >= 2
        one = served.client()
        https = one.get("/api/v1/health", headers={"X-Forwarded-Proto": "https"})
        a = served.answering(https)
        other = served.client(avoid=a)
        assert https.headers["strict-transport-security"].startswith("max-age=")
        plain = other.get("/api/v1/health")
        assert "strict-transport-security" not in plain.headers
        assert "camera=()" in plain.headers["permissions-policy"]
        first_read = other.get("/api/v1/health")
        b = served.answering(first_read)
        assert a != b
        before = first_read.json()["counts"]["observations"]
        headers = {"X-CSRF-Token": served.token}
        answer = one.post("/api/v1/data/import", headers=headers,
                          files={"file": ("more.csv", CSV.encode(), "text/csv")})
        assert answer.status_code == 200, answer.text
        assert served.answering(answer) == a
        deadline = time.monotonic() + 10
        while True:
            seen = other.get("/api/v1/health")
            assert served.answering(seen) == b
            if seen.json()["counts"]["observations"] == before + 1:
                break
            assert time.monotonic() < deadline, "the other worker never saw the import"
            time.sleep(0.3)
        # the same token works on the other worker; a wrong one is refused there
        preview = other.post("/api/v1/data/preview", headers=headers,
                             files={"file": ("x.csv", CSV.encode(), "text/csv")})
        assert preview.status_code == 200, preview.text
        wrong = other.post("/api/v1/data/preview", headers={"X-CSRF-Token": "x" * 43},
                           files={"file": ("x.csv", CSV.encode(), "text/csv")})
        assert wrong.status_code == 403
        one.close()
        other.close()
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "use PostgreSQL" in log and "2 worker processes" in log


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_sign_in_on_one_worker_is_valid_on_the_other_postgres(
        tmp_path: Path, bundled_records: Bundle) -> None:
    """Two workers on PostgreSQL: a session made by one worker (its cookie, its token)
    is honoured by the other; signed out there, it is refused by the first. Started
    without ``--forwarded-allow-ips``, the server ignores ``X-Forwarded-Proto``: no HSTS,
    no Secure cookie over plain http."""
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine

    url = own_database("econsec_deploy")
    fill(url, bundled_records)
    engine = open_engine(url)
    accounts = Accounts(engine)
    accounts.add_org("acme", title="ACME")
    accounts.add_user("alice", org="acme", roles=["analyst"], password="correct horse 12",
                      clearance_level=2)
    engine.dispose()
    with serve(url, tmp_path, "--workers", "2") as served:
        anyone = served.client()
        assert anyone.get("/api/v1/commodities").status_code == 401
        signer = served.client()
        signed = signer.post("/api/v1/session", headers={"X-Forwarded-Proto": "https"},
                             json={"name": "alice", "password": "correct horse 12"})
        assert signed.status_code == 200, signed.text
        assert "strict-transport-security" not in signed.headers
        assert "secure" not in signed.headers["set-cookie"].lower()
        a = served.answering(signed)
        cookie = signed.headers["set-cookie"].split(";", 1)[0]
        csrf = signed.json()["csrf_token"]
        other = served.client(avoid=a)
        read = other.get("/api/v1/commodities", headers={"Cookie": cookie})
        assert read.status_code == 200, read.text
        b = served.answering(read)
        assert b is not None and b != a
        posted = other.post("/api/v1/data/preview",
                            headers={"Cookie": cookie, "X-CSRF-Token": csrf},
                            files={"file": ("x.csv", CSV.encode(), "text/csv")})
        assert posted.status_code == 200, posted.text
        assert served.answering(posted) == b
        ended = other.delete("/api/v1/session",
                             headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        assert ended.status_code == 204, ended.text
        back = served.client(avoid=b)
        again = back.get("/api/v1/commodities", headers={"Cookie": cookie})
        assert again.status_code == 401
        for client in (anyone, signer, other, back):
            client.close()


# ------------------------------------------------------------------ costly requests


def matrix_csv(countries: list[str], products: int) -> bytes:
    """An export matrix CSV where diversity and ubiquity vary (so ECI is defined)."""
    lines = ["country,product,value"]
    for i, country in enumerate(countries):
        for p in range(products):
            if (p * 7 + i * 3) % (i % 5 + 2) == 0 or p % (len(countries) - i + 1) == 0:
                lines.append(f"{country},{p:06d},{(i * 7 + p * 13) % 97 + 1}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def iso3s(small_sqlite: str) -> list[str]:
    from econsec.kb.store import open_store

    return [c.iso3 for c in open_store(small_sqlite).countries()][:150]


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def test_complexity_upload_over_the_cell_cap_is_refused_naming_the_limit(
        small_sqlite: str, iso3s: list[str]) -> None:
    from econsec.settings import Settings

    with live_server(sqlite_file(small_sqlite), warm_up=False,
                     settings=Settings(complexity_max_cells=200)) as server:
        too_big = httpx.post(server.url + "/api/v1/complexity", headers=server.headers,
                             files={"file": ("m.csv", matrix_csv(iso3s[:30], 10))})
        small = httpx.post(server.url + "/api/v1/complexity", headers=server.headers,
                           files={"file": ("m.csv", matrix_csv(iso3s[:20], 10))})
    assert too_big.status_code == 422, too_big.text
    detail = too_big.json()["detail"]
    assert "30 countries × 10 products = 300 cells" in detail
    assert "at most 200 cells" in detail and "ECONSEC_COMPLEXITY_MAX_CELLS" in detail
    assert small.status_code == 200, small.text


def test_costly_requests_are_limited_per_client_and_in_time(
        small_sqlite: str, iso3s: list[str]) -> None:
    """One costly computation at a time per client: a second one at the same time is 429
    with Retry-After; a computation past the budget is answered 503 naming it, and keeps
    its client's slot until it ends; then the client may compute again."""
    from econsec.settings import Settings

    settings = Settings(expensive_per_client=1, compute_seconds=0.3)
    big = matrix_csv(iso3s, 600)  # about a second or more of work: over the budget
    with live_server(sqlite_file(small_sqlite), warm_up=False, settings=settings) as server:
        url = server.url + "/api/v1/complexity"
        answers: list[httpx.Response] = []
        first = threading.Thread(target=lambda: answers.append(httpx.post(
            url, headers=server.headers, files={"file": ("m.csv", big)}, timeout=60)))
        first.start()
        time.sleep(0.1)
        second = httpx.post(url, headers=server.headers, timeout=60,
                            files={"file": ("m.csv", matrix_csv(iso3s[:5], 5))})
        first.join()
        assert answers[0].status_code == 503, answers[0].text
        assert "budget of 0.3 seconds" in answers[0].json()["detail"]
        assert second.status_code == 429, second.text
        assert second.headers["retry-after"].isdigit()
        assert "at most 1 at once per client" in second.json()["detail"]
        # the abandoned computation still holds the slot; once it ends, the client is free
        deadline = time.monotonic() + 60
        while True:
            retry = httpx.post(url, headers=server.headers, timeout=60,
                               files={"file": ("m.csv", matrix_csv(iso3s[:5], 5))})
            if retry.status_code == 200:
                break
            assert retry.status_code == 429, retry.text
            assert time.monotonic() < deadline
            time.sleep(0.3)
        # an IO shock passes the same gate and answers as before within the budget
        server.state.settings.compute_seconds = 30.0
        shock = httpx.post(server.url + "/api/v1/io/leontief", headers=server.headers,
                           json={"mrio": "pymrio:test",
                                 "shocks": [{"region": "reg1", "sector": "mining",
                                             "value": -10}]}, timeout=60)
        assert shock.status_code == 200, shock.text


def test_cheap_requests_are_not_limited(small_sqlite: str) -> None:
    from econsec.settings import Settings
    from econsec.web.limits import is_expensive

    assert is_expensive("POST", "/api/v1/io/leontief")
    assert is_expensive("POST", "/api/v1/complexity")
    assert not is_expensive("GET", "/api/v1/complexity")
    assert not is_expensive("POST", "/api/v1/data/import")
    with live_server(sqlite_file(small_sqlite), warm_up=False,
                     settings=Settings(expensive_per_client=1)) as server:
        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(
            httpx.get(server.url + "/api/v1/health", timeout=30).status_code))
            for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 6


# ------------------------------------------------------------------ error hygiene


def test_no_error_answer_shows_a_traceback_path_or_sql(small_sqlite: str) -> None:
    """Bad input on each API family, a page that does not exist, and an internal failure
    whose message holds a path, SQL and a traceback line: none of it reaches the client."""
    from econsec.kb.store import Store

    secret = ("Traceback (most recent call last): File \"/work/main/.venv/lib/python3.11/"
              "site-packages/sqlalchemy/engine.py\" SELECT * FROM users")

    with live_server(sqlite_file(small_sqlite), warm_up=False) as server:
        base, headers = server.url, server.headers
        csv_file = {"file": ("bad.csv", b"item,country\nlithium,Nowhere\n", "text/csv")}
        asked = [
            httpx.get(base + "/api/v1/commodities/unobtainium"),
            httpx.get(base + "/api/v1/commodities/lithium/shares?measure=nope"),
            httpx.get(base + "/api/v1/countries/ZZZ"),
            httpx.get(base + "/api/v1/assessments/dependence?country=Atlantis"),
            httpx.get(base + "/api/v1/trade/Atlantis"),
            httpx.get(base + "/api/v1/complexity?year=1800"),
            httpx.post(base + "/api/v1/complexity", headers=headers, files=csv_file),
            httpx.post(base + "/api/v1/io/leontief", headers=headers,
                       json={"mrio": "/etc/passwd", "shocks": [{"sector": "x"}]}),
            httpx.post(base + "/api/v1/io/leontief", headers=headers, content=b"{not json"),
            httpx.post(base + "/api/v1/assessments/eu-crm", headers=headers,
                       files={"file": ("x.json", b"{\"materials\": 5}")}),
            httpx.post(base + "/api/v1/scenarios/runs", content=b"horizon_days: [",
                       headers={**headers, "Content-Type": "application/yaml"}),
            httpx.post(base + "/api/v1/data/import", headers=headers, files=csv_file),
            httpx.post(base + "/api/v1/data/preview", headers=headers,
                       files={"file": ("x.xlsx", b"PK\x03\x04 not a workbook")}),
            httpx.get(base + "/api/v1/tech/cases/999999"),
            httpx.post(base + "/api/v1/tech/cases", headers=headers, json={"x": 1}),
            httpx.post(base + "/api/v1/tech/selfcheck", headers=headers, json=[1]),
            httpx.get(base + "/api/v1/screening/screen?name=" + "x" * 5000),
            httpx.post(base + "/api/v1/screening/lists", headers=headers,
                       files={"file": ("l.csv", b"\x00\x01binary")}),
            httpx.get(base + "/api/v1/items/123456"),
            httpx.get(base + "/api/v1/items?limit=-1"),
            httpx.get(base + "/taxii2/collections/nope/objects/"),
            httpx.get(base + "/api/v1/nothing-here"),
            httpx.get(base + "/no/such/page", headers={"Accept": "text/html"}),
            httpx.post(base + "/api/v1/data/preview", files=csv_file),  # no token: 403
        ]
        original = Store.counts

        def failing(self: Store) -> dict[str, int]:
            raise RuntimeError(secret)

        Store.counts = failing  # type: ignore[method-assign]
        try:
            server.state.services["read_cache"].invalidate()
            broken = httpx.get(base + "/api/v1/health")
            broken_page = httpx.get(base + "/data", headers={"Accept": "text/html"})
        finally:
            Store.counts = original  # type: ignore[method-assign]
    assert broken.status_code == 500 and broken.json()["incident"]
    for response in [*asked, broken, broken_page]:
        assert response.status_code >= 400, (response.request.url, response.status_code)
        assert response.status_code != 500 or response in (broken, broken_page)
        for leak in LEAKS:
            assert leak not in response.text, (str(response.request.url), leak,
                                               response.text[:500])


# ------------------------------------------------------------------ bad settings


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("ECONSEC_EXPENSIVE_PER_CLIENT", "0", "ECONSEC_EXPENSIVE_PER_CLIENT must be a whole number"),
    ("ECONSEC_COMPUTE_SECONDS", "soon", "ECONSEC_COMPUTE_SECONDS must be a number"),
    ("ECONSEC_COMPLEXITY_MAX_CELLS", "2.5", "ECONSEC_COMPLEXITY_MAX_CELLS must be a whole"),
])
def test_a_bad_limit_setting_is_refused_by_name(variable: str, value: str, named: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from econsec.errors import ValidationError
    from econsec.settings import Settings

    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=named):
        Settings()


def test_serve_with_workers_refuses_bad_input_before_starting_workers(tmp_path: Path) -> None:
    """A bad setting and an unreachable database stop ``econsec serve --workers`` with a
    message (exit 2), before any worker starts."""
    env = {**os.environ, "ECONSEC_TOKEN_FILE": str(tmp_path / "token")}
    bad_setting = subprocess.run(
        [ECONSEC, "serve", "--workers", "2", "--port", str(free_port()), "--db",
         f"sqlite:///{tmp_path / 'kb.db'}"], env={**env, "ECONSEC_JOB_SECONDS": "-1"},
        capture_output=True, text=True, timeout=60)
    assert bad_setting.returncode == 2
    assert "ECONSEC_JOB_SECONDS" in bad_setting.stderr and "Traceback" not in bad_setting.stderr
    no_database = subprocess.run(
        [ECONSEC, "serve", "--workers", "2", "--port", str(free_port()), "--db",
         "postgresql+psycopg://nobody@127.0.0.1:1/none"], env=env,
        capture_output=True, text=True, timeout=60)
    assert no_database.returncode == 2
    assert "cannot open knowledge base" in no_database.stderr
    assert "Traceback" not in no_database.stderr


def test_scenario_runs_stop_after_the_configured_time() -> None:
    from econsec.settings import Settings
    from econsec.web.api.scenarios import job_runner
    from econsec.web.state import WebState

    state = WebState(store=object(), database_url="sqlite://",
                     settings=Settings(job_seconds=7.5))
    assert job_runner(state).limits.max_seconds == 7.5


def test_a_browser_gets_the_time_budget_as_a_page_in_its_language(small_sqlite: str) -> None:
    from econsec.settings import Settings

    csv = (CSV.split("\n")[0] + "\n" + "lithium,Chile,2024,production,5,t\n" * 3000).encode()
    with live_server(sqlite_file(small_sqlite), warm_up=False,
                     settings=Settings(compute_seconds=0.001)) as server:
        pages = {lang: httpx.post(server.url + f"/data/preview?lang={lang}",
                                  headers={**server.headers, "Accept": "text/html"},
                                  files={"file": ("x.csv", csv, "text/csv")})
                 for lang in ("ja", "en")}
    for page in pages.values():
        assert page.status_code == 503 and page.headers["retry-after"].isdigit()
        assert page.headers["content-type"].startswith("text/html")
    assert "上限時間 0.001 秒以内に終わりませんでした" in pages["ja"].text
    assert "budget of 0.001 seconds" not in pages["ja"].text
    assert "budget of 0.001 seconds" in pages["en"].text
