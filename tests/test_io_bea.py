"""The bundled BEA 2023 table: industry-technology construction and its identities."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.io_models.bea import (
    ADJUSTMENT_CATEGORY,
    BALANCE_RTOL,
    BUNDLED,
    calc_commodity_by_industry_requirements,
    calc_industry_by_industry_A,
    calc_market_shares,
    commodity_names,
    imports_by_industry,
    industry_names,
    load_bundled_table,
    read_supply_use,
)
from econsec.io_models.loaders import load_mrio
from econsec.io_models.mrio import MRIO
from econsec.io_models.static import StaticModel, calc_A


@pytest.fixture(scope="module")
def bea() -> MRIO:
    return load_mrio("bundled:bea-2023")


def test_shape_names_and_units(bea: MRIO) -> None:
    assert "bea-2023" in BUNDLED
    assert bea.regions == ("USA",)
    assert len(bea.sectors) == 71 and bea.sectors[9] == "331"
    assert industry_names()["331"] == "Primary metals"
    assert set(bea.sectors) == set(industry_names())
    assert {"Used", "Other"} <= set(commodity_names()) and len(commodity_names()) == 73
    assert bea.final_demand_categories[0] == "F010"
    assert bea.final_demand_categories[-1] == ADJUSTMENT_CATEGORY
    assert bea.Y.shape == (71, 21)
    assert "Million USD" in bea.unit


def test_total_output_equals_make_table(bea: MRIO) -> None:
    tables = read_supply_use()
    # hand-checkable: Σ industry output = the make table's grand total, to the dollar
    assert bea.x.sum() == tables.make_grand_total == 48_386_809.0
    assert bea.x[0] == 555_343.0                      # Farms, make table "Total Industry Output"
    assert np.max(np.abs(tables.V.sum(axis=1) - bea.x)) <= 4   # rounding of published cells
    assert abs(tables.q.sum() - bea.x.sum()) <= 5


def test_balance_and_productivity(bea: MRIO) -> None:
    gap = np.abs(bea.x - bea.Z.sum(axis=1) - bea.Y.sum(axis=1))
    assert gap.max() <= 8.0                           # $ million, measured 7.96
    assert (gap / bea.x).max() <= BALANCE_RTOL
    A = calc_A(bea.Z, bea.x)
    assert A.min() >= 0 and A.sum(axis=0).max() < 1
    assert A.sum(axis=0).max() == pytest.approx(0.9087, abs=1e-4)
    # value added as published: V001 + V002 + V003 = GDP 27,720,707
    assert bea.va.sum() == pytest.approx(27_720_707.0)
    assert bea.Y[:, :-1].sum() == pytest.approx(bea.va.sum(), abs=50)   # GDP by expenditure


def test_industry_technology_identities() -> None:
    t = read_supply_use()
    D = calc_market_shares(t.V, t.q)
    B = calc_commodity_by_industry_requirements(t.U, t.g)
    A = calc_industry_by_industry_A(D, B)
    # each commodity's market shares sum to one (up to the rounding of q)
    np.testing.assert_allclose(D.sum(axis=0), 1.0, atol=2e-4)
    # Z = A ĝ = D U, and the industries' input totals are those of the use table
    np.testing.assert_allclose(A * t.g, D @ t.U, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose((A * t.g).sum(axis=0), t.U.sum(axis=0) * 1.0, rtol=2e-4)
    # "Other" (non-comparable imports) is made only by GFGN, so GFGN receives its use
    j = t.commodities.index("Other")
    assert np.flatnonzero(D[:, j]).tolist() == [t.industries.index("GFGN")]


def test_negative_flows_moved_to_adjustment(bea: MRIO) -> None:
    assert bea.Z.min() >= 0
    adj = bea.Y[:, -1]
    assert adj.sum() == pytest.approx(-175.9, abs=0.1) and np.count_nonzero(adj) <= 5
    assert any("negative intermediate" in note for note in bea.notes)


def test_imports_by_industry(bea: MRIO) -> None:
    imp = imports_by_industry()
    assert imp.industries == bea.sectors
    assert np.all(imp.Z >= 0) and np.all(imp.Z <= bea.Z)
    i = bea.sectors.index("331")
    share = imp.Z[i].sum() / bea.Z[i].sum()
    assert 0.15 < share < 0.4                # about a quarter of primary metals used is imported
    assert imp.Y[:, imp.final_uses.index("F050")].sum() < 0


def test_leontief_on_bea_is_plausible(bea: MRIO) -> None:
    model = StaticModel(bea)
    np.testing.assert_allclose(model.leontief_solver.solve(model.y), bea.x, rtol=2e-4)
    r = model.leontief({("USA", "3361MV"): -10_000.0})
    assert r.total_output_change < -10_000.0       # multiplier above one
    assert r.changes(1)[0]["sector"] == "3361MV"


def test_unknown_key() -> None:
    from econsec.errors import NotFoundError

    with pytest.raises(NotFoundError):
        load_bundled_table("bea-1999")
