"""The bilingual HTML report: every section, both languages, no network, charts drawn."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_cli

SECTIONS = ("summary", "concentration", "matrix", "lenses", "dependence", "commodities",
            "sources")


@pytest.fixture(scope="module")
def report(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    proc = run_cli("report", "--out", str(out), db=built_db)
    assert "Report written" in proc.stdout
    return out / "index.html"


def embedded_data(html: str) -> dict:
    match = re.search(r"const ECONSEC = (\{.*?\});\nconst LABELS", html, re.S)
    assert match, "report data not embedded"
    return json.loads(match.group(1))


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
    assert "PlotlyGeoAssets" in html and '"world_110m"' in html
    assert "cdn.plot.ly" not in html.split("<script>", 1)[0]


def test_report_numbers_trace_to_sources(report: Path) -> None:
    data = embedded_data(report.read_text(encoding="utf-8"))
    keys = {s["key"] for s in data["sources"]}
    assert {"usgs-mcs-2025-world", "wgi-2023", "eu-crm-2023"} <= keys
    by_id = {c["commodity"]: c for c in data["commodities"]}
    gallium = by_id["gallium"]["measures"]["production"]
    assert gallium["year"] == 2024 and gallium["shares"][0]["iso3"] == "CHN"
    assert all(s["key"] in keys for s in gallium["sources"])
    assert by_id["rare-earths"]["trend"]["years"] == [2021, 2022, 2023, 2024]
    assert data["hhi_ranking"][0]["hhi"] >= data["hhi_ranking"][-1]["hhi"]
    assert all(len(by_id[r["commodity"]]["measures"][r["measure"]]["shares"]) >= 3
               for r in data["hhi_ranking"])
    matrix = {p["material"]: p for p in data["matrix"]["points"]}
    assert matrix["Gallium"]["critical"] and data["matrix"]["assumptions"]["eol_rir"] == 0
    lenses = {r["commodity"]: r for r in data["lenses"]["rows"]}
    assert lenses["gallium"]["external_dependence"]
    assert lenses["gallium"]["disruptive_innovation"]  # domain: computing


def test_report_units_and_yearly_shares_follow_the_headline(report: Path) -> None:
    """Units carry their USGS content basis; the series share of the latest year is the
    headline's (kaolin: a printed world total of 4,400 sends both to the reported basis)."""
    html = report.read_text(encoding="utf-8")
    assert "metric tons, lithium content" in html
    assert "metric tons, rare-earth-oxide equivalent" in html
    data = embedded_data(html)
    by_id = {c["commodity"]: c for c in data["commodities"]}
    kaolin = by_id["kaolin"]
    headline = kaolin["measures"]["production"]
    assert headline["basis"] == "reported"
    usa = next(r["share"] for r in headline["shares"] if r["iso3"] == "USA")
    assert kaolin["trend"]["shares"]["USA"][-1] == pytest.approx(usa)
    assert kaolin["trend"]["bases"][-1] == "reported"
    matrix = {p["material"]: p for p in data["matrix"]["points"]}
    assert "Magnesium" in matrix  # its repeated end use no longer excludes it
    assert not any(e["material"] == "Magnesium" for e in data["matrix"]["excluded"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_report_draws_charts_offline(report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))

        def block(route):  # any request leaving the file is refused and recorded
            if not route.request.url.startswith("file://"):
                requests.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", block)
        page.goto(report.as_uri() + "#lang=en")
        page.wait_for_selector('.lang-block[lang="en"] .chart[data-chart="matrix"] .main-svg')
        page.click('button.lang[data-lang="ja"]')
        page.wait_for_selector('.lang-block[lang="ja"] .chart[data-chart="hhi"] .main-svg')
        page.locator('.lang-block[lang="ja"] details[data-item="gallium"] summary').click()
        page.wait_for_selector(
            '.lang-block[lang="ja"] details[data-item="gallium"] .chart.map .geo')
        page.screenshot(path=str(tmp_path / "report-ja.png"))
        browser.close()
    assert not errors, errors
    assert not requests, requests


def test_report_for_another_home_country(built_db: Path, tmp_path: Path) -> None:
    run_cli("report", "--out", str(tmp_path), "--country", "United States", db=built_db)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    data = embedded_data(html)
    assert data["home"]["iso3"] == "USA"
    assert "最大の輸入元" in html and "Largest import source" in html
