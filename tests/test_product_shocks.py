"""From a material to the economy: product restrictions converted to ICIO industry shocks,
recomputed independently from the raw bundled files, and the worked scenarios on the real
ICIO table (short horizon to keep CI cheap)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import run_cli
from econsec.errors import EconsecError
from econsec.io_models.icio import load_icio_2022
from econsec.io_models.product_shocks import (
    convert_product_capacity_loss,
    convert_product_shock,
    diversification_options,
    icio_sector_for,
)
from econsec.kb.store import open_store
from econsec.scenarios.catalogue import resolve_scenario
from econsec.scenarios.products import resolve_products
from econsec.scenarios.runner import run_scenario
from econsec.scenarios.schema import Scenario, load_scenario, parse_scenario
from econsec.settings import to_database_url

DATA = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data"
HS92 = DATA / "trade" / "baci_hs92_crm_1995_2024.parquet"
HS17 = DATA / "trade" / "baci_hs17_critical_materials_2024.parquet"
Z = DATA / "io_tables" / "icio_2022" / "icio2022_Z_31regions_50sectors.parquet"
WORKED = ("icio-china-critical-minerals-japan", "icio-taiwan-90-day-disruption",
          "icio-hormuz-closure-japan")


@pytest.fixture(scope="module")
def kb(built_db: Path) -> Any:
    return open_store(to_database_url(str(built_db)))


@pytest.fixture(scope="module")
def icio() -> Any:
    return load_icio_2022()


@pytest.fixture(scope="module")
def z_raw() -> pd.DataFrame:
    return pd.read_parquet(Z)


def baci_value_musd(codes: list[str], exporters: set[str], importer: str, year: int) -> float:
    """BACI value straight from the raw parquet files (HS92 where it has the code and year,
    else HS17), thousand USD → million USD."""
    total = 0.0
    a = pd.read_parquet(HS92, filters=[("year", "==", year)])
    b = pd.read_parquet(HS17)
    for code in codes:
        rows = a[(a.hs6 == code) & a.exporter_iso3.isin(exporters) & (a.importer_iso3 == importer)]
        if not (a.hs6 == code).any():
            rows = b[(b.hs6.astype(str) == code) & b.exporter.isin(exporters)
                     & (b.importer == importer) & (b.year == year)]
        total += float(rows.value_kusd.sum())
    return total / 1000.0


def icio_flow(z: pd.DataFrame, supplier: str, importer: str) -> float:
    cols = [c for c in z.columns if c.startswith(importer + "_")]
    return float(z.loc[supplier.replace("/", "_"), cols].sum())


CASES = [
    (["284610", "284690", "280530"], "CHN", None, 2022, "C20"),
    (["850511"], "CHN", None, 2024, "C27"),
    (["811292"], "CHN", None, 2024, "C24B"),
    (["250410", "250490"], "CHN", None, 2022, "B08"),
    (["270900", "271111"], "SAU", None, 2022, "B06"),
    (["270900", "271111"], "ROW_OTH", ["QAT", "KWT", "BHR", "IRQ", "IRN"], 2022, "B06"),
]


@pytest.mark.parametrize(("codes", "exporter", "countries", "year", "sector"), CASES)
def test_conversion_recomputed_from_raw_files(kb: Any, icio: Any, z_raw: pd.DataFrame,
                                              codes: list[str], exporter: str,
                                              countries: list[str] | None, year: int,
                                              sector: str) -> None:
    shock = convert_product_shock(kb, icio, hs_code=codes, commodity=None, exporter=exporter,
                                  importer="JPN", severity=0.8, year=year,
                                  exporter_countries=countries)
    baci = baci_value_musd(codes, set(countries or [exporter]), "JPN", year)
    flow = icio_flow(z_raw, f"{exporter}/{sector}", "JPN")
    assert shock.supplier == f"{exporter}/{sector}"
    assert shock.baci_value_musd == pytest.approx(baci, rel=1e-9)
    assert shock.icio_flow_musd == pytest.approx(flow, rel=1e-6)
    assert shock.share == pytest.approx(min(baci / flow, 1.0), rel=1e-6)
    assert shock.fraction == pytest.approx(0.8 * min(baci / flow, 1.0), rel=1e-6)
    (event,) = shock.events
    assert (event.region, event.sector, event.to) == (exporter, sector, ["JPN"])
    assert event.share == pytest.approx(shock.fraction, abs=1e-9)
    ids = [n.id for n in shock.notes]
    assert any("ICIO 2022 flow" in i for i in ids)
    assert any("compared with the ICIO table of 2022" in i for i in ids) == (year != 2022)
    assert any("capped" in i for i in ids) == (baci > flow)
    assert any("80 economies" in i for i in ids) == (countries is not None)
    json.dumps(shock.to_dict())


def test_commodity_uses_the_crosswalk_and_splits_by_industry(kb: Any, icio: Any) -> None:
    shock = convert_product_shock(kb, icio, hs_code=None, commodity="rare-earths",
                                  exporter="CHN", importer="JPN", severity=0.5, year=2024)
    sectors = {p.sector for p in shock.parts}
    assert {"C20", "C27"} <= sectors  # compounds and metals, magnets
    assert {e.sector for e in shock.events} == {p.sector for p in shock.parts if p.fraction}
    links = {(c.hs_code, c.hs_version) for c in kb.commodity_products("rare-earths")}
    assert {c for c, _ in shock.hs_codes} == {c for c, _ in links}


def test_capacity_loss_share_of_exports(kb: Any, icio: Any, z_raw: pd.DataFrame) -> None:
    shock = convert_product_capacity_loss(kb, icio, hs_code="284690", commodity=None,
                                          region="CHN", severity=0.5)
    a = pd.read_parquet(HS92, filters=[("year", "==", 2022)])
    rows = a[(a.hs6 == "284690") & (a.exporter_iso3 == "CHN") & (a.importer_iso3 != "CHN")]
    baci = float(rows.value_kusd.sum()) / 1000
    others = [c for c in z_raw.columns if not c.startswith("CHN_")]
    flow = float(z_raw.loc["CHN_C20", others].sum())
    assert shock.icio_flow_musd == pytest.approx(flow, rel=1e-6)
    assert shock.baci_value_musd == pytest.approx(baci, rel=1e-9)
    (event,) = shock.events
    assert event.type == "capacity_loss" and event.share == pytest.approx(0.5 * baci / flow)


def test_diversification_options_from_trade(kb: Any, icio: Any) -> None:
    codes = ["284610", "284690", "280530"]
    options = diversification_options(kb, icio, hs_code=codes, commodity=None,
                                      exporter="CHN", importer="JPN", year=2022, top=3)
    assert options[0].region == "MYS"
    a = pd.read_parquet(HS92, filters=[("year", "==", 2022)])
    mys = a[a.hs6.isin(codes) & (a.exporter_iso3 == "MYS")
            & ~a.importer_iso3.isin(["JPN", "CHN", "MYS"])]
    assert options[0].spare_musd == pytest.approx(mys.value_kusd.sum() / 1000, rel=1e-9)
    assert all(o.region not in ("CHN", "JPN") for o in options)
    assert [o.spare_musd for o in options] == sorted((o.spare_musd for o in options),
                                                     reverse=True)


def test_worked_china_measures_match_the_trade_data(kb: Any, icio: Any) -> None:
    """The diversification measures written in the worked scenario are what the trade
    data give (share = spare / value cut, capacity = spare / output)."""
    spec = load_scenario(resolve_scenario("worked:icio-china-critical-minerals-japan"))
    codes = ["284610", "284690", "280530"]
    shock = convert_product_shock(kb, icio, hs_code=codes, commodity=None, exporter="CHN",
                                  importer="JPN", severity=0.8)
    (mys,) = [o for o in diversification_options(kb, icio, hs_code=codes, commodity=None,
                                                 exporter="CHN", importer="JPN")
              if o.region == "MYS"]
    (measure,) = [m for m in spec.mitigations if getattr(m, "alternative", None) == "MYS"]
    assert measure.share == pytest.approx(mys.spare_musd / (0.8 * shock.baci_value_musd),
                                          abs=5e-4)
    x = icio.x[icio.index("MYS", "C20")]
    assert measure.max_capacity_increase == pytest.approx(mys.spare_musd / x, abs=5e-5)
    (stock,) = [m for m in spec.mitigations if m.type == "stockpile_release"]
    assert stock.days_of_use == pytest.approx(60 * shock.share, abs=0.01)


def _short(spec: Scenario, days: int = 24) -> Scenario:
    data = spec.model_dump(exclude_none=True)
    data["horizon_days"] = days
    for item in data["events"] + data["mitigations"]:
        item["start_day"] = min(item["start_day"], 2)
        if "duration_days" in item:
            item["duration_days"] = days - 6
    return parse_scenario(data)


@pytest.mark.parametrize("name", WORKED)
def test_worked_scenarios_run_on_the_real_table(kb: Any, icio: Any, name: str) -> None:
    spec = load_scenario(resolve_scenario(f"worked:{name}"))
    assert spec.mrio == "bundled:icio-2022" and spec.report_region == "JPN"
    result = run_scenario(_short(spec), mrio=icio, kb=kb)
    doc = result.to_dict()
    losses = doc["region_losses"]
    assert losses["region"] == "JPN" and len(losses["industries"]) == 50
    assert losses["total_no_measures"] < 0
    first = losses["industries"][0]
    assert first["name_en"] != first["sector"] and first["name_ja"] != first["name_en"]
    names = {v["name"] for v in doc["variants"]}
    assert {"all measures", "no measures"} <= names
    if name == "icio-taiwan-90-day-disruption":
        assert doc["conversions"] == []
    else:
        assert doc["conversions"] and all(c["parts"] for c in doc["conversions"])
        assert any("BACI" in s for s in doc["sources"])
        assert any("ICIO 2022 flow" in n for n in doc["notes"])


def test_worked_scenarios_listed() -> None:
    proc = run_cli("scenarios", "--format", "json")
    refs = {s["ref"] for s in json.loads(proc.stdout)["scenarios"]}
    assert {f"worked:{n}" for n in WORKED} <= refs


# ----------------------------------------------------------------------------- bad input


def test_bad_input(kb: Any, icio: Any) -> None:
    with pytest.raises(EconsecError, match="not in the HS"):
        icio_sector_for("010111")
    with pytest.raises(EconsecError, match="2-, 4- or 6-digit"):
        icio_sector_for("28x690")
    with pytest.raises(EconsecError, match="severity"):
        convert_product_shock(kb, icio, hs_code="284690", commodity=None, exporter="CHN",
                              importer="JPN", severity=0.0)
    with pytest.raises(EconsecError, match="same region"):
        convert_product_shock(kb, icio, hs_code="284690", commodity=None, exporter="DEU",
                              importer="DEU", severity=0.5)
    with pytest.raises(EconsecError, match="not in"):
        convert_product_shock(kb, icio, hs_code="270900", commodity=None, exporter="ROW_OTH",
                              importer="JPN", severity=0.5, exporter_countries=["SAU"])
    with pytest.raises(EconsecError):
        convert_product_shock(kb, icio, hs_code="284699", commodity=None, exporter="CHN",
                              importer="JPN", severity=0.5)


def test_bad_product_events(kb: Any, icio: Any) -> None:
    base = {"name": "x", "mrio": "bundled:icio-2022", "horizon_days": 10}
    event = {"type": "export_restriction", "region": "CHN", "to": ["JPN"], "share": 0.5,
             "start_day": 0, "duration_days": 5}
    for extra, fragment in (({"sector": "C20", "hs": "284690"}, "exactly one of"),
                            ({}, "exactly one of"),
                            ({"hs": "28469"}, "4- or 6-digit"),
                            ({"sector": "C20", "year": 2022}, "go with a product")):
        with pytest.raises(EconsecError, match=fragment):
            parse_scenario({**base, "events": [{**event, **extra}]})
    spec = parse_scenario({**base, "events": [{**event, "hs": "284690"}]})
    with pytest.raises(EconsecError, match="knowledge base"):
        resolve_products(spec, icio, None)


def test_export_restriction_without_to_cuts_every_other_region() -> None:
    """``to`` omitted means every other region (the event's documented meaning): the same
    run as naming them all, the exporter's own buyers untouched."""
    from econsec.io_models.ario import simulate
    from econsec.io_models.events import ExportRestriction
    from econsec.io_models.loaders import load_mrio

    mrio = load_mrio("pymrio:test")
    others = [r for r in mrio.regions if r != "reg6"]
    runs = [simulate(mrio, [ExportRestriction(region="reg6", sector="mining", share=1.0,
                                              start_day=2, duration_days=20, to=to)],
                     horizon_days=30) for to in (None, others)]
    assert runs[0].total_production_change == pytest.approx(runs[1].total_production_change)
    assert runs[0].total_production_change < 0


# ----------------------------------------------------------------------------- web


@pytest.fixture(scope="module")
def web(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    import shutil

    import httpx

    from web_server import live_server

    db = tmp_path_factory.mktemp("web-products") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live, httpx.Client(
            base_url=live.url + "/api/v1", timeout=60, headers=live.headers) as client:
        yield live, client


def _wait(client: Any, job_id: str, timeout: float = 240.0) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/scenarios/runs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not finished after {timeout} s")


def test_web_run_converts_products_with_the_servers_knowledge_base(web: Any) -> None:
    _live, client = web
    scenario = {"name": "rare earths to Japan", "mrio": "bundled:icio-2022",
                "horizon_days": 12, "report_region": "JPN",
                "events": [{"type": "export_restriction", "region": "CHN",
                            "hs": ["284610", "284690", "280530"], "to": ["JPN"],
                            "share": 0.8, "start_day": 1, "duration_days": 8}]}
    started = client.post("/scenarios/runs", json=scenario)
    assert started.status_code == 202, started.text
    job = _wait(client, started.json()["id"])
    assert job["status"] == "done", job.get("error")
    (conversion,) = job["result"]["conversions"]
    assert conversion["parts"][0]["supplier"] == "CHN/C20"
    assert conversion["parts"][0]["fraction"] == pytest.approx(0.8 * 651.851953 / 8091.8,
                                                               rel=1e-3)
    assert job["result"]["region_losses"]["region"] == "JPN"
    assert any(t["id"].startswith("%(product)s from") for t in job["result"]["note_texts"])


def test_worked_icio_scenarios_are_accepted_and_listed_on_the_page(web: Any) -> None:
    live, client = web
    import httpx

    page = httpx.get(live.url + "/scenarios", timeout=30).text
    for name in WORKED:
        assert name in page
    started = client.post("/scenarios/runs", json={"worked": "icio-hormuz-closure-japan"})
    assert started.status_code == 202, started.text  # worked scenarios are not capped
    job_id = started.json()["id"]
    client.delete(f"/scenarios/runs/{job_id}")
    assert _wait(client, job_id)["status"] in ("cancelled", "done")


def test_conversion_notes_read_in_japanese(kb: Any, icio: Any) -> None:
    import re

    from econsec.i18n import catalogue, translator
    from econsec.io_models.product_shocks import NOTE_IDS

    ja = catalogue("ja")
    for message in NOTE_IDS:
        assert set(re.findall(r"%\((\w+)\)s", ja[message])) == set(
            re.findall(r"%\((\w+)\)s", message)), message
    shock = convert_product_shock(kb, icio, hs_code=["270900", "271111"], commodity=None,
                                  exporter="ROW_OTH", importer="JPN", severity=1.0,
                                  exporter_countries=["QAT", "KWT"], year=2024)
    t = translator("ja")
    for note in shock.notes:
        shown = t.gettext(note.id) % note.params
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", shown), shown
        assert not re.search(r"[A-Za-z]+(?: [A-Za-z]+){3,}", shown), shown


def test_unknown_report_region_is_refused(icio: Any) -> None:
    from econsec.scenarios.schema import check_names

    spec = parse_scenario({"name": "x", "mrio": "bundled:icio-2022", "horizon_days": 10,
                           "report_region": "JAP", "events": [
                               {"type": "capacity_loss", "region": "JPN", "sector": "C26",
                                "share": 0.5, "start_day": 0}]})
    with pytest.raises(EconsecError, match="JAP"):
        check_names(spec, icio.regions, icio.sectors)


@pytest.mark.parametrize(("name", "codes", "year", "cases"), [
    ("icio-china-critical-minerals-japan", ["850511"], 2024, [("CHN", "DEU", 0.8)]),
    ("icio-hormuz-closure-japan", ["270900", "271111"], 2022,
     [("SAU", "USA", 1.0), ("ARE", "AUS", 1.0)]),
])
def test_worked_diversification_measures_match_the_trade_data(
        kb: Any, icio: Any, name: str, codes: list[str], year: int,
        cases: list[tuple[str, str, float]]) -> None:
    spec = load_scenario(resolve_scenario(f"worked:{name}"))
    for origin, alternative, severity in cases:
        shock = convert_product_shock(kb, icio, hs_code=codes, commodity=None,
                                      exporter=origin, importer="JPN", severity=severity,
                                      year=year)
        (option,) = [o for o in diversification_options(
            kb, icio, hs_code=codes, commodity=None, exporter=origin, importer="JPN",
            year=year, top=10) if o.region == alternative]
        (measure,) = [m for m in spec.mitigations
                      if getattr(m, "alternative", None) == alternative
                      and getattr(m, "origin", None) == origin]
        cut = severity * shock.baci_value_musd
        assert measure.share == pytest.approx(min(1.0, option.spare_musd / cut), abs=5e-4)
        x = icio.x[icio.index(alternative, shock.sector)]
        assert measure.max_capacity_increase == pytest.approx(option.spare_musd / x,
                                                              abs=5e-4)
