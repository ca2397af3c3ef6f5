"""Dependence on real trade: Japan's import position per commodity and stage, computed by
econsec from the knowledge base built by ``econsec init`` and checked against the bundled
raw BACI parquet files read here with pandas; the lenses' net-exporter rule; the CLI's
JSON and table; bad input."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import run_cli
from econsec.analyses.dependence import dependence_table
from econsec.analyses.lenses import lens_table
from econsec.analyses.models import DependenceTable, LensTable
from econsec.errors import ValidationError
from econsec.indicators.criticality import ItemMetrics, Thresholds, classify_lenses
from econsec.indicators.trade_dependence import (
    export_concentration,
    import_position,
    share_change,
)
from econsec.io_models.net_trade import icio_net_trade
from econsec.kb.cached import CachedReads
from econsec.kb.engine import open_engine

TRADE = resources.files("econsec") / "data" / "trade"
GOVERNANCE = resources.files("econsec") / "data" / "governance" / "wgi"
PARTNER_GROUPS = ("G7", "Quad", "EU27", "OECD")


@pytest.fixture(scope="module")
def kb(built_db: Path) -> Iterator[CachedReads]:
    yield CachedReads(open_engine(f"sqlite:///{built_db}"))


@pytest.fixture(scope="module")
def table(kb: CachedReads) -> DependenceTable:
    return dependence_table(kb, "JPN", net_trade=icio_net_trade)


@pytest.fixture(scope="module")
def lenses(kb: CachedReads, table: DependenceTable) -> LensTable:
    return lens_table(kb, "JPN", table)


@pytest.fixture(scope="module")
def hs92() -> pd.DataFrame:
    frame = pd.read_parquet(str(TRADE / "baci_hs92_crm_1995_2024.parquet"))
    frame = frame.rename(columns={"exporter_iso3": "exporter", "importer_iso3": "importer"})
    return frame.replace({"exporter": {"S19": "TWN"}, "importer": {"S19": "TWN"}})


@pytest.fixture(scope="module")
def hs17() -> pd.DataFrame:
    frame = pd.read_parquet(str(TRADE / "baci_hs17_critical_materials_2024.parquet"))
    return frame.replace({"exporter": {"S19": "TWN"}, "importer": {"S19": "TWN"}})


def _row(table: DependenceTable, commodity: str) -> Any:
    return next(r for r in table.rows if r.commodity == commodity)


def _raw_import_shares(frame: pd.DataFrame, codes: list[str], year: int,
                       importer: str = "JPN") -> pd.Series:
    rows = frame[(frame.hs6.isin(codes)) & (frame.year == year) & (frame.importer == importer)
                 & (frame.exporter != importer)]
    by = rows.groupby("exporter").value_kusd.sum()
    return (by / by.sum()).sort_values(ascending=False)


def _partners(kb: CachedReads) -> set[str]:
    out: set[str] = set()
    for group in PARTNER_GROUPS:
        members = set(kb.group_members(group))
        if "JPN" in members:
            out |= members
    return out - {"JPN"}


def _scaled_wgi() -> dict[str, float]:
    with (GOVERNANCE / "wgi_estimates_2022_wide.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for r in rows:
        values = [r[d] for d in ("CC", "GE", "PV", "RL", "RQ", "VA")]
        if all(v not in ("", None) for v in values):
            mean = sum(float(v) for v in values) / 6
            out[r["iso3"]] = min(10.0, max(0.0, 5 - 2 * mean))
    return out


# ------------------------------------------------------------------ the indicator


def test_import_position_on_a_worked_example() -> None:
    p = import_position({"CHN": 60.0, "AUS": 30.0, "ZZZ": 10.0}, exports=5.0,
                        partners={"AUS"}, wgi_scaled={"CHN": 6.0, "AUS": 1.0},
                        default_wgi=5.0)
    assert p.top_source == "CHN" and p.top_share == pytest.approx(0.6)
    assert p.hhi == pytest.approx(0.36 + 0.09 + 0.01)
    assert p.partner_share == pytest.approx(0.3) and p.outside_share == pytest.approx(0.7)
    assert p.governance_weighted_hhi == pytest.approx(0.36 * 6 + 0.09 * 1 + 0.01 * 5)
    assert p.wgi_imputed == ("ZZZ",) and not p.net_exporter
    assert import_position({}, exports=3.0).net_exporter  # exports and no imports
    assert share_change({2019: 0.4}) is None
    assert export_concentration({"A": 1.0, "B": 3.0}).rank("A") == 2


def test_import_position_refuses_bad_values() -> None:
    with pytest.raises(ValidationError, match="imports_by_exporter"):
        import_position({"CHN": -1.0})
    with pytest.raises(ValidationError, match="no scaled WGI value for exporter 'CHN'"):
        import_position({"CHN": 1.0}, wgi_scaled={})
    with pytest.raises(ValidationError, match="no exporter"):
        export_concentration({"CHN": 0.0})


# ------------------------------------------------------------------ Japan, against the raw files


def test_graphite_and_rare_earths_from_the_raw_parquet(table: DependenceTable,
                                                       hs92: pd.DataFrame) -> None:
    # single codes, checked by hand: 250410 natural graphite, 284690 REE compounds
    graphite_250410 = _raw_import_shares(hs92, ["250410"], 2024)
    assert graphite_250410.index[0] == "CHN" and graphite_250410.iloc[0] == pytest.approx(
        0.861, abs=0.005)
    ree_284690 = _raw_import_shares(hs92, ["284690"], 2024)
    assert ree_284690.index[0] == "CHN" and ree_284690.iloc[0] == pytest.approx(0.581, abs=0.005)
    # econsec's stages add the stage's codes up
    for commodity, stage, codes in (("graphite", "mineral", ["250410", "250490"]),
                                    ("rare-earths", "compound", ["284610", "284690"])):
        row = _row(table, commodity)
        st = next(s for s in row.trade_stages if s.stage == stage)
        assert st.hs_version == "HS92" and st.hs_codes == codes and st.year == 2024
        raw = _raw_import_shares(hs92, codes, 2024)
        assert st.top_source == raw.index[0]
        assert st.top_share == pytest.approx(raw.iloc[0], rel=1e-9)
        assert st.hhi == pytest.approx(float((raw ** 2).sum()), rel=1e-9)
    row = _row(table, "rare-earths")
    assert row.trade_stage == "compound"  # the headline: not the magnets (a downstream stage)
    assert [s.stage for s in row.trade_stages][-1] == "magnet"


def test_partner_share_wgi_weighting_and_trend_from_the_raw_parquet(
        kb: CachedReads, table: DependenceTable, hs92: pd.DataFrame) -> None:
    partners, wgi = _partners(kb), _scaled_wgi()
    row = _row(table, "graphite")
    codes = ["250410", "250490"]
    raw = _raw_import_shares(hs92, codes, 2024)
    assert row.import_year == 2024 and row.trade_stage == "mineral"
    assert row.imports_from_partners == pytest.approx(
        float(raw[raw.index.isin(partners)].sum()), rel=1e-9)
    assert row.imports_from_outside == pytest.approx(1 - row.imports_from_partners)
    expected = sum(s * s * wgi.get(c, 5.0) for c, s in raw.items())
    # the wide WGI file rounds the estimates to four decimals; the knowledge base has them all
    assert row.import_hhi_wgi == pytest.approx(expected, rel=1e-5)
    raw_total = hs92[(hs92.hs6.isin(codes)) & (hs92.year == 2024) & (hs92.importer == "JPN")
                     & (hs92.exporter != "JPN")].value_kusd.sum()
    assert row.import_total == pytest.approx(raw_total, rel=1e-9)
    early = _raw_import_shares(hs92, codes, 2019)
    assert row.top_import_share_change_5y == pytest.approx(raw.iloc[0] - early["CHN"], rel=1e-9)
    stage = row.trade_stages[0]
    assert sorted(stage.top_share_by_year) == list(range(2019, 2025))


def test_titanium_sponge_is_a_net_exporter_and_not_externally_dependent(
        table: DependenceTable, lenses: LensTable, hs17: pd.DataFrame) -> None:
    row = _row(table, "titanium-sponge")
    st = row.trade_stages[0]
    assert (st.stage, st.hs_version, st.hs_codes, st.year) == (
        "refined metal", "HS17", ["810820"], 2024)
    flows = hs17[(hs17.hs6 == "810820") & (hs17.year == 2024)]
    exports = flows[(flows.exporter == "JPN") & (flows.importer != "JPN")].value_kusd.sum()
    imports = flows[(flows.importer == "JPN") & (flows.exporter != "JPN")].value_kusd.sum()
    assert exports > imports > 0
    assert row.export_total == pytest.approx(exports) and row.import_total == pytest.approx(
        imports)
    assert row.net_exporter is True and row.home_rank is not None and row.home_rank <= 3
    lens = next(r for r in lenses.rows if r.commodity == "titanium-sponge")
    assert not lens.external_dependence and lens.net_exporter
    assert lens.trade_label == "refined metal, HS17 810820, 2024"


def test_steel_net_exports_from_the_icio_table(kb: CachedReads, table: DependenceTable,
                                               lenses: LensTable) -> None:
    from econsec.io_models.icio import load_icio_2022

    mrio = load_icio_2022()
    n = len(mrio.sectors)
    r, s = mrio.regions.index("JPN"), mrio.sectors.index("C24A")
    sales_abroad = mrio.Z[r * n + s].sum() - mrio.Z[r * n + s, r * n:(r + 1) * n].sum()
    bought = sum(mrio.Z[k * n + s, r * n:(r + 1) * n].sum()
                 for k in range(len(mrio.regions)) if k != r)
    assert sales_abroad > bought  # Japan sells more basic iron and steel abroad than it buys
    for commodity in ("raw-steel", "pig-iron"):
        row = _row(table, commodity)
        assert row.trade_stage == "industry C24A (ICIO)" and row.net_exporter is True
        assert row.export_total == pytest.approx(sales_abroad)
        assert "oecd-icio-2022" in row.sources
        lens = next(x for x in lenses.rows if x.commodity == commodity)
        assert not lens.external_dependence, lens
    # without the ICIO table (an analysis called without it) steel has no trade position
    bare = dependence_table(kb, "JPN")
    assert next(r for r in bare.rows if r.commodity == "raw-steel").net_exporter is None

def test_the_net_exporter_rule_is_what_unflags_them() -> None:
    """The same metrics as Japan's steel, with and without the trade position."""
    base = dict(item="raw-steel", home="JPN", home_share=0.045, home_rank=3,
                outside_share=0.739, hhi=0.286)
    assert classify_lenses(ItemMetrics(**base)).external_dependence  # type: ignore[arg-type]
    assert not classify_lenses(ItemMetrics(**base, net_exporter=True)  # type: ignore[arg-type]
                               ).external_dependence
    rank_five = {**base, "home_rank": 5}
    assert classify_lenses(ItemMetrics(**rank_five, net_exporter=True)  # type: ignore[arg-type]
                           ).external_dependence
    strict = Thresholds(net_exporter_rank=2)
    assert classify_lenses(ItemMetrics(**base, net_exporter=True),  # type: ignore[arg-type]
                           strict).external_dependence
    # imports concentrated outside the partners flag a commodity world supply would not
    spread = dict(item="x", home="JPN", home_share=0.0, home_rank=None, outside_share=0.4,
                  hhi=0.1, net_exporter=False, import_outside_share=0.9, import_hhi=0.8,
                  trade_label="ore, HS92 261000, 2024")
    result = classify_lenses(ItemMetrics(**spread))  # type: ignore[arg-type]
    assert result.external_dependence
    assert "JPN's imports (ore, HS92 261000, 2024)" in result.flags[0].reasons[0]


