"""The trade query on a real loopback server: ``GET /api/v1/trade/{iso3}`` gives the CLI's
JSON and clear 4xx problems; the trade page in Chromium (Japanese and English, 1280 and
375 px): charts and map drawn, no English of ours on the Japanese page, no sideways scroll,
the year slider reloads the page for the year; the country and commodity pages link to it."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_cli
from test_ja_everywhere import JAPANESE, english_left, stored_units, visible_text
from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAGE = "/trade/JPN?hs=284690&year=2024"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("trade-web") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def api(server: LiveServer, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/trade/{path}", params=params, timeout=60)


# ------------------------------------------------------------------------------ API


@pytest.mark.parametrize(("query", "cli"), [
    ({"hs": "284690", "year": 2024}, ("--hs", "284690", "--year", "2024")),
    ({"hs": "250410", "year": 2022, "flow": "exports", "basis": "quantity"},
     ("--hs", "250410", "--year", "2022", "--flow", "exports", "--basis", "quantity")),
    ({"commodity": "niobium", "stage": "alloy", "year": 2024},
     ("--commodity", "niobium", "--stage", "alloy", "--year", "2024")),
])
def test_api_gives_the_cli_json(server: LiveServer, query: dict[str, Any],
                                cli: tuple[str, ...]) -> None:
    answer = api(server, "JPN", **query)
    assert answer.status_code == 200, answer.text
    expected = json.loads(run_cli("trade", "JPN", *cli, "--format", "json",
                                  db=server.db).stdout)
    assert answer.json() == expected


def test_api_names_the_country_forgivingly(server: LiveServer) -> None:
    by_name = api(server, "japan", hs="2846.90", year=2024).json()
    assert by_name == api(server, "JPN", hs="284690", year=2024).json()


def test_openapi_documents_the_trade_shape(server: LiveServer) -> None:
    schema = httpx.get(server.url + "/api/v1/openapi.json", timeout=60).json()
    operation = schema["paths"]["/api/v1/trade/{country}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert list(model["properties"]) == ["reporter", "flow", "product", "year", "basis", "unit",
                                         "total", "hhi", "partners", "sources"]


@pytest.mark.parametrize(("path", "query", "status", "expected"), [
    ("Japn", {"hs": "284690"}, 404, "did you mean"),
    ("JPN", {"hs": "284699"}, 404, "did you mean: 284610"),
    ("JPN", {"hs": "28469"}, 422, "not a six-digit code"),
    ("JPN", {"hs": "284690", "year": 1990}, 404, "1995-2024"),
    ("JPN", {"hs": "283691", "year": 2024, "basis": "quantity"}, 422, "have no quantity"),
    ("JPN", {}, 422, "either an HS code"),
    ("JPN", {"commodity": "rare earths"}, 422, "several HS codes"),
    ("JPN", {"hs": "284690", "flow": "sideways"}, 422, "flow"),
    ("JPN", {"hs": "284690", "year": "abc"}, 422, "year"),
])
def test_api_bad_input_is_a_clear_problem(server: LiveServer, path: str,
                                          query: dict[str, Any], status: int,
                                          expected: str) -> None:
    answer = api(server, path, **query)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert expected in json.dumps(answer.json())


# ------------------------------------------------------------------------ the pages


def get_page(server: LiveServer, path: str, lang: str) -> httpx.Response:
    """The page, asked again while the server answers 503 (a result still computing)."""
    joiner = "&" if "?" in path else "?"
    for _ in range(20):
        answer = httpx.get(f"{server.url}{path}{joiner}lang={lang}", timeout=120,
                           headers={"Accept": "text/html"})
        if answer.status_code != 503:
            break
        time.sleep(float(answer.headers.get("retry-after", "5")))
    return answer


def test_country_and_commodity_pages_link_to_the_trade_page(server: LiveServer) -> None:
    country = get_page(server, "/countries/JPN", "en").text
    assert re.search(r'href="/trade/JPN\?hs=284690[^"]*"', country)
    commodity = get_page(server, "/commodities/rare-earths", "en").text
    assert re.search(r'href="/trade/JPN\?hs=284690[^"]*"', commodity)


def test_trade_page_in_japanese_has_no_english_of_ours(server: LiveServer) -> None:
    answer = get_page(server, PAGE, "ja")
    assert answer.status_code == 200
    shown = visible_text(answer.text)
    assert JAPANESE.search(shown) and "中国" in shown and "マレーシア" in shown
    assert not english_left(shown, stored_units(server.db))


@pytest.mark.parametrize(("path", "status"), [
    ("/trade/JPN?hs=284699", 404), ("/trade/Japn?hs=284690", 404),
    ("/trade/JPN?hs=283691&basis=quantity&year=2024", 422),
    ("/trade/JPN?commodity=rare%20earths", 422), ("/trade/JPN?hs=284690&year=abc", 422),
])
def test_trade_page_refusals_read_japanese(server: LiveServer, path: str, status: int) -> None:
    answer = get_page(server, path, "ja")
    assert answer.status_code == status
    shown = visible_text(answer.text)
    assert JAPANESE.search(shown)
    assert not english_left(shown, stored_units(server.db)), shown


def test_trade_page_canonical_address(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}/trade/japan?hs=2846.90&year=2024", timeout=60)
    assert answer.status_code == 307
    assert answer.headers["location"].startswith("/trade/JPN?hs=284690")


def test_trade_page_table_as_csv(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}{PAGE}&_format=csv", timeout=60)
    assert answer.status_code == 200
    lines = answer.text.splitlines()
    assert lines[0].startswith("reporter,flow,hs,hs_version,year,iso3")
    assert lines[1].split(",")[5] == "CHN"


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_js(page: Any, expression: str, timeout: float = 20_000) -> None:
    """Poll ``expression`` (the pages' CSP refuses ``wait_for_function``'s eval)."""
    for _ in range(int(timeout / 100)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {expression}")


DRAWN = "document.querySelectorAll('.chart[data-drawn=\"1\"] .main-svg').length >= 3"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", [1280, 375])
def test_trade_page_in_the_browser(chromium: Any, server: LiveServer, lang: str,
                                   width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if "127.0.0.1" not in r.request.url.split("/")[2]:
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{server.url}{PAGE}&lang={lang}", wait_until="load")
        wait_js(page, DRAWN)
        assert page.locator("html").get_attribute("lang") == lang
        assert page.evaluate("document.querySelectorAll('.chart.map .choropleth, "
                             ".chart.map .geo').length") > 0
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px sideways at {width} px"
        if lang == "ja":
            shown = " ".join(page.inner_text("main").split())
            assert not english_left(shown, stored_units(server.db))
        assert "2024" in page.inner_text("#trade-summary")
        with page.expect_navigation():
            page.locator("#year").fill("2019")
        assert "year=2019" in page.url
        wait_js(page, DRAWN)
        assert "2019" in page.inner_text("#trade-summary")
        assert page.locator("#year").input_value() == "2019"
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()
