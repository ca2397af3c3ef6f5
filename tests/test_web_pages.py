"""The HTML pages against a real server on loopback: every page renders in English and
Japanese with its key texts, the htmx fragments work, and uploads are checked before
anything is stored (uvicorn on a free port, httpx calls)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from web_server import LiveServer, live_server

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"

#: path -> (English text, Japanese text) each language's page must show.
PAGES = {
    "/": ("Criticality matrix (EU CRM method)", "重要度マトリクス"),
    "/commodities": ("Commodities", "リチウム"),
    "/commodities/lithium": ("Reserves vs production", "埋蔵量と生産量"),
    "/countries": ("Countries", "チリ"),
    "/countries/CHN": ("Governance (WGI)", "ガバナンス（WGI）"),
    "/value-chain": ("The knowledge base holds no bill of materials yet.",
                     "ナレッジベースにはまだ部品表がありません。"),
    "/scenarios": ("Run scenario", "シナリオを実行"),
    "/data": ("Preview", "プレビュー"),
}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("pages") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.max_upload_bytes = 200_000
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60, headers=server.headers) as c:
        yield c


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_page_renders_in_both_languages(client: httpx.Client, path: str, lang: str) -> None:
    r = client.get(path, params={"lang": lang})
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert f'<html lang="{lang}">' in html
    assert PAGES[path][0 if lang == "en" else 1] in html
    assert 'href="#main"' in html and 'id="main"' in html
    # every script and stylesheet is served by the app itself
    assert not re.search(r'(src|href)="https?://(?!127\.0\.0\.1)[^"]+\.(js|css)"', html)
    assert r.cookies.get("econsec_lang") == lang


def test_language_from_cookie_and_accept_language(client: httpx.Client) -> None:
    r = httpx.get(str(client.base_url) + "/", headers={"Accept-Language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in r.text
    r = httpx.get(str(client.base_url) + "/countries", cookies={"econsec_lang": "ja"})
    assert '<html lang="ja">' in r.text and "国・地域" in r.text


def test_labels_show_both_names(client: httpx.Client) -> None:
    html = client.get("/commodities", params={"lang": "en"}).text
    assert "Lithium" in html and "リチウム" in html


def test_home_country_selects_the_overview(client: httpx.Client) -> None:
    html = client.get("/", params={"home": "USA", "lang": "en"}).text
    assert "United States (USA)" in html


def test_commodity_fragment_swaps_measure_and_year(client: httpx.Client) -> None:
    r = client.get("/commodities/lithium/shares",
                   params={"measure": "reserves", "lang": "en"})
    assert r.status_code == 200
    assert '<section id="shares"' in r.text and '<option value="reserves" selected>' in r.text
    assert "<html" not in r.text
    r = client.get("/commodities/lithium/shares", params={"measure": "production",
                                                          "year": 2022})
    assert '<option value="2022" selected>' in r.text


def test_unknown_commodity_and_country_are_404_pages(client: httpx.Client) -> None:
    r = client.get("/commodities/lithum", params={"lang": "en"})
    assert r.status_code == 404 and "lithium" in r.text and "<html" in r.text
    assert client.get("/countries/XXX").status_code == 404


def test_static_assets_are_local(client: httpx.Client) -> None:
    for name in ("econsec.css", "econsec.js", "scenarios.js", "htmx.min.js", "plotly.min.js",
                 "world_110m.json"):
        assert client.get(f"/static/{name}").status_code == 200, name


def test_bad_csv_lists_every_row_and_stores_nothing(client: httpx.Client,
                                                    server: LiveServer) -> None:
    before = server.state.store.counts()
    bad = ("item,country,year,measure,value,unit\n"
           "lithum,Chile,2024,production,5,t\n"
           "lithium,Chiile,2024,production,5,t\n"
           "lithium,Chile,2024,production,7,t\n"
           "lithium,Chile,2024,production,lots,t\n")
    r = client.post("/data/preview", files={"file": ("bad.csv", bad.encode(), "text/csv")},
                    params={"lang": "en"})
    assert r.status_code == 200
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>', r.text)
    assert rows == [("2", "item"), ("3", "country"), ("5", "value")], r.text
    assert "data-importable" not in r.text
    assert server.state.store.counts() == before


def test_oversize_and_malformed_uploads_are_refused(client: httpx.Client,
                                                    server: LiveServer) -> None:
    before = server.state.store.counts()
    big = b"item,country,year,measure,value,unit\n" + b"x" * 300_000
    r = client.post("/data/preview", files={"file": ("big.csv", big, "text/csv")},
                    params={"lang": "en"})
    assert "larger than the limit" in r.text
    r = client.post("/data/import", files={"file": ("big.csv", big, "text/csv")},
                    params={"lang": "ja"})
    assert "上限" in r.text
    r = client.post("/data/preview", files={"file": ("x.zip", b"not a zip", "application/zip")},
                    params={"lang": "en"})
    assert "not a valid .zip" in r.text
    r = client.post("/data/preview", files={"file": ("x.pdf", b"%PDF", "application/pdf")},
                    params={"lang": "en"})
    assert "Unsupported file type" in r.text
    r = client.post("/data/import", files={"file": ("q.csv", b'a,b\n"1,2\n', "text/csv")},
                    params={"lang": "en"})
    assert "nothing was stored" in r.text
    assert server.state.store.counts() == before


def test_example_value_chain_imports_and_draws(client: httpx.Client,
                                               server: LiveServer) -> None:
    for name in ("value_chain_batteries_items.csv", "value_chain_batteries.csv"):
        data = (EXAMPLES / name).read_bytes()
        r = client.post("/data/preview", files={"file": (name, data, "text/csv")})
        assert "data-importable" in r.text, r.text
        r = client.post("/data/import", files={"file": (name, data, "text/csv")},
                        params={"lang": "en"})
        assert "Imported" in r.text, r.text
    assert len(server.state.store.input_edges()) == 20
    html = client.get("/value-chain", params={"lang": "ja"}).text
    assert '"type":"sankey"' in html and "リチウムイオン電池セル" in html
    assert "高集中（HHI ≥ 0.25）" in html
