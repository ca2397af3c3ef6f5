"""Tabletop exercises through the web app, with real user accounts on a real loopback
server: the API's guards (facilitators, team membership checked against the knowledge base,
not the form; outsiders get a 404; CSRF), bad input, the after-action report in English and
Japanese as HTML and PDF; and a facilitator and two teams playing the small worked exercise
in three browser contexts at once (Playwright driving /usr/bin/chromium), each team seeing
the other's move and the recomputed loss."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery staple"
SMALL = "pymrio-test-mining-outage"
USERS = {  # name: (organisation, roles)
    "fac": ("meti", ["secretariat"]),
    "gov1": ("meti", ["member"]),
    "ind1": ("acme", ["member"]),
    "outsider": ("acme", ["member"]),
    "otherfac": ("acme", ["secretariat"]),
    "aud": ("meti", ["auditor"]),
}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A copy of the built knowledge base with users in two organisations."""
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine

    db = tmp_path_factory.mktemp("exercises-web") / "econsec.db"
    shutil.copy(built_db, db)
    engine = open_engine(f"sqlite:///{db}")
    accounts = Accounts(engine, by="test")
    accounts.add_org("meti", kind="government", title="METI")
    accounts.add_org("acme", kind="company", title="Acme")
    for name, (org, roles) in USERS.items():
        accounts.add_user(name, org=org, roles=roles, password=PASSWORD, clearance_level=1,
                          display_name=name.upper())
    engine.dispose()
    with live_server(db, warm_up=False) as live:
        yield live
    db.unlink(missing_ok=True)


