"""The data page browses the stored rows of every table: filters, pages of 50, each row
with its source and the source's year, in English and Japanese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from econsec.kb.browse import browse_table, tables
from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle
from econsec.records import Bundle, Measure, Observation
from web_server import LiveServer, live_server


def _bundle() -> Bundle:
    bundle = sample_bundle()
    source = bundle.sources[0].key
    # 120 more lithium rows, so that the table has three pages of 50 rows for one filter
    bundle.observations += [
        Observation(item_id="lithium", area="Chile", iso3="CHL", is_aggregate=False,
                    year=1900 + n, measure=Measure.PRODUCTION, value=float(n), unit="t",
                    source_key=source)
        for n in range(120)]
    return bundle


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("browse") / "kb.db"
    store = open_store(f"sqlite:///{db}")
    store.import_bundle(_bundle())
    store.close()
    return db


@pytest.fixture(scope="module")
def server(kb: Path) -> Iterator[LiveServer]:
    with live_server(kb) as live:
        yield live


def test_browse_filters_pages_and_sources(kb: Path) -> None:
    store = open_store(f"sqlite:///{kb}")
    everything = browse_table(store.engine, "observations", limit=1000)
    assert everything.total == len(_bundle().observations)
    page = browse_table(store.engine, "observations", item="lithium", country="CHL",
                        offset=50, limit=50)
    assert page.total >= 120 and len(page.rows) == 50 and page.sourced
    assert all(r["item_id"] == "lithium" and r["iso3"] == "CHL" for r in page.rows)
    assert all(r["source_title"] and r["source_year"] for r in page.rows)
    one = browse_table(store.engine, "observations", item="lithium", year=1950)
    assert one.total == 1 and one.rows[0]["value"] == 50.0
    # a table without such columns ignores the filter; every table can be browsed
    assert browse_table(store.engine, "sources", item="lithium").total == 2
    for name in tables():
        browse_table(store.engine, name, limit=1)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_table_page_pages_and_filters(server: LiveServer, lang: str) -> None:
    url = server.url + "/data/tables/observations"
    r = httpx.get(url, params={"item": "Lithium", "country": "Chile", "lang": lang})
    assert r.status_code == 200, r.text
    body = r.text
    assert len(re.findall(r"<tr>\s*<td", body)) == 50
    assert 'rel="next"' in body and "page=2" in body and "country=Chile" in body
    assert "Mineral test summaries 2025" in body  # the source of every row …
    assert ">2025</td>" in body  # … and its year
    if lang == "ja":
        assert "品目" in body and "次のページ" in body and "出典の年" in body
    else:
        assert "Rows 1–50 of" in body and "Source year" in body
    last = httpx.get(url, params={"item": "lithium", "country": "CHL", "page": 3,
                                  "lang": lang})
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text


def test_table_page_unknown_names(server: LiveServer) -> None:
    r = httpx.get(server.url + "/data/tables/observations",
                  params={"item": "lithum", "lang": "en"})
    assert r.status_code == 200 and "did you mean" in r.text and "lithium" in r.text
    assert "No stored rows match." in r.text
    r = httpx.get(server.url + "/data/tables/nosuch", params={"lang": "ja"})
    assert r.status_code == 404 and "nosuch" in r.text


def test_data_page_links_every_table(server: LiveServer) -> None:
    body = httpx.get(server.url + "/data", params={"lang": "en"}).text
    for name in ("observations", "trade_flows", "sources", "items"):
        assert f'href="/data/tables/{name}"' in body  # the count links to the rows


def test_sort_and_download_keep_the_filters(server: LiveServer) -> None:
    url = server.url + "/data/tables/observations"
    r = httpx.get(url, params={"item": "lithium", "country": "CHL", "_sort": "year",
                               "_desc": "1", "lang": "en"})
    years = [y for y in re.findall(r'<td class="num">(\d{4})</td>', r.text) if y != "2025"]
    assert years[:4] == ["2024", "2024", "2023", "2019"], years[:5]  # (2025: source year)
    assert 'aria-sort="descending"' in r.text and "_sort=year" in r.text
    csv = httpx.get(url, params={"item": "lithium", "country": "CHL", "year": 1950,
                                 "_format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].endswith("source_title,source_publisher,source_year,source_url")
    assert len(lines) == 2 and "Mineral test summaries 2025" in lines[1]
    doc = httpx.get(url, params={"item": "lithium", "_format": "json", "_sort": "value",
                                 "_desc": "1"}).json()
    values = [row["value"] for row in doc["rows"] if row["value"] is not None]
    assert values == sorted(values, reverse=True) and len(doc["rows"]) > 100
