"""Energy and space on the API, the CLI and the country page: a real server on loopback
(uvicorn, httpx), the ``econsec`` command in a subprocess, and the page in Chromium in
Japanese and English. Figures are checked against the raw CSV files parsed here."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_cli
from econsec.datasets import ember, launches
from econsec.datasets._csv import data_dir
from econsec.i18n import catalogue
from web_server import LiveServer, live_server

API = "/api/v1"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("energy-space") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _bundled_ember(iso3: str) -> dict[int, dict[str, float]]:
    with (data_dir() / ember.FILE).open(encoding="utf-8") as fh:
        return {int(r["Year"]): {k: float(v) for k, v in r.items()
                                 if k not in ("ISO3", "Year") and v}
                for r in csv.DictReader(fh) if r["ISO3"] == iso3}


def _bundled_launches() -> list[dict[str, str]]:
    with (data_dir() / launches.FILE).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_energy_api_against_the_csv(client: httpx.Client) -> None:
    raw = _bundled_ember("JPN")
    body = client.get(f"{API}/countries/JPN/energy").json()
    assert body["latest"]["year"] == 2024 and not body["latest"]["provisional"]
    assert body["provisional"]["year"] == 2025
    assert body["latest"]["twh"] == raw[2024]
    y2023 = next(y for y in body["years"] if y["year"] == 2023)
    assert y2023["twh"] == raw[2023]
    assert y2023["shares"]["Coal"] == pytest.approx(raw[2023]["Coal"] / sum(raw[2023].values()))
    assert body["long_change"]["start_year"] == 2000
    assert body["recent_change"]["start_year"] == 2019
    assert [s["key"] for s in body["sources"]] == ["ember-generation"]
    assert body["sources"][0]["licence"] == "CC BY 4.0" and body["sources"][0]["year"] == 2025


def test_space_api_against_the_csv(client: httpx.Client) -> None:
    raw = _bundled_launches()
    jp = [r for r in raw if r["lv_state"] == "J"]
    body = client.get(f"{API}/countries/Japan/space").json()
    assert body["iso3"] == "JPN" and body["state"]["code"] == "J"
    latest = body["latest"]
    assert latest["year"] == 2024
    assert latest["launches"] == sum(r["year"] == "2024" for r in jp) == 7
    assert latest["successes"] == sum(r["year"] == "2024" and r["launch_code"][1] == "S"
                                      for r in jp)
    assert latest["world_launches"] == sum(r["year"] == "2024" for r in raw)
    assert body["total_launches"] == len(jp)
    ranking = {r["state"]["code"]: r for r in body["world_ranking"]}
    assert ranking["US"]["rank"] == 1 and ranking["US"]["launches"] == 141
    assert ranking["I-ESA"]["state"]["iso3"] is None  # kept apart from countries
    russia = client.get(f"{API}/countries/RUS/space").json()
    assert russia["predecessor"]["code"] == "SU"
    assert russia["first_year"] == 1992
    assert sum(y["launches"] for y in russia["predecessor_years"]) == sum(
        r["lv_state"] == "SU" for r in raw)
    chile = client.get(f"{API}/countries/CHL/space").json()
    assert chile["state"] is None and chile["years"] == [] and chile["world_ranking"]
    assert [s["key"] for s in body["sources"]] == ["jsr-launches"]


def test_bad_country_and_uncovered_country(client: httpx.Client) -> None:
    for path in ("/countries/Atlantis/energy", "/countries/Atlantis/space"):
        r = client.get(API + path)
        assert r.status_code == 404 and "unknown country" in r.json()["detail"]
    r = client.get(f"{API}/countries/ATA/energy")  # Antarctica: a country Ember lacks
    assert r.status_code == 404
    assert r.json()["detail"] == "Ember has no electricity generation for ATA"


def test_country_profile_and_cli_carry_energy_and_space(client: httpx.Client,
                                                        server: LiveServer) -> None:
    api = client.get(f"{API}/countries/JPN").json()
    keys = {s["key"] for s in api["sources"]}
    assert {"ember-generation", "jsr-launches"} <= keys
    cli = json.loads(run_cli("assess", "country", "JPN", "--format", "json",
                             db=server.db).stdout)
    assert cli["energy"] == api["energy"] and cli["space"] == api["space"]
    table = run_cli("assess", "country", "JPN", db=server.db).stdout
    assert "orbital launches 2024 (JSR)" in table and "7 (5 successful)" in table
    assert "electricity 2024 (Ember)" in table and "1,016.4 TWh" in table
    bad = run_cli("assess", "country", "Atlantis", db=server.db, check=False)
    assert bad.returncode == 2 and "unknown country" in bad.stderr
    assert "Traceback" not in bad.stderr


def _text(html: str, section: str) -> str:
    start = html.index(f'<section id="{section}"')
    end = html.index("</section>", start)
    body = re.sub(r"<script.*?</script>", "", html[start:end], flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_country_page_sections_in_both_languages(client: httpx.Client) -> None:
    en = client.get("/countries/JPN?lang=en").text
    ja = client.get("/countries/JPN?lang=ja").text
    energy_en, energy_ja = _text(en, "energy"), _text(ja, "energy")
    assert "Coal" in energy_en and "1,016.4 TWh" in energy_en
    assert "石炭" in energy_ja and "太陽光" in energy_ja and "Coal" not in energy_ja
    assert "Source: Ember" in energy_en and "2000–2025" in energy_en
    space_en, space_ja = _text(en, "space"), _text(ja, "space")
    assert "2024: 7 orbital launch attempts" in space_en and "Rank 5 of 10" in space_en
    assert "軌道打ち上げ 7 回" in space_ja and "Source: " not in space_ja
    # no English sentence of ours on the Japanese page's sections
    own = [m for m in catalogue("ja") if " " in m and "%(" not in m and len(m) > 20]
    for text in (energy_ja, space_ja):
        assert not [m for m in own if m in text]
    none = client.get("/countries/CHL?lang=en").text
    assert "No orbital launch by launch vehicles of this country" in _text(none, "space")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_country_page_charts_draw_in_chromium(server: LiveServer, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/countries/JPN?lang={lang}", wait_until="load")
            for spec in ("fig-energy", "fig-space"):
                page.wait_for_selector(f'.chart[data-spec="{spec}"][data-drawn="1"] .main-svg',
                                       timeout=20_000)
            legend: Any = page.locator('.chart[data-spec="fig-energy"] .legendtext')
            names = set(legend.all_text_contents())
            assert ("石炭" if lang == "ja" else "Coal") in names
            traces = page.locator('.chart[data-spec="fig-space"] .bars .point').count()
            assert traces > 20
        finally:
            browser.close()
    assert not errors, errors
