"""The audit log on the web: ``GET /api/v1/audit`` and ``/audit`` for auditors only, every
request recorded once users exist (actor, method and path without query values, status,
denials), the chain intact after it all; the page in Chromium in Japanese."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from audit_env import private_audit_dir
from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with private_audit_dir(tmp_path_factory.mktemp("audit-web")) as folder:
        yield folder


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory,
           audit_dir: Path) -> Iterator[LiveServer]:
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine

    db = tmp_path_factory.mktemp("audit-web-db") / "econsec.db"
    shutil.copy(built_db, db)
    engine = open_engine(f"sqlite:///{db}")
    accounts = Accounts(engine, by="test")
    accounts.add_org("meti", kind="government")
    for name, role in (("aud", "auditor"), ("adm", "admin"), ("mem", "member")):
        accounts.add_user(name, org="meti", roles=[role], password=PASSWORD,
                          clearance_level=2)
    engine.dispose()
    with live_server(db, warm_up=False) as live:
        yield live


def _client(server: LiveServer, name: str | None) -> httpx.Client:
    http = httpx.Client(base_url=server.url, timeout=60)
    if name is not None:
        answer = http.post("/api/v1/session", json={"name": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
    return http


def _records(auditor: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    answer = auditor.get("/api/v1/audit", params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    records: list[dict[str, Any]] = answer.json()["records"]
    return records


def test_only_auditors_read_the_log(server: LiveServer) -> None:
    auditor, member, admin = (_client(server, n) for n in ("aud", "mem", "adm"))
    anonymous = _client(server, None)
    assert auditor.get("/api/v1/audit").status_code == 200
    assert member.get("/api/v1/audit").status_code == 403
    assert admin.get("/api/v1/audit").status_code == 403
    assert anonymous.get("/api/v1/audit").status_code == 401
    assert member.get("/audit").status_code == 403
    assert auditor.get("/api/v1/audit", params={"outcome": "maybe"}).status_code == 422
    denials = _records(auditor, actor="mem", outcome="denied")
    resources = {(r["action"], r["resource"]) for r in denials}
    assert ("deny", "GET /api/v1/audit") in resources  # the guard's record
    assert ("request", "GET /api/v1/audit") in resources  # the middleware's record
    request = next(r for r in denials if r["action"] == "request"
                   and r["resource"] == "GET /audit")
    assert request["detail"]["status"] == 403 and request["actor_id"] is not None
    unsigned = _records(auditor, actor="anonymous", action="request")
    assert any(r["resource"] == "GET /api/v1/audit" and r["detail"]["status"] == 401
               for r in unsigned)


def test_every_request_is_recorded_without_query_values(server: LiveServer) -> None:
    auditor, member = _client(server, "aud"), _client(server, "mem")
    assert member.get("/api/v1/countries", params={"q": "hunter2-secret-value"}
                      ).status_code in (200, 422)
    missing = member.get("/api/v1/items/987654")
    assert missing.status_code == 404
    records = _records(auditor, actor="mem", action="request")
    search = next(r for r in records if r["resource"] == "GET /api/v1/countries")
    assert search["detail"]["query"] == ["q"] and search["outcome"] == "ok"
    hidden = next(r for r in records if r["resource"] == "GET /api/v1/items/987654")
    assert hidden["outcome"] == "denied" and hidden["detail"]["status"] == 404
    everything = auditor.get("/api/v1/audit", params={"limit": 1000}).text
    assert "hunter2-secret-value" not in everything
    assert PASSWORD not in everything
    check = auditor.get("/api/v1/audit/verify").json()
    assert check["ok"] and check["keyed"] and check["anchored"] and check["checked"] > 10


def test_page_filters_and_navigation(server: LiveServer) -> None:
    auditor, member = _client(server, "aud"), _client(server, "mem")
    page = auditor.get("/audit", params={"actor": "mem", "outcome": "denied", "lang": "en"})
    assert page.status_code == 200
    assert 'href="/audit"' in page.text  # the navigation entry for auditors
    assert "GET /api/v1/audit" in page.text and "Source: this server" in page.text
    assert "matching records" in page.text
    checked = auditor.get("/audit", params={"verify": "1", "lang": "ja"})
    assert "改ざんなし" in checked.text and "監査ログ" in checked.text
    overview = member.get("/tech/cases", params={"lang": "en"})
    assert overview.status_code == 200 and 'href="/audit"' not in overview.text


def test_tampering_shows_on_the_page(server: LiveServer) -> None:
    import sqlite3

    auditor = _client(server, "aud")
    with sqlite3.connect(server.db) as conn:
        (original,) = conn.execute("SELECT resource FROM audit_log WHERE seq = 2").fetchone()
        conn.execute("UPDATE audit_log SET resource = 'GET /elsewhere' WHERE seq = 2")
    try:
        page = auditor.get("/audit", params={"verify": "1", "lang": "ja"})
        assert "記録 2 で破損を検出しました" in page.text
        assert "記録が編集されています" in page.text
        check = auditor.get("/api/v1/audit/verify").json()
        assert not check["ok"] and check["first_broken"] == 2 and check["check"] == "hash"
    finally:
        with sqlite3.connect(server.db) as conn:
            conn.execute("UPDATE audit_log SET resource = ? WHERE seq = 2", (original,))
    assert auditor.get("/api/v1/audit/verify").json()["ok"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_audit_page_in_chromium(server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "/login?next=/audit&lang=ja")
            page.fill("input[name=name]", "aud")
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").last.click()
            page.wait_for_url("**/audit")
            assert page.locator("h1").inner_text() == "監査ログ"
            assert page.locator("#audit-table tbody tr").count() > 0
            page.fill("#f-actor", "mem")
            page.click("form.filters button")
            page.wait_for_url("**/audit?actor=mem*")
            actors = page.locator("#audit-table tbody tr td:nth-child(3)").all_inner_texts()
            assert actors and set(actors) == {"mem"}
            page.click("#verify-link")
            assert "改ざんなし" in page.locator("#verify-result").inner_text()
            assert errors == []
        finally:
            browser.close()
