"""The pages in a real browser: Playwright driving Debian's chromium against a real server
on loopback. Clicks through every page in both languages, checks that charts and maps draw,
that no request leaves 127.0.0.1, that there are no page errors, that Tab reaches the main
controls and that a 375 px phone screen has no horizontal overflow; runs a scenario to
completion and imports the example bill of materials through the data page. Screenshots of
every page in both languages go to ``test-artifacts/``."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")

#: path -> number of Plotly charts (``.chart[data-drawn="1"]``) the page must draw.
PAGES = {
    "/": 2,
    "/commodities": 0,
    "/commodities/lithium": 4,
    "/countries": 0,
    "/countries/CHL": 2,
    "/value-chain": 1,
    "/scenarios": 0,
    "/data": 0,
    "/tech": 0,
    "/tech/selfcheck": 0,
    "/screening": 0,
}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("browser") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def wait_js(page: Any, expression: str, timeout: float = 15_000) -> None:
    """Wait until ``expression`` is true in ``page``. Polls with ``page.evaluate`` (not
    ``wait_for_function``, whose in-page ``eval`` the pages' CSP rightly refuses)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} ms waiting for {expression}")
        page.wait_for_timeout(100)


class Browser:
    """One chromium context that refuses and records requests to any host but 127.0.0.1."""

    def __init__(self, playwright: Any, base: str) -> None:
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))
        self.page.on("console", lambda msg: self.errors.append(f"{self.page.url}: {msg.text}")
                     if msg.type == "error" else None)

    def _route(self, route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host != "127.0.0.1":
            self.outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="load")
        return self.page

    def charts_drawn(self, count: int, timeout: float = 15_000) -> None:
        if count:
            wait_js(self.page, 'document.querySelectorAll(\'.chart[data-drawn="1"] .main-svg\')'
                    f".length >= {count}", timeout=timeout)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser(server: LiveServer) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = Browser(p, server.url)
        try:
            yield b
        finally:
            b.browser.close()
    assert not b.outside, f"requests left 127.0.0.1: {b.outside}"


