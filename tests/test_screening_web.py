"""Screening over HTTP: the /api/v1/screening routes and the /screening page in both
languages, against a real server (uvicorn on a free loopback port) with a private index."""

from __future__ import annotations

import getpass
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from econsec.cli.screening_cmd import lists_app, screen
from econsec.web.screening_service import ScreeningService
from web_server import AUTH, LiveServer, live_server, post

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data" / "screening"
COMPANY = "Toto Seimitsu Kogyo K.K."


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("screening-web")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.services["screening"] = ScreeningService(folder / "screening.db")
        upload = post(live.url + "/api/v1/screening/lists?name=sample",
                            files={"file": ("sample_list.jsonl",
                                            (SAMPLE / "sample_list.jsonl").read_bytes())})
        assert upload.status_code == 201, upload.text
        yield live


def index_path(server: LiveServer) -> Path:
    return server.state.services["screening"].path


def cli_json(*args: str, index: Path) -> dict[str, object]:
    """``econsec ARGS --index INDEX --format json`` in process (the screening commands)."""
    app = typer.Typer()
    app.add_typer(lists_app, name="lists")
    app.command("screen")(screen)
    result = CliRunner().invoke(app, [*args, "--index", str(index), "--format", "json"])
    assert result.exit_code == 0, (result.stdout, result.exception)
    return json.loads(result.stdout)


def test_api_lists_and_load(server: LiveServer) -> None:
    doc = httpx.get(server.url + "/api/v1/screening/lists").json()
    (sample,) = [x for x in doc["lists"] if x["name"] == "sample"]
    assert sample["entities"] == 8 and len(sample["sha256"]) == 64
    assert sample["source_file"] == "sample_list.jsonl" and sample["loaded_at"]
    cli = cli_json("lists", index=index_path(server))
    assert doc["lists"] == [{**x, "source_file": Path(str(x["source_file"])).name}
                            for x in cli["lists"]]  # type: ignore[union-attr]
    assert "index" not in doc and "/" not in json.dumps(doc["lists"])
    csv = post(server.url + "/api/v1/screening/lists",
                     files={"file": ("extra.csv", (SAMPLE / "sample_list.csv").read_bytes())})
    assert csv.status_code == 201, csv.text
    assert csv.json()["name"] == "extra" and csv.json()["entities"] > 0


def test_api_screen_matches_the_cli(server: LiveServer) -> None:
    got = httpx.get(server.url + "/api/v1/screening/screen",
                    params={"name": COMPANY, "country": "JPN", "limit": 5})
    assert got.status_code == 200, got.text
    doc = got.json()
    best = doc["matches"][0]
    assert best["entity_id"] == "sample-ja-co-1" and best["match"] is True
    assert best["score"] >= doc["threshold"] and "Toto Seimitsu" in best["explanation"]
    cli = cli_json("screen", COMPANY, "--country", "JPN", "--limit", "5",
                   index=index_path(server))
    assert cli.pop("index") == str(index_path(server))
    assert doc == cli and doc["status"] == "match"
    screened = {x["name"]: x for x in doc["lists_screened"]}
    assert screened["sample"]["entities"] == 8 and screened["sample"]["loaded_at"]
    bad = httpx.get(server.url + "/api/v1/screening/screen", params={"name": ""})
    assert bad.status_code == 422


def test_api_decision_is_remembered(server: LiveServer) -> None:
    api = server.url + "/api/v1/screening"
    query = "Sato Taro"
    before = {m["entity_id"]: m for m in httpx.get(
        api + "/screen", params={"name": query}).json()["matches"]}
    assert "sample-ja-p-2" in before and before["sample-ja-p-2"]["decision"] is None
    made = post(api + "/decisions", json={
        "entity_id": "sample-ja-p-2", "query": query, "decision": "false_positive",
        "note": "other person"})
    assert made.status_code == 201, made.text
    assert made.json()["decision"] == "false_positive"
    # single-user local mode: the operating-system user took it
    assert made.json()["decided_by"] == getpass.getuser() and made.json()["decided_org"] == ""
    after = {m["entity_id"]: m for m in httpx.get(
        api + "/screen", params={"name": "Taro SATO"}).json()["matches"]}
    demoted = after["sample-ja-p-2"]
    assert demoted["decision"]["note"] == "other person" and demoted["match"] is False
    assert demoted["score"] < before["sample-ja-p-2"]["score"]
    assert post(api + "/decisions", json={
        "entity_id": "nobody", "query": query, "decision": "match"}).status_code == 422
    assert post(api + "/decisions", json={
        "entity_id": "sample-ja-p-2", "query": query, "decision": "maybe"}).status_code == 422


