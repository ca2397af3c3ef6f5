"""The measure catalogue and the recommender over HTTP: the JSON API (a ranking run as a
job), the /policy pages in Japanese and English, and the ranking page in a real browser
(the job started from the page, its progress, then the table and the chart)."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from econsec.io_models.mrio_cache import cache_dir
from web_server import LiveServer, live_server, post

PYMRIO = "scenario:worked:pymrio-test-mining-outage"
TECH = "technology:multilayer-ceramic-capacitors"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("policy-web") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def clear_cache() -> None:
    folder = cache_dir()
    if folder is not None:
        shutil.rmtree(folder / "policy", ignore_errors=True)


def wait_done(server: LiveServer, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job = httpx.get(server.url + location, timeout=30).json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_measures_api(server: LiveServer) -> None:
    doc = httpx.get(f"{server.url}/api/v1/measures", timeout=30).json()
    assert doc["version"] and set(doc["pillars"]) == {"promotion", "protection", "partnership"}
    one = httpx.get(f"{server.url}/api/v1/measures/recycling", timeout=30).json()
    assert one["scenario"]["type"] == "recycle" and one["names"]["ja"]
    missing = httpx.get(f"{server.url}/api/v1/measures/recyclng", timeout=30)
    assert missing.status_code == 404 and "recycling" in missing.json()["suggestions"]


def test_recommendation_job(server: LiveServer) -> None:
    clear_cache()
    answer = post(f"{server.url}/api/v1/recommendations", timeout=30,
                  json={"finding": PYMRIO, "measures": ["stockpile-release", "recycling"],
                        "parameters": {"recycling": {"share": 0.2}}})
    assert answer.status_code == 202, answer.text
    job = wait_done(server, answer.headers["Location"])
    assert job["status"] == "done", job
    result = job["result"]
    assert [r["rank"] for r in result["rows"]] == [1, 2]
    assert {r["id"] for r in result["rows"]} == {"stockpile-release", "recycling"}
    recycling = next(r for r in result["rows"] if r["id"] == "recycling")
    assert recycling["parameters"][0]["value"] == 0.2
    assert result["sources"] and result["assumptions"]
    # the same request again comes from the cache
    again = post(f"{server.url}/api/v1/recommendations", timeout=30,
                 json={"finding": PYMRIO, "measures": ["stockpile-release", "recycling"],
                       "parameters": {"recycling": {"share": 0.2}}})
    assert wait_done(server, again.headers["Location"])["result"]["cached"] is True


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"finding": "dependency:JPN:2846:CHN"}, 422, "six-digit"),
    ({"finding": "scenario:/etc/passwd"}, 422, "worked"),
    ({"finding": PYMRIO, "colour": 1}, 422, "unknown key 'colour'"),
    ({"finding": PYMRIO, "measures": ["export-control"]}, 422, "does not address"),
    ({"finding": PYMRIO, "parameters": {"stockpile-release": {"days": -1}}}, 422, "outside"),
    ({"finding": "technology:nothing"}, 404, "nothing"),
    ({}, 422, "finding"),
])
def test_bad_requests(server: LiveServer, body: dict[str, Any], status: int,
                      words: str) -> None:
    answer = post(f"{server.url}/api/v1/recommendations", json=body, timeout=30)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_unknown_job_and_no_token(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/api/v1/recommendations/abc", timeout=30
                     ).status_code == 404
    refused = httpx.post(f"{server.url}/api/v1/recommendations", json={"finding": TECH},
                         timeout=30)
    assert refused.status_code == 403


@pytest.mark.parametrize(("lang", "words"), [
    ("ja", ["振興", "防御", "連携", "国家備蓄", "効果が出るまで", '<th scope="col">措置</th>']),
    ("en", ["Promotion", "Protection", "Partnership", "Release of the national",
            "Time to effect"]),
])
def test_catalogue_page(server: LiveServer, lang: str, words: list[str]) -> None:
    page = httpx.get(f"{server.url}/policy?lang={lang}", timeout=30)
    assert page.status_code == 200
    for word in words:
        assert word in page.text
    assert 'href="/policy"' in page.text  # the navigation entry


def test_home_country_import_rows_link_to_the_ranking(server: LiveServer) -> None:
    page = httpx.get(f"{server.url}/countries/JPN?lang=en", timeout=60)
    assert page.status_code == 200
    links = re.findall(r'href="(/policy/recommend\?finding=dependency%3AJPN%3A[^"]+)"',
                       page.text)
    assert links
    target = httpx.get(server.url + links[0].replace("&amp;", "&") + "&lang=en", timeout=60)
    assert target.status_code == 200 and 'class="error"' not in target.text


@pytest.mark.parametrize(("lang", "words"), [
    ("ja", ["日本の中国への依存（HS 284610", "日本 の 2022 年の輸入", "うち 中国 から",
            "<td>中国 <span"]),
    ("en", ["Japan&#39;s dependence on China (HS 284610", "<td>China <span"]),
])
def test_a_dependency_is_named_by_its_countries(server: LiveServer, lang: str,
                                                words: list[str]) -> None:
    """The finding's heading, evidence and supplier table name the countries in the
    reader's language (the codes stay beside the suppliers)."""
    page = httpx.get(f"{server.url}/policy/recommend",
                     params={"finding": "dependency:JPN:284610:CHN", "lang": lang}, timeout=60)
    assert page.status_code == 200, page.text[:500]
    for word in words:
        assert word in page.text, word
    assert "JPNのCHN" not in page.text and "JPN&#39;s dependence" not in page.text


