"""Texts from econsec's own scenario code on Japanese pages: result notes, job notes, progress
and the scenario-run refusals (cost cap, quota, content type, unknown run) come as
``(message id, parameters)`` pairs and read in Japanese on the page; the JSON API keeps
English text beside the pairs; the CLI stays English."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from econsec.i18n import catalogue, translator
from econsec.scenarios.texts import Text, format_param, known_messages, render
from econsec.web.jobs import JobLimits, JobRunner
from web_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
#: Four or more ASCII words in a row (a sentence fragment in English).
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:]+[A-Za-z][A-Za-z'’-]*){3,}")

LONG = {
    "name": "long run", "mrio": "pymrio:test", "horizon_days": 36_500,
    "events": [{"type": "capacity_loss", "region": "reg2", "sector": "mining", "share": 0.5,
                "start_day": 1, "duration_days": 30, "recovery_days": 30}],
}


def english_fragments(text: str, params: dict[str, Any] | None = None) -> list[str]:
    """Runs of ≥ 4 English words in ``text`` that come from econsec's own catalogue of
    scenario texts (parameter values such as variant names are data and left out)."""
    for value in (params or {}).values():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str) and v:
                text = text.replace(v, " ")
    own = " ".join(known_messages()).lower()
    return [m for m in WORDS.findall(text) if m.lower() in own]


def page_render(texts: dict[str, str], pair: dict[str, Any]) -> str:
    """What ``scenarios.js`` shows for a pair, with the translations the page embeds."""
    ja = translator("ja")
    params = pair.get("params") or {}
    template = texts.get(pair["id"], pair["id"])
    return re.sub(r"%\((\w+)\)s|%%",
                  lambda m: "%" if m.group(0) == "%%" else format_param(
                      m.group(1), params[m.group(1)], ja), template)


def assert_japanese(texts: dict[str, str], pair: dict[str, Any]) -> str:
    shown = page_render(texts, pair)
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", shown), shown
    assert not english_fragments(shown, pair.get("params")), shown
    return shown


# ------------------------------------------------------------------ the catalogue


def test_every_scenario_text_has_a_japanese_translation_with_its_placeholders() -> None:
    # registers every scenario text: the page's, and the API's (progress, refusals)
    import econsec.web.api.scenarios
    import econsec.web.pages.scenarios  # noqa: F401

    ja = catalogue("ja")
    assert len(known_messages()) >= 18
    for message in known_messages():
        assert message in ja, message
        names = set(re.findall(r"%\((\w+)\)s", message))
        assert set(re.findall(r"%\((\w+)\)s", ja[message])) == names, message
        assert not english_fragments(ja[message]), ja[message]


def test_variant_names_stay_as_written_and_numbers_follow_the_language() -> None:
    from econsec.scenarios.runner import LATE_LOSS, NOT_RECOVERED

    note = Text(LATE_LOSS, {"variant": "only stockpile release in reg1", "loss_share": 0.74,
                            "day": 120})
    en, ja = render(note), render(note, translator("ja"))
    assert en.startswith("In 'only stockpile release in reg1' 74% of the production")
    assert "「only stockpile release in reg1」" in ja and "74%" in ja and "120" in ja
    assert not english_fragments(ja, note.params)
    late = Text(NOT_RECOVERED, {"horizon": 365, "variants": ["a b", "c"]})
    assert "'a b', 'c'" in render(late) and "0.1 % below" in render(late)
    assert "「a b」、「c」" in render(late, translator("ja"))


# ------------------------------------------------------------------ a real server


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # a copy of the session's knowledge base (what an empty file would be built into)
    db = tmp_path_factory.mktemp("texts") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/v1", timeout=60,
                      headers={**server.headers, "Accept-Language": "ja"}) as c:
        yield c


@pytest.fixture(scope="module")
def page_texts(server: LiveServer) -> dict[str, str]:
    """The translations the Japanese scenarios page embeds for the script."""
    page = httpx.get(server.url + "/scenarios?lang=ja", timeout=30)
    assert page.status_code == 200
    found = re.search(r'<script type="application/json" id="scenario-texts">(.*?)</script>',
                      page.text, re.S)
    assert found, "the page embeds no scenario texts"
    return json.loads(unescape(found.group(1)))


def use_runner(server: LiveServer, **limits: Any) -> JobRunner:
    old = server.state.services.get("jobs")
    if old is not None:
        old.shutdown()
    runner = JobRunner(workers=1, limits=JobLimits(**limits),
                       engine=server.state.store.engine)
    server.state.services["jobs"] = runner
    return runner


def test_worked_job_notes_and_progress_read_in_japanese(
        server: LiveServer, client: httpx.Client, page_texts: dict[str, str]) -> None:
    use_runner(server)
    started = client.post("/scenarios/runs?lang=ja",
                          json={"worked": "bea-primary-metals"})
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    progress: dict[str, Any] | None = None
    deadline = time.monotonic() + 90
    while True:
        job = client.get(f"/scenarios/runs/{job_id}?lang=ja").json()
        pair = job.get("message_text")
        if progress is None and pair and "day" in pair["params"]:
            progress = pair
        if job["status"] in ("done", "failed"):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["status"] == "done", job["error"]
    progress = progress or job["message_text"]
    shown = assert_japanese(page_texts, progress)
    assert "日目" in shown and progress["params"]["variant"] in shown
    # the JSON keeps English beside the pairs (the API does not negotiate a language)
    assert re.fullmatch(r".+: day \d[\d,]* of [\d,]+", job["message"])
    result = job["result"]
    pairs = result["result_note_texts"]
    assert pairs and len(pairs) == len(result["result_notes"])
    for pair in pairs:
        assert_japanese(page_texts, pair)
    assert any("gives the same totals" in n for n in result["result_notes"])
    # the variant names econsec makes up come as pairs; the file's labels stay as written
    rows = {v["name"]: v for v in result["variants"]}
    assert page_render(page_texts, rows["no measures"]["name_text"]) == "対策なし"
    only = rows["only stockpile release (30 days of use)"]["name_text"]
    assert page_render(page_texts, only) == "stockpile release (30 days of use) のみ"
    assert all(v["name_text"] for v in job["series"]["variants"])


def test_job_note_of_an_ensemble_block_reads_in_japanese(
        server: LiveServer, client: httpx.Client, page_texts: dict[str, str]) -> None:
    runner = use_runner(server)
    scenario = {**LONG, "horizon_days": 100,
                "ensemble": {"runs": 3, "parameters": {"events[0].share": {
                    "dist": "uniform", "low": 0.3, "high": 0.6}}}}
    started = client.post("/scenarios/runs", json=scenario)
    assert started.status_code == 202, started.text
    doc = started.json()
    assert doc["notes"] and "not run by the API" in doc["notes"][0]
    shown = [assert_japanese(page_texts, p) for p in doc["note_texts"]]
    assert "アンサンブル" in shown[0]
    runner.cancel(doc["id"])


def test_refusals_read_in_japanese(server: LiveServer, client: httpx.Client,
                                   page_texts: dict[str, str]) -> None:
    # content type
    body = client.post("/scenarios/runs", content=b"name: x",
                       headers={"content-type": "text/plain"})
    assert body.status_code == 415
    assert "application/json" in body.json()["detail"]
    assert_japanese(page_texts, body.json()["detail_text"])
    # cost cap (located, as before)
    use_runner(server, max_cost=10)
    cap = client.post("/scenarios/runs", json={**LONG, "horizon_days": 100})
    assert cap.status_code == 422 and cap.json()["column"] == "horizon_days"
    assert "too large for the web app" in cap.json()["detail"]
    assert "日" in assert_japanese(page_texts, cap.json()["detail_text"])
    # quota, then cancel: the job's message says it in Japanese too
    runner = use_runner(server, per_client=1)
    first = client.post("/scenarios/runs", json=LONG)
    assert first.status_code == 202
    quota = client.post("/scenarios/runs", json=LONG)
    assert quota.status_code == 429 and int(quota.headers["retry-after"]) >= 1
    assert "at most 1 per client" in quota.json()["detail"]
    assert_japanese(page_texts, quota.json()["detail_text"])
    cancelled = client.delete(f"/scenarios/runs/{first.json()['id']}")
    assert cancelled.status_code == 200
    deadline = time.monotonic() + 5
    while (doc := client.get(f"/scenarios/runs/{first.json()['id']}").json())["status"] \
            != "cancelled":
        assert time.monotonic() < deadline, doc
        time.sleep(0.02)
    assert doc["message"] == "cancelled"
    assert_japanese(page_texts, doc["message_text"])
    # an unknown run
    missing = client.delete("/scenarios/runs/0123abc")
    assert missing.status_code == 404 and missing.json()["error"] == "NotFoundError"
    assert "0123abc" in assert_japanese(page_texts, missing.json()["detail_text"])
    assert client.get("/scenarios/runs/0123abc").json()["detail_text"]["id"]
    runner.shutdown()


def test_time_limit_refusal_reads_in_japanese(server: LiveServer, client: httpx.Client,
                                              page_texts: dict[str, str]) -> None:
    use_runner(server, max_seconds=0.2)
    job_id = client.post("/scenarios/runs", json=LONG).json()["id"]
    deadline = time.monotonic() + 10
    while (doc := client.get(f"/scenarios/runs/{job_id}").json())["status"] != "failed":
        assert time.monotonic() < deadline, doc
        time.sleep(0.02)
    assert "0.2 s" in doc["error"]["detail"]
    assert "0.2 秒" in assert_japanese(page_texts, doc["error"]["detail_text"])


# ------------------------------------------------------------------ in the browser


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_japanese_page_shows_japanese_notes_and_progress(server: LiveServer) -> None:
    """The worked BEA scenario on the Japanese page: the notes under the comparison and the
    progress line are Japanese; screenshots at 1280 px and 375 px."""
    from playwright.sync_api import sync_playwright

    use_runner(server)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.url + "/scenarios?lang=ja", wait_until="load")
            page.select_option("#worked", "bea-primary-metals")
            page.click("#run-button")
            seen: list[str] = []
            deadline = time.monotonic() + 90
            while page.inner_text("#progress-text") != "100%":
                message = page.inner_text("#progress-message")
                if "日目" in message:
                    seen.append(message)
                assert time.monotonic() < deadline, "the run did not finish"
                page.wait_for_timeout(50)
            assert seen and any(re.search("すべての対策|対策なし|のみ", m) for m in seen)
            for message in [*seen, page.inner_text("#progress-message")]:
                assert not english_fragments(message), message  # labels are the file's data
            page.wait_for_selector("#result-explained li")
            notes = page.locator("#result-explained li").all_inner_texts()
            assert any("「すべての対策」" in note for note in notes), notes
            for note in notes:
                assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", note), note
                quoted = re.findall(r"「([^」]*)」", note)
                assert not english_fragments(note, {"names": quoted}), note
            table = page.inner_text("#comparison tbody")
            assert "対策なし" in table and "no measures" not in table
            ARTIFACTS.mkdir(exist_ok=True)
            for width in (1280, 375):
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(300)  # charts follow the new width
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth + 1")
                assert not overflow, f"horizontal overflow at {width} px"
                page.screenshot(path=str(ARTIFACTS / f"scenarios-notes-ja-{width}.png"),
                                full_page=True)
        finally:
            browser.close()
    assert not errors, errors
