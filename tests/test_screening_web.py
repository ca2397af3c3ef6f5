"""Screening over HTTP: the /api/v1/screening routes and the /screening page in both
languages, against a real server (uvicorn on a free loopback port) with a private index."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from econsec.cli.screening_cmd import lists_app, screen
from econsec.web.api.screening import ScreeningService
from web_server import LiveServer, live_server

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data" / "screening"
COMPANY = "Toto Seimitsu Kogyo K.K."


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("screening-web")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.services["screening"] = ScreeningService(folder / "screening.db")
        upload = httpx.post(live.url + "/api/v1/screening/lists?name=sample",
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
    assert doc == cli_json("lists", index=index_path(server))
    csv = httpx.post(server.url + "/api/v1/screening/lists",
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
    assert doc == cli_json("screen", COMPANY, "--country", "JPN", "--limit", "5",
                           index=index_path(server))
    bad = httpx.get(server.url + "/api/v1/screening/screen", params={"name": ""})
    assert bad.status_code == 422


def test_api_decision_is_remembered(server: LiveServer) -> None:
    api = server.url + "/api/v1/screening"
    query = "Sato Taro"
    before = {m["entity_id"]: m for m in httpx.get(
        api + "/screen", params={"name": query}).json()["matches"]}
    assert "sample-ja-p-2" in before and before["sample-ja-p-2"]["decision"] is None
    made = httpx.post(api + "/decisions", json={
        "entity_id": "sample-ja-p-2", "query": query, "decision": "false_positive",
        "note": "other person"})
    assert made.status_code == 201, made.text
    assert made.json()["decision"] == "false_positive"
    after = {m["entity_id"]: m for m in httpx.get(
        api + "/screen", params={"name": "Taro SATO"}).json()["matches"]}
    demoted = after["sample-ja-p-2"]
    assert demoted["decision"]["note"] == "other person" and demoted["match"] is False
    assert demoted["score"] < before["sample-ja-p-2"]["score"]
    assert httpx.post(api + "/decisions", json={
        "entity_id": "nobody", "query": query, "decision": "match"}).status_code == 422
    assert httpx.post(api + "/decisions", json={
        "entity_id": "sample-ja-p-2", "query": query, "decision": "maybe"}).status_code == 422


def test_api_malformed_upload_is_refused_with_its_line(server: LiveServer) -> None:
    api = server.url + "/api/v1/screening/lists"
    lines = (SAMPLE / "sample_list.jsonl").read_text(encoding="utf-8").splitlines()
    broken = "\n".join([*lines[:2], '{"id": "x", "schema": "Company"', *lines[2:]]) + "\n"
    bad = httpx.post(api + "?name=broken", files={"file": ("broken.jsonl", broken.encode())})
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["line"] == 3 and problem["file"] == "broken.jsonl"
    assert "invalid JSON" in problem["detail"]
    names = [x["name"] for x in httpx.get(api).json()["lists"]]
    assert "broken" not in names  # all or nothing
    assert httpx.post(api, files={"file": ("list.txt", b"x")}).status_code == 422
    assert httpx.post(api, files={"file": ("empty.jsonl", b"\n")}).status_code == 422
    limit = server.state.max_upload_bytes
    big = httpx.post(api, files={"file": ("big.jsonl", b" " * (limit + 1))})
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
    with httpx.Client(base_url=server.url, follow_redirects=True) as client:
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
    from econsec.web.api.screening import screening_service
    from econsec.web.state import WebState

    monkeypatch.setenv("ECONSEC_SCREENING_DB", str(tmp_path / "env.db"))
    state = WebState(store=None, database_url="sqlite://")
    assert screening_service(state).path == tmp_path / "env.db"
    assert screening_service(state) is state.services["screening"]
    monkeypatch.delenv("ECONSEC_SCREENING_DB")
    assert ScreeningService.from_settings().path == ScreeningSettings().index_path()
