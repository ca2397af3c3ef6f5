"""Product trade in the knowledge base: BACI flows as loaded by ``econsec init``, the
commodity ↔ HS crosswalk, the edition rule, users' product flows and the migration.

The bundled BACI files are read directly with pyarrow and compared with what the store
answers, so the tests check the load against the raw data rather than fixed numbers.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from conftest import reset_postgres, run_cli
from econsec.datasets._csv import data_dir
from econsec.datasets.baci import (
    HS17_FILE,
    HS17_SOURCE,
    HS92_FILE,
    HS92_SOURCE,
    LEFT_OUT,
    MAP_FILE,
    crosswalk_gaps,
    load_commodity_products,
)
from econsec.errors import (
    NotFoundError,
    UnknownCountryError,
    UnknownProductError,
    ValidationError,
)
from econsec.kb.cached import CachedReads
from econsec.kb.engine import make_engine, migrate
from econsec.kb.store import Store, open_store
from econsec.kb.testing import SOURCE_A, sample_bundle
from econsec.records import FlowTable, TradeFlow

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")


@pytest.fixture(scope="module")
def hs92() -> dict[str, list]:
    table = pq.read_table(data_dir() / HS92_FILE)
    return {name: table.column(name).to_pylist() for name in table.column_names}


@pytest.fixture(scope="module")
def kb(built_db: Path) -> Store:
    store = CachedReads(open_store(f"sqlite:///{built_db}").engine)
    yield store
    store.close()


def _stored_count(db: Path, source: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM trade_flows WHERE source_key = ?",
                            (source,)).fetchone()[0]


# ------------------------------------------------------------------------ the load


def test_row_counts_match_the_raw_files(built_db: Path, hs92: dict[str, list]) -> None:
    aggregates = set(LEFT_OUT)
    kept = sum(1 for e, i in zip(hs92["exporter_iso3"], hs92["importer_iso3"], strict=True)
               if e not in aggregates and i not in aggregates)
    assert kept < len(hs92["year"])  # ZA1 / PUS rows exist in the file ...
    assert _stored_count(built_db, HS92_SOURCE) == kept  # ... and only they are left out
    hs17_rows = pq.read_metadata(data_dir() / HS17_FILE).num_rows
    assert _stored_count(built_db, HS17_SOURCE) == hs17_rows


def test_init_reports_the_rows_left_out(built_db: Path, hs92: dict[str, list],
                                        reinitialised: tuple[Path, dict[str, Any]]) -> None:
    _db, doc = reinitialised  # `econsec init --format json` on a copy of built_db
    counted = Counter()
    for e, i in zip(hs92["exporter_iso3"], hs92["importer_iso3"], strict=True):
        for code in LEFT_OUT:
            if code in (e, i):
                counted[code] += 1
    reported = {key.split(": ")[1]: n for key, n in doc["left_out"].items()}
    assert reported == dict(counted)
    assert doc["counts"]["trade_flows"] == _total_flows(built_db)


def _total_flows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM trade_flows").fetchone()[0]


def test_s19_is_taiwan(kb: Store, built_db: Path, hs92: dict[str, list]) -> None:
    with sqlite3.connect(built_db) as conn:
        assert conn.execute("SELECT count(*) FROM trade_flows WHERE exporter = 'S19' "
                            "OR importer = 'S19'").fetchone()[0] == 0
    rows = [k for k, (e, y, h) in enumerate(zip(hs92["exporter_iso3"], hs92["year"],
                                                  hs92["hs6"], strict=True))
            if e == "S19" and y == 2020 and h == "250490"]
    assert rows
    flows = kb.product_flows("250490", exporter="TWN", year=2020)
    assert sorted(f.value for f in flows) == sorted(hs92["value_kusd"][k] for k in rows)
    assert kb.country("TWN").name_en


def test_flows_read_back_equal_the_parquet_rows(kb: Store, hs92: dict[str, list]) -> None:
    rng = random.Random(20241202)
    picked = [k for k in rng.sample(range(len(hs92["year"])), 400)
              if not {hs92["exporter_iso3"][k], hs92["importer_iso3"][k]} & set(LEFT_OUT)][:25]
    for k in picked:
        exporter = "TWN" if hs92["exporter_iso3"][k] == "S19" else hs92["exporter_iso3"][k]
        importer = "TWN" if hs92["importer_iso3"][k] == "S19" else hs92["importer_iso3"][k]
        flows = kb.product_flows(hs92["hs6"][k], hs_version="HS92", importer=importer,
                                 exporter=exporter, year=hs92["year"][k])
        assert len(flows) == 1, (k, flows)
        flow = flows[0]
        assert flow.value == hs92["value_kusd"][k]
        assert flow.quantity == hs92["qty_t"][k]
        assert (flow.unit, flow.source_key, flow.item_id) == ("thousand USD", HS92_SOURCE, None)


def test_japan_2024_import_shares_from_the_raw_hs17_file(kb: Store) -> None:
    table = pq.read_table(data_dir() / HS17_FILE)
    mask = pc.and_(pc.equal(table["importer"], "JPN"), pc.equal(table["hs6"], "850511"))
    raw = table.filter(mask)
    expected = dict(zip(raw["exporter"].to_pylist(), raw["value_kusd"].to_pylist(),
                        strict=True))
    flows = kb.product_flows("8505.11", importer="JPN", year=2024)
    assert {f.hs_version for f in flows} == {"HS17"}
    got = {f.exporter: f.value for f in flows}
    assert got == {("TWN" if k == "S19" else k): v for k, v in expected.items()}


# --------------------------------------------------------------- the edition rule


def test_one_edition_per_year(kb: Store) -> None:
    # ferro-niobium is in both files for 2024: the HS 1992 series answers
    both = kb.product_flows("720293", year=2024)
    assert both and {f.hs_version for f in both} == {"HS92"}
    hs17 = kb.product_flows("720293", hs_version="hs17", year=2024)
    assert hs17 and {f.hs_version for f in hs17} == {"HS17"}
    trend = kb.product_flows("720293", importer="JPN", years=(2015, 2024))
    assert {f.year for f in trend} == set(range(2015, 2025))
    assert {f.hs_version for f in trend} == {"HS92"}
    # the magnets line exists in HS 2017 only
    assert {f.hs_version for f in kb.product_flows("850511", year=2024)} == {"HS17"}
    with pytest.raises(ValidationError, match="HS version"):
        kb.product_flows("720293", hs_version="HS19")


def test_product_info_and_products(kb: Store) -> None:
    magnets = kb.product_info("850511")
    assert (magnets.hs_version, magnets.stage) == ("HS17", "magnet")
    assert "rare-earths" in magnets.commodities and magnets.description_ja
    ree = kb.product_info("2846.90")
    assert ree.hs_version == "HS92" and ree.stage == "compound"
    assert "rare" in ree.description_en.casefold() and "rare-earths" in ree.commodities
    products = kb.trade_products()
    pairs = {(p.hs_code, p.hs_version) for p in products}
    hs92_codes = set(pq.read_table(data_dir() / HS92_FILE, columns=["hs6"])["hs6"].to_pylist())
    hs17_codes = set(pq.read_table(data_dir() / HS17_FILE, columns=["hs6"])["hs6"].to_pylist())
    assert pairs == {(c, "HS92") for c in hs92_codes} | {(c, "HS17") for c in hs17_codes}
    assert all(p.description_en and p.stage for p in products)


def test_unknown_code_names_it_with_close_codes(kb: Store) -> None:
    with pytest.raises(UnknownProductError) as caught:
        kb.product_flows("28469")
    assert isinstance(caught.value, NotFoundError)
    assert "28469" in str(caught.value) and "284690" in str(caught.value)
    with pytest.raises(NotFoundError, match="HS code '00000x'"):
        kb.product_info("00000x")
    with pytest.raises(UnknownCountryError, match="unknown country 'Narnia'"):
        kb.product_flows("284690", importer="Narnia")
    by_name = kb.product_flows("284690", importer="Japan", year=2024)
    assert by_name == kb.product_flows("284690", importer="jpn", year=2024) and by_name


# -------------------------------------------------------------------- crosswalk


def test_every_map_commodity_is_linked_or_reported(kb: Store) -> None:
    import csv

    with (data_dir() / MAP_FILE).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    links = kb.commodity_products()
    gaps = {g.label: g for g in crosswalk_gaps() if g.dataset == "wmd-map"}
    by_code = {(p.hs_code, p.hs_version) for p in links}
    for row in rows:
        codes = [c for c in [row["HS Code"], *row["HS Code - Complementary"].split(";")]
                 if c and c != "Not Available"]
        if row["commodity"] in gaps:
            assert gaps[row["commodity"]].reason
            continue
        assert codes and all((c, "HS92") in by_code for c in codes), row["commodity"]
    hs17 = pq.read_table(data_dir() / HS17_FILE, columns=["hs6", "material"])
    hs17_gaps = {g.label for g in crosswalk_gaps() if g.dataset == "hs17"}
    for code, material in set(zip(hs17["hs6"].to_pylist(), hs17["material"].to_pylist(),
                                  strict=True)):
        assert material in hs17_gaps or (code, "HS17") in by_code, material
    assert links == load_commodity_products()  # stored as loaded


def test_a_commodity_maps_to_several_stages(kb: Store) -> None:
    ree = {(p.hs_code, p.hs_version): p for p in kb.commodity_products("Rare earths")}
    assert ree[("850511", "HS17")].stage == "magnet"
    assert ree[("284690", "HS92")].stage == "compound"
    assert ree[("280530", "HS92")].stage == "refined metal"
    assert ree[("284690", "HS92")].eol_rir == pytest.approx(0.01)
    gallium = {p.hs_code for p in kb.commodity_products("gallium")}
    assert "811292" in gallium
    # the items' own HS 2022 codes are not crosswalk links and stay as they were
    assert kb.find_item("rare-earths").hs_codes == ("280530", "284610", "284690")


# ------------------------------------------------------------- users' product flows

CUSTOMS = """exporter,importer,hs_code,hs_version,year,value_kusd,quantity_t,source,publisher
China,JPN,850511,HS17,2024,157000,1200,Japan customs 2024,Ministry of Finance Japan
PHL,Japan,8505.11,H5,2024,184000,,Japan customs 2024,Ministry of Finance Japan
VNM,JPN,284690,1992,2023,15.5,2.5,Japan customs 2024,Ministry of Finance Japan
"""


def test_user_product_flows_round_trip(db_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "customs.csv"
    path.write_text(CUSTOMS, encoding="utf-8")
    before = _total_flows(db_copy)
    run_cli("import", str(path), db=db_copy)
    run_cli("import", str(path), db=db_copy)  # the same file again changes nothing
    assert _total_flows(db_copy) == before + 3
    with open_store(f"sqlite:///{db_copy}") as store:
        mine = store.product_flows("850511", importer="JPN", year=2024,
                                   source_key="user:customs.csv")
        assert [(f.exporter, f.value, f.quantity, f.hs_version) for f in mine] == [
            ("CHN", 157000.0, 1200.0, "HS17"), ("PHL", 184000.0, None, "HS17")]
        every = store.product_flows("850511", importer="JPN", year=2024)
        assert {f.source_key for f in every} == {"user:customs.csv", HS17_SOURCE}
        ree = store.product_flows("284690", exporter="VNM", importer="JPN", year=2023,
                                  source_key="user:customs.csv")
        assert [(f.value, f.hs_version) for f in ree] == [(15.5, "HS92")]
        assert store.sources(["user:customs.csv"])[0].publisher == "Ministry of Finance Japan"


@pytest.mark.parametrize(("row", "column", "message"), [
    ("Narnia,JPN,850511,HS17,2024,10", "exporter", "unknown country 'Narnia'"),
    ("CHN,JPN,85051,HS17,2024,10", "hs_code", "HS code '85051' is not a 6-digit"),
    ("CHN,JPN,999998,HS22,2024,10", "hs_code", "is not a subheading of HS 2022"),
    ("CHN,JPN,850511,HS17,2024,-5", "value_kusd", "negative value_kusd -5"),
    ("CHN,JPN,850511,HS19,2024,5", "hs_version", "unknown HS version 'HS19'"),
    ("World,JPN,850511,HS17,2024,5", "exporter", "is not a country"),
    ("CHN,JPN,850511,HS17,24,5", "year", "not a four-digit year"),
])
def test_bad_product_flows_are_refused_where_they_are(db_copy: Path, tmp_path: Path,
                                                      row: str, column: str,
                                                      message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("exporter,importer,hs_code,hs_version,year,value_kusd\n"
                    "KOR,JPN,850511,HS17,2024,1\n" + row + "\n", encoding="utf-8")
    before = _total_flows(db_copy)
    proc = run_cli("import", str(path), db=db_copy, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"bad.csv, line 3, column '{column}'" in proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _total_flows(db_copy) == before


def test_duplicate_product_flow_is_refused(db_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("exporter,importer,hs_code,hs_version,year,value_kusd\n"
                    "KOR,JPN,850511,HS17,2024,1\nKOR,JPN,850511,HS17,2024,2\n",
                    encoding="utf-8")
    proc = run_cli("import", str(path), db=db_copy, check=False)
    assert proc.returncode == 2
    assert "twice.csv, line 3" in proc.stderr and "duplicate" in proc.stderr


# -------------------------------------------------------- bulk tables and re-imports


def _small_table(value: float = 10.0) -> FlowTable:
    return FlowTable(
        source_key=SOURCE_A.key, hs_version="HS92", exporter=["CHN", "CHL", "USA"],
        importer=["JPN", "JPN", "CHN"], hs_code=["284690", "283691", "284690"],
        year=[2022, 2022, 2023], value=[value, 2.5, 3.0], quantity=[1.0, None, 0.5],
        file="small.parquet",
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")])])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'kb.db'}")
    else:
        assert PG_URL
        reset_postgres(PG_URL)
        store = open_store(PG_URL)
    yield store
    store.close()


def _bundle_with(table: FlowTable):
    bundle = sample_bundle()
    bundle.trade_flows = []  # the source's facts are the flow table's alone
    bundle.observations = [o for o in bundle.observations if o.source_key != SOURCE_A.key]
    bundle.input_edges, bundle.country_risk = [], []
    bundle.flow_tables = [table]
    return bundle


def test_bulk_table_stores_and_reimports(empty_store: Store) -> None:
    first = empty_store.import_bundle(_bundle_with(_small_table()))
    assert first.rows["trade_flows"] == 3
    flows = empty_store.product_flows("284690")
    assert [(f.exporter, f.importer, f.year, f.value) for f in flows] == [
        ("CHN", "JPN", 2022, 10.0), ("USA", "CHN", 2023, 3.0)]
    again = empty_store.import_bundle(_bundle_with(_small_table()))  # equal: kept
    assert again.unchanged == {SOURCE_A.key: 3} and "trade_flows" not in again.rows
    with pytest.raises(ValidationError, match="already in the knowledge base with 3"):
        empty_store.import_bundle(_bundle_with(_small_table(11.0)))
    changed = empty_store.import_bundle(_bundle_with(_small_table(11.0)), replace=True)
    assert changed.replaced["trade_flows"] == 3 and changed.rows["trade_flows"] == 3
    assert empty_store.product_flows("284690", exporter="CHN")[0].value == 11.0


def test_bulk_table_refusals_name_the_row(empty_store: Store) -> None:
    table = _small_table()
    table.importer[1] = "XXX"  # type: ignore[index]
    with pytest.raises(ValidationError) as caught:
        empty_store.import_bundle(_bundle_with(table))
    assert caught.value.location.line == 2 and caught.value.location.column == "importer"
    assert "unknown importer country 'XXX'" in str(caught.value)
    table = _small_table()
    table.value[2] = float("nan")  # type: ignore[index]
    with pytest.raises(ValidationError, match="value nan must be a number"):
        empty_store.import_bundle(_bundle_with(table))
    assert empty_store.counts()["trade_flows"] == 0


# --------------------------------------------------------------------- migration


def test_upgrade_from_0002_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (key, publisher, title, year, licence, url, "
                          "file, sha256, citation) VALUES ('s', 'p', 't', 2020, 'l', '', '', "
                          "'', '')"))
        for iso3 in ("CHN", "JPN"):
            conn.execute(text("INSERT INTO countries (iso3, iso2, numeric, name_en, name_ja) "
                              f"VALUES ('{iso3}', '', '', '{iso3}', '')"))
        conn.execute(text("INSERT INTO items (id, kind, name_en, name_ja, domain) VALUES "
                          "('lithium', 'material', 'Lithium', '', '')"))
        conn.execute(text("INSERT INTO item_hs_codes (item_id, hs_code, position) VALUES "
                          "('lithium', '283691', 0), ('lithium', '282520', 1)"))
        conn.execute(text("INSERT INTO trade_flows (item_id, exporter, exporter_label, "
                          "importer, year, value, unit, share, source_key) VALUES "
                          "('lithium', 'CHN', '', 'JPN', 2021, 5.0, 'USD', 0.5, 's')"))
    engine.dispose()
    with open_store(url) as store:  # migrates to the newest revision
        assert store.find_item("lithium").hs_codes == ("283691", "282520")
        assert store.trade_flows("lithium") == [TradeFlow(
            "lithium", "CHN", "JPN", 2021, "s", value=5.0, unit="USD", share=0.5)]
        assert store.commodity_products() == []
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT DISTINCT hs_version FROM item_hs_codes"))
            assert [v for (v,) in versions] == ["HS22"]
        # a product flow can be stored next to the old item flow
        store.import_bundle(_bundle_with(_small_table()), replace=True)
        assert len(store.product_flows("284690")) == 2
        assert len(store.trade_flows()) == 1


# ------------------------------------------------------------- the data page's API


def test_product_flows_through_the_data_api(db_copy: Path) -> None:
    import httpx

    from web_server import live_server

    good = CUSTOMS.encode()
    bad = (b"exporter,importer,hs_code,hs_version,year,value_kusd\n"
           b"KOR,JPN,850511,HS17,2024,1\nKOR,JPN,850511,HS99,2024,1\n")
    with live_server(db_copy) as live, httpx.Client(
            base_url=live.url + "/api/v1", timeout=120, headers=live.headers) as client:
        preview = client.post("/data/preview", files={"file": ("customs.csv", good)}).json()
        assert preview["counts"]["trade_flows"] == 3 and preview["stored"] is False
        assert preview["rows"]["trade_flows"][0]["hs_code"] == "850511"
        refused = client.post("/data/import", files={"file": ("wrong.csv", bad)})
        assert refused.status_code == 422
        body = refused.json()
        assert (body["file"], body["line"], body["column"]) == ("wrong.csv", 3, "hs_version")
        stored = client.post("/data/import", files={"file": ("customs.csv", good)})
        assert stored.status_code == 200, stored.text
        assert stored.json()["rows"]["trade_flows"] == 3
    with open_store(f"sqlite:///{db_copy}") as store:
        assert len(store.product_flows("850511", source_key="user:customs.csv")) == 2


def test_product_flows_round_trip_through_a_data_package(empty_store: Store,
                                                         tmp_path: Path) -> None:
    from econsec.datasets.user_tables import read_user_file

    bundle = _bundle_with(_small_table())
    bundle.commodity_products = load_commodity_products()[:3]
    bundle.items = [*bundle.items, *(i for i in _bundled_items()
                                     if i.id in {p.item_id for p in bundle.commodity_products})]
    bundle.sources = [*bundle.sources, *(s for s in sources()
                                         if s.key in {p.source_key for p in
                                                      bundle.commodity_products})]
    empty_store.import_bundle(bundle)
    folder = empty_store.export_datapackage(tmp_path / "pkg").parent
    package = read_user_file(folder)
    assert [len(t) for t in package.flow_tables] == [3]  # read in bulk, not row by row
    copy = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    copy.import_bundle(package)
    assert copy.product_flows("284690") == empty_store.product_flows("284690")
    assert copy.commodity_products() == empty_store.commodity_products()
    again = copy.import_bundle(read_user_file(folder))  # equal rows are kept
    assert again.unchanged == {SOURCE_A.key: 3}
    copy.close()


def _bundled_items():
    from econsec.datasets.items import load_items

    return load_items()


def sources():
    from econsec.datasets.sources import sources as bundled

    return bundled()