def test_data_page_shows_row_errors_then_imports(browser: Browser, tmp_path: Path,
                                                 server: LiveServer) -> None:
    page = browser.goto("/data?lang=en")
    bad = tmp_path / "bad.csv"
    bad.write_text("item,country,year,measure,value,unit\nlithum,Chile,2024,production,5,t\n"
                   "lithium,Chile,2024,production,lots,t\n", encoding="utf-8")
    before = server.state.store.counts()
    page.set_input_files("#file", str(bad))
    page.click("#preview-button")
    page.wait_for_selector("#row-errors")
    lines = page.locator("#row-errors tbody tr td:first-child").all_inner_texts()
    assert lines == ["2", "3"]
    assert page.is_disabled("#import-button")
    browser.shot("data-errors-en")
    assert server.state.store.counts() == before
    for name in ("value_chain_batteries_items.csv", "value_chain_batteries.csv"):
        page.set_input_files("#file", str(EXAMPLES / name))
        page.click("#preview-button")
        page.wait_for_selector("#result [data-importable]")
        page.click("#import-button")
        page.wait_for_selector("#result .success strong")
        assert name in page.inner_text("#result")
    assert len(server.state.store.input_edges()) == 20
    browser.shot("data-imported-en")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_draws_in_both_languages(browser: Browser, lang: str) -> None:
    for path, charts in PAGES.items():
        page = browser.goto(f"{path}?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang
        browser.charts_drawn(charts)
        assert page.locator(".chart[data-drawn=error]").count() == 0, path
        name = "home" if path == "/" else path.strip("/").replace("/", "-")
        browser.shot(f"{name}-{lang}")
    # the toggle switches language and remembers it (cookie)
    other = "ja" if lang == "en" else "en"
    page = browser.goto("/countries")
    page.click(f'a.lang[hreflang="{other}"]')
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == other
    page = browser.goto("/commodities")
    assert page.evaluate("document.documentElement.lang") == other
    assert not browser.errors, browser.errors


def test_measure_and_year_swap_with_htmx(browser: Browser) -> None:
    page = browser.goto("/commodities/cobalt?lang=en")
    browser.charts_drawn(4)
    page.focus("#measure")
    page.select_option("#measure", "reserves")
    page.wait_for_selector('.chart[data-spec^="fig-map-reserves"][data-drawn="1"] .main-svg')
    assert page.inner_text("#shares-summary").startswith("reserves")
    assert page.evaluate("document.activeElement.id") == "measure"  # focus kept after swap
    # country shapes are drawn only once the outlines came from /static/world_110m.json
    assert page.locator("#shares .choroplethlocation").count() > 5
    assert not browser.errors, browser.errors


def test_keyboard_reaches_the_main_controls(browser: Browser) -> None:
    page = browser.goto("/commodities/lithium?lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
        if {"measure", "year"} <= reached:
            break
    assert {"measure", "year"} <= reached, reached
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page = browser.goto("/data?lang=ja")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "file":
            break
    assert page.evaluate("document.activeElement.id") == "file"
    assert page.evaluate("document.querySelector('label[for=file]') !== null")


def test_phone_width_has_no_horizontal_overflow(browser: Browser) -> None:
    page = browser.context.new_page()
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        for path in PAGES:
            for lang in ("en", "ja"):
                page.goto(f"{browser.base}{path}?lang={lang}", wait_until="load")
                page.wait_for_timeout(150)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 375, f"{path} ({lang}) is {width} px wide"
            if path in ("/", "/commodities/lithium", "/value-chain"):
                ARTIFACTS.mkdir(exist_ok=True)
                name = "home" if path == "/" else path.strip("/").replace("/", "-")
                page.screenshot(path=str(ARTIFACTS / f"{name}-ja-375.png"), full_page=True)
    finally:
        page.close()


def test_scenario_runs_to_completion(browser: Browser) -> None:
    for lang in ("en", "ja"):
        page = browser.goto(f"/scenarios?lang={lang}")
        page.select_option("#worked", "pymrio-test-mining-outage")
        page.click("#run-button")
        wait_js(page, "document.querySelector('#progress-text').textContent === '100%'",
                timeout=60_000)
        page.wait_for_selector("#comparison tbody tr")
        assert page.locator("#comparison tbody tr").count() == 6  # main, none, 4 measures
        browser.charts_drawn(2, timeout=20_000)
        assert page.evaluate("document.querySelector('#progress').value") == 1
        browser.shot(f"scenarios-result-{lang}")
    assert not browser.errors, browser.errors


# ------------------------------------------------------------------ hostile pages

HOSTILE_PAGE = """<!DOCTYPE html><html><body>
<h1>Free prizes</h1>
<form id="f" method="post" action="{target}/tech/cases" enctype="{enctype}">
  <input name="technology" value="semiconductor-photoresists">
  <input name="counterparty" value="Forged Ltd"><input name="country" value="CHN">
  <input name="channel" value="subsidiary"><input name="decision_date" value="2025-06-01">
  <input name="csrf_token" value="guessed">
</form>
<script>
  fetch("{target}/api/v1/tech/cases", {{method: "POST", mode: "no-cors",
        headers: {{"Content-Type": "text/plain"}}, body: '{{"technology": "x"}}'}})
    .finally(function () {{ document.getElementById("f").submit(); }});
</script>
</body></html>"""


@contextmanager
def hostile_site(target: str, enctype: str) -> Iterator[str]:
    """A second loopback server (another port: another origin) serving a page that posts a
    form and a no-cors fetch to econsec as soon as it loads."""
    page = HOSTILE_PAGE.format(target=target, enctype=enctype).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _cases(server: LiveServer) -> int:
    """Stored transfer cases (a private table: not in the store's counts)."""
    from sqlalchemy import text

    with server.state.store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM transfer_cases")).scalar_one())


@pytest.mark.parametrize("enctype", ["application/x-www-form-urlencoded", "multipart/form-data",
                                     "text/plain"])
def test_cross_origin_form_post_is_refused(browser: Browser, server: LiveServer,
                                           enctype: str) -> None:
    before = _cases(server)
    page = browser.context.new_page()
    try:
        with hostile_site(server.url, enctype) as evil:
            with page.expect_response(lambda r: r.url == server.url + "/tech/cases") as answer:
                page.goto(evil, wait_until="load")
            response = answer.value
            assert response.status == 403
            text = response.text()  # a page in the reader's language (cookie from before)
            assert "Request refused" in text or "リクエストを拒否しました" in text
    finally:
        page.close()
    assert _cases(server) == before
    # the same form from econsec's own page (with its token) still works
    own = browser.goto("/tech/cases?lang=en")
    assert own.locator('form[action="/tech/cases"] input[name="csrf_token"]').count() == 1


def test_javascript_source_url_is_not_clickable(browser: Browser, server: LiveServer) -> None:
    hostile = ("item,country,year,measure,value,unit,source,url\n"
               "gallium,Japan,2031,production,5000,kilograms,Hostile survey,"
               "javascript:document.title='pwned'\n")
    stored = httpx.post(server.url + "/api/v1/data/import", headers=server.headers, timeout=60,
                        files={"file": ("hostile.csv", hostile.encode())})
    assert stored.status_code == 200, stored.text
    dialogs: list[str] = []
    page = browser.goto("/commodities/gallium?lang=en")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert page.locator("text=Hostile survey").count() >= 1
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert page.evaluate("[...document.links].filter(a => a.protocol !== 'http:' && "
                         "a.protocol !== 'https:').length") == 0
    page.locator("text=javascript:document.title").first.click()
    assert page.title() != "pwned" and not dialogs
    assert not browser.errors, browser.errors


def test_docs_load_from_local_files(browser: Browser) -> None:
    page = browser.goto("/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 15
    token = page.evaluate("document.querySelector('meta[name=csrf-token]').content")
    sent = page.evaluate("window.ui.getConfigs().requestInterceptor({headers: {}}).headers")
    assert sent["X-CSRF-Token"] == token
    assert not browser.errors, browser.errors


# ------------------------------------------------------------------ error pages


@pytest.fixture(scope="module")
def failing_pages(server: LiveServer) -> LiveServer:
    """Page routes that fail: an unhandled exception (500) and a busy knowledge base (503)."""
    from econsec.errors import BusyError

    def crash() -> None:
        raise RuntimeError("boom")

    def busy() -> None:
        raise BusyError(retry_after=5)

    server.app.add_api_route("/test-fail/crash", crash, methods=["GET"])
    server.app.add_api_route("/test-fail/busy", busy, methods=["GET"])
    return server


ERROR_PAGES = {  # path -> (status, English title, Japanese title)
    "/test-fail/crash": (500, "Something went wrong", "エラーが発生しました"),
    "/test-fail/busy": (503, "Knowledge base busy", "ナレッジベースが使用中です"),
    "/no-such-page": (404, "Page not found", "ページが見つかりません"),
}


def _error_page_checks(page: Any, lang: str, title: str, width: int) -> None:
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.inner_text("h1") == title
    assert page.evaluate("getComputedStyle(document.querySelector('.error')).borderLeftStyle"
                         ) == "solid", "the stylesheet applies"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 375])
def test_error_pages_in_both_languages(browser: Browser, failing_pages: LiveServer,
                                       width: int) -> None:
    page = browser.context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        for path, (status, en, ja) in ERROR_PAGES.items():
            for lang, title in (("en", en), ("ja", ja)):
                response = page.goto(f"{browser.base}{path}?lang={lang}", wait_until="load")
                assert response is not None and response.status == status, path
                _error_page_checks(page, lang, title, width)
                if status == 500:
                    assert len(page.inner_text(".incident code")) == 12
                name = f"error-{status}-{lang}-{width}"
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        page.close()
    assert not browser.errors, browser.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_host_refusal_page_in_a_browser(browser: Browser, server: LiveServer,
                                        width: int) -> None:
    """A name that resolves to 127.0.0.1 but is not this server's (what DNS rebinding does):
    the browser reads a styled page in its language, without the server's token, and
    loads nothing else from that name."""
    port = server.url.rsplit(":", 1)[1]
    chromium = browser.browser.browser_type
    rebinding = chromium.launch(executable_path=CHROMIUM, args=[
        *ARGS, "--host-resolver-rules=MAP rebound.example 127.0.0.1"])
    try:
        requests: list[str] = []
        errors: list[str] = []
        titles = (("en", "Address not served"), ("ja", "このアドレスでは応答しません"))
        for lang, title in titles:
            context = rebinding.new_context(viewport={"width": width, "height": 800},
                                            locale="ja-JP" if lang == "ja" else "en-US")
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            response = page.goto(f"http://rebound.example:{port}/", wait_until="load")
            assert response is not None and response.status == 400
            _error_page_checks(page, lang, title, width)
            assert page.locator("meta[name=csrf-token]").count() == 0
            page.screenshot(path=str(ARTIFACTS / f"error-400-{lang}-{width}.png"),
                            full_page=True)
            context.close()
        assert requests == [f"http://rebound.example:{port}/"] * 2, requests
        assert not errors, errors
    finally:
        rebinding.close()