class Client:
    """A signed-in script: its session cookie and the session's CSRF token."""

    def __init__(self, server: LiveServer, name: str) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=60)
        answer = self.http.post("/api/v1/session", json={"name": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, **(kwargs.pop("headers", None) or {})}
        return self.http.post(path, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)


@pytest.fixture(scope="module")
def clients(server: LiveServer) -> dict[str, Client]:
    return {name: Client(server, name) for name in USERS}


def _wait_for_results(client: Client, exercise_id: int, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/exercises/{exercise_id}/status").json()
        if not status["pending"]:
            return dict(client.get(f"/api/v1/exercises/{exercise_id}").json())
        time.sleep(0.2)
    raise AssertionError(f"moves of exercise {exercise_id} not recomputed in {seconds} s")


def test_api_guards_membership_and_bad_input(clients: dict[str, Client]) -> None:
    fac, gov, ind = clients["fac"], clients["gov1"], clients["ind1"]
    assert gov.post("/api/v1/exercises", json={"worked": SMALL}).status_code == 403
    made = fac.post("/api/v1/exercises", json={"worked": SMALL})
    assert made.status_code == 201, made.text
    ex = made.json()["id"]
    assert fac.post("/api/v1/exercises", json={"worked": "no-such"}).status_code == 404
    assert fac.post("/api/v1/exercises", json={"file": SMALL}).status_code == 422
    # who sees it: its facilitators, then the members assigned to its teams
    for name in ("outsider", "gov1", "otherfac", "aud"):
        assert clients[name].get(f"/api/v1/exercises/{ex}").status_code == 404, name
        listed = clients[name].get("/api/v1/exercises").json()["exercises"]
        assert ex not in [e["id"] for e in listed]
    assert clients["otherfac"].post(f"/api/v1/exercises/{ex}/start").status_code == 404
    for user, team in (("gov1", "government"), ("ind1", "industry")):
        answer = fac.post(f"/api/v1/exercises/{ex}/members", json={"user": user, "team": team})
        assert answer.status_code == 200, answer.text
    assert fac.post(f"/api/v1/exercises/{ex}/members",
                    json={"user": "nobody", "team": "industry"}).status_code == 404
    assert fac.post(f"/api/v1/exercises/{ex}/members",
                    json={"user": "outsider", "team": "partner"}).status_code == 404
    assert gov.get(f"/api/v1/exercises/{ex}").json()["my_team"] == "government"
    # players cannot facilitate; nobody moves before the start
    assert gov.post(f"/api/v1/exercises/{ex}/start").status_code == 403
    move = {"team": "government",
            "measures": [{"measure": "stockpile-release", "parameters": {"days": 40}}]}
    early = gov.post(f"/api/v1/exercises/{ex}/moves", json=move)
    assert early.status_code == 422 and "running" in early.json()["detail"]
    assert fac.post(f"/api/v1/exercises/{ex}/start").status_code == 200
    assert fac.post(f"/api/v1/exercises/{ex}/advance", json={"minutes": 0}).status_code == 422
    assert fac.post(f"/api/v1/exercises/{ex}/advance", json={"minutes": 99}).status_code == 422
    assert fac.post(f"/api/v1/exercises/{ex}/release",
                    json={"item": "stockpile"}).status_code == 422  # not due yet
    assert fac.post(f"/api/v1/exercises/{ex}/release", json={"item": "outage"}).status_code == 200
    assert fac.post(f"/api/v1/exercises/{ex}/release", json={"item": "outage"}).status_code == 422
    # a move only for one's own team (the team in the body is checked, never trusted)
    forged = ind.post(f"/api/v1/exercises/{ex}/moves", json=move)
    assert forged.status_code == 403 and "government" in forged.json()["detail"]
    assert clients["aud"].post(f"/api/v1/exercises/{ex}/moves", json=move).status_code == 403
    no_token = gov.http.post(f"/api/v1/exercises/{ex}/moves", json=move)
    assert no_token.status_code == 403
    bad_range = {"team": "government",
                 "measures": [{"measure": "stockpile-release", "parameters": {"days": 500}}]}
    refused = gov.post(f"/api/v1/exercises/{ex}/moves", json=bad_range)
    assert refused.status_code == 422 and "[10, 90]" in refused.json()["detail"]
    not_allowed = {"team": "government", "measures": [{"measure": "recycling"}]}
    assert gov.post(f"/api/v1/exercises/{ex}/moves", json=not_allowed).status_code == 422
    assert gov.post(f"/api/v1/exercises/{ex}/moves",
                    json={"team": "government", "measures": []}).status_code == 422
    ok = gov.post(f"/api/v1/exercises/{ex}/moves", json=move)
    assert ok.status_code == 202, ok.text
    doc = _wait_for_results(fac, ex)
    row = next(r for r in doc["timeline"] if r["kind"] == "move")
    assert row["team"] == "government" and row["result"]["avoided"]["final_demand_unmet"] > 0
    assert row["result"]["sources"] and doc["latest"] == row["result"]
    # after the end: no move, and the report's reference runs
    assert fac.post(f"/api/v1/exercises/{ex}/end").status_code == 200
    late = gov.post(f"/api/v1/exercises/{ex}/moves", json=move)
    assert late.status_code == 422 and "ended" in late.json()["detail"]
    deadline = time.monotonic() + 60
    while not fac.get(f"/api/v1/exercises/{ex}").json()["report_ready"]:
        assert time.monotonic() < deadline, "report runs not done"
        time.sleep(0.2)
    data = gov.get(f"/api/v1/exercises/{ex}/report").json()
    assert [r["key"] for r in data["comparison"]] == ["baseline", "exercise", "best"]
    for lang, heading in (("en", "After-action report"), ("ja", "事後検証報告")):
        html = gov.get(f"/api/v1/exercises/{ex}/report", params={"format": "html",
                                                                 "lang": lang})
        assert html.status_code == 200 and heading in html.text
        pdf = gov.get(f"/exercises/{ex}/report.pdf", params={"lang": lang})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert pdf.headers["content-type"] == "application/pdf"
    assert clients["outsider"].get(f"/api/v1/exercises/{ex}/report").status_code == 404
    assert clients["outsider"].get(f"/exercises/{ex}/report.pdf").status_code == 404


# ------------------------------------------------------------------ three browsers at once


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


#: Script errors each signed-in browser page reported, by user.
ERRORS: dict[str, list[str]] = {}


def _signed_in(chromium: Any, base: str, name: str, locale: str = "en-GB") -> Any:
    context = chromium.new_context(locale=locale)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('form.login-form button[type="submit"]')
    ERRORS[name] = []
    page.on("pageerror", lambda exc: ERRORS[name].append(str(exc)))
    return page


def _post(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_facilitator_and_two_teams_play_at_once(server: LiveServer, chromium: Any) -> None:
    base = server.url
    fac = _signed_in(chromium, base, "fac")
    gov = _signed_in(chromium, base, "gov1", "ja-JP")
    ind = _signed_in(chromium, base, "ind1")
    try:
        # the facilitator opens the worked exercise, assigns the players and starts
        fac.goto(base + "/exercises")
        fac.select_option("#worked", SMALL)
        _post(fac, 'form[action="/exercises"] button[type="submit"]')
        assert fac.url.endswith("/facilitate"), fac.url
        ex = fac.url.split("/")[-2]
        for user, team in (("gov1", "government"), ("ind1", "industry")):
            fac.fill("#assign-user", user)
            fac.select_option("#assign-team", team)
            _post(fac, "#assign button")
        assert "gov1" in fac.inner_text("#members") and "ind1" in fac.inner_text("#members")
        _post(fac, "#start")
        _post(fac, 'button[data-release="outage"]')
        assert fac.inner_text("#day") == "5"
        # each team sees its page; the other team's page takes no move from it
        gov.goto(f"{base}/exercises/{ex}/teams/government")
        ind.goto(f"{base}/exercises/{ex}/teams/industry")
        assert "鉱山の停止" in gov.inner_text("#timeline")  # the inject, in Japanese
        gov.fill("#stockpile-release-days", "40")
        # both teams submit at the same moment
        gov.click('form[data-measure="stockpile-release"] button[type="submit"]',
                  no_wait_after=True)
        ind.click('form[data-measure="rd-platform"] button[type="submit"]',
                  no_wait_after=True)
        for page, other in ((gov, "industry"), (ind, "government")):
            page.wait_for_selector(
                f'#timeline tr[data-kind="move"][data-team="{other}"] .avoided',
                timeout=60_000)
            page.wait_for_selector('#timeline tr[data-kind="move"] .avoided >> nth=1',
                                   timeout=60_000)
        # both see the same recomputed loss, which is the API's latest standing
        api = Client(server, "fac").get(f"/api/v1/exercises/{ex}").json()
        moves = [r for r in api["timeline"] if r["kind"] == "move"]
        assert {r["team"] for r in moves} == {"government", "industry"}
        assert all(r["result"] for r in moves)
        last = max(moves, key=lambda r: r["seq"])["result"]
        expected_loss = last["measures"]["final_demand_unmet"]
        gov.wait_for_function(
            "n => document.querySelector('#loss') && document.querySelector('#loss')"
            ".dataset.value == n", arg=str(expected_loss), timeout=30_000)
        ind.wait_for_function(
            "n => document.querySelector('#loss') && document.querySelector('#loss')"
            ".dataset.value == n", arg=str(expected_loss), timeout=30_000)
        assert gov.inner_text("#loss") != ""
        # a decision point: released by the facilitator, answered by the government team
        fac.goto(f"{base}/exercises/{ex}/facilitate")
        fac.fill("#minutes", "5")
        _post(fac, "#advance")
        _post(fac, 'button[data-release="stockpile"]')
        gov.wait_for_selector('form[data-decision="stockpile"]', timeout=30_000)
        _post(gov, 'form[data-decision="stockpile"] button[value="release"]')
        ind.wait_for_selector('#timeline tr[data-kind="decision"][data-team="government"]',
                              timeout=30_000)
        # the industry member cannot move for the government team
        ind.goto(f"{base}/exercises/{ex}/teams/government")
        assert ind.is_disabled('form[data-measure="stockpile-release"] button[type="submit"]')
        # the end: the report link appears for everybody once its runs are done
        _post(fac, "#end")
        for page in (fac, gov):
            page.goto(f"{base}/exercises/{ex}")
            page.wait_for_selector("#report-link", timeout=60_000)
        gov.click("#report-link")
        gov.wait_for_selector("#comparison")
        assert "事後検証報告" in gov.inner_text("h1")
        assert gov.locator('#comparison tr[data-key="best"]').count() == 1
        assert ERRORS == {"fac": [], "gov1": [], "ind1": []}
    finally:
        for page in (fac, gov, ind):
            page.context.close()


def test_exercise_pages_in_japanese(server: LiveServer, clients: dict[str, Client]) -> None:
    """The board, facilitator, team and report pages of a played exercise, and a refused
    move, show no English of econsec's own in Japanese (the file's texts are bilingual)."""
    from test_ja_everywhere import JAPANESE, english_left, visible_text

    fac, gov = clients["fac"], clients["gov1"]
    ex = fac.post("/api/v1/exercises", json={"worked": SMALL}).json()["id"]
    fac.post(f"/api/v1/exercises/{ex}/members", json={"user": "gov1", "team": "government"})
    fac.post(f"/api/v1/exercises/{ex}/start")
    fac.post(f"/api/v1/exercises/{ex}/release", json={"item": "outage"})
    gov.post(f"/api/v1/exercises/{ex}/moves", json={
        "team": "government", "measures": [{"measure": "stockpile-release"}]})
    _wait_for_results(fac, ex)
    bad = gov.post(f"/exercises/{ex}/teams/government/moves?lang=ja", data={
        "csrf_token": gov.csrf, "measure": "stockpile-release", "p:days": "5"})
    assert bad.status_code == 422
    pages = {f"/exercises/{ex}": fac, f"/exercises/{ex}/facilitate": fac,
             f"/exercises/{ex}/teams/government": gov, f"/exercises/{ex}/report": gov,
             "/exercises": fac}
    shown_pages = [(path, client.get(path, params={"lang": "ja"})) for path, client
                   in pages.items()] + [("posted move", bad)]
    for path, answer in shown_pages:
        assert answer.status_code in (200, 422), path
        shown = visible_text(answer.text)
        assert JAPANESE.search(shown), path
        assert not english_left(shown, []), (path, english_left(shown, []))
    assert "範囲" in visible_text(bad.text)  # the refusal itself, in Japanese


def test_the_icio_exercise_recomputes_a_move(clients: dict[str, Client]) -> None:
    """The worked exercise on China's critical-mineral controls (ICIO 2022 with the BACI
    flows of the knowledge base): one move recomputed with its baseline (two ARIO runs on
    the 31-region table, a few seconds: the one ICIO test of the exercises)."""
    fac, gov = clients["fac"], clients["gov1"]
    made = fac.post("/api/v1/exercises", json={"worked": "icio-china-critical-minerals-japan"})
    assert made.status_code == 201, made.text
    ex = made.json()["id"]
    assert [t["id"] for t in made.json()["teams"]] == ["government", "industry", "partner"]
    fac.post(f"/api/v1/exercises/{ex}/members", json={"user": "gov1", "team": "government"})
    fac.post(f"/api/v1/exercises/{ex}/start")
    fac.post(f"/api/v1/exercises/{ex}/release", json={"item": "licences-withheld"})
    started = time.monotonic()
    answer = gov.post(f"/api/v1/exercises/{ex}/moves", json={
        "team": "government", "measures": [{"measure": "stockpile-release",
                                            "parameters": {"days": 60}}]})
    assert answer.status_code == 202, answer.text
    doc = _wait_for_results(fac, ex, seconds=180)
    result = doc["latest"]
    print(f"ICIO move recomputed in {time.monotonic() - started:.1f} s "
          f"(engine {result['seconds']} s)")
    assert result["measures"]["region"] == "JPN" and result["mrio"]
    assert any("BACI" in s for s in result["sources"]), result["sources"]
    assert any("CHN/C20->JPN" in m for m in result["mitigations"]), result["mitigations"]
    assert result["avoided"]["final_demand_unmet"] > 0
    assert result["baseline"]["final_demand_unmet"] > result["measures"]["final_demand_unmet"]
