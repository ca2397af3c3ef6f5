"""Technology analysis on the bundled NSF NCSES tables: the reader on the real file, values
recomputed from the raw CSV independently of the reader and the indicators, the year
alignment against published figures, the CLI, the API on a real loopback server, the
country page in Chromium (ja and en), and bad input."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from econsec.datasets._csv import data_dir
from econsec.datasets.countries import try_resolve_country
from econsec.datasets.nsf_sei import FOLDER, INDEX_FILE, VALUES_FILE, load_sei
from econsec.errors import DataFormatError, ValidationError
from econsec.indicators.technology import TechnologyThresholds, position, share_trend
from web_server import LiveServer, live_server

RAW = data_dir() / FOLDER / VALUES_FILE
FIELD_TABLES = range(4980, 4994)  # SPBS-3…16, the 14 fields of the article tables


@pytest.fixture(scope="module")
def raw() -> dict[tuple[int, str, int], float | None]:
    """(table, geo label as published, year) → value, read with nothing but csv and gzip."""
    out: dict[tuple[int, str, int], float | None] = {}
    with gzip.open(RAW, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[(int(row["table_id"]), row["geo"], int(row["year"]))] = (
                float(row["value"]) if row["value"] else None)
    return out


@pytest.fixture(scope="module")
def profile_jpn(built_db: Path) -> dict:
    return json.loads(run_cli("assess", "technology", "--country", "JPN", "--format", "json",
                              db=built_db).stdout)


def cell(profile: dict, field: str, indicator: str) -> dict:
    f = next(f for f in profile["fields"] if f["field"] == field)
    return next(c for c in f["indicators"] if c["indicator"] == indicator)


# ------------------------------------------------------------------- reader


def test_reader_reads_every_table_and_keeps_aggregates_apart() -> None:
    data = load_sei()
    assert len(data.tables) == 44 and set(data.series) == set(data.tables)
    uspto = data.table(10551)
    assert uspto.table.number == "SINV-4" and uspto.table.years == range(2000, 2023)
    assert uspto.world[2022] == 324698.0 and uspto.countries["JPN"][2022] == 45983.0
    for label in ("EU-27", "Asia", "North America", "EU-27 and United Kingdom"):
        assert label in uspto.aggregates
    assert "European Patent Office" in data.table(10558).aggregates
    # no region, office or former state became a country
    assert not {"EU-27", "World", "Asia"} & set(uspto.countries)
    assert all(len(c) == 3 and c.isupper() for s in data.series.values() for c in s.countries)
    # HTML entities and footnote marks are gone; Côte d'Ivoire is a country
    assert "CIV" in data.table(4979).countries
    # a blank published value is missing, not zero
    top1 = data.table(10022)
    missing = [(c, y) for c, s in top1.countries.items() for y, v in s.items() if v is None]
    assert missing and all(top1.flags[k] in ("na", "ne") for k in missing)


def test_field_articles_add_up_to_the_published_world_total() -> None:
    data = load_sei()
    whole = data.table(4979).world  # SPBS-17: the world row is the same in both countings
    for year in (1996, 2010, 2020):
        assert sum(data.table(t).world[year] or 0 for t in FIELD_TABLES) == pytest.approx(
            whole[year])


# ------------------------------------------------ values recomputed from the raw CSV


def test_uspto_share_rank_and_trend_from_the_raw_file(
        raw: dict[tuple[int, str, int], float | None], profile_jpn: dict) -> None:
    jp, world = raw[(10551, "Japan", 2022)], raw[(10551, "World", 2022)]
    assert jp is not None and world is not None
    c = cell(profile_jpn, "all", "uspto")
    assert c["year"] == 2022 and c["value"] == jp and c["share"] == pytest.approx(jp / world)
    above = {geo for (t, geo, y), v in raw.items()
             if t == 10551 and y == 2022 and v is not None and v > jp
             and try_resolve_country(geo) is not None}
    assert c["rank"] == len(above) + 1
    jp0, w0 = raw[(10551, "Japan", 2017)], raw[(10551, "World", 2017)]
    assert jp0 is not None and w0 is not None
    assert c["trend"]["start_year"] == 2017
    assert c["trend"]["change"] == pytest.approx(jp / world - jp0 / w0)
    assert c["trend"]["cagr"] == pytest.approx((jp / jp0) ** (1 / 5) - 1)
    assert c["tables"] == ["SINV-4"]


def test_semiconductor_patents_from_the_raw_file(
        raw: dict[tuple[int, str, int], float | None], profile_jpn: dict) -> None:
    c = cell(profile_jpn, "semiconductors", "uspto")
    jp, world = raw[(10557, "Japan", 2022)], raw[(10557, "World", 2022)]
    assert jp == 3077.0 and world is not None
    assert c["share"] == pytest.approx(jp / world) and c["tables"] == ["SINV-10"]


def test_all_field_articles_and_top_cited_share_from_the_raw_file(
        raw: dict[tuple[int, str, int], float | None], built_db: Path) -> None:
    doc = json.loads(run_cli("assess", "technology", "--country", "China", "--format", "json",
                             db=built_db).stdout)
    year = 2020

    def fields_sum(geo: str) -> float:
        return sum(v for t in FIELD_TABLES if (v := raw.get((t, geo, year))) is not None)

    china, world = fields_sum("China"), fields_sum("World")
    articles = cell(doc, "all", "articles")
    assert articles["value"] == pytest.approx(china) and articles["world"] == pytest.approx(world)
    rate, world_rate = raw[(10022, "China", year)], raw[(10022, "World", year)]
    assert rate is not None and world_rate == 1.0
    top1 = cell(doc, "all", "top1")
    assert top1["share"] == pytest.approx(china * rate / (world * world_rate))
    assert top1["rank"] == 1 and articles["rank"] == 1


# --------------------------------------------- year alignment against published figures


def test_positional_years_agree_with_published_figures(
        raw: dict[tuple[int, str, int], float | None]) -> None:
    """The figures docs/technology.md cites: S&E articles 2020 (fractional) China 669,744,
    United States 455,856, Japan 101,014 (NCSES, as republished in the World Bank's
    IP.JRN.ARTC.SC); world output "2.9 million articles in 2020" (SEI 2022 Publications
    Output); USPTO grants: 2019 the peak, a third consecutive decline in 2022, about 1 %
    below 2021 and 9 % below 2019 (Patently-O on USPTO data), 325,445 granted in 2022 (SEI
    2024 Invention report, as summarised); China passed the United States in PCT applications
    in 2021 (SSTI on NCSES data)."""
    def articles(geo: str, year: int) -> float:
        return sum(v for t in FIELD_TABLES if (v := raw.get((t, geo, year))) is not None)

    assert round(articles("China", 2020)) == 669744
    assert round(articles("United States", 2020)) == 455856
    assert round(articles("Japan", 2020)) == 101014
    assert round(articles("World", 2020) / 1e6, 1) == 2.9
    uspto = {y: raw[(10551, "World", y)] or 0.0 for y in range(2000, 2023)}
    assert max(uspto, key=lambda y: uspto[y]) == 2019
    assert uspto[2019] > uspto[2020] > uspto[2021] > uspto[2022]
    assert uspto[2022] / uspto[2021] - 1 == pytest.approx(-0.01, abs=0.005)
    assert uspto[2022] / uspto[2019] - 1 == pytest.approx(-0.09, abs=0.005)
    assert uspto[2022] == pytest.approx(325445, rel=0.005)
    pct = {y: (raw[(10558, "China", y)] or 0.0) - (raw[(10558, "United States", y)] or 0.0)
           for y in (2020, 2021, 2022)}
    assert pct[2020] < 0 < pct[2021] and pct[2022] > 0


# --------------------------------------------------------- indicators, missing years


def test_trend_uses_the_years_it_has_and_lists_the_missing_ones() -> None:
    values = {"JPN": {2016: None, 2017: 10.0, 2019: None, 2021: 12.0}}
    world = {2016: 100.0, 2017: 100.0, 2018: 100.0, 2019: 100.0, 2020: 100.0, 2021: 100.0}
    t = share_trend(values, world, "JPN", 5)
    assert t is not None and (t.start_year, t.end_year) == (2017, 2021)
    assert t.missing_years == (2016, 2018, 2019, 2020)
    assert t.cagr == pytest.approx((12 / 10) ** (1 / 4) - 1)
    p = position({"JPN": {2020: None}}, {2020: 5.0}, "JPN")
    assert p.share is None and p.rank is None and p.note == "no value for this country"
    assert position({}, {2020: 5.0}, "JPN").note == "the table does not list this country"


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValidationError, match="window"):
        TechnologyThresholds(window=0)
    with pytest.raises(ValidationError, match="share_growth"):
        TechnologyThresholds(share_growth=2.0)


def test_lenses_with_their_thresholds(profile_jpn: dict) -> None:
    lenses = profile_jpn["lenses"]
    th = lenses["thresholds"]
    assert th == {"window": 5, "advantage_share": 0.15, "advantage_rank": 2,
                  "advantage_rank_min_share": 0.1, "share_growth": 0.02}
    for row in lenses["rows"]:
        f = next(f for f in profile_jpn["fields"] if f["field"] == row["field"])
        expected = any(c["share"] is not None and (
            c["share"] >= th["advantage_share"]
            or (c["rank"] is not None and c["rank"] <= th["advantage_rank"]
                and c["share"] >= th["advantage_rank_min_share"])) for c in f["indicators"])
        assert row["domestic_advantage"] is expected, row["field"]
        assert bool(row["domestic_advantage_reasons"]) is expected
        growth = any(c["trend"] and c["trend"]["change"] >= th["share_growth"]
                     for c in f["indicators"])
        assert row["disruptive_innovation"] is growth
    flagged = {r["field"] for r in lenses["rows"] if r["domestic_advantage"]}
    assert {"semiconductors", "mechanical-engineering"} <= flagged
    assert "social-sciences" not in flagged


# ------------------------------------------------------------------ bad input


def _folder(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "sei"
    folder.mkdir()
    shutil.copy(data_dir() / FOLDER / INDEX_FILE, folder / INDEX_FILE)
    text = "table_id,geo_path,geo,year,value,flag\n10551,World,World,2022,10.0,\n" + rows
    (folder / VALUES_FILE).write_bytes(gzip.compress(text.encode()))
    return folder


@pytest.mark.parametrize(("rows", "message", "line"), [
    ("10551,World -> Atlantis,Atlantis,2022,1.0,\n", "neither a known country", 3),
    ("10551,World -> Asia -> Japan,Japan,1990,1.0,\n", "outside the years", 3),
    ("10551,World -> Asia -> Japan,Japan,2022,lots,\n", "not a number", 3),
    ("10551,World -> Asia -> Japan,Japan,2022,nan,\n", "not a number", 3),
    ("10551,World -> Asia -> Japan,Japan,2022,,\n", "blank value without a flag", 3),
    ("99999,World -> Asia -> Japan,Japan,2022,1.0,\n", "not in tables_index.csv", 3),
    ("10551,World -> Asia -> Japan,Japan,2022,1.0,\n10551,World -> Asia -> Japan,Japan,2022,"
     "2.0,\n", "given twice", 4),
    ("10551,World -> Asia -> Japan,Japan,2022,1.0,\n10551,World -> Japan,Japan,2022,2.0,\n",
     "JPN given twice", 4),
    ("10551,World -> Asia -> Japan,Nippon,2022,1.0,\n", "not the last element", 3),
    ("10551,World -> Asia -> Japan,Japan,2022\n", "cells, expected 6", 3),
])
def test_malformed_rows_are_refused_with_their_line(tmp_path: Path, rows: str, message: str,
                                                    line: int) -> None:
    with pytest.raises(DataFormatError, match=message) as err:
        load_sei(_folder(tmp_path, rows))
    assert err.value.location.line == line
    assert err.value.location.file and err.value.location.file.endswith(VALUES_FILE)


def test_a_file_that_is_not_gzip_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "")
    (folder / VALUES_FILE).write_text("not gzip", encoding="utf-8")
    with pytest.raises(DataFormatError, match="cannot read file"):
        load_sei(folder)


def test_cli_refuses_unknown_country_and_bad_window(built_db: Path) -> None:
    proc = run_cli("assess", "technology", "--country", "Atlantis", db=built_db, check=False)
    assert proc.returncode == 2 and "unknown country 'Atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("assess", "technology", "--window", "0", db=built_db, check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def test_cli_table_names_thresholds_and_sources(built_db: Path) -> None:
    out = run_cli("assess", "technology", "--country", "日本", db=built_db).stdout
    assert "Technology profile of Japan (JPN)" in out
    assert "Domestic advantage (share >= 15.0%" in out and "SINV-10" in out
    assert "Science and Engineering Indicators" in out


# ----------------------------------------------------------- API and the page


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("technology") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def test_api_matches_the_cli(server: LiveServer, profile_jpn: dict) -> None:
    r = httpx.get(server.url + "/api/v1/countries/jpn/technology", timeout=120)
    assert r.status_code == 200
    assert r.json() == profile_jpn
    assert r.json()["sources"][0]["key"] == "nsf-ncses-sei-2024"
    bad = httpx.get(server.url + "/api/v1/countries/Atlantis/technology", timeout=60)
    assert bad.status_code == 404 and "unknown country" in bad.json()["detail"]


def test_openapi_documents_the_endpoint(server: LiveServer) -> None:
    spec = httpx.get(server.url + "/api/v1/openapi.json", timeout=60).json()
    assert "/api/v1/countries/{country}/technology" in spec["paths"]


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_country_page_technology_section(server: LiveServer, lang: str,
                                         profile_jpn: dict) -> None:
    from playwright.sync_api import sync_playwright

    from test_web_browser import ARGS, wait_js

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/countries/JPN?lang={lang}", wait_until="load")
            wait_js(page, "document.querySelector('#technology .chart[data-drawn=\"1\"] "
                          ".main-svg') !== null")
            section = page.inner_text("#technology")
            heading = page.inner_text("#technology-h")
            flagged = page.locator("#technology-lens-table .flag.adv").count()
            bars = page.evaluate("document.querySelectorAll('#technology .chart .bars "
                                 ".point').length")
        finally:
            browser.close()
    assert not errors
    expected = sum(r["domestic_advantage"] for r in profile_jpn["lenses"]["rows"])
    assert flagged == expected > 0
    assert bars == sum(c["share"] is not None for f in profile_jpn["fields"]
                       for c in f["indicators"])
    if lang == "ja":
        assert heading == "技術：特許と論文"
        assert "半導体" in section and "自国の優位性" in section
        for english in ("Technology", "Domestic advantage", "World share", "points", "(sum)"):
            assert english not in section
    else:
        assert heading == "Technology: patents and articles"
        assert "Semiconductors" in section and "15%" in section


def test_pages_of_a_country_no_table_lists(server: LiveServer) -> None:
    r = httpx.get(server.url + "/countries/ATA?lang=ja", timeout=120)
    assert r.status_code == 200
    assert "NCSESの表にはこの国の特許・論文がありません。" in r.text




def test_assess_country_reports_the_technology_lenses(built_db: Path,
                                                      profile_jpn: dict) -> None:
    rows = list(csv.DictReader(io.StringIO(run_cli(
        "assess", "country", "JPN", "--format", "csv", db=built_db).stdout)))
    facts = {r["fact"]: r["value"] for r in rows}
    advantage = next(v for k, v in facts.items()
                     if k.startswith("technology: domestic advantage (share >= 15.0%"))
    expected = [r["field"] for r in profile_jpn["lenses"]["rows"] if r["domestic_advantage"]]
    assert advantage.split(", ") == expected
    # the JSON stays the country profile
    doc = json.loads(run_cli("assess", "country", "JPN", "--format", "json", db=built_db).stdout)
    assert doc["iso3"] == "JPN" and "lenses" not in doc


def test_report_has_the_technology_lens_table_in_both_languages(
        built_db: Path, tmp_path: Path, profile_jpn: dict) -> None:
    run_cli("report", "--out", str(tmp_path), db=built_db)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    for lang in ("ja", "en"):
        start = html.index(f'id="technology-lenses-{lang}"')
        section = html[start:html.index("</section>", start)]
        flagged = section.count('class="flag adv"')
        assert flagged == sum(r["domestic_advantage"] for r in profile_jpn["lenses"]["rows"])
        assert ("半導体" if lang == "ja" else "Semiconductors") in section
        assert ("技術のレンズ" if lang == "ja" else "Technology lenses") in section
