"""The data page (upload preview and import) shows the refusals of a user's file in the
reader's language: a real server on loopback, real uploads, ``lang=ja`` and ``lang=en``."""

from __future__ import annotations

import html
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from web_server import LiveServer, live_server, post

HEADER = "item,country,year,measure,value,unit\n"


def workbook(*rows: tuple[object, ...]) -> bytes:
    """An .xlsx whose sheet ``observations`` holds ``rows`` (the first is the header)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def package(resources: object, files: dict[str, str] | None = None,
            extra: dict[str, str] | None = None) -> bytes:
    """A zipped data package: ``datapackage.json`` with ``resources`` and its CSV files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("pkg/datapackage.json", json.dumps({"resources": resources}))
        for name, text in (files or {}).items():
            archive.writestr(f"pkg/{name}", text)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return out.getvalue()


SOURCES = ("key,publisher,title,year,licence\n"
           "mine,me,My data,2024,CC-BY-4.0\n")
OBSERVATIONS = "item_id,area,iso3,year,measure,value,unit,source_key\n"
PACKAGE_RESOURCES = [{"name": "sources", "path": "sources.csv"},
                     {"name": "observations", "path": "observations.csv"}]

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
    # header problems
    "column twice": ("twice.csv", "item,item,country,year,measure,value,unit\n"
                     "lithium,lithium,Chile,2024,production,5,t\n",
                     "column 'item' appears twice", "列 'item' が2回あります"),
    "column without header": ("nohead.csv", "item,,country,year,measure,value,unit\n"
                              "lithium,x,Chile,2024,production,5,t\n",
                              "column 2 has no header", "2 列目に見出しがありません"),
    "unknown table": ("what.csv", "colour,size\nred,5\n",
                      "cannot tell which table this is from its columns (colour, size)",
                      "列（colour, size）からどの表か判別できません"),
    "bad item kind": ("kinds.csv", "id,kind,name_en\nwidget,gadget,Widget\n",
                      "unknown kind 'gadget'; allowed:", "不明な種類 'gadget' です。使える値:"),
    "bad item id": ("ids.csv", "id,kind,name_en\nBad ID!,commodity,Bad\n",
                    "item id 'Bad ID!' must be a lower-case slug",
                    "品目 ID 'Bad ID!' は小文字のスラッグ"),
    # bills of materials (the reader, then the import's checks)
    "own input": ("bom.csv", "input_item,output_item\nlithium,lithium\n",
                  "item 'lithium' is its own input",
                  "品目 'lithium' が自分自身の投入になっています"),
    "negative quantity": ("bomq.csv", "input_item,output_item,quantity_per_unit\n"
                          "lithium,cobalt,-2\n", "negative quantity per unit -2",
                          "単位あたり数量 -2 が負です"),
    "cycle": ("cycle.csv", "input_item,output_item\nlithium,cobalt\ncobalt,lithium\n",
              "the bill of materials would contain a cycle: ", "部品表が循環します: "),
    "substitutability": ("subst.csv", "input_item,output_item,substitutability\n"
                         "lithium,cobalt,3\n", "substitutability 3 is outside 0-1",
                         "代替可能性 3 が 0～1 の範囲外です"),
    # workbooks
    "not a workbook": ("book.xlsx", b"PK not really a zip",
                       "not an .xlsx workbook (not a valid zip file",
                       ".xlsx ブックではありません（有効な zip ファイルではありません"),
    "workbook value without header": (
        "book.xlsx", workbook(("item", "country", "year", "measure", "value", "unit"),
                              ("lithium", "Chile", 2024, "production", 5, "t", "stray")),
        "value 'stray' in a column without a header", "見出しのない列に値 'stray' があります"),
    "workbook formula": (
        "book.xlsx", workbook(("item", "country", "year", "measure", "value", "unit"),
                              ("lithium", "Chile", 2024, "production", "=1+1", "t")),
        "formula =1+1 has no computed value", "数式 =1+1 に計算済みの値がありません"),
    # data packages
    "no resources": ("pkg.zip", package({"observations": "x"}),
                     "datapackage.json has no 'resources' list",
                     "datapackage.json に 'resources' のリストがありません"),
    "resource twice": ("pkg.zip", package([{"name": "sources", "path": "a.csv"},
                                           {"name": "sources", "path": "b.csv"}]),
                       "resource 'sources' is listed twice",
                       "リソース 'sources' が2回記載されています"),
    "resource outside": ("pkg.zip", package([{"name": "sources", "path": "../x.csv"}]),
                         "must stay inside the package folder",
                         "はパッケージのフォルダー内を指してください"),
    "package iso3": ("pkg.zip", package(PACKAGE_RESOURCES, {
        "sources.csv": SOURCES,
        "observations.csv": OBSERVATIONS + "lithium,Chile,chl,2024,production,5,t,mine\n"}),
        "'chl' is not an ISO alpha-3 code (three capital letters)",
        "'chl' は ISO alpha-3 コード（大文字3文字）ではありません"),
    "package unknown source": ("pkg.zip", package(PACKAGE_RESOURCES, {
        "sources.csv": SOURCES,
        "observations.csv": OBSERVATIONS + "lithium,Chile,CHL,2024,production,5,t,nope\n"}),
        "unknown source 'nope' (not in the bundle or store)",
        "観測値 #1（品目 'lithium'、地域 'Chile'、2024 年、指標 'production'、出典 'nope'）: "
        "出典 'nope' が不明です"),
    "package unknown country": ("pkg.zip", package(PACKAGE_RESOURCES, {
        "sources.csv": SOURCES,
        "observations.csv": OBSERVATIONS + "lithium,Nowhere,ZZZ,2024,production,5,t,mine\n"}),
        "unknown area country 'ZZZ'", "地域の国 'ZZZ' が不明です"),
    "package negative": ("pkg.zip", package(PACKAGE_RESOURCES, {
        "sources.csv": SOURCES,
        "observations.csv": OBSERVATIONS + "lithium,Chile,CHL,2024,production,-5,t,mine\n"}),
        "negative production value -5.0", "production の値 -5.0 が負です"),
    "package share sum": ("pkg.zip", package(
        [{"name": "sources", "path": "sources.csv"},
         {"name": "trade_flows", "path": "trade_flows.csv"}], {
            "sources.csv": SOURCES,
            "trade_flows.csv": "item_id,exporter,importer,year,source_key,share\n"
                               "lithium,CHL,JPN,2024,mine,0.7\nlithium,AUS,JPN,2024,mine,0.6\n"}),
        "the import shares of lithium into JPN for 2024 add up to 1.300 by this row",
        "JPN への lithium の 2024 年の輸入シェアの合計が、この行までで 1.300 になり"),
    "package missing file": ("pkg.zip", package([{"name": "sources", "path": "gone.csv"}]),
                             "resource 'sources': file not found",
                             "リソース 'sources': ファイルが見つかりません"),
    "zip unsafe path": ("pkg.zip", package([], extra={"../evil.csv": "x"}),
                        "unsafe path in the .zip: ../evil.csv",
                        ".zip 内に安全でないパスがあります: ../evil.csv"),
    "zip without package": ("pkg.zip",
                            package([]).replace(b"datapackage", b"otherpackag"),
                            "the .zip holds no datapackage.json",
                            ".zip に datapackage.json がありません"),
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


def test_data_page_table_names_in_japanese(server: LiveServer) -> None:
    good = HEADER + "lithium,Chile,2024,production,5,t\n"
    ja = preview(server, "ja", "good.csv", good)
    assert 'data-importable="1"' in ja
    assert "観測値: 1" in ja and "観測値 <code>observations</code> — 先頭行" in ja
    page = html.unescape(httpx.get(f"{server.url}/data?lang=ja", timeout=30).text)
    assert "<td>観測値 <code>observations</code></td>" in page
    assert "<td>貿易フロー <code>trade_flows</code></td>" in page
    en = preview(server, "en", "good.csv", good)
    assert "observations: 1" in en and "<code>observations</code>" not in en
