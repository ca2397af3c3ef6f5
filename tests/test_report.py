"""The bilingual HTML report: every section, both languages, no network, one Plotly bundle,
compact chart data, charts drawn lazily, Japanese charts, no sideways scrolling at 375 px."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("summary", "concentration", "matrix", "lenses", "dependence", "commodities",
            "sources")


@pytest.fixture(scope="module")
def report(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    proc = run_cli("report", "--out", str(out), db=built_db)
    assert "Report written" in proc.stdout
    return out / "index.html"


def chart_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="econsec-charts">(.*?)</script>',
                      html, re.S)
    assert match, "chart data not embedded"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def data(built_db: Path) -> dict[str, Any]:
    """What the report is built from (the analyses' results for Japan, dumped as the report
    templates read them)."""
    from econsec.analyses.report_data import report_data
    from econsec.kb.store import open_store

    return report_data(open_store(f"sqlite:///{built_db}"), home="JPN").model_dump()


def test_every_section_in_both_languages(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    for lang in ("ja", "en"):
        for section in SECTIONS:
            assert f'id="{section}-{lang}"' in html, (section, lang)
    for text in ("供給の集中度が高い品目", "Most concentrated supply", "重要度マトリクス",
                 "Criticality matrix", "3つの視点", "Three lenses", "依存性と不可欠性", "出典",
                 "ガリウム", "Gallium"):
        assert text in html, text


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", html)
    assert "PlotlyGeoAssets" in html and 'id="econsec-topojson"' in html  # map outlines
    assert not re.search(r"<script[^>]+src=", html)


def test_report_numbers_trace_to_sources(report: Path, data: dict[str, Any]) -> None:
    html = report.read_text(encoding="utf-8")
    keys = {s["key"] for s in data["sources"]}
    assert {"usgs-mcs-2025-world", "wgi-2023", "eu-crm-2023"} <= keys
    for source in data["sources"]:  # every source in the report's table, with its year
        assert source["sha256"][:12] in html and source["file"] in html
    by_id = {c["commodity"]: c for c in data["commodities"]}
    gallium = by_id["gallium"]["measures"]["production"]
    assert gallium["year"] == 2024 and gallium["shares"][0]["iso3"] == "CHN"
    assert all(s["key"] in keys for s in gallium["sources"])
    assert "Mineral Commodity Summaries 2025 — world data (2025)" in html
    assert by_id["rare-earths"]["trend"]["years"] == [2021, 2022, 2023, 2024]
    assert data["hhi_ranking"][0]["hhi"] >= data["hhi_ranking"][-1]["hhi"]
    assert all(len(by_id[r["commodity"]]["measures"][r["measure"]]["shares"]) >= 3
               for r in data["hhi_ranking"])
    matrix = {p["material"]: p for p in data["matrix"]["points"]}
    assert matrix["Gallium"]["critical"] and data["matrix"]["assumptions"]["eol_rir"] == 0
    lenses = {r["commodity"]: r for r in data["lenses"]["rows"]}
    assert lenses["gallium"]["external_dependence"]
    assert lenses["gallium"]["disruptive_innovation"]  # domain: computing


def test_chart_data_is_compact_and_matches_the_analyses(report: Path,
                                                       data: dict[str, Any]) -> None:
    """The charts draw from rounded, language-neutral arrays: each country's names once,
    shares in percent with two decimals, the same order and values as the analyses."""
    html = report.read_text(encoding="utf-8")
    charts = chart_data(html)
    gallium = charts["shares"]["gallium/production"]
    shares = data["commodities"]
    profile = next(c for c in shares if c["commodity"] == "gallium")["measures"]["production"]
    assert gallium["iso"] == [r["iso3"] for r in profile["shares"]]
    assert gallium["pct"] == [pytest.approx(r["share"] * 100, abs=0.005)
                              for r in profile["shares"]]
    assert gallium["world"] is True and charts["countries"]["CHN"] == ["中国", "China"]
    assert charts["trends"]["rare-earths"]["years"] == [2021, 2022, 2023, 2024]
    assert charts["matrix"]["names"][0][1] == data["matrix"]["points"][0]["material"]
    text = json.dumps(charts, ensure_ascii=False)
    assert len(text.encode()) < 150_000, len(text.encode())
    assert not re.search(r"\d\.\d{7,}", text), "unrounded numbers in the chart data"
    # No markup or script per chart: one data block, one script with one function per kind.
    script = (ROOT / "src/econsec/reports/assets/report.js").read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot") == script.count("Plotly.newPlot") == 4
    assert html.count("<script") == 5


def test_report_holds_one_plotly_bundle(report: Path) -> None:
    """Plotly is inlined once (gzip, base64) and the file stays small."""
    from econsec.reports.render import plotly_js

    html = report.read_text(encoding="utf-8")
    packed = re.findall(r'<script type="text/plain" id="econsec-plotly"[^>]*>(.*?)</script>',
                        html, re.S)
    assert len(packed) == 1
    bundle = gzip.decompress(base64.b64decode(packed[0])).decode("utf-8")
    assert bundle == plotly_js()
    signature = re.search(r"plotly\.js v[\d.]+", bundle[:200])  # its licence header
    assert signature and signature.group(0) not in html  # no second, uncompressed copy
    assert report.stat().st_size < 3_000_000, report.stat().st_size


def test_report_units_and_yearly_shares_follow_the_headline(report: Path,
                                                            data: dict[str, Any]) -> None:
    """Units carry their USGS content basis; the series share of the latest year is the
    headline's (kaolin: a printed world total of 4,400 sends both to the reported basis)."""
    html = report.read_text(encoding="utf-8")
    assert "metric tons, lithium content" in html
    assert "metric tons, rare-earth-oxide equivalent" in html
    assert "トン（リチウム含有量）" in html  # the Japanese block's units are Japanese
    assert chart_data(html)["trends"]["gallium"]["unit"] == ["キログラム", "kilograms"]
    by_id = {c["commodity"]: c for c in data["commodities"]}
    kaolin = by_id["kaolin"]
    headline = kaolin["measures"]["production"]
    assert headline["basis"] == "reported"
    usa = next(r["share"] for r in headline["shares"] if r["iso3"] == "USA")
    assert kaolin["trend"]["shares"]["USA"][-1] == pytest.approx(usa)
    assert kaolin["trend"]["bases"][-1] == "reported"
    assert chart_data(html)["shares"]["kaolin/production"]["world"] is False
    matrix = {p["material"]: p for p in data["matrix"]["points"]}
    assert "Magnesium" in matrix  # its repeated end use no longer excludes it
    assert not any(e["material"] == "Magnesium" for e in data["matrix"]["excluded"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


DRAWN = "document.querySelectorAll('.chart .main-svg').length"


def drawn(page: Any, selector: str) -> Any:
    """Wait until the chart at ``selector`` is drawn; its element."""
    page.wait_for_selector(selector + " .main-svg", state="attached", timeout=60_000)
    return page.locator(selector)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_report_draws_charts_lazily_offline_in_japanese(report: Path, tmp_path: Path) -> None:
    """Right after opening, no chart is drawn and Plotly is not run; a chart is drawn when its
    section is scrolled to or opened; chart titles and axis labels are Japanese in ja and
    English in en; switching keeps the open commodity open; no request leaves the file; at
    375 px neither language scrolls sideways."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    ja_title, en_title = "世界合計に対するシェア（%）", "Share of world total (%)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def block(route: Any) -> None:  # any request leaving the file is refused and recorded
            if route.request.url.startswith(("file://", "blob:", "data:")):
                route.continue_()
            else:
                requests.append(route.request.url)
                route.abort()

        context.route("**/*", block)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri() + "#lang=ja")
        page.wait_for_timeout(500)
        assert page.evaluate(DRAWN) == 0
        assert page.evaluate("typeof window.Plotly") == "undefined"
        assert page.locator('.lang-block[lang="ja"] figure.bars .bar').count() == 20

        page.locator("#matrix-ja").scroll_into_view_if_needed()
        matrix = drawn(page, '.lang-block[lang="ja"] .chart[data-chart="matrix"]')
        assert "経済的重要性（EI）" in matrix.text_content()
        assert "供給リスク（SR）" in matrix.text_content()

        page.locator('.lang-block[lang="ja"] details[data-item="gallium"] summary').click()
        shares = drawn(page, '.lang-block[lang="ja"] details[data-item="gallium"] '
                             '.chart[data-chart="shares"][data-measure="production"]')
        assert shares.locator(".gtitle").text_content() == ja_title
        assert "中国" in shares.text_content()
        trend = '.lang-block[lang="ja"] details[data-item="gallium"] .chart[data-chart="trend"]'
        page.locator(trend).scroll_into_view_if_needed()
        assert "キログラム" in drawn(page, trend).text_content()  # the axis title's unit
        # Few charts exist: the matrix and the open commodity's (not the 400 others).
        assert 2 <= page.evaluate(
            "[...document.querySelectorAll('.chart')].filter((c) => c.dataset.drawn).length"
        ) <= 10

        page.evaluate(f"document.querySelector('{trend}').econsecMark = 1")
        page.click('button.lang[data-lang="en"]')
        assert page.evaluate('document.querySelector(\'.lang-block[lang="en"] '
                             'details[data-item="gallium"]\').open')
        # The reader stays where they were: the trend, now drawn in English.
        assert "kilograms" in drawn(page, trend.replace('"ja"', '"en"')).text_content()
        # ... re-labelled, not drawn again: the chart drawn in Japanese was moved here.
        assert page.evaluate(f"""document.querySelector('{trend.replace('"ja"', '"en"')}')
                             .econsecMark""") == 1
        shares_en = ('.lang-block[lang="en"] details[data-item="gallium"] '
                     '.chart[data-chart="shares"][data-measure="production"]')
        page.locator(shares_en).scroll_into_view_if_needed()
        shares_en = drawn(page, shares_en)
        assert shares_en.locator(".gtitle").text_content() == en_title
        assert "China" in shares_en.text_content()
        page.click('button.lang[data-lang="ja"]')
        assert shares.locator(".gtitle").text_content() == ja_title
        page.screenshot(path=str(tmp_path / "report-ja.png"))

        narrow = browser.new_context(viewport={"width": 375, "height": 812})
        narrow.route("**/*", block)
        small = narrow.new_page()
        small.on("pageerror", lambda e: errors.append(str(e)))
        small.goto(report.as_uri() + "#lang=ja&open=gallium")
        for lang in ("ja", "en"):
            small.click(f'button.lang[data-lang="{lang}"]')
            gallium = f'.lang-block[lang="{lang}"] details[data-item="gallium"]'
            small.locator(gallium).scroll_into_view_if_needed()
            drawn(small, gallium + ' .chart[data-chart="map"]')
            for where in (0, 1):  # the top and the end (tables, sources)
                small.evaluate(f"window.scrollTo(0, {where} * document.body.scrollHeight)")
                small.wait_for_timeout(100)
                width = small.evaluate("[document.documentElement.scrollWidth, innerWidth]")
                assert width[0] <= width[1], (lang, where, width)
        browser.close()
    assert not errors, errors
    assert not requests, requests


def test_report_for_another_home_country(built_db: Path, tmp_path: Path) -> None:
    run_cli("report", "--out", str(tmp_path), "--country", "United States", db=built_db)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "United States (USA)" in html and "アメリカ合衆国 (USA)" in html
    assert "最大の輸入元" in html and "Largest import source" in html