def test_api_malformed_upload_is_refused_with_its_line(server: LiveServer) -> None:
    api = server.url + "/api/v1/screening/lists"
    lines = (SAMPLE / "sample_list.jsonl").read_text(encoding="utf-8").splitlines()
    broken = "\n".join([*lines[:2], '{"id": "x", "schema": "Company"', *lines[2:]]) + "\n"
    bad = post(api + "?name=broken", files={"file": ("broken.jsonl", broken.encode())})
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["line"] == 3 and problem["file"] == "broken.jsonl"
    assert "malformed JSON" in problem["detail"]
    names = [x["name"] for x in httpx.get(api).json()["lists"]]
    assert "broken" not in names  # all or nothing
    assert post(api, files={"file": ("list.txt", b"x")}).status_code == 422
    assert post(api, files={"file": ("empty.jsonl", b"\n")}).status_code == 422
    limit = server.state.max_upload_bytes
    big = post(api, files={"file": ("big.jsonl", b" " * (limit + 1))})
    assert big.status_code == 413


@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ("Restricted-party screening", "Loaded lists", "Match", "Explanation",
            "False positive", 'for="name"', 'for="list-file"')),
    ("ja", ("制裁等リスト照合", "読み込み済みリスト", "該当", "根拠", "誤検知")),
])
def test_page_renders_results(server: LiveServer, lang: str, texts: tuple[str, ...]) -> None:
    page = httpx.get(f"{server.url}/screening", params={"lang": lang, "name": COMPANY})
    assert page.status_code == 200
    for text in (*texts, "東都精密工業株式会社", "sample-ja-co-1", "sample_list.jsonl"):
        assert text in page.text, text
    assert 'href="/screening" aria-current="page"' in page.text


def test_page_decision_and_upload(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=True, headers=AUTH) as client:
        done = client.post("/screening/decisions?lang=en", data={
            "entity_id": "sample-zh-p-1", "query": "Wang Xiao Ming", "decision": "match",
            "note": "checked passport"})
        assert done.status_code == 200 and "Decision recorded" in done.text
        assert "Confirmed match" in done.text and "checked passport" in done.text
        again = client.get("/screening", params={"name": "Wang Xiao Ming", "lang": "en"})
        assert "checked passport" in again.text
        bad = client.post("/screening/lists?lang=en", data={"list_name": "broken"},
                          files={"file": ("broken.jsonl", b'{"id": "a"}\n')})
        assert bad.status_code == 422 and "line 1" in bad.text
        ok = client.post("/screening/lists?lang=en", data={"list_name": "page-sample"},
                         files={"file": ("s.csv", (SAMPLE / "sample_list.csv").read_bytes())})
        assert ok.status_code == 200 and "page-sample" in ok.text


def test_service_path_follows_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from econsec.screening.index import ScreeningSettings
    from econsec.web.screening_service import screening_service
    from econsec.web.state import WebState

    monkeypatch.setenv("ECONSEC_SCREENING_DB", str(tmp_path / "env.db"))
    state = WebState(store=None, database_url="sqlite://")
    assert screening_service(state).path == tmp_path / "env.db"
    assert screening_service(state) is state.services["screening"]
    monkeypatch.delenv("ECONSEC_SCREENING_DB")
    assert ScreeningService.from_settings().path == ScreeningSettings().index_path()


@contextmanager
def empty_index(server: LiveServer, folder: Path) -> Iterator[None]:
    """The server's screening service swapped for one with no list loaded."""
    kept = server.state.services["screening"]
    server.state.services["screening"] = ScreeningService(folder / "empty.db")
    try:
        yield
    finally:
        server.state.services["screening"] = kept


