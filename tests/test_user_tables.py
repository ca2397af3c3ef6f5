"""Users' CSV / Excel files: detection, encodings, and one clear error per problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from econsec.datasets.user_tables import read_user_file
from econsec.errors import (
    CyclicBillOfMaterialsError,
    DataFormatError,
    UnknownCommodityError,
    UnknownCountryError,
    ValidationError,
)
from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle, snapshot
from econsec.records import Measure

HEADER = "item,country,year,measure,value,unit"


def write(tmp_path: Path, text: str, name: str = "mine.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path: Path, kind: type = DataFormatError) -> Exception:
    with pytest.raises(kind) as caught:
        read_user_file(path)
    return caught.value


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "kb.db"))
    opened.import_bundle(sample_bundle())
    yield opened
    opened.close()


# ----------------------------------------------------------------------- good files


def test_observations_csv(tmp_path: Path, store) -> None:
    path = write(tmp_path, f"{HEADER},is_estimate,note\n"
                           "lithium,Japan,2024,production,1200,t,yes,from a survey\n"
                           "lithium,People's Republic of China,2024,Production,\"1,500.5\",t,,\n"
                           "lithium,World total,2024,production,NA,t,,\n"
                           "lithium,United States,2023,refinery production,W,t,,\n")
    bundle = read_user_file(path)
    source = bundle.sources[0]
    assert source.key == "user:mine.csv"
    assert source.title == "mine.csv" and source.year == 2024
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    first, second, world, withheld = bundle.observations
    assert (first.iso3, first.value, first.is_estimate, first.note) == (
        "JPN", 1200.0, True, "from a survey")
    assert (second.iso3, second.value, second.value_raw) == ("CHN", 1500.5, "1,500.5")
    assert world.is_aggregate and world.iso3 is None and world.value is None
    assert withheld.withheld and withheld.measure is Measure.REFINERY
    store.import_bundle(bundle)
    stored = [o for o in store.observations("lithium") if o.source_key == "user:mine.csv"]
    assert stored == bundle.observations
    assert store.sources(["user:mine.csv"]) == [source]
    before = snapshot(store)
    store.import_bundle(read_user_file(path))
    assert snapshot(store) == before


def test_source_columns_make_sources(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},source,publisher,licence\n"
                           "lithium,Japan,2022,production,1,t,Survey A,Ministry,CC0\n"
                           "lithium,Japan,2023,production,2,t,Survey B,Agency,\n")
    bundle = read_user_file(path)
    assert [(s.key, s.title, s.publisher, s.licence, s.year) for s in bundle.sources] == [
        ("user:mine.csv:survey-a", "Survey A", "Ministry", "CC0", 2022),
        ("user:mine.csv:survey-b", "Survey B", "Agency", "unspecified", 2023),
    ]
    assert [o.source_key for o in bundle.observations] == [
        "user:mine.csv:survey-a", "user:mine.csv:survey-b"]


def test_trade_shares_as_fraction_or_percent(tmp_path: Path) -> None:
    path = write(tmp_path, "item,exporter,importer,year,share\n"
                           "lithium,Chile,Japan,2023,45%\n"
                           "lithium,China,Japan,2023,0.3\n"
                           "lithium,Other countries,Japan,2023,25 %\n")
    flows = read_user_file(path).trade_flows
    assert [(f.exporter, f.share) for f in flows] == [("CHL", 0.45), ("CHN", 0.3), (None, 0.25)]
    assert flows[2].exporter_label == "Other countries"


def test_items_countries_and_bill_of_materials(tmp_path: Path, store) -> None:
    items = write(tmp_path, "id,kind,name_en,name_ja,hs_codes,stage\n"
                            "cathode,component,Cathode,正極材,8507.90;3824.99,midstream\n",
                  "items.csv")
    countries = write(tmp_path, "iso3,name_en,name_ja,groups\nTWN,Taiwan,台湾,chip4\n",
                      "countries.csv")
    bom = write(tmp_path, "input_item,output_item,quantity_per_unit,substitutability\n"
                          "lithium,cathode,0.07,0.1\ncathode,battery-cell,1.2,\n", "bom.csv")
    for path in (items, countries, bom):
        store.import_bundle(read_user_file(path))
    assert store.find_item("正極材").hs_codes == ("8507.90", "3824.99")
    assert store.group_members("chip4") == ["TWN"]
    assert ("cathode", "battery-cell") in {(e.input_item, e.output_item)
                                           for e in store.input_edges()}
    loop = write(tmp_path, "input_item,output_item\nev,cathode\n", "loop.csv")
    before = snapshot(store)
    cycle = "battery-cell -> ev -> cathode -> battery-cell"
    with pytest.raises(CyclicBillOfMaterialsError, match=cycle):
        store.import_bundle(read_user_file(loop))
    assert snapshot(store) == before


def test_semicolon_separated_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffitem;country;year;measure;value;unit\n"
                           "lithium;Chile;2024;production;49000;t\n")
    assert read_user_file(path).observations[0].iso3 == "CHL"


# ----------------------------------------------------------------------- encodings


def test_cp1252_file_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},note\nlithium,Türkiye,2023,production,1200,t,Müller"
                           " & Söhne estimate – revised\n", encoding="cp1252")
    bundle = read_user_file(path)
    obs = bundle.observations[0]
    assert (obs.area, obs.iso3) == ("Türkiye", "TUR")
    assert obs.note == "Müller & Söhne estimate – revised"
    assert "cp1252" in bundle.sources[0].citation


def test_shift_jis_file_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},note\nlithium,日本,2023,production,1200,t,日本の生産量\n",
                 encoding="shift_jis")
    bundle = read_user_file(path)
    assert bundle.observations[0].iso3 == "JPN"
    assert bundle.observations[0].note == "日本の生産量"
    assert "cp932" in bundle.sources[0].citation


def test_undecodable_file_names_the_first_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(f"{HEADER}\nlithium,Chile,2023,production,1,t\n".encode()
                     + b"lithium,\x00\xff\xfe,2023,production,1,t\n")
    error = error_of(path)
    assert error.location.file == str(path) and error.location.line == 3
    assert "cannot decode" in str(error)


# ----------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("text", "kind", "line", "column", "words"),
    [
        ("item,country,year,value\nlithium,Chile,2023,1\n", DataFormatError, 1, "measure",
         "missing required column(s) for observations: measure, unit; found: item, country"),
        (f"{HEADER}\nlithium,Chile,2023,production,1,t\nlithium,Chile,2024,production,1,t,x\n",
         DataFormatError, 3, "#7", "7 fields but the header has 6"),
        (f"{HEADER}\nlithium,Chile,2023,production,1\n", DataFormatError, 2, "unit",
         "5 fields but the header has 6"),
        (f'{HEADER}\nlithium,Chile,2023,production,1,t\nlithium,"Chile,2024,production,1,t\n'
         "lithium,Peru,2024,production,1,t\n", DataFormatError, 3, "country", "quote"),
        (f"{HEADER}\nlithium,Chile,2023,production,1,t\nlithium,Chile,2024,production,lots,t\n",
         DataFormatError, 3, "value", "'lots' is not a number"),
        (f"{HEADER}\nlithium,Chile,2023,production,-4,t\n", ValidationError, 2, "value",
         "negative production value -4"),
        (f"{HEADER}\nlithium,Chile,20x3,production,4,t\n", DataFormatError, 2, "year",
         "not a four-digit year"),
        (f"{HEADER}\nlithium,Chile,2023,output,4,t\n", ValidationError, 2, "measure",
         "unknown measure 'output'; allowed: production, refinery, capacity"),
        (f"{HEADER}\nlithium,Chiile,2023,production,4,t\n", UnknownCountryError, 2, "country",
         "unknown country 'Chiile'; did you mean: Chile"),
        ("item,exporter,importer,year,share\nlithium,Chile,Japan,2023,120%\n", ValidationError,
         2, "share", "share 120% is outside 0-100 %"),
        ("item,exporter,importer,year,share\nlithium,Chile,Japan,2023,45\n", ValidationError,
         2, "share", "give a fraction 0-1 or a percentage with % (45%)"),
        ("item,exporter,importer,year,share\nlithium,Chile,Japan,2023,-0.1\n", ValidationError,
         2, "share", "share -0.1 is negative"),
        ("item,exporter,importer,year\nlithium,Chile,Japan,2023\n", DataFormatError, 1,
         "value or share", "missing required column(s) for trade_flows: value or share"),
        (f"{HEADER},colour\nlithium,Chile,2023,production,4,t,red\n", DataFormatError, 1,
         "colour", "unknown column 'colour' for observations; allowed:"),
        ("name,age\nBob,4\n", DataFormatError, 1, None, "cannot tell which table"),
        ("id,kind,name_en\nwidget,gadget,Widget\n", ValidationError, 2, "kind",
         "unknown kind 'gadget'; allowed: material, component"),
        ("input_item,output_item,substitutability\na,b,1.5\n", ValidationError, 2,
         "substitutability", "substitutability 1.5 is outside 0-1"),
    ],
)
def test_bad_input_gives_one_located_error(
    tmp_path: Path, text: str, kind: type, line: int, column: str | None, words: str
) -> None:
    path = write(tmp_path, text)
    error = error_of(path, kind)
    assert error.location.file == str(path)
    assert error.location.line == line
    assert error.location.column == column
    assert words in str(error)
    assert str(error).startswith(f"{path}, line {line}")


def test_failing_files_leave_the_database_unchanged(tmp_path: Path, store) -> None:
    db = tmp_path / "kb.db"
    store.close()
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    bad_value = write(tmp_path, f"{HEADER}\nlithium,Chile,2023,production,1,t\n"
                                "lithium,Chile,2024,production,-1,t\n", "bad.csv")
    with pytest.raises(ValidationError):
        store.import_bundle(read_user_file(bad_value))
    unknown_item = write(tmp_path, f"{HEADER}\nlithium,Chile,2021,production,1,t\n"
                                   "lithum,Chile,2021,production,1,t\n", "typo.csv")
    with pytest.raises(UnknownCommodityError, match=r"observation #2 .*did you mean: lithium"):
        store.import_bundle(read_user_file(unknown_item))
    store.close()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


# ----------------------------------------------------------------------- Excel


def test_excel_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    sheet.append(["Item", "Country", "Year", "Measure", "Value", "Unit"])
    sheet.append(["lithium", "Chile", 2023, "production", 44000, "t"])
    sheet.append(["lithium", "チリ", 2024.0, "production", 49000.5, "t"])
    trade = book.create_sheet("trade flows")
    trade.append(["item", "exporter", "importer", "year", "share"])
    trade.append(["lithium", "Chile", "JPN", 2023, 0.62])
    notes = book.create_sheet("README")
    notes.append(["anything goes here"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    bundle = read_user_file(path)
    assert [(o.iso3, o.year, o.value) for o in bundle.observations] == [
        ("CHL", 2023, 44000.0), ("CHL", 2024, 49000.5)]
    assert bundle.trade_flows[0].share == 0.62
    assert bundle.sources[0].key == "user:book.xlsx"

    sheet.append(["lithium", "Chile", 2025, "production", "plenty", "t"])
    book.save(path)
    error = error_of(path)
    assert (error.location.file, error.location.line, error.location.column) == (
        f"{path}!observations", 4, "value")
    assert str(error).startswith(f"{path}!observations, line 4, column 'value'")


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    assert "unsupported file type" in str(error_of(write(tmp_path, "x", "a.xls")))
    assert "file not found" in str(error_of(tmp_path / "nope.csv"))
    assert "no datapackage.json" in str(error_of(tmp_path))


def test_excel_formula_without_cached_value_is_refused(tmp_path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    sheet.append(["item", "country", "year", "measure", "value", "unit"])
    sheet.append(["lithium", "Chile", 2030, "production", 5, "t"])
    sheet.append(["lithium", "Peru", 2030, "production", "=E2*2", "t"])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    with pytest.raises(DataFormatError, match=r"line 3, column 'value': formula =E2\*2"):
        read_user_file(path)