def test_technology_ranking_page(server: LiveServer) -> None:
    page = httpx.get(f"{server.url}/policy/recommend?finding={quote(TECH)}&lang=ja",
                     timeout=30)
    assert page.status_code == 200
    assert "積層セラミックコンデンサ" in page.text or "technology-management" in page.text
    assert "技術管理" in page.text and "シミュレーション対象外" in page.text
    bad = httpx.get(f"{server.url}/policy/recommend?finding=dependency:JPN:12:CHN&lang=en",
                    timeout=30)
    assert bad.status_code == 422 and "six-digit" in bad.text
    bad_ja = httpx.get(f"{server.url}/policy/recommend?finding=dependency:JPN:284690&lang=ja",
                       timeout=30)
    assert bad_ja.status_code == 422 and "課題: 依存は" in bad_ja.text
    assert "three or four parts" not in bad_ja.text


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_ranking_page_runs_the_job_in_a_browser(server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    clear_cache()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 800})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/policy/recommend?finding={quote(PYMRIO)}&lang=ja")
            assert page.locator("#recommend-run progress").count() == 1
            page.wait_for_selector("#ranking-table", timeout=60_000)
            assert "job=" in page.url
            rows = page.locator("#ranking-table tbody tr")
            assert rows.count() >= 5
            assert "国家備蓄" in page.locator("#ranking-table").inner_text()
            deadline = time.monotonic() + 15
            while not page.evaluate(
                    "document.querySelectorAll('.chart[data-drawn=\"1\"] .main-svg').length"):
                assert time.monotonic() < deadline, "chart not drawn"
                page.wait_for_timeout(100)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375
            # a worked scenario's result links to the measures recommended for it
            page.goto(f"{server.url}/scenarios?lang=en")
            page.select_option("#worked", "pymrio-test-mining-outage")
            page.click("#run-button")
            page.wait_for_selector("#recommend-link", state="visible", timeout=60_000)
            href = page.get_attribute("#recommend-link", "href") or ""
            assert href.endswith(quote("scenario:worked:pymrio-test-mining-outage", safe=""))
        finally:
            browser.close()
    assert not errors, errors


def test_stored_texts_name_countries_and_units_in_the_readers_language() -> None:
    """Assumptions and notes are stored as message ids with parameters: on a page their
    country codes and units read in the reader's language."""
    from econsec.policy.recommend import A_DEPENDENCY, A_LOSS
    from econsec.web.pages.policy import _texts

    names = {"JPN": {"en": "Japan", "ja": "日本"}, "CHN": {"en": "China", "ja": "中国"}}

    def place(lang: str):
        return lambda code: names[code][lang] if code in names else code

    pairs = [{"id": A_LOSS, "params": {"region": "JPN", "horizon": 365,
                                       "unit": "Million USD (current)"}},
             {"id": A_DEPENDENCY, "params": {"severity_share": "80%", "exporter": "CHN",
                                             "importer": "JPN", "start": 10, "duration": 180,
                                             "recovery": 60}}]
    ja = _texts(pairs, "ja", place("ja"))
    assert "日本" in ja[0] and "百万ドル（名目）" in ja[0] and "Million" not in ja[0]
    assert "中国" in ja[1] and "日本" in ja[1] and "CHN" not in ja[1]
    en = _texts(pairs, "en", place("en"))
    assert "Japan" in en[0] and "Million USD (current)" in en[0]
    assert "from China to Japan" in en[1]
