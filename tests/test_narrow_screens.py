"""Every page on a 375 px phone screen, in Japanese and English, in a real browser: the page
never scrolls sideways (a wide table scrolls in its own box, the sankey too), no table cell
is narrower than about three characters and no cell's text runs about one character per
line (what ``overflow-wrap: anywhere`` did to every table cell). Screenshots go to
``test-artifacts/``."""

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
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WIDTH = 375

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")

#: Every page a reader can open ({case} is a transfer case made by the fixture).
PAGES = ("/", "/countries", "/countries/JPN", "/countries/CHL", "/commodities",
         "/commodities/lithium", "/value-chain", "/scenarios", "/screening?name=Huawei",
         "/tech", "/tech/cases", "/tech/cases/{case}", "/tech/selfcheck", "/data",
         "/data/tables/observations?item=lithium", "/no-such-page", "/docs",
         "/regions", "/regions/SAU", "/regions/partners",
         "/exercises")

#: In the page: what overflows, narrow cells and cells whose text runs one character a line.
MEASURE = """() => {
  const inScrollBox = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const narrow = [], squeezed = [], loose = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.getClientRects().length) continue;  // not shown (closed <details>, hidden)
    const text = cell.textContent.replace(/\\s+/g, ' ').trim();
    if (text && cell.clientWidth < 28) narrow.push(`${text.slice(0, 20)}: ${cell.clientWidth}px`);
    if (text.length >= 4) {  // lines of text: the tops of its text fragments, 4 px apart
      const tops = [];
      const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
      }
      tops.sort((a, b) => a - b);
      const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
      if (lines >= 3 && text.length / lines < 2)
        squeezed.push(`${text.slice(0, 20)}: ${lines} lines`);
    }
  }
  for (const el of document.querySelectorAll('table, .chart')) {
    if (!el.getClientRects().length) continue;
    if (el.getBoundingClientRect().right > window.innerWidth + 1 && !inScrollBox(el))
      loose.push(`${el.tagName}#${el.id}.${el.className}`);
  }
  return {width: document.documentElement.scrollWidth, inner: window.innerWidth,
          narrow, squeezed, loose};
}"""


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("narrow") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        for name in ("value_chain_batteries_items.csv", "value_chain_batteries.csv"):
            stored = httpx.post(live.url + "/api/v1/data/import", headers=live.headers,
                                timeout=60, files={"file": (name, (EXAMPLES / name).read_bytes())})
            assert stored.status_code == 200, stored.text
        yield live


@pytest.fixture(scope="module")
def phone(server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": 800})
        try:
            yield page
        finally:
            browser.close()


def _settle(page: Any, timeout: float = 15.0) -> None:
    """Wait until every chart of the page has drawn (or failed)."""
    deadline = time.monotonic() + timeout
    while page.evaluate("document.querySelectorAll('.chart[data-spec]:not([data-drawn=\"1\"])"
                        ":not([data-drawn=\"error\"])').length > 0"):
        if time.monotonic() > deadline:
            break
        page.wait_for_timeout(50)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_page_scrolls_sideways_at_375_px(phone: Any, server: LiveServer, lang: str) -> None:
    made = httpx.post(server.url + "/api/v1/tech/cases", headers=server.headers, timeout=60,
                      json={"technology": "saw-baw-filters",
                            "counterparty": "Narrow Screen Components International Ltd.",
                            "country": "CHN", "channel": "subsidiary",
                            "decision_date": "2025-06-01"})
    assert made.status_code in (200, 201), made.text
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for path in PAGES:
        path = path.format(case=made.json()["id"])
        sep = "&" if "?" in path else "?"
        phone.goto(f"{server.url}{path}{sep}lang={lang}", wait_until="load")
        if path != "/docs":  # Swagger UI is in English
            assert phone.evaluate("document.documentElement.lang") == lang, path
        # open every folded table so its cells are measured too
        phone.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        _settle(phone)
        if path == "/docs":
            phone.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
        m = phone.evaluate(MEASURE)
        if m["width"] > m["inner"] + 1:
            problems.append(f"{path}: page is {m['width']} px wide")
        for key in ("narrow", "squeezed", "loose"):
            if m[key]:
                problems.append(f"{path}: {key} {m[key][:5]}")
        name = path.strip("/").replace("/", "-").split("?")[0] or "home"
        phone.screenshot(path=str(ARTIFACTS / f"narrow-{name}-{lang}.png"), full_page=True)
    assert not problems, "\n".join(problems)


def test_the_sankey_scrolls_in_its_own_box(phone: Any, server: LiveServer) -> None:
    phone.goto(server.url + "/value-chain?lang=ja", wait_until="load")
    _settle(phone)
    assert phone.locator('.chart[data-spec="fig-sankey"][data-drawn="1"]').count() == 1
    box = phone.evaluate("(() => { const c = document.querySelector('[data-spec=fig-sankey]');"
                         " const s = c.parentElement; return [getComputedStyle(s).overflowX,"
                         " s.getBoundingClientRect().right, s.scrollWidth > s.clientWidth]; })()")
    assert box[0] == "auto" and box[1] <= WIDTH and box[2]
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
