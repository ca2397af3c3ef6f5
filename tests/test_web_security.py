"""The web app's defences against other web sites and hostile input, on a real server.

- every state-changing route (from the routers, POST/PUT/PATCH/DELETE) refuses a request
  without the token, from another origin or marked cross-site, and accepts the token;
- the Host check (DNS rebinding) applies to reads too;
- body limits hold for chunked uploads; every 500 is a problem document with an incident
  id; no database URL, server path or SQL in an answer; BusyError is 503 + Retry-After;
- security headers on every response; /docs from local files;
- ``econsec serve`` refuses an address beyond loopback without ``--allow-remote``;
- a ``javascript:`` source URL is never a link (pages, report).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_cli
from web_server import AUTH, TOKEN, LiveServer, free_port, live_server

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
REFUSED = "cross-site request refused"
#: Values for path parameters of state-changing routes.
PATH_VALUES = {"model": "leontief", "case_id": "1"}


def unsafe_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every state-changing route of ``app`` (included routers too)."""
    from fastapi.routing import iter_route_contexts

    return sorted({(method, context.path) for context in iter_route_contexts(app.routes)
                   for method in (getattr(context, "methods", None) or set()) & UNSAFE})


def _registry_app() -> Any:
    """The routers of the registry in a bare app (collected without a knowledge base)."""
    from fastapi import FastAPI

    from econsec.web.registry import routers

    app = FastAPI()
    for router, prefix in routers():
        app.include_router(router, prefix=prefix)
    return app


UNSAFE_ROUTES = unsafe_routes(_registry_app())


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("security") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def _is_refused(response: httpx.Response, status: int = 403) -> bool:
    return (response.status_code == status
            and response.headers["content-type"].startswith("application/problem+json"))


# ------------------------------------------------------------------ every unsafe route


def test_the_app_has_exactly_the_routes_tested(server: LiveServer) -> None:
    """The parametrised list below is every state-changing route of the running app."""
    assert unsafe_routes(server.app) == UNSAFE_ROUTES
    assert len(UNSAFE_ROUTES) >= 17


@pytest.mark.parametrize(("method", "path"), UNSAFE_ROUTES)
def test_state_changing_route_is_protected(server: LiveServer, method: str, path: str) -> None:
    url = server.url + _concrete(path)
    same = {"Origin": server.url}
    attempts = {
        "no token": {"headers": {"Content-Type": "application/json"}, "content": b"{}"},
        "no token, same origin": {"headers": {**same, "Content-Type": "application/json"},
                                  "content": b"{}"},
        "wrong token": {"headers": {"X-CSRF-Token": "guess", "Content-Type": "application/json"},
                        "content": b"{}"},
        "other origin with token": {"headers": {**AUTH, "Origin": "http://evil.example"},
                                    "json": {}},
        "other port with token": {"headers": {**AUTH, "Origin": "http://127.0.0.1:1"},
                                  "json": {}},
        "other scheme with token": {"headers": {**AUTH, "Origin": server.url.replace(
            "http://", "https://")}, "json": {}},
        "null origin": {"headers": {**AUTH, "Origin": "null"}, "json": {}},
        "foreign referer": {"headers": {**AUTH, "Referer": "http://evil.example/page"},
                            "json": {}},
        "Sec-Fetch-Site cross-site": {"headers": {**AUTH, "Sec-Fetch-Site": "cross-site"},
                                      "json": {}},
        "Sec-Fetch-Site same-site": {"headers": {**AUTH, "Sec-Fetch-Site": "same-site"},
                                     "json": {}},
        "text/plain from a form": {"headers": {"Origin": "http://evil.example",
                                               "Content-Type": "text/plain"},
                                   "content": b'{"worked": "x"}'},
        "url-encoded form": {"headers": {"Origin": "http://evil.example"},
                             "data": {"status": "closed", "csrf_token": "guess"}},
        "multipart form": {"headers": {"Origin": "http://evil.example"},
                           "files": {"file": ("x.csv", b"a,b\n")}},
    }
    for name, kwargs in attempts.items():
        response = httpx.request(method, url, timeout=30, **kwargs)
        assert _is_refused(response), (name, response.status_code, response.text[:200])
        assert response.json()["title"] == REFUSED, name
    # the same request with the token from this origin passes the checks (it may still be
    # refused by the route itself for its empty body, but not as cross-site)
    ok = httpx.request(method, url, headers={**AUTH, **same, "Sec-Fetch-Site": "same-origin"},
                       json={}, timeout=60)
    assert ok.status_code != 403 or ok.json().get("title") != REFUSED, ok.text


