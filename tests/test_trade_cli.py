"""``econsec trade``: a country's partners in one product, checked against the bundled raw
BACI file read independently with polars (the "Done when" of issue 10: Japan's 2024 import
shares for six HS codes), the exports flow, the quantity basis, the commodity crosswalk and
bad input (clear message, exit status 2, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
BACI = ROOT / "src" / "econsec" / "data" / "trade" / "baci_hs92_crm_1995_2024.parquet"
#: HS92 codes of the Done-when check: rare-earth compounds, natural graphite, unwrought
#: tungsten, ferro-niobium, lithium oxide and hydroxide, crude petroleum.
DONE_WHEN_CODES = ("284690", "250410", "810110", "720293", "282520", "270900")


def baci_partners(code: str, year: int, reporter: str = "JPN", flow: str = "imports",
                  basis: str = "value") -> dict[str, Any]:
    """Partners, total and HHI straight from the raw BACI parquet (no econsec code): the
    reporter's flows of ``code`` in ``year``, summed per partner (BACI's 'S19' is Taiwan)."""
    side, partner = (("importer_iso3", "exporter_iso3") if flow == "imports"
                     else ("exporter_iso3", "importer_iso3"))
    column = "value_kusd" if basis == "value" else "qty_t"
    rows = (pl.read_parquet(BACI)
            .filter((pl.col("year") == year) & (pl.col("hs6") == code)
                    & (pl.col(side) == reporter))
            .with_columns(pl.col(partner).replace("S19", "TWN").alias("partner"))
            .group_by("partner").agg(pl.col(column).sum().alias("amount"),
                                     pl.col(column).null_count().alias("missing")))
    assert rows.height > 0, (code, year, reporter, flow)
    assert rows["missing"].sum() == 0
    total = float(rows["amount"].sum())
    shares = {p: a / total for p, a in zip(rows["partner"], rows["amount"], strict=True)}
    order = sorted(shares, key=lambda p: (-shares[p], p))
    return {"total": total, "shares": shares, "order": order,
            "hhi": sum(s * s for s in shares.values())}


def trade_json(db: Path, *args: str) -> dict[str, Any]:
    done = run_cli("trade", *args, "--format", "json", db=db)
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def refused(db: Path, *args: str) -> str:
    done = run_cli("trade", *args, db=db, check=False)
    assert done.returncode == 2, (args, done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    return done.stderr


def assert_matches_baci(doc: dict[str, Any], expected: dict[str, Any]) -> None:
    assert doc["total"] == pytest.approx(expected["total"], rel=1e-9)
    assert doc["hhi"] == pytest.approx(expected["hhi"], rel=1e-9)
    assert [p["iso3"] for p in doc["partners"]] == expected["order"]
    for p in doc["partners"]:
        assert p["share"] == pytest.approx(expected["shares"][p["iso3"]], rel=1e-9, abs=1e-12)
    assert sum(p["share"] for p in doc["partners"]) == pytest.approx(1.0)


@pytest.mark.parametrize("code", DONE_WHEN_CODES)
def test_japan_2024_import_shares_agree_with_raw_baci(built_db: Path, code: str) -> None:
    doc = trade_json(built_db, "JPN", "--hs", code, "--year", "2024")
    assert list(doc) == ["reporter", "flow", "product", "year", "basis", "unit", "total", "hhi",
                         "partners", "sources"]
    assert list(doc["product"]) == ["hs", "hs_version", "description", "commodity"]
    assert list(doc["partners"][0]) == ["iso3", "country", "value", "quantity", "share"]
    assert (doc["reporter"], doc["flow"], doc["year"], doc["basis"]) == (
        "JPN", "imports", 2024, "value")
    assert doc["product"]["hs"] == code and doc["product"]["hs_version"] == "HS92"
    assert doc["product"]["description"]
    assert doc["unit"] == "thousand USD"
    assert_matches_baci(doc, baci_partners(code, 2024))
    assert doc["sources"] and all(s["year"] and s["licence"] for s in doc["sources"])
    assert any("BACI" in s["title"] or "BACI" in s["publisher"] for s in doc["sources"])


def test_rare_earth_compounds_come_mostly_from_china(built_db: Path) -> None:
    """The sanity figure of the data set's provenance: China about 58 %, Malaysia 30 %."""
    doc = trade_json(built_db, "Japan", "--hs", "2846.90", "--year", "2024")
    top = {p["iso3"]: p["share"] for p in doc["partners"][:2]}
    assert set(top) == {"CHN", "MYS"}
    assert 0.5 < top["CHN"] < 0.65 and 0.25 < top["MYS"] < 0.35
    china = doc["partners"][0]
    assert china["country"] == "China" and china["value"] > 100_000


def test_exports_flow_agrees_with_raw_baci(built_db: Path) -> None:
    doc = trade_json(built_db, "JPN", "--hs", "284690", "--year", "2023", "--flow", "exports")
    assert doc["flow"] == "exports"
    assert_matches_baci(doc, baci_partners("284690", 2023, flow="exports"))


