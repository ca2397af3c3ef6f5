"""Route guards and sign-in of the web app (econsec.web.auth) on a real loopback server
with real users: every state-changing route declares the action it performs, and each
role gets 401 / 403 / through per route; sessions (expiry, rotation, CSRF per session),
the sign-in redirect without open redirects, transfer cases per organisation, the audit
records of sign-in events and denials."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from access_world import PG_URL, own_postgres_url
from audit_env import private_audit_dir
from conftest import reset_postgres
from web_server import AUTH, LiveServer, live_server

PG_DATABASE = "econsec_auth_b"

PASSWORD = "correct horse battery staple"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

#: The action each state-changing route of the knowledge base, analyses, screening and
#: transfer cases declares (a change here must be deliberate).
EXPECTED = {
    ("POST", "/api/v1/scenarios/runs"): "analyse",
    ("DELETE", "/api/v1/scenarios/runs/{job_id}"): "analyse",
    ("POST", "/api/v1/scenarios/runs/{job_id}/cancel"): "analyse",
    ("POST", "/api/v1/data/preview"): "import",
    ("POST", "/api/v1/data/import"): "import",
    ("POST", "/api/v1/io/{model}"): "analyse",
    ("POST", "/api/v1/assessments/eu-crm"): "analyse",
    ("POST", "/api/v1/tech/cases"): "transfer_case",
    ("POST", "/api/v1/tech/cases/{case_id}/move"): "transfer_case",
    ("POST", "/api/v1/tech/selfcheck"): "analyse",
    ("POST", "/api/v1/complexity"): "analyse",
    ("POST", "/api/v1/screening/lists"): "import",
    ("POST", "/api/v1/screening/decisions"): "screen",
    ("POST", "/data/preview"): "import",
    ("POST", "/data/import"): "import",
    ("POST", "/tech/cases"): "transfer_case",
    ("POST", "/tech/cases/{case_id}/move"): "transfer_case",
    ("POST", "/tech/selfcheck"): "analyse",
    ("POST", "/screening/decisions"): "screen",
    ("POST", "/screening/lists"): "import",
}
#: Signing in and out: no action to require (a session is what they make or end).
SIGN_IN_ROUTES = {("POST", "/login"), ("POST", "/login/totp"), ("POST", "/logout"),
                  ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
PATH_VALUES = {"model": "leontief", "case_id": "1", "job_id": "nope", "item_id": "1"}
ROLES = ("member", "analyst", "secretariat", "auditor", "admin")
#: User name -> otpauth:// URI of the users with a second factor.
TOTP_URIS: dict[str, str] = {}


def _route_actions(app: Any) -> dict[tuple[str, str], set[str]]:
    """(method, path) of every unsafe route -> the actions its require() dependencies check."""
    from fastapi.routing import iter_route_contexts

    from econsec.web.auth import required_action

    def calls(dependant: Any) -> Iterator[Any]:
        for dep in dependant.dependencies:
            yield dep.call
            yield from calls(dep)

    found: dict[tuple[str, str], set[str]] = {}
    for context in iter_route_contexts(app.routes):
        methods = set(getattr(context, "methods", None) or ()) & UNSAFE
        for method in methods:
            dependant = context.dependant  # the route as included (router dependencies too)
            actions = {a.value for a in map(required_action, calls(dependant)) if a}
            found[(method, context.path)] = actions
    return found


def _registry_app() -> Any:
    from fastapi import FastAPI

    from econsec.web.registry import routers

    app = FastAPI()
    for router, prefix in routers():
        app.include_router(router, prefix=prefix)
    return app


def test_every_state_changing_route_requires_an_action() -> None:
    routes = _route_actions(_registry_app())
    missing = sorted(key for key, actions in routes.items()
                     if not actions and key not in SIGN_IN_ROUTES)
    assert missing == [], f"state-changing routes without require(Action.X): {missing}"
    for key, action in EXPECTED.items():
        assert routes.get(key) == {action}, (key, routes.get(key))
    assert set(routes) >= SIGN_IN_ROUTES
    assert len(EXPECTED) == 20


def test_the_walk_finds_a_route_without_a_guard() -> None:
    """The walk itself fails on an unguarded route (it cannot pass by finding nothing)."""
    from fastapi import APIRouter, FastAPI

    from econsec.access.actions import Action
    from econsec.web.auth import require

    router = APIRouter()

    @router.post("/guarded", dependencies=[require(Action.IMPORT)])
    def guarded() -> None: ...

    @router.post("/open")
    def unguarded() -> None: ...

    app = FastAPI()
    app.include_router(router)
    routes = _route_actions(app)
    assert routes[("POST", "/guarded")] == {"import"}
    assert routes[("POST", "/open")] == set()


# ------------------------------------------------------------------ a server with users


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)


class Client:
    """A signed-in (or anonymous) script: the session cookie and its CSRF token."""

    def __init__(self, server: LiveServer, name: str | None = None) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=60)
        self.csrf = ""
        self.name = name
        if name is not None:
            answer = self.http.post("/api/v1/session", json={"name": name,
                                                             "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            self.csrf = answer.json()["csrf_token"]

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **(kwargs.pop("headers", None) or {})}
        return self.http.request(method, path, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The module's own audit folder (key and anchor), and cheap password hashes."""
    before = os.environ.get("ECONSEC_PASSWORD_HASH_COST")
    os.environ["ECONSEC_PASSWORD_HASH_COST"] = "test"
    with private_audit_dir(tmp_path_factory.mktemp("audit")) as folder:
        yield folder
    if before is None:
        os.environ.pop("ECONSEC_PASSWORD_HASH_COST", None)
    else:
        os.environ["ECONSEC_PASSWORD_HASH_COST"] = before


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory,
           audit_dir: Path) -> Iterator[LiveServer]:
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine

    db = tmp_path_factory.mktemp("access-routes") / "econsec.db"
    shutil.copy(built_db, db)
    engine = open_engine(f"sqlite:///{db}")
    accounts = Accounts(engine, by="test")
    accounts.add_org("meti", kind="government")
    accounts.add_org("acme", kind="company")
    for role in ROLES:
        accounts.add_user(role, org="meti", roles=[role], password=PASSWORD,
                          clearance_level=2)
    accounts.add_user("acme-member", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    accounts.add_user("lockme", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    accounts.add_user("suspendme", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    accounts.add_user("lifetimes", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    for name in ("otp-api", "otp-page"):
        accounts.add_user(name, org="acme", roles=["member"], password=PASSWORD,
                          clearance_level=1)
        TOTP_URIS[name] = accounts.enable_totp(name)
    engine.dispose()
    with live_server(db, warm_up=False) as live:
        yield live


@pytest.fixture(scope="module")
def clients(server: LiveServer) -> dict[str, Client]:
    return {role: Client(server, role) for role in ROLES}


def _allowed(role: str, action: str) -> bool:
    from econsec.access.actions import ROLE_ACTIONS, Action, Role

    return Action(action) in ROLE_ACTIONS[Role(role)]


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_each_role_is_refused_or_let_through(server: LiveServer, clients: dict[str, Client],
                                             method: str, path: str) -> None:
    """No session: 401. A role without the route's action: 403 (before the body is even
    validated). A role with it: past the guard (the route answers the empty body itself)."""
    action = EXPECTED[(method, path)]
    url = _concrete(path)
    anonymous = httpx.request(method, server.url + url, json={}, headers=AUTH, timeout=60)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    for role, client in clients.items():
        answer = client.request(method, url, json={})
        if _allowed(role, action):
            assert answer.status_code not in (401, 403), (role, answer.text[:300])
        else:
            assert answer.status_code == 403, (role, answer.status_code, answer.text[:300])
            assert answer.json()["title"] == "forbidden"


def test_allowed_roles_really_change_things(clients: dict[str, Client]) -> None:
    """Through the guard, with valid bodies: 200/201 for a role that may, 403 otherwise."""
    answers = {"answers": {"p1": "no", "p2": "yes"}}
    assert clients["member"].request("POST", "/api/v1/tech/selfcheck",
                                     json=answers).status_code == 200
    assert clients["auditor"].request("POST", "/api/v1/tech/selfcheck",
                                      json=answers).status_code == 403
    decision = {"query": "Huawei", "entity_id": "x-1", "decision": "false_positive",
                "note": "checked"}
    made = clients["member"].request("POST", "/api/v1/screening/decisions", json=decision)
    assert made.status_code in (201, 422), made.text  # 422: an entity id the lists lack
    assert clients["admin"].request("POST", "/api/v1/screening/decisions",
                                    json=decision).status_code == 403


# ------------------------------------------------------------------ sessions and CSRF


def test_reads_need_a_session_once_users_exist(server: LiveServer,
                                               clients: dict[str, Client]) -> None:
    api = httpx.get(server.url + "/api/v1/countries", timeout=30)
    assert api.status_code == 401
    assert api.json()["title"] == "sign-in required"
    page = httpx.get(server.url + "/countries?x=1", headers={"Accept": "text/html"},
                     timeout=30)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fcountries%3Fx%3D1"
    for public in ("/login", "/api/v1/health", "/static/econsec.css"):
        assert httpx.get(server.url + public, timeout=30).status_code == 200, public
    signed_in = clients["auditor"].http.get("/api/v1/countries")
    assert signed_in.status_code == 200
    # what a signed-in user reads is kept by no shared cache and not shown from the
    # browser's cache after sign-out; static assets keep their own caching
    assert signed_in.headers["cache-control"] == "private, no-store"
    assert "no-store" not in clients["auditor"].http.get("/static/econsec.css").headers.get(
        "cache-control", "")


def test_csrf_token_is_the_sessions(server: LiveServer, clients: dict[str, Client]) -> None:
    member, other = clients["member"], clients["analyst"]
    body = {"answers": {"p1": "no"}}
    for token in ("", AUTH["X-CSRF-Token"], other.csrf, "guess"):
        refused = member.http.post("/api/v1/tech/selfcheck", json=body,
                                   headers={"X-CSRF-Token": token} if token else {})
        assert refused.status_code == 403, token
        assert refused.json()["title"] == "cross-site request refused"
    assert member.request("POST", "/api/v1/tech/selfcheck", json=body).status_code == 200
    # a page carries the session's token, not the server's
    page = member.http.get("/tech/selfcheck", headers={"Accept": "text/html"}).text
    assert f'content="{member.csrf}"' in page and AUTH["X-CSRF-Token"] not in page
    assert "member" in page and "meti" in page and 'action="/logout"' in page


def test_sign_in_rotates_and_sign_out_ends(server: LiveServer) -> None:
    client = Client(server, "analyst")
    first = client.http.cookies["econsec_session"]
    again = client.http.post("/api/v1/session", json={"name": "analyst",
                                                      "password": PASSWORD})
    second = client.http.cookies["econsec_session"]
    assert again.status_code == 200 and second != first
    stale = httpx.get(server.url + "/api/v1/countries", cookies={"econsec_session": first})
    assert stale.status_code == 401  # the session of the first sign-in was ended
    client.csrf = again.json()["csrf_token"]
    forged = client.http.delete("/api/v1/session", headers={"X-CSRF-Token": "guess"})
    assert forged.status_code == 403  # signing out needs the session's token too
    assert client.request("DELETE", "/api/v1/session").status_code == 204
    gone = httpx.get(server.url + "/api/v1/countries", cookies={"econsec_session": second})
    assert gone.status_code == 401


def test_only_the_hash_of_the_cookie_is_stored(server: LiveServer) -> None:
    client = Client(server, "secretariat")
    cookie = client.http.cookies["econsec_session"]
    with sqlite3.connect(server.db) as conn:
        rows = conn.execute("SELECT token_hash, csrf_token FROM sessions").fetchall()
    assert rows and all(cookie not in row[0] for row in rows)
    import hashlib

    assert hashlib.sha256(cookie.encode()).hexdigest() in {row[0] for row in rows}


def test_wrong_passwords_fail_alike_and_lock_out(server: LiveServer) -> None:
    answers = [httpx.post(server.url + "/api/v1/session", timeout=30,
                          json={"name": name, "password": "wrong password here"})
               for name in ("lockme", "nobody-at-all")]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json()["detail"] == answers[1].json()["detail"]
    for _ in range(5):
        httpx.post(server.url + "/api/v1/session", timeout=30,
                   json={"name": "lockme", "password": "wrong password here"})
    locked = httpx.post(server.url + "/api/v1/session", timeout=30,
                        json={"name": "lockme", "password": PASSWORD})
    assert locked.status_code == 401  # the right password, but locked
    bad = httpx.post(server.url + "/api/v1/session", timeout=30, json={"name": "x"})
    assert bad.status_code == 422


def test_suspension_ends_the_session(server: LiveServer) -> None:
    from econsec.access.accounts import Accounts

    client = Client(server, "suspendme")
    assert client.http.get("/api/v1/countries").status_code == 200
    Accounts(server.state.store.engine, by="test").suspend_user("suspendme")
    assert client.http.get("/api/v1/countries").status_code == 401


def test_sessions_expire_idle_and_absolute(server: LiveServer) -> None:
    from econsec.access.sessions import Sessions
    from econsec.settings import Settings

    settings = Settings()
    settings.session_idle_minutes = 10
    settings.session_hours = 1
    store = Sessions(server.state.store.engine, settings)
    user_id = _user_id(server, "lifetimes")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    cookie, csrf = store.create(user_id, verified=True, at=start)
    seen = store.get(cookie, at=start + timedelta(minutes=9))
    assert seen is not None and seen.csrf_token == csrf and seen.user_name == "lifetimes"
    # each request moves the idle end: 9 + 9 minutes later it is still alive ...
    assert store.get(cookie, at=start + timedelta(minutes=18)) is not None
    # ... but never beyond the absolute end
    for minutes in range(27, 60, 9):
        assert store.get(cookie, at=start + timedelta(minutes=minutes)) is not None
    assert store.get(cookie, at=start + timedelta(minutes=61)) is None
    idle, _ = store.create(user_id, verified=True, at=start)
    assert store.get(idle, at=start + timedelta(minutes=10, seconds=1)) is None
    assert store.get(idle, at=start) is None  # removed when found expired
    assert store.get("not-a-session", at=start) is None
    a, _ = store.create(user_id, verified=True, at=start)
    b, _ = store.create(user_id, verified=True, at=start)
    assert store.end_all(user_id) >= 2
    assert store.get(a, at=start) is None and store.get(b, at=start) is None


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_sessions_on_postgres(audit_dir: Path) -> None:
    """The same session rules on PostgreSQL (the server store of a deployment)."""
    from econsec.access.accounts import Accounts
    from econsec.access.sessions import Sessions
    from econsec.kb.engine import open_engine
    from econsec.settings import Settings

    url = own_postgres_url(PG_DATABASE)
    reset_postgres(url)
    engine = open_engine(url)
    try:
        accounts = Accounts(engine, by="test")
        accounts.add_org("meti", kind="government")
        user_id = accounts.add_user("pg-user", org="meti", roles=["member"],
                                    password=PASSWORD, clearance_level=1)
        settings = Settings()
        settings.session_idle_minutes = 5
        settings.session_hours = 1
        store = Sessions(engine, settings)
        start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        cookie, csrf = store.create(user_id, verified=False, at=start)
        pending = store.get(cookie, at=start)
        assert pending is not None and not pending.verified and pending.csrf_token == csrf
        store.verify(cookie)
        assert store.get(cookie, at=start + timedelta(minutes=4)) is not None
        assert store.get(cookie, at=start + timedelta(minutes=8)) is not None
        assert store.get(cookie, at=start + timedelta(minutes=14)) is None  # idle
        other, _ = store.create(user_id, verified=True, at=start)
        assert store.count(user_id, at=start) == 1
        store.end(other)
        assert store.get(other, at=start) is None
        accounts.suspend_user("pg-user")
        third, _ = store.create(user_id, verified=True, at=start)
        assert store.get(third, at=start) is None  # a suspended user has no session
    finally:
        engine.dispose()


def _user_id(server: LiveServer, name: str) -> int:
    with sqlite3.connect(server.db) as conn:
        return int(conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0])


# ------------------------------------------------------------------ the sign-in page


@pytest.mark.parametrize(("target", "landing"), [
    ("/countries?home=JPN", "/countries?home=JPN"),
    ("//evil.example/x", "/"),
    ("/\\evil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("/login", "/"),
])
def test_login_page_goes_back_to_same_site_pages_only(server: LiveServer, target: str,
                                                      landing: str) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        answer = browser.post("/login", data={"name": "member", "password": PASSWORD,
                                              "next": target},
                              headers={"Accept": "text/html", "Origin": server.url})
        assert answer.status_code == 303 and answer.headers["location"] == landing
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie


@pytest.mark.parametrize(("lang", "word"), [("en", "Sign in"), ("ja", "サインイン")])
def test_login_page_in_both_languages(server: LiveServer, lang: str, word: str) -> None:
    page = httpx.get(f"{server.url}/login?lang={lang}", timeout=30)
    assert page.status_code == 200 and word in page.text
    wrong = httpx.post(f"{server.url}/login?lang={lang}", timeout=30,
                       data={"name": "member", "password": "nope nope nope"},
                       headers={"Accept": "text/html", "Origin": server.url})
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text


def test_login_from_another_origin_is_refused(server: LiveServer) -> None:
    forged = httpx.post(server.url + "/login", timeout=30,
                        data={"name": "member", "password": PASSWORD},
                        headers={"Origin": "http://evil.example"})
    assert forged.status_code == 403 and "set-cookie" not in forged.headers


def _code(name: str, *, wrong: bool = False) -> str:
    import pyotp

    code = pyotp.parse_uri(TOTP_URIS[name]).now()
    return f"{(int(code) + 1) % 1_000_000:06d}" if wrong else code


def test_second_factor_through_the_api(server: LiveServer) -> None:
    url = server.url + "/api/v1/session"
    body = {"name": "otp-api", "password": PASSWORD}
    missing = httpx.post(url, json=body, timeout=30)
    assert missing.status_code == 401 and missing.json()["totp_required"] is True
    assert "set-cookie" not in missing.headers
    wrong = httpx.post(url, json={**body, "totp": _code("otp-api", wrong=True)}, timeout=30)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    right = httpx.post(url, json={**body, "totp": _code("otp-api")}, timeout=30)
    assert right.status_code == 200, right.text
    cookie = right.cookies["econsec_session"]
    assert httpx.get(server.url + "/api/v1/countries", cookies={"econsec_session": cookie},
                     timeout=30).status_code == 200


def test_second_factor_through_the_page(server: LiveServer) -> None:
    html = {"Accept": "text/html", "Origin": server.url}
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        step = browser.post("/login", headers=html, data={
            "name": "otp-page", "password": PASSWORD, "next": "/tech"})
        assert step.status_code == 200 and 'action="/login/totp"' in step.text
        pending = browser.cookies["econsec_session"]
        # a session still waiting for its code is not signed in
        assert browser.get("/tech", headers=html).status_code == 303
        assert browser.get("/api/v1/countries").status_code == 401
        wrong = browser.post("/login/totp", headers=html,
                             data={"code": _code("otp-page", wrong=True), "next": "/tech"})
        assert wrong.status_code == 401 and 'role="alert"' in wrong.text
        done = browser.post("/login/totp", headers=html,
                            data={"code": _code("otp-page"), "next": "/tech"})
        assert done.status_code == 303 and done.headers["location"] == "/tech"
        assert browser.cookies["econsec_session"] != pending  # rotated
        assert browser.get("/tech", headers=html).status_code == 200
        stale = httpx.get(server.url + "/api/v1/countries",
                          cookies={"econsec_session": pending}, timeout=30)
        assert stale.status_code == 401


# ------------------------------------------------------------------ transfer cases


def test_cases_belong_to_the_organisation(server: LiveServer,
                                          clients: dict[str, Client]) -> None:
    meti, acme = clients["member"], Client(server, "acme-member")
    body = {"technology": "semiconductor-photoresists", "counterparty": "Foo Ltd",
            "country": "CHN", "channel": "subsidiary", "decision_date": "2025-06-01"}
    created = meti.request("POST", "/api/v1/tech/cases", json=body)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["created_by"] == "member" and case["history"][0]["actor"] == "member"
    assert meti.request("POST", "/api/v1/tech/cases",
                        json={**body, "actor": "someone else"}).status_code == 422
    ids = {c["id"] for c in meti.http.get("/api/v1/tech/cases").json()["cases"]}
    assert case["id"] in ids
    assert case["id"] not in {c["id"] for c in
                              acme.http.get("/api/v1/tech/cases").json()["cases"]}
    assert acme.http.get(f"/api/v1/tech/cases/{case['id']}").status_code == 404
    moved = acme.request("POST", f"/api/v1/tech/cases/{case['id']}/move",
                         json={"status": "reported", "note": "filed"})
    assert moved.status_code == 404
    page = acme.http.get(f"/tech/cases/{case['id']}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    mine = meti.request("POST", f"/api/v1/tech/cases/{case['id']}/move",
                        json={"status": "reported", "note": "filed"})
    assert mine.status_code == 200 and mine.json()["history"][-1]["actor"] == "member"
    with sqlite3.connect(server.db) as conn:
        org = conn.execute("SELECT org_id FROM transfer_cases WHERE id = ?",
                           (case["id"],)).fetchone()[0]
        meti_id = conn.execute("SELECT id FROM orgs WHERE name = 'meti'").fetchone()[0]
    assert org == meti_id


# ------------------------------------------------------------------ audit


def test_sign_in_events_and_denials_are_audited(server: LiveServer,
                                                clients: dict[str, Client]) -> None:
    from econsec.audit.log import AuditLog

    log = AuditLog(server.state.store.engine)
    before = log.count(action="deny")
    refused = clients["auditor"].request("POST", "/api/v1/data/import", json={})
    assert refused.status_code == 403
    assert log.count(action="deny") == before + 1
    denial = log.page(limit=1, action="deny")[0]
    assert denial.actor == "auditor" and denial.outcome == "denied"
    assert "/api/v1/data/import" in denial.resource
    Client(server, "analyst").request("DELETE", "/api/v1/session")
    logins = {(r.actor, r.outcome) for r in log.page(limit=500, action="login")}
    assert ("analyst", "ok") in logins and ("lockme", "failed") in logins
    assert log.page(limit=1, action="logout")[0].actor == "analyst"
    anonymous = httpx.post(server.url + "/api/v1/tech/selfcheck", json={}, timeout=30)
    assert anonymous.status_code == 401
    assert log.page(limit=1, action="deny")[0].actor == "anonymous"
    assert log.verify().ok


# ------------------------------------------------------------------ local mode and caches


def test_local_mode_says_so_and_needs_no_sign_in(built_db: Path,
                                                 tmp_path_factory: pytest.TempPathFactory,
                                                 audit_dir: Path) -> None:
    db = tmp_path_factory.mktemp("local-mode") / "econsec.db"
    shutil.copy(built_db, db)
    banners = {"en": "Single-user local mode", "ja": "単一利用者のローカルモード"}
    with live_server(db, warm_up=False) as local:
        for lang, banner in banners.items():
            page = httpx.get(f"{local.url}/tech?lang={lang}", timeout=30)
            assert page.status_code == 200 and banner in page.text, lang
            assert 'action="/logout"' not in page.text
            assert f'content="{AUTH["X-CSRF-Token"]}"' in page.text  # the server's token
        assert httpx.get(local.url + "/api/v1/countries", timeout=30).status_code == 200
        refused = httpx.post(local.url + "/api/v1/session", headers=AUTH, timeout=30,
                             json={"name": "member", "password": PASSWORD})
        assert refused.status_code == 409 and "set-cookie" not in refused.headers
        case = httpx.post(local.url + "/api/v1/tech/cases", headers=AUTH, timeout=30, json={
            "technology": "semiconductor-photoresists", "counterparty": "Foo Ltd",
            "country": "CHN", "channel": "subsidiary", "decision_date": "2025-06-01",
            "actor": "K. Tanaka"})
        assert case.status_code == 201 and case.json()["created_by"] == "K. Tanaka"
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT org_id FROM transfer_cases WHERE id = ?",
                                (case.json()["id"],)).fetchone()[0] is None


def test_cache_keys_follow_what_the_actor_may_see() -> None:
    from econsec.access.actions import Role
    from econsec.access.actor import LOCAL_ACTOR, Actor, Clearance
    from econsec.web.auth import cache_key_for

    at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    alice = Actor(name="alice", user_id=1, org_id=1, roles=frozenset({Role.MEMBER}),
                  clearance=Clearance(2, frozenset({"CRM"})), groups=frozenset({3}))
    same = cache_key_for(alice, "items", 1, at=at)
    assert same == cache_key_for(alice, "items", 1, at=at)
    others = [
        Actor(name="bob", user_id=2, org_id=1, roles=frozenset({Role.MEMBER}),
              clearance=Clearance(2, frozenset({"CRM"})), groups=frozenset({3})),
        Actor(name="alice", user_id=1, org_id=1, roles=frozenset({Role.MEMBER}),
              clearance=Clearance(1, frozenset({"CRM"})), groups=frozenset({3})),
        Actor(name="alice", user_id=1, org_id=1, roles=frozenset({Role.MEMBER}),
              clearance=Clearance(2), groups=frozenset({3})),
        Actor(name="alice", user_id=1, org_id=1, roles=frozenset({Role.MEMBER}),
              clearance=Clearance(2, frozenset({"CRM"}))),
        Actor(name="alice", user_id=1, org_id=2, roles=frozenset({Role.MEMBER}),
              clearance=Clearance(2, frozenset({"CRM"})), groups=frozenset({3})),
        LOCAL_ACTOR,
    ]
    keys = {cache_key_for(actor, "items", 1, at=at) for actor in others}
    assert same not in keys and len(keys) == len(others)
    assert cache_key_for(alice, "items", 1, at=at + timedelta(days=1)) != same