def test_api_refuses_to_screen_without_a_list(server: LiveServer, tmp_path: Path) -> None:
    with empty_index(server, tmp_path):
        got = httpx.get(server.url + "/api/v1/screening/screen", params={"name": COMPANY})
    assert got.status_code == 409, got.text
    assert got.headers["content-type"].startswith("application/problem+json")
    problem = got.json()
    assert problem["status"] == 409 and "no screening list is loaded" in problem["detail"]
    assert "/tmp" not in got.text


@pytest.mark.parametrize(("lang", "notice"), [
    ("en", "No screening list is loaded."), ("ja", "照合用のリストが読み込まれていません。")])
def test_page_blocks_screening_without_a_list(server: LiveServer, tmp_path: Path, lang: str,
                                              notice: str) -> None:
    with empty_index(server, tmp_path):
        page = httpx.get(f"{server.url}/screening", params={"lang": lang})
        searched = httpx.get(f"{server.url}/screening", params={"lang": lang,
                                                                "name": COMPANY})
    assert page.status_code == 200 and notice in page.text
    assert 'id="no-lists"' in page.text and "disabled" in page.text
    assert searched.status_code == 409 and notice in searched.text
    assert 'id="results"' not in searched.text


def test_api_empty_upload_keeps_the_list(server: LiveServer) -> None:
    api = server.url + "/api/v1/screening/lists"
    for body in (b"", b"\n", b"id,name\n"):
        name = "empty.csv" if body.startswith(b"id") else "empty.jsonl"
        got = post(api + "?name=sample", files={"file": (name, body)})
        assert got.status_code == 422, got.text
        assert "'sample' is unchanged" in got.json()["detail"]
    (sample,) = [x for x in httpx.get(api).json()["lists"] if x["name"] == "sample"]
    assert sample["entities"] == 8


@pytest.mark.parametrize(("lang", "possible", "no_match"), [
    ("en", "Possible match — review", "No match"),
    ("ja", "該当の可能性あり（要確認）", "非該当")])
def test_page_shows_a_possible_match_never_no_match(server: LiveServer, lang: str,
                                                    possible: str, no_match: str) -> None:
    params = {"lang": lang, "name": "Sato Taro", "birth_date": "1990-01-01"}
    doc = httpx.get(server.url + "/api/v1/screening/screen", params={
        "name": "Sato Taro", "birth_date": "1990-01-01"}).json()
    assert doc["status"] == "possible_match"
    assert doc["matches"][0]["status"] == "possible_match"
    page = httpx.get(f"{server.url}/screening", params=params)
    assert page.status_code == 200
    assert possible in page.text and 'data-status="possible_match"' in page.text
    assert no_match not in page.text
    assert 'id="lists-screened"' in page.text


@pytest.mark.parametrize(("lang", "warning"), [
    ("en", "List old-edition is edition 2020-01-31"),
    ("ja", "リスト old-edition は 2020-01-31 版")])
def test_old_edition_is_flagged_on_every_result(server: LiveServer, lang: str,
                                                warning: str) -> None:
    api = server.url + "/api/v1/screening"
    made = post(api + "/lists?name=old-edition&edition=2020-01-31",
                files={"file": ("old.csv", (SAMPLE / "sample_list.csv").read_bytes())})
    assert made.status_code == 201, made.text
    assert made.json()["edition"] == "2020-01-31"
    doc = httpx.get(api + "/screen", params={"name": "Hokuto Denshi"}).json()
    old = {x["name"]: x for x in doc["lists_screened"]}["old-edition"]
    assert old["stale"] is True and old["edition_age_days"] > 365
    assert any("old-edition" in w for w in doc["warnings"])
    page = httpx.get(f"{server.url}/screening", params={"lang": lang, "name": "Hokuto Denshi"})
    assert warning in page.text and "stale-warning" in page.text
    listing = httpx.get(api + "/lists").json()
    assert any("old-edition" in w for w in listing["warnings"])


def test_api_lists_the_bundled_lists(server: LiveServer) -> None:
    doc = httpx.get(server.url + "/api/v1/screening/bundled").json()
    bundled = {x["name"]: x for x in doc["bundled"]}
    assert bundled["jp-meti-eul"]["edition"] == "2025-09-29"
    assert bundled["us-ofac-sdn"]["loaded_by_init"] is False
