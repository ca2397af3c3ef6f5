"""The data page (upload preview and import) shows the refusals of a user's file in the
reader's language: a real server on loopback, real uploads, ``lang=ja`` and ``lang=en``."""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from web_server import LiveServer, live_server, post

HEADER = "item,country,year,measure,value,unit\n"

#: (file name, content, English text shown, Japanese text shown)
CASES = {
    "magnitude": ("big.csv", HEADER + "lithium,Chile,2024,production,1.7e308,t\n",
                  "1.7e+308 is larger in magnitude than 1e+15",
                  "1.7e+308 の絶対値は econsec が受け付ける上限 1e+15 を超えています"),
    "nan": ("nan.csv", HEADER + "lithium,Chile,2024,production,NaN,t\n",
            "'NaN' is not a number: leave the cell empty",
            "'NaN' は数値ではありません。欠損値の場合はセルを空にしてください"),
    "underscore": ("us.csv", HEADER + "lithium,Chile,2024,production,1_000,t\n",
                   "'1_000' is not a number (write 1000 or 1,000, not 1_000)",
                   "'1_000' は数値ではありません（1_000 ではなく 1000 または 1,000"),
    "encoding": ("latin.csv", (HEADER + "lithium,Chile,2024,production,5,t\x00\n").encode()
                 + b"\xe9\n",
                 "cannot decode byte 0x00 as text (binary data)",
                 "byte 0x00 を text (binary data) として読み取れません"),
    "year": ("year.csv", HEADER + "lithium,Chile,9999,production,5,t\n",
             "year 9999 is outside 1800–2200", "9999 年は 1800–2200 年の範囲外です"),
    "country": ("country.csv", HEADER + "lithium,Chiile,2024,production,5,t\n",
                "unknown country 'Chiile'; did you mean: Chile",
                "国 'Chiile' は見つかりません。候補: Chile (CHL)"),
    "item": ("item.csv", HEADER + "lithum,Chile,2024,production,5,t\n",
             "unknown commodity 'lithum'", "品目 'lithum' は見つかりません。候補: lithium"),
    "missing column": ("cols.csv", "item,country,year,value\nlithium,Chile,2024,5\n",
                       "missing required column(s) for observations: measure",
                       "observations の必須列がありません: measure"),
    "extra field": ("wide.csv", HEADER + "lithium,Chile,2024,production,5,t,x\n",
                    "7 fields but the header has 6 (extra field 'x'",
                    "項目数が 7 ですが、見出し行は 6 列です（余分な項目 'x'"),
    "negative": ("neg.csv", HEADER + "lithium,Chile,2024,production,-5,t\n",
                 "negative production value -5", "production の値 -5 が負です"),
    "share over 1": ("share.csv", "item,exporter,importer,year,share\n"
                     "lithium,Chile,Japan,2024,45\n",
                     "share 45 is over 1", "シェア 45 が 1 を超えています"),
}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("data-ja") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def preview(server: LiveServer, lang: str, name: str, content: str | bytes) -> str:
    data = content.encode() if isinstance(content, str) else content
    response = post(f"{server.url}/data/preview?lang={lang}",
                    files={"file": (name, data, "text/csv")}, timeout=30)
    assert response.status_code == 200, response.text
    return html.unescape(response.text)


@pytest.mark.parametrize("case", list(CASES))
def test_data_page_refusal_in_japanese_and_english(server: LiveServer, case: str) -> None:
    name, content, english, japanese = CASES[case]
    before = server.state.store.counts()
    ja = preview(server, "ja", name, content)
    assert 'id="row-errors"' in ja
    assert japanese in ja
    assert english not in ja
    en = preview(server, "en", name, content)
    assert english in en
    assert server.state.store.counts() == before


def test_data_page_import_refusal_in_japanese(server: LiveServer) -> None:
    name, content, english, japanese = CASES["year"]
    before = server.state.store.counts()
    response = post(f"{server.url}/data/import?lang=ja",
                    files={"file": (name, content.encode(), "text/csv")}, timeout=30)
    text = html.unescape(response.text)
    assert "2 行目" in text and japanese in text
    assert english not in text
    assert server.state.store.counts() == before


def test_data_page_duplicate_rows_in_japanese(server: LiveServer) -> None:
    row = "lithium,Chile,2024,production,5,t\n"
    ja = preview(server, "ja", "dup.csv", HEADER + row + row)
    assert "重複しています" in ja and "duplicate (same source" not in ja
    en = preview(server, "en", "dup.csv", HEADER + row + row)
    assert "duplicate (same source, item, measure, year, area, series '')" in en


def test_data_page_replace_refusal_in_japanese(server: LiveServer) -> None:
    first = HEADER + "lithium,Chile,2024,production,5,t\n"
    response = post(f"{server.url}/data/import?lang=ja",
                    files={"file": ("again.csv", first.encode(), "text/csv")}, timeout=30)
    assert response.status_code == 200 and "success" in response.text
    changed = HEADER + "lithium,Chile,2024,production,6,t\n"
    ja = preview(server, "ja", "again.csv", changed)
    assert "置き換えるには --replace（replace=True）で取り込むか" in ja
    assert "is already in the knowledge base" not in ja
    en = preview(server, "en", "again.csv", changed)
    assert "is already in the knowledge base with 1 observations" in en