def test_another_reporter_and_taiwan(built_db: Path) -> None:
    """Korea's imports: the flows from BACI's 'S19' are Taiwan's (TWN)."""
    doc = trade_json(built_db, "KOR", "--hs", "270900", "--year", "2022")
    assert_matches_baci(doc, baci_partners("270900", 2022, reporter="KOR"))
    exports = trade_json(built_db, "TWN", "--hs", "250410", "--year", "2024", "--flow",
                         "imports")
    assert exports["reporter"] == "TWN"
    assert_matches_baci(exports, baci_partners("250410", 2024, reporter="S19"))


def test_quantity_basis_agrees_with_raw_baci(built_db: Path) -> None:
    doc = trade_json(built_db, "JPN", "--hs", "284690", "--year", "2024", "--basis",
                     "quantity")
    assert doc["basis"] == "quantity" and doc["unit"] == "metric tons"
    assert_matches_baci(doc, baci_partners("284690", 2024, basis="quantity"))
    by_value = trade_json(built_db, "JPN", "--hs", "284690", "--year", "2024")
    assert {p["iso3"]: p["quantity"] for p in doc["partners"]} == {
        p["iso3"]: p["quantity"] for p in by_value["partners"]}


def test_latest_year_is_the_default(built_db: Path) -> None:
    assert trade_json(built_db, "JPN", "--hs", "720293")["year"] == 2024


def test_table_form_names_the_product_the_hhi_and_the_source(built_db: Path) -> None:
    out = run_cli("trade", "JPN", "--hs", "720293", "--year", "2024", db=built_db).stdout
    assert "HS 720293 (HS92)" in out and "BRA" in out and "HHI" in out and "BACI" in out


def test_commodity_through_the_crosswalk(built_db: Path) -> None:
    """A commodity with several codes lists them; --stage or --hs picks one."""
    message = refused(built_db, "JPN", "--commodity", "rare earths", "--year", "2024")
    assert "several HS codes" in message and "284690" in message and "--stage" in message
    by_code = trade_json(built_db, "JPN", "--hs", "284690", "--year", "2024")
    assert "rare-earths" in (by_code["product"]["commodity"] or "")


def test_a_single_code_commodity_answers_directly(built_db: Path) -> None:
    doc = trade_json(built_db, "JPN", "--commodity", "niobium", "--stage", "alloy",
                     "--year", "2024")
    assert doc["product"]["hs"] == "720293" and doc["product"]["commodity"] == "niobium"
    assert_matches_baci(doc, baci_partners("720293", 2024))


# ------------------------------------------------------------------------- bad input


def test_misspelt_country_is_answered_with_suggestions(built_db: Path) -> None:
    message = refused(built_db, "Japn", "--hs", "284690", "--year", "2024")
    assert "unknown country 'Japn'" in message and "Japan" in message


def test_unknown_hs_code_names_codes_nearby(built_db: Path) -> None:
    message = refused(built_db, "JPN", "--hs", "284699", "--year", "2024")
    assert "unknown HS code '284699'; did you mean" in message and "284690" in message


def test_malformed_hs_code(built_db: Path) -> None:
    assert "not a six-digit code" in refused(built_db, "JPN", "--hs", "28469", "--year", "2024")


def test_year_without_data_names_the_years(built_db: Path) -> None:
    message = refused(built_db, "JPN", "--hs", "284690", "--year", "1990")
    assert "in 1990" in message and "1995-2024" in message


def test_quantity_basis_with_missing_quantities_says_how_many(built_db: Path) -> None:
    expected = (pl.read_parquet(BACI)
                .filter((pl.col("year") == 2024) & (pl.col("hs6") == "283691")
                        & (pl.col("importer_iso3") == "JPN")))
    missing = expected["qty_t"].null_count()
    assert missing > 0
    message = refused(built_db, "JPN", "--hs", "283691", "--year", "2024", "--basis",
                      "quantity")
    assert f"{missing} of the {expected.height} flows" in message and "quantity" in message


@pytest.mark.parametrize(("args", "expected"), [
    (("JPN", "--year", "2024"), "either an HS code"),
    (("JPN", "--hs", "284690", "--commodity", "lithium"), "either an HS code"),
    (("JPN", "--hs", "284690", "--flow", "sideways"), "unknown trade flow 'sideways'"),
    (("JPN", "--hs", "284690", "--basis", "weight"), "unknown trade basis 'weight'"),
    (("JPN", "--commodity", "unobtainium"), "unknown commodity 'unobtainium'"),
    (("JPN", "--commodity", "niobium", "--stage", "magnet"), "no HS code at stage 'magnet'"),
    (("JPN", "--hs", "284690", "--hs-version", "HS99"), "unknown HS version 'HS99'"),
])
def test_bad_input_is_one_clear_line(built_db: Path, args: tuple[str, ...],
                                     expected: str) -> None:
    assert expected in refused(built_db, *args)