def test_form_token_field_works_without_javascript(server: LiveServer) -> None:
    """A plain form posts the csrf_token field (url-encoded, or first in multipart)."""
    url = server.url + "/tech/selfcheck?lang=en"
    ok = httpx.post(url, data={"csrf_token": TOKEN, "p1": "no"},
                    headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 200, ok.text
    wrong = httpx.post(url, data={"csrf_token": TOKEN[:-1] + "x", "p1": "no"},
                       headers={"Origin": server.url})
    assert _is_refused(wrong)
    lists = server.url + "/screening/lists?lang=en"
    first = httpx.post(lists, data={"csrf_token": TOKEN, "list_name": "form-token"},
                       files={"file": ("x.txt", b"x")})
    assert first.status_code != 403, first.text
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\""
            f"\r\n\r\nname\r\nx\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"csrf_token\"\r\n\r\n{TOKEN}\r\n--{boundary}--\r\n").encode()
    last = httpx.post(lists, content=body,
                      headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert _is_refused(last), "the token must be the first field of a multipart form"


def test_refused_form_post_from_a_browser_is_a_page(server: LiveServer) -> None:
    """A browser landing on a refusal (a forged or stale form) reads a page, not JSON."""
    response = httpx.post(server.url + "/tech/cases?lang=ja", data={"title": "x"},
                          headers={"Origin": "http://evil.example", "Accept": "text/html"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "リクエストを拒否しました" in response.text
    assert 'name="csrf-token"' in response.text  # the page's own token, to retry from it
    api = httpx.post(server.url + "/api/v1/tech/cases", json={},
                     headers={"Accept": "text/html,*/*"})
    assert _is_refused(api)


def test_forged_requests_change_nothing(server: LiveServer) -> None:
    """The attacks that worked before: wipe a list, mark a false positive, create/move a
    case, import data, start a scenario - forged from another site, nothing changes."""
    before = server.state.store.counts()
    evil = {"Origin": "http://evil.example"}
    forged = [
        ("/screening/lists", {"data": {"list_name": "sample"},
                              "files": {"file": ("empty.csv", b"name\n")}}),
        ("/api/v1/screening/decisions", {"content": b'{"query": "x", "entity_id": "y", '
                                         b'"decision": "false_positive"}',
                                         "headers": {**evil, "Content-Type": "text/plain"}}),
        ("/tech/cases", {"data": {"title": "forged", "technology": "x", "country": "CHN"}}),
        ("/api/v1/data/import", {"files": {"file": ("f.csv", b"item,country,year,measure,"
                                                    b"value,unit\nlithium,Chile,2031,"
                                                    b"production,1,t\n")}}),
        ("/api/v1/scenarios/runs", {"content": b'{"worked": "pymrio-test-mining-outage"}',
                                    "headers": {**evil, "Content-Type": "text/plain"}}),
    ]
    for path, kwargs in forged:
        kwargs.setdefault("headers", evil)
        response = httpx.post(server.url + path, timeout=30, **kwargs)
        assert _is_refused(response), (path, response.status_code, response.text[:200])
    assert server.state.store.counts() == before
    jobs = server.state.services.get("jobs")
    assert jobs is None or not jobs.jobs()


# ------------------------------------------------------------------ hosts


@pytest.mark.parametrize("path", ["/", "/api/v1/health", "/static/econsec.js", "/docs"])
def test_foreign_host_is_refused_for_reads_too(server: LiveServer, path: str) -> None:
    port = server.url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", f"attacker.localhost.evil:{port}",
                 "127.0.0.1:1", ""):
        response = httpx.get(server.url + path, headers={"Host": host})
        assert _is_refused(response, 400), (host, response.status_code)
        assert response.json()["title"] == "host not allowed"
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert httpx.get(server.url + "/api/v1/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(("bind", "port", "allowed", "host", "expected"), [
    ("127.0.0.1", 8000, (), "127.0.0.1:8000", True),
    ("127.0.0.1", 8000, (), "localhost:8000", True),
    ("127.0.0.1", 8000, (), "[::1]:8000", True),
    ("127.0.0.1", 8000, (), "localhost:8001", False),
    ("127.0.0.1", 8000, (), "evil.example:8000", False),
    ("127.0.0.1", 8000, (), "10.0.0.5:8000", False),
    ("127.0.0.1", 8000, (), "localhost", False),
    ("127.0.0.1", 80, (), "localhost", True),
    ("127.0.0.1", 8000, ("econsec.lan",), "econsec.lan:8000", True),
    ("127.0.0.1", 8000, ("econsec.lan",), "ECONSEC.LAN:443", True),
    ("127.0.0.1", 8000, ("econsec.lan:8443",), "econsec.lan:8000", False),
    ("0.0.0.0", 8000, (), "192.168.1.20:8000", True),
    ("0.0.0.0", 8000, (), "attacker.example:8000", False),
    ("::", 8000, (), "[fe80::1]:8000", True),
    ("127.0.0.1", None, (), "127.0.0.1:5555", True),
    ("127.0.0.1", None, (), "evil.example:5555", False),
    ("127.0.0.1", 8000, (), "127.0.0.1:8000 evil", False),
])
def test_host_policy(bind: str, port: int | None, allowed: tuple[str, ...], host: str,
                     expected: bool) -> None:
    from econsec.web.security import HostPolicy

    assert HostPolicy(bind, port, allowed).allows(host) is expected


@pytest.mark.parametrize(("host", "refused"), [
    ("127.0.0.1", False), ("localhost", False), ("::1", False), ("127.0.0.2", False),
    ("0.0.0.0", True), ("::", True), ("192.168.1.20", True), ("econsec.lan", True),
])
def test_check_bind(host: str, refused: bool) -> None:
    from econsec.errors import ValidationError
    from econsec.web.security import check_bind

    if refused:
        with pytest.raises(ValidationError, match="--allow-remote"):
            check_bind(host, allow_remote=False)
        assert "WARNING" in (check_bind(host, allow_remote=True) or "")
        assert "no user accounts" in (check_bind(host, allow_remote=True) or "").lower()
        # with user accounts the danger is passwords and cookies in clear text, not
        # anonymous changes: the refusal and the warning say so
        with pytest.raises(ValidationError, match="TLS"):
            check_bind(host, allow_remote=False, users=True)
        assert "TLS" in (check_bind(host, allow_remote=True, users=True) or "")
    else:
        assert check_bind(host, allow_remote=False) is None
        assert check_bind(host, allow_remote=False, users=True) is None


def test_token_file_is_private_and_reused(tmp_path: Path) -> None:
    from econsec.web.security import load_or_create_token

    path = tmp_path / "state" / "econsec" / "api-token"
    first = load_or_create_token(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 32
    assert load_or_create_token(path) == first
    path.chmod(0o644)  # readable by others: not trusted, replaced
    second = load_or_create_token(path)
    assert second != first and stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short\n")
    path.chmod(0o600)
    assert load_or_create_token(path) not in ("short", second)


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("path", ["/", "/countries/JPN", "/api/v1/health", "/api/v1/nope",
                                  "/static/econsec.js", "/docs", "/nope"])
def test_security_headers_on_every_response(server: LiveServer, path: str) -> None:
    headers = httpx.get(server.url + path, timeout=120).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_no_inline_script_in_pages(server: LiveServer) -> None:
    for path in ("/", "/commodities/lithium", "/countries/JPN", "/value-chain", "/scenarios",
                 "/data", "/tech", "/tech/selfcheck", "/screening", "/docs"):
        html = httpx.get(server.url + path, timeout=120).text
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
        assert not scripts, (path, scripts)
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "cdn." not in html and "unpkg" not in html, path


def test_docs_from_local_assets(server: LiveServer) -> None:
    html = httpx.get(server.url + "/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert httpx.get(server.url + asset).status_code == 200, asset


# ------------------------------------------------------------------ bodies


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_chunked_bodies_are_limited(server: LiveServer) -> None:
    state = server.state
    assert state.max_upload_bytes == 50 * 1024 * 1024 and state.max_body_bytes == 1024 * 1024
    json_too_big = httpx.post(server.url + "/api/v1/scenarios/runs", timeout=30,
                              content=_chunks(2 * 1024 * 1024),
                              headers={**AUTH, "Content-Type": "application/json"})
    assert _is_refused(json_too_big, 413), json_too_big.text
    assert json_too_big.request.headers["transfer-encoding"] == "chunked"
    limit = state.max_upload_bytes
    state.max_upload_bytes = 200_000
    try:
        boundary = "chunkyboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"big.csv\"\r\n\r\n").encode()

        def body() -> Iterator[bytes]:
            yield head
            yield from _chunks(1_000_000)
            yield f"\r\n--{boundary}--\r\n".encode()

        before = state.store.counts()
        upload = httpx.post(server.url + "/api/v1/data/import", content=body(), timeout=30,
                            headers={**AUTH, "Content-Type":
                                     f"multipart/form-data; boundary={boundary}"})
        assert _is_refused(upload, 413), upload.text
        assert "200000" in upload.json()["detail"]
        assert state.store.counts() == before
    finally:
        state.max_upload_bytes = limit


def test_declared_oversize_body_is_refused_unread(server: LiveServer) -> None:
    response = httpx.post(server.url + "/api/v1/tech/selfcheck", timeout=30,
                          content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                          headers={**AUTH, "Content-Type": "application/json"})
    assert _is_refused(response, 413)


# ------------------------------------------------------------------ errors and leaks


@pytest.fixture(scope="module")
def failing_routes(server: LiveServer) -> LiveServer:
    """Routes that fail the ways real code can fail, added to the running app."""
    from econsec.errors import BusyError, EconsecError, StoreError

    db_path = str(server.db)

    def crash() -> None:
        raise RuntimeError(f"boom in {db_path} SELECT * FROM secrets")

    def busy() -> None:
        raise BusyError(retry_after=7)

    def store() -> None:
        raise StoreError("import failed, nothing was written: (sqlite3.OperationalError) "
                         "database is locked [SQL: INSERT INTO observations (a) VALUES (?)]"
                         "[parameters: (1,)]")

    def leaky() -> None:
        raise EconsecError(f"cannot read sqlite:///{db_path} at {db_path}")

    for name, handler in (("crash", crash), ("busy", busy), ("store", store),
                          ("leaky", leaky)):
        server.app.add_api_route(f"/test-fail/{name}", handler, methods=["GET"])
    return server


def test_unhandled_exception_is_a_generic_500_problem(failing_routes: LiveServer) -> None:
    response = httpx.get(failing_routes.url + "/test-fail/crash")
    assert _is_refused(response, 500)
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{12}", body["incident"])
    assert body["incident"] in body["detail"]
    assert "boom" not in response.text and "SELECT" not in response.text
    assert str(failing_routes.db) not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_busy_is_503_with_retry_after(failing_routes: LiveServer) -> None:
    response = httpx.get(failing_routes.url + "/test-fail/busy")
    assert _is_refused(response, 503)
    assert response.headers["retry-after"] == "7"


def test_store_errors_and_paths_never_reach_the_client(failing_routes: LiveServer) -> None:
    store = httpx.get(failing_routes.url + "/test-fail/store")
    assert _is_refused(store, 500)
    assert "SQL" not in store.text and "INSERT" not in store.text and "sqlite3" not in store.text
    leaky = httpx.get(failing_routes.url + "/test-fail/leaky")
    assert leaky.status_code == 422
    assert str(failing_routes.db) not in leaky.text and "sqlite://" not in leaky.text


def test_no_database_url_or_path_in_answers(server: LiveServer) -> None:
    db = str(server.db)
    health = httpx.get(server.url + "/api/v1/health").json()
    assert health["database"] == "sqlite"
    for path in ("/api/v1/health", "/api/v1/sources", "/api/v1/openapi.json",
                 "/api/v1/commodities/nope", "/api/v1/countries/XXX", "/nope", "/data"):
        text = httpx.get(server.url + path, timeout=120).text
        assert db not in text and "sqlite:///" not in text, path
        assert str(server.db.parent) not in text, path


# ------------------------------------------------------------------ javascript: URLs


@pytest.mark.parametrize(("url", "linked"), [
    ("https://www.usgs.gov/x", True), ("http://example.org", True),
    ("javascript:alert(1)", False), (" JAVASCRIPT:alert(1)", False),
    ("java\nscript:alert(1)", False), ("data:text/html,<script>x</script>", False),
    ("vbscript:x", False), ("//evil.example/x", False), ("https://a b", False),
    ("http:/x", False), ("", False), (None, False),
])
def test_http_url_filter(url: Any, linked: bool) -> None:
    from econsec.i18n.templating import http_url

    assert bool(http_url(url)) is linked


# ------------------------------------------------------------------ econsec serve


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "econsec", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full)


def test_serve_beyond_loopback_needs_allow_remote(tmp_path: Path) -> None:
    proc = _serve("--host", "0.0.0.0", "--db", str(tmp_path / "x.db"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "--allow-remote" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.db").exists()


def test_serve_with_allow_remote_warns_and_writes_a_private_token(built_db: Path,
                                                                  tmp_path: Path) -> None:
    db = tmp_path / "econsec.db"
    shutil.copy(built_db, db)
    token_file = tmp_path / "state" / "api-token"
    port = free_port()
    proc = _serve("--host", "0.0.0.0", "--allow-remote", "--port", str(port),
                  "--db", str(db), "--token-file", str(token_file))
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert len(token) >= 32
        body = {"answers": {}}
        assert httpx.post(url + "/api/v1/tech/selfcheck", json=body).status_code == 403
        assert httpx.post(url + "/api/v1/tech/selfcheck", json=body,
                          headers={"X-CSRF-Token": token}).status_code == 200
        assert httpx.get(url + "/", headers={"Host": f"evil.example:{port}"}).status_code == 400
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "WARNING" in err and "0.0.0.0" in err and str(token_file) in err
    assert token not in err


HOSTILE_CSV = ("item,country,year,measure,value,unit,source,url\n"
               "gallium,Japan,2031,production,5000,kilograms,Hostile survey,"
               "javascript:alert(document.domain)\n")


def test_javascript_source_url_is_not_a_link(server: LiveServer, tmp_path: Path) -> None:
    """Stored through the API (runs last: it changes the knowledge base); the pages that
    list sources (one shared template) and the report show it as text, not as a link."""
    stored = httpx.post(server.url + "/api/v1/data/import", headers=server.headers, timeout=60,
                        files={"file": ("hostile.csv", HOSTILE_CSV.encode())})
    assert stored.status_code == 200, stored.text
    for path in ("/commodities/gallium", "/countries/JPN"):
        html = httpx.get(server.url + path, timeout=120).text
        assert "javascript:alert(document.domain)" in html, path  # shown as text
        assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.I), path
    out = tmp_path / "report"
    run_cli("report", "--out", str(out), db=server.db)
    report = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html"))
    assert "Hostile survey" in report and "javascript:alert" in report
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", report, re.I)


# ------------------------------------------------------------------ origin scheme


@pytest.mark.parametrize(("origin", "host", "scheme", "same"), [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", "http", True),
    ("https://127.0.0.1:8000", "127.0.0.1:8000", "http", False),
    ("HTTPS://127.0.0.1:8000", "127.0.0.1:8000", "http", False),
    ("http://127.0.0.1:8000", "127.0.0.1:8000", "https", False),
    ("https://econsec.lan", "econsec.lan", "https", True),
    ("https://econsec.lan:443", "econsec.lan", "https", True),
    ("http://econsec.lan", "econsec.lan:443", "https", False),
    ("ws://127.0.0.1:8000", "127.0.0.1:8000", "http", False),
    ("http://127.0.0.1:8000/tech?x=1", "127.0.0.1:8000", "http", True),
    ("http://127.0.0.1:8001", "127.0.0.1:8000", "http", False),
])
def test_same_origin_compares_scheme_host_and_port(origin: str, host: str, scheme: str,
                                                   same: bool) -> None:
    from econsec.web.security import same_origin

    assert same_origin(origin, host, scheme) is same


def test_origin_with_another_scheme_is_refused(server: LiveServer) -> None:
    """A plain-http server refuses https://127.0.0.1:PORT (another origin), token or not."""
    url = server.url + "/api/v1/tech/selfcheck"
    other = server.url.replace("http://", "https://")
    body = {"answers": {}}
    for headers in ({"Origin": other}, {"Referer": other + "/tech/selfcheck"}):
        response = httpx.post(url, json=body, headers={**AUTH, **headers})
        assert _is_refused(response), (headers, response.status_code)
        assert response.json()["title"] == REFUSED
    ok = httpx.post(url, json=body, headers={**AUTH, "Origin": server.url,
                                            "Referer": server.url + "/tech/selfcheck"})
    assert ok.status_code == 200, ok.text


# ------------------------------------------------------------------ error pages for browsers

PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _is_page(response: httpx.Response, status: int) -> str:
    """The page's text, after checking it is an HTML page with the security headers and no
    inline script."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), response.headers
    assert "script-src 'self';" in response.headers["content-security-policy"]
    html = response.text
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    return html


def test_host_refusal_for_a_browser_is_a_page_without_the_token(server: LiveServer) -> None:
    port = server.url.rsplit(":", 1)[1]
    evil = {"Host": f"evil.example:{port}"}
    ja = _is_page(httpx.get(server.url + "/", headers={**PAGE, **evil,
                                                     "Accept-Language": "ja,en;q=0.5"}), 400)
    assert '<html lang="ja">' in ja and "このアドレスでは応答しません" in ja
    assert "evil.example" in ja and "--allowed-host" in ja
    # a rebinding page can read this answer: it must not carry the server's token
    assert TOKEN not in ja and "csrf-token" not in ja
    # its /static/ would be refused under that name too: styles inline, no script, no menu
    assert "<style>" in ja and "<script" not in ja and "/static/" not in ja
    assert "Main navigation" not in ja and "メインナビゲーション" not in ja
    en = httpx.get(server.url + "/countries?lang=en", headers={**PAGE, **evil})
    assert "Address not served" in _is_page(en, 400) and TOKEN not in en.text
    assert "set-cookie" not in en.headers
    hostile = httpx.get(server.url + "/", headers={**PAGE, "Host": "<b>x</b>"})
    assert hostile.status_code == 400 and "<b>x" not in hostile.text
    # the API and clients that do not ask for HTML keep the problem document
    for path, headers in (("/api/v1/health", {**PAGE, **evil}), ("/", evil),
                          ("/", {**evil, "Accept": "application/json"})):
        response = httpx.get(server.url + path, headers=headers)
        assert _is_refused(response, 400), (path, headers)
        assert response.json()["title"] == "host not allowed"


def test_oversize_body_from_a_browser_is_a_page(server: LiveServer) -> None:
    """413 as a page: when the token is looked for in the form (middleware) and when the
    route reads the body (token in the header)."""
    url = server.url + "/tech/selfcheck?lang=ja"
    big = {"csrf_token": TOKEN, "p1": "x" * (1024 * 1024 + 10)}
    same = {"Origin": server.url}
    in_form = httpx.post(url, data=big, headers={**PAGE, **same}, timeout=30)
    html = _is_page(in_form, 413)
    assert "アップロードが大きすぎます" in html and "最大 1 MiB" in html
    by_route = httpx.post(url, data=big, headers={**PAGE, **same, **AUTH}, timeout=30)
    assert "アップロードが大きすぎます" in _is_page(by_route, 413)
    api = httpx.post(server.url + "/api/v1/tech/selfcheck", data=big, timeout=30,
                     headers={**PAGE, **AUTH})
    assert _is_refused(api, 413)


def test_unknown_page_for_a_browser_is_a_page(server: LiveServer) -> None:
    html = _is_page(httpx.get(server.url + "/nope?lang=ja", headers=PAGE), 404)
    assert "ページが見つかりません" in html
    malformed = httpx.get(server.url + "/commodities/lithium?lang=ja&year=abc", headers=PAGE)
    assert "リクエストを処理できません" in _is_page(malformed, 422)
    assert "year" in malformed.text
    assert _is_refused(httpx.get(server.url + "/commodities/lithium?year=abc"), 422)
    assert _is_refused(httpx.get(server.url + "/nope"), 404)
    assert _is_refused(httpx.get(server.url + "/api/v1/nope", headers=PAGE), 404)


def test_failures_for_a_browser_are_pages(failing_routes: LiveServer) -> None:
    """500 (unhandled and knowledge-base failures) with the incident id, 503 with
    Retry-After, an econsec error with its message: pages in the reader's language."""
    base = failing_routes.url + "/test-fail/"
    for name in ("crash", "store"):
        html = _is_page(httpx.get(base + name + "?lang=ja", headers=PAGE), 500)
        assert "エラーが発生しました" in html and "インシデント ID" in html
        assert re.search(r"<code>[0-9a-f]{12}</code>", html), name
        for secret in ("boom", "SELECT", "INSERT", "sqlite3", str(failing_routes.db)):
            assert secret not in html, (name, secret)
    english = httpx.get(base + "crash", headers={**PAGE, "Accept-Language": "en-GB"})
    assert "Something went wrong" in _is_page(english, 500)
    busy = httpx.get(base + "busy", headers={**PAGE, "Accept-Language": "ja"})
    assert "7 秒" in _is_page(busy, 503) and busy.headers["retry-after"] == "7"
    leaky = _is_page(httpx.get(base + "leaky?lang=en", headers=PAGE), 422)
    assert "Request not accepted" in leaky and "cannot read" in leaky
    assert str(failing_routes.db) not in leaky and "sqlite://" not in leaky
    # the same failures for a script stay problem documents
    assert _is_refused(httpx.get(base + "crash", headers={"Accept": "application/json"}), 500)
    assert _is_refused(httpx.get(base + "busy", headers={**PAGE, "HX-Request": "true"}), 503)


def test_error_pages_show_econsec_errors_in_the_readers_language(
        failing_routes: LiveServer) -> None:
    """An econsec error on a page: its one line (location first) through the error's own
    translation (``EconsecError.translate``), redacted like the problem document; the
    problem document keeps the English message."""
    from econsec.errors import Location, UnknownCommodityError

    where = Location(file=str(failing_routes.db), line=4, column="item")

    def unknown() -> None:
        raise UnknownCommodityError("galium", ["gallium"], location=where)

    failing_routes.app.add_api_route("/test-fail/unknown", unknown, methods=["GET"])
    url = failing_routes.url + "/test-fail/unknown"
    ja = _is_page(httpx.get(url + "?lang=ja", headers=PAGE), 404)
    assert "4 行目" in ja and "&#39;galium&#39; は見つかりません" in ja and "gallium" in ja
    assert str(failing_routes.db) not in ja
    en = _is_page(httpx.get(url + "?lang=en", headers=PAGE), 404)
    assert "<h1>Not found</h1>" in en and "unknown commodity &#39;galium&#39;" in en
    assert httpx.get(url).json()["detail"].startswith("unknown commodity 'galium'")
