"""Technology management over HTTP: the /api/v1/tech routes and the /tech pages in both
languages, against a real server (uvicorn on a free loopback port)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from web_server import AUTH, LiveServer, live_server, post


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("tech") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def test_api_technologies_and_as_of(server: LiveServer) -> None:
    doc = httpx.get(server.url + "/api/v1/tech/technologies").json()
    assert len(doc["technologies"]) == 13 and doc["list"]["notice_date"] == "2024-10-30"
    early = httpx.get(server.url + "/api/v1/tech/technologies?as_of=2024-12-01").json()
    assert early["technologies"] == []


def test_api_case_lifecycle(server: LiveServer) -> None:
    api = server.url + "/api/v1/tech/cases"
    body = {"technology": "semiconductor-photoresists", "counterparty": "Foo Ltd",
            "country": "CHN", "channel": "subsidiary", "decision_date": "2025-06-01"}
    created = post(api, json=body)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["prior_report"]["required"] and case["prior_report"]["group_a"] is False
    moved = post(f"{api}/{case['id']}/move", json={"status": "reported", "note": "filed"})
    assert moved.status_code == 200 and moved.json()["status"] == "reported"
    bad = post(f"{api}/{case['id']}/move", json={"status": "closed", "note": "x"})
    assert bad.status_code == 422 and "allowed from 'reported'" in bad.json()["detail"]
    got = httpx.get(f"{api}/{case['id']}").json()
    assert [h["to"] for h in got["history"]] == ["draft", "reported"]
    assert any(c["id"] == case["id"] for c in httpx.get(api).json()["cases"])
    before = len(httpx.get(api).json()["cases"])
    unknown = post(api, json={**body, "technology": "photoresist"})
    assert unknown.status_code == 404
    assert "semiconductor-photoresists" in unknown.json()["suggestions"]
    assert post(api, json={**body, "country": "Chyna"}).status_code == 404
    assert len(httpx.get(api).json()["cases"]) == before
    assert httpx.get(f"{api}/99999").status_code == 404


def test_api_selfcheck(server: LiveServer) -> None:
    qn = httpx.get(server.url + "/api/v1/tech/selfcheck").json()
    assert len(qn["areas"]) == 9
    result = post(server.url + "/api/v1/tech/selfcheck",
                        json={"answers": {"p1": "no", "p2": "yes"}})
    assert result.status_code == 200
    assert result.json()["actions"][0]["question"] == "p1"
    assert post(server.url + "/api/v1/tech/selfcheck",
                      json={"answers": {"p1": "maybe"}}).status_code == 422


@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ("Designated technologies", "Multilayer ceramic capacitors", "Export-control Group A")),
    ("ja", ("重要管理対象技術", "積層セラミックコンデンサ", "輸出管理グループA")),
])
def test_technology_page(server: LiveServer, lang: str, texts: tuple[str, ...]) -> None:
    page = httpx.get(f"{server.url}/tech?lang={lang}")
    assert page.status_code == 200
    for text in texts:
        assert text in page.text


def test_case_pages_create_and_move(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers=AUTH) as client:
        assert "New transfer case" in client.get("/tech/cases?lang=en").text
        made = client.post("/tech/cases", data={
            "technology": "electron-microscopes", "counterparty": "Page Co", "country": "India",
            "channel": "licensing", "decision_date": "2025-08-01"})
        assert made.status_code == 303
        url = made.headers["location"]
        page = client.get(url)
        assert "Page Co" in page.text and "A prior report to METI is required." in page.text
        moved = client.post(url + "/move", data={"status": "reported", "note": "filed today"})
        assert moved.status_code == 303
        page = client.get(url + "?lang=ja")
        assert "filed today" in page.text and "報告済み" in page.text
        bad = client.post(url + "/move?lang=en", data={"status": "closed", "note": "skip"})
        assert bad.status_code == 422 and "allowed from" in bad.text
        wrong = client.post("/tech/cases?lang=en", data={
            "technology": "electron-microscopes", "counterparty": "X", "country": "Atlantis",
            "channel": "licensing", "decision_date": "2025-08-01"})
        assert wrong.status_code == 422 and "unknown country" in wrong.text
        assert client.get("/tech/cases/99999").status_code == 404


def test_selfcheck_page(server: LiveServer) -> None:
    form = httpx.get(server.url + "/tech/selfcheck?lang=ja")
    assert "技術流出対策セルフチェック" in form.text and "生産拠点の海外進出" in form.text
    result = post(server.url + "/tech/selfcheck?lang=en", data={"p1": "no", "p2": "yes"})
    assert result.status_code == 200
    assert "Overall score" in result.text and "Identify core technologies" in result.text


def test_case_page_gives_the_prior_report_reasons_in_japanese(server: LiveServer) -> None:
    """The reasons were English on the Japanese case page."""
    made = post(server.url + "/api/v1/tech/cases", json={
        "technology": "saw-baw-filters", "counterparty": "Reason Co", "country": "CHN",
        "channel": "subsidiary", "decision_date": "2025-06-01"})
    url = f"{server.url}/tech/cases/{made.json()['id']}"
    ja = httpx.get(url + "?lang=ja").text
    assert "経済産業省への事前報告が必要です（R1、R2、R3 をすべて満たします）" in ja
    assert "R3: 相手方 &#39;Reason Co&#39; は 中国（CHN）にあり、国外です。" in ja
    assert "is a designated technology" not in ja and "non-Group-A country" not in ja
    en = httpx.get(url + "?lang=en").text
    assert "R3: the counterparty &#39;Reason Co&#39; is in China (CHN), abroad." in en
    api = httpx.get(f"{server.url}/api/v1/tech/cases/{made.json()['id']}").json()
    assert api["prior_report"]["reasons"][0].startswith("A prior report to METI is required")
