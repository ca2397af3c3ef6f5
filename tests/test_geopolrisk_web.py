"""GeoPolRisk and the home country's import dependence on the API, the CLI and the country
page: a real server on loopback (uvicorn, httpx), ``econsec`` in a subprocess, the page in
Chromium in Japanese and English at 1280 and 375 pixels; bad input."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from econsec.i18n import catalogue
from web_server import LiveServer, live_server

API = "/api/v1"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("geopolrisk-web") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=180) as c:
        yield c


def _page(client: httpx.Client, path: str) -> str:
    """The page, once the server has computed it (a cold page may answer 503, "try again in
    a few seconds", while its analyses run on a busy machine)."""
    deadline = time.monotonic() + 300
    while True:
        response = client.get(path)
        if response.status_code != 503 or time.monotonic() > deadline:
            response.raise_for_status()
            return response.text
        time.sleep(float(response.headers.get("retry-after", "2")))


def _text(html: str, section: str) -> str:
    start = html.index(f'<section id="{section}"')
    end = html.index("</section>", start)
    body = re.sub(r"<script.*?</script>", "", html[start:end], flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_api_is_the_cli_json(client: httpx.Client, built_db: Path) -> None:
    _page(client, f"{API}/countries/JPN/geopolrisk?year=2022")  # computed once
    api = client.get(f"{API}/countries/JPN/geopolrisk", params={"year": 2022})
    assert api.status_code == 200
    cli = json.loads(run_cli("assess", "geopolrisk", "--country", "JPN", "--year", "2022",
                             "--format", "json", db=built_db).stdout)
    assert api.json() == cli
    doc = api.json()
    assert doc["year"] == 2022 and doc["wgi_year"] == 2022 and len(doc["rows"]) >= 40
    scores = [r["score"] for r in doc["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert {"cepii-baci-hs92-crm", "usgs-mcs-2024-world"} <= set(doc["sources"])
    graphite = next(r for r in doc["rows"] if r["commodity"] == "graphite")
    assert graphite["hs_codes"] == ["250410", "250490"]
    assert graphite["top_terms"][0]["origin"] == "CHN"
    assert graphite["score"] == pytest.approx(graphite["hhi"] * graphite["import_risk"])


def test_api_commodity_filter_and_default_year(client: httpx.Client) -> None:
    doc = client.get(f"{API}/countries/Japan/geopolrisk",
                     params=[("commodity", "graphite"), ("commodity", "レアアース")]).json()
    assert doc["country"] == "JPN" and doc["year"] == 2022
    assert sorted(r["commodity"] for r in doc["rows"]) == ["graphite", "rare-earths"]


@pytest.mark.parametrize(("query", "status", "text"), [
    ("/countries/JPN/geopolrisk?year=1990", 422, "year"),
    ("/countries/JPN/geopolrisk?year=abc", 422, "year"),
    ("/countries/JPN/geopolrisk?year=2019", 404, "no USGS production"),
    ("/countries/Atlantis/geopolrisk", 404, "Atlantis"),
    ("/countries/JPN/geopolrisk?commodity=unobtainium", 404, "unobtainium"),
    ("/countries/JPN/geopolrisk?commodity=raw-steel", 404, "no HS 1992 code"),
])
def test_api_bad_input(client: httpx.Client, query: str, status: int, text: str) -> None:
    response = client.get(API + query)
    assert response.status_code == status
    assert text in response.text and "Traceback" not in response.text


def test_cli_bad_input(built_db: Path) -> None:
    for args, text in ((("--year", "2019"), "no USGS production"),
                       (("--country", "Atlantis"), "unknown country"),
                       (("--commodity", "unobtainium"), "unknown commodity"),
                       (("--year", "twenty"), "--year")):
        proc = run_cli("assess", "geopolrisk", *args, db=built_db, check=False)
        assert proc.returncode == 2, args
        assert text in proc.stderr and "Traceback" not in proc.stderr


def test_cli_table(built_db: Path) -> None:
    out = run_cli("assess", "geopolrisk", "--commodity", "graphite", "--commodity",
                  "tungsten", db=built_db).stdout
    assert "GeoPolRisk of Japan (JPN) imports, 2022" in out
    assert "250410+250490" in out and "CF = score x price / 0.409412948" in out


def test_dependence_api_carries_the_trade_position(client: httpx.Client) -> None:
    doc = client.get(f"{API}/assessments/dependence", params={"country": "JPN"}).json()
    rows = {r["commodity"]: r for r in doc["rows"]}
    assert rows["graphite"]["top_import_source"] == "CHN"
    assert rows["titanium-sponge"]["net_exporter"] is True
    lenses = client.get(f"{API}/assessments/lenses", params={"country": "JPN"}).json()
    flags = {r["commodity"]: r for r in lenses["rows"]}
    assert not flags["titanium-sponge"]["external_dependence"]
    assert not flags["raw-steel"]["external_dependence"]
    assert flags["graphite"]["external_dependence"]
    assert lenses["thresholds"]["net_exporter_rank"] == 3


def test_country_page_sections_in_both_languages(client: httpx.Client) -> None:
    en = _page(client, "/countries/JPN?lang=en")
    ja = _page(client, "/countries/JPN?lang=ja")
    gpr_en, gpr_ja = _text(en, "geopolrisk"), _text(ja, "geopolrisk")
    assert "GeoPolRisk score of 2022" in gpr_en and "Source: CEPII BACI" in gpr_en
    assert "2022年の GeoPolRisk スコア" in gpr_ja and "天然黒鉛" in gpr_ja
    imp_en, imp_ja = _text(en, "imports"), _text(ja, "imports")
    assert "Natural graphite" in imp_en and "China (90.0%)" in imp_en
    assert "鉱物" in imp_ja and "中国" in imp_ja and "mineral" not in imp_ja
    # the refined stage covered by world export concentration, labelled so; other stages shown
    assert "World exports of the refined product (export concentration, not production)" in imp_en
    assert "Germanium" in imp_en and "Other stages:" in imp_en and "magnet (HS17 850511)" in imp_en
    assert "精製品の世界輸出" in imp_ja and "ゲルマニウム" in imp_ja
    own = [m for m in catalogue("ja") if " " in m and "%(" not in m and len(m) > 20]
    for text in (gpr_ja, imp_ja):
        assert not [m for m in own if m in text]
    other = _page(client, "/countries/CHN?lang=en")  # not the home country: no imports table
    assert 'id="imports"' not in other and 'id="geopolrisk"' in other


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 375])
def test_country_page_in_chromium(server: LiveServer, lang: str, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with httpx.Client(base_url=server.url, timeout=180) as warm:
        _page(warm, f"/countries/JPN?lang={lang}")  # computed before the browser asks
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/countries/JPN?lang={lang}", wait_until="load")
            page.wait_for_selector('.chart[data-spec="fig-geopolrisk"][data-drawn="1"] .main-svg',
                                   timeout=30_000)
            bars = page.locator('.chart[data-spec="fig-geopolrisk"] .bars .point').count()
            assert bars == 15
            labels = page.locator('.chart[data-spec="fig-geopolrisk"] .ytick text')
            assert ("ニオブ" if lang == "ja" else "Niobium") in labels.all_text_contents()
            assert page.locator("#imports-table tbody tr").count() >= 40
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, overflow
        finally:
            browser.close()
    assert not errors, errors