def test_germanium_supply_from_world_exports_of_the_refined_product(
        table: DependenceTable, hs17: pd.DataFrame) -> None:
    row = _row(table, "germanium")
    assert row.measure == "exports" and row.unit == "thousand USD"
    assert row.supply_basis_note and "not production" in row.supply_basis_note
    st = row.trade_stages[0]
    assert (st.hs_version, st.hs_codes) == ("HS17", ["811292"])  # HS92 811230 ends in 2016
    world = st.world_exports
    assert world is not None and "export concentration" in world.label
    flows = hs17[(hs17.hs6 == "811292") & (hs17.exporter != hs17.importer)]
    by = flows.groupby("exporter").value_kusd.sum()
    shares = (by / by.sum()).sort_values(ascending=False)
    assert world.top_exporter == shares.index[0] == row.top_supplier
    assert world.top_share == pytest.approx(shares.iloc[0], rel=1e-9)
    assert world.hhi == pytest.approx(float((shares ** 2).sum()), rel=1e-9)
    assert world.home_share == pytest.approx(shares.get("JPN", 0.0), rel=1e-9)
    assert row.home_share == pytest.approx(world.home_share, rel=1e-9)


def test_every_trade_figure_names_its_source(table: DependenceTable) -> None:
    for row in table.rows:
        for st in row.trade_stages:
            assert st.sources and set(st.sources) <= set(row.sources), row.commodity
        if row.trade_stage:
            assert row.import_year is not None


