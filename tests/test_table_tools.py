"""Tables that sort, download and keep their view in the address (Datasette-like).

The list pages answer ``?_format=csv|json`` with the rows their table shows (countries,
commodities, a commodity's country shares, what the home country depends on a country
for), ordered by ``_sort``/``_desc`` and kept by ``_search`` as the page's table is; CSV
cells that a spreadsheet would run are escaped. In a real browser (static/tables.js) a
header click sorts the rows and marks the header with aria-sort, the sort and the filter go
into the address and come back when it is opened again, the download links follow them,
and a table without a server export downloads the rows it shows."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from econsec.web.pages.tables import arrange
from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

HOSTILE_ITEMS = ("id,kind,name_en,name_ja,domain,stage\n"
                 'evil-metal,material,"=HYPERLINK(""http://x.invalid"")",@SUM(1),,\n')
HOSTILE_ROWS = "item,country,year,measure,value,unit\nevil-metal,Chile,2024,production,5,t\n"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("tables") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        for name, text in (("items.csv", HOSTILE_ITEMS), ("rows.csv", HOSTILE_ROWS)):
            stored = httpx.post(live.url + "/api/v1/data/import", headers=live.headers,
                                timeout=60, files={"file": (name, text.encode())})
            assert stored.status_code == 200, stored.text
        yield live


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.text)))


# ------------------------------------------------------------------ server exports


def test_countries_export_has_the_rows_of_the_page(server: LiveServer) -> None:
    page = httpx.get(server.url + "/countries?lang=en", timeout=60).text
    rows = _csv(httpx.get(server.url + "/countries?_format=csv&lang=en", timeout=60))
    assert len(rows) == page.count("<tr data-search=") > 50
    assert list(rows[0]) == ["iso3", "name", "name_en", "name_ja", "groups",
                             "commodities_produced", "largest_share_commodity",
                             "largest_share"]
    japan = next(r for r in rows if r["iso3"] == "JPN")
    assert japan["name_ja"] == "日本" and "g7" in japan["groups"].split(";")
    everything = _csv(httpx.get(server.url + "/countries?show=all&_format=csv", timeout=60))
    assert len(everything) > len(rows)
    doc = httpx.get(server.url + "/countries?_format=json&lang=ja", timeout=60).json()
    assert doc["table"] == "countries" and len(doc["rows"]) == len(rows)
    assert next(r for r in doc["rows"] if r["iso3"] == "CHL")["name"] == "チリ"


def test_export_keeps_the_sort_and_the_filter(server: LiveServer) -> None:
    url = server.url + "/countries?_format=json&_sort=commodities_produced&_desc=1"
    rows = httpx.get(url, timeout=60).json()["rows"]
    counts = [r["commodities_produced"] for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    found = httpx.get(server.url + "/countries?_format=json&_search=chile", timeout=60).json()
    assert [r["iso3"] for r in found["rows"]] == ["CHL"]
    ascending = httpx.get(server.url + "/commodities?_format=json&_sort=hhi",
                          timeout=60).json()["rows"]
    hhi = [r["hhi"] for r in ascending]
    present = [h for h in hhi if h is not None]
    assert present == sorted(present) and hhi[:len(present)] == present  # empty cells last


def test_commodity_shares_and_country_dependencies_export(server: LiveServer) -> None:
    shares = _csv(httpx.get(server.url + "/commodities/lithium?measure=reserves"
                            "&_format=csv&_sort=share&_desc=1", timeout=60))
    assert {r["measure"] for r in shares} == {"reserves"} and len(shares) > 5
    values = [float(r["share"]) for r in shares]
    assert values == sorted(values, reverse=True)
    deps = httpx.get(server.url + "/countries/CHL?home=JPN&_format=json", timeout=60).json()
    assert deps["rows"] and {r["supplier"] for r in deps["rows"]} == {"CHL"}
    assert {r["home"] for r in deps["rows"]} == {"JPN"}
    assert "commodity" in deps["columns"] and "net_import_reliance" in deps["columns"]


def test_csv_export_escapes_formulas(server: LiveServer) -> None:
    text = httpx.get(server.url + "/commodities?_format=csv", timeout=60).text
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == "evil-metal")
    assert row["name_en"] == "'=HYPERLINK(\"http://x.invalid\")"
    assert row["name_ja"] == "'@SUM(1)"
    doc = httpx.get(server.url + "/commodities?_format=json", timeout=60).json()
    evil = next(r for r in doc["rows"] if r["id"] == "evil-metal")
    assert evil["name_en"].startswith("=HYPERLINK")  # JSON carries the data as stored


def test_unknown_format_is_refused(server: LiveServer) -> None:
    api = httpx.get(server.url + "/countries?_format=xml", timeout=60)
    assert api.status_code == 422
    page = httpx.get(server.url + "/countries?_format=xml&lang=ja", timeout=60,
                     headers={"Accept": "text/html"})
    assert page.status_code == 422 and "<h1>" in page.text


def test_arrange_sorts_numbers_as_numbers_and_empty_cells_last() -> None:
    rows = [{"v": 10}, {"v": None}, {"v": 9.5}, {"v": ""}, {"v": 100}]
    assert [r["v"] for r in arrange(rows, ["v"], sort="v")] == [9.5, 10, 100, None, ""]
    assert [r["v"] for r in arrange(rows, ["v"], sort="v", desc=True)][:3] == [100, 10, 9.5]
    assert arrange(rows, ["v"], sort="nope") == rows


# ------------------------------------------------------------------ in a browser


def wait_js(page: Any, expression: str, timeout: float = 15_000) -> None:
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


@pytest.fixture(scope="module")
def page(server: LiveServer) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield tab
        browser.close()
    assert not errors, errors


def _first_names(page: Any, table: str, n: int = 3) -> list[str]:
    return page.locator(f"#{table} tbody tr:not([hidden]) td:first-child").all_inner_texts()[:n]


def test_header_click_sorts_and_the_address_keeps_sort_and_filter(page: Any,
                                                                   server: LiveServer) -> None:
    page.goto(server.url + "/countries?lang=en", wait_until="load")
    header = page.locator('#country-table th[data-col="commodities_produced"]')
    header.locator("button.sort").click()
    assert header.get_attribute("aria-sort") == "descending"  # numbers: largest first
    assert page.locator("#country-table th[aria-sort]").count() == 1
    counts = [int(c) for c in page.locator("#country-table tbody td:nth-child(4)")
              .all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    page.locator('#country-table th[data-col="iso3"] button.sort').click()
    assert page.locator('#country-table th[data-col="iso3"]').get_attribute(
        "aria-sort") == "ascending"
    codes = page.locator("#country-table tbody td:nth-child(2)").all_inner_texts()
    assert codes == sorted(codes)
    page.locator('#country-table th[data-col="iso3"] button.sort').click()
    page.fill("#filter", "ar")
    here = page.evaluate("location.href")
    assert "_sort=iso3" in here and "_desc=1" in here and "_search=ar" in here
    shown = _first_names(page, "country-table", 100)
    # the download links follow the view: the server returns the same rows in that order
    href = page.locator('[data-tools-for="country-table"] a[data-format="csv"]').get_attribute(
        "href")
    assert "_sort=iso3" in href and "_search=ar" in href
    exported = _csv(httpx.get(server.url + href + "&lang=en", timeout=60))
    assert [r["iso3"] for r in exported] == page.locator(
        "#country-table tbody tr:not([hidden]) td:nth-child(2)").all_inner_texts()
    # the permalink opens the same view
    page.goto(here, wait_until="load")
    assert page.input_value("#filter") == "ar"
    assert page.locator('#country-table th[data-col="iso3"]').get_attribute(
        "aria-sort") == "descending"
    assert _first_names(page, "country-table", 100) == shown


def test_sort_buttons_are_labelled_in_the_page_language(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/commodities?lang=ja&_sort=hhi&_desc=1", wait_until="load")
    button = page.locator('#commodity-table th[data-col="hhi"] button.sort')
    assert button.get_attribute("title") == "この列で並べ替え"
    assert page.locator('#commodity-table th[data-col="hhi"]').get_attribute(
        "aria-sort") == "descending"
    assert "ダウンロード" in page.inner_text('[data-tools-for="commodity-table"]')
    values = page.evaluate("[...document.querySelectorAll('#commodity-table tbody tr')]"
                           ".map(r => r.cells[2].dataset.value).filter(v => v !== undefined)"
                           ".map(Number)")
    assert values == sorted(values, reverse=True) and len(values) > 20


def test_table_without_server_export_downloads_the_rows_it_shows(page: Any,
                                                                 server: LiveServer) -> None:
    page.goto(server.url + "/?lang=en&hhi_sort=3", wait_until="load")  # by year, ascending
    tools = page.locator('[data-tools-for="hhi-table"]')
    assert tools.is_visible()
    page.locator('#hhi-table th:nth-child(4) button.sort').click()  # HHI, largest first
    assert "hhi_sort=4" in page.evaluate("location.href")
    shown = page.locator("#hhi-table tbody td:first-child").all_inner_texts()
    with page.expect_download() as got:
        tools.locator('button[data-download="csv"]').click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    assert rows[0][0] == "Commodity" and [r[0] for r in rows[1:]] == shown
    with page.expect_download() as got:
        tools.locator('button[data-download="json"]').click()
    doc = json.loads(Path(got.value.path()).read_text("utf-8"))
    hhi = [r["HHI"] for r in doc["rows"]]
    assert hhi == sorted(hhi, reverse=True) and all(isinstance(h, float) for h in hhi)