# ------------------------------------------------------------------ CLI


def test_cli_json_keeps_the_old_keys_and_adds_the_trade_ones(built_db: Path) -> None:
    doc = json.loads(run_cli("assess", "dependence", "--country", "JPN", "--format", "json",
                             db=built_db).stdout)
    row = next(r for r in doc["rows"] if r["commodity"] == "graphite")
    old = {"item", "home", "basis", "home_share", "home_rank", "top_supplier", "top_share",
           "hhi", "partner_share", "outside_share", "top_outside_supplier",
           "governance_weighted_hhi", "net_import_reliance", "method", "measure", "year",
           "unit", "sources", "home_share_by_year", "wgi_imputed", "top_import_source",
           "top_import_share", "import_hhi", "imports_from_outside", "import_years"}
    new = {"trade_stage", "import_year", "import_total", "imports_from_partners",
           "import_hhi_wgi", "top_import_share_change_5y", "export_total", "net_exporter",
           "supply_basis_note", "trade_stages"}
    assert old | new <= set(row)
    assert row["top_import_source"] == "CHN" and row["trade_stages"][0]["stage"] == "mineral"
    assert set(new) <= set(doc["columns"]) | {"supply_basis_note", "trade_stages"}


def test_cli_table_stays_readable(built_db: Path) -> None:
    out = run_cli("assess", "dependence", "--country", "JPN", db=built_db).stdout
    table = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and max(len(line) for line in table) <= 100  # the default columns fit
    assert "Import columns: bilateral trade (BACI)" in out
    chosen = run_cli("assess", "dependence", "--columns",
                     "commodity,trade_stage,top_import_source,top_import_share,import_hhi,"
                     "net_exporter", "--format", "csv", db=built_db).stdout
    rows = {r["commodity"]: r for r in csv.DictReader(chosen.splitlines())}
    assert rows["titanium-sponge"]["net_exporter"] == "True"
    assert rows["graphite"]["top_import_source"] == "CHN"


def test_cli_bad_column_and_country(built_db: Path) -> None:
    proc = run_cli("assess", "dependence", "--columns", "import_hhi,nonsense", db=built_db,
                   check=False)
    assert proc.returncode == 2 and "unknown column 'nonsense'" in proc.stderr
    assert "import_hhi_wgi" in proc.stderr  # the valid columns include the new ones
    proc = run_cli("assess", "dependence", "--country", "Atlantis", db=built_db, check=False)
    assert proc.returncode == 2 and "unknown country" in proc.stderr
    assert "Traceback" not in proc.stderr
