"""The bundled BEA 2023 tables: industry-technology construction, domestic requirements
(imports as a primary input) and their identities."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.io_models.bea import (
    ADJUSTMENT_CATEGORY,
    BALANCE_RTOL,
    BUNDLED,
    IMPORT_SERVICES_CATEGORY,
    ROUNDING_CATEGORY,
    calc_commodity_by_industry_requirements,
    calc_industry_by_industry_A,
    calc_market_shares,
    commodity_names,
    final_demand_names,
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


@pytest.fixture(scope="module")
def bea_total() -> MRIO:
    return load_mrio("bundled:bea-2023-total")


def test_shape_names_and_units(bea: MRIO) -> None:
    assert {"bea-2023", "bea-2023-total"} <= set(BUNDLED)
    assert "domestic" in BUNDLED["bea-2023"]
    assert bea.regions == ("USA",)
    assert len(bea.sectors) == 71 and bea.sectors[9] == "331"
    assert industry_names()["331"] == "Primary metals"
    assert set(bea.sectors) == set(industry_names())
    assert {"Used", "Other"} <= set(commodity_names()) and len(commodity_names()) == 73
    cats = bea.final_demand_categories
    assert cats[0] == "F010" and "F050" not in cats
    assert cats[-3:] == (IMPORT_SERVICES_CATEGORY, ADJUSTMENT_CATEGORY, ROUNDING_CATEGORY)
    assert set(cats) <= set(final_demand_names())
    assert bea.Y.shape == (71, 22)
    assert "Million USD" in bea.unit
    assert any("Domestic requirements" in note for note in bea.notes)


def test_total_output_equals_make_table(bea: MRIO) -> None:
    tables = read_supply_use()
    # hand-checkable: Σ industry output = the make table's grand total, to the dollar
    assert bea.x.sum() == tables.make_grand_total == 48_386_809.0
    assert bea.x[0] == 555_343.0                      # Farms, make table "Total Industry Output"
    assert np.max(np.abs(tables.V.sum(axis=1) - bea.x)) <= 4   # rounding of published cells
    assert abs(tables.q.sum() - bea.x.sum()) <= 5


def test_imports_column_identity() -> None:
    """F050 = −total imports: exact to $46 million for the import matrix's own F050; the use
    table's F050 also holds $111,795 million of domestic services on imports."""
    t = read_supply_use()
    k = t.final_uses.index("F050")
    others = [j for j in range(len(t.final_uses)) if j != k]
    imported = t.M_U.sum() + t.M_Y[:, others].sum()
    assert imported == pytest.approx(3_548_654.0)
    assert t.M_Y[:, k].sum() == -3_548_700.0
    assert abs(imported + t.M_Y[:, k].sum()) <= 46                     # measured 46
    per_commodity = t.M_U.sum(axis=1) + t.M_Y[:, others].sum(axis=1) + t.M_Y[:, k]
    assert np.abs(per_commodity).max() <= 7                            # measured 7
    services = t.Y_c[:, k] - t.M_Y[:, k]
    assert t.Y_c[:, k].sum() == -3_436_905.0
    assert services.sum() == pytest.approx(111_795.0) and services.min() >= 0
    assert {t.commodities[c] for c in np.flatnonzero(services)} == {
        "42", "481", "482", "483", "484", "487OS", "524"}
    assert services[t.commodities.index("42")] == 81_633.0             # wholesale trade


def test_balance_and_productivity(bea: MRIO) -> None:
    gap = np.abs(bea.x - bea.Z.sum(axis=1) - bea.Y.sum(axis=1))
    assert (gap / bea.x).max() <= 1e-12               # closed exactly by RND
    rounding = bea.Y[:, bea.final_demand_categories.index(ROUNDING_CATEGORY)]
    assert np.abs(rounding).max() <= 9.94             # $ million, measured 9.94 (524)
    assert (np.abs(rounding) / bea.x).max() <= BALANCE_RTOL      # measured 6.8e-5
    A = calc_A(bea.Z, bea.x)
    assert A.min() >= 0 and A.sum(axis=0).max() < 1
    assert A.sum(axis=0).max() == pytest.approx(0.8983, abs=1e-4)
    # value added as published: V001 + V002 + V003 = GDP 27,720,704 (total row: ...707)
    assert bea.va.sum() == pytest.approx(27_720_707.0)
    # domestic final demand = GDP + imported intermediate inputs (up to ADJ and rounding)
    m = imports_by_industry().by_using_industry
    assert bea.Y.sum() == pytest.approx(bea.va.sum() + m.sum(), abs=300)   # measured 286


def test_no_negative_total_final_demand(bea: MRIO, bea_total: MRIO) -> None:
    y = bea.Y.sum(axis=1)
    assert y.min() > 1_500                            # measured 1,548 (493, warehousing)
    assert y[bea.sectors.index("331")] == pytest.approx(32_584, abs=1)
    # the total-requirements table keeps F050 and has five negative industries
    y_tot = bea_total.Y.sum(axis=1)
    assert {s for s, v in zip(bea_total.sectors, y_tot, strict=True) if v < 0} == {
        "113FF", "321", "327", "331", "332"}


def test_leontief_reproduces_output(bea: MRIO) -> None:
    model = StaticModel(bea)
    np.testing.assert_allclose(model.leontief_solver.solve(bea.Y.sum(axis=1)), bea.x,
                               rtol=1e-9)
    r = model.leontief({("USA", "3361MV"): -10_000.0})
    assert r.total_output_change < -10_000.0       # multiplier above one
    assert r.changes(1)[0]["sector"] == "3361MV"
    # domestic multipliers are smaller than total-requirements ones
    total = StaticModel(load_mrio("bundled:bea-2023-total"))
    r_tot = total.leontief({("USA", "3361MV"): -10_000.0})
    assert r_tot.total_output_change < r.total_output_change


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


def test_domestic_plus_imported_is_total(bea: MRIO) -> None:
    t = read_supply_use()
    D = calc_market_shares(t.V, t.q)
    imp = imports_by_industry()
    total = D @ t.U
    kept = bea.Z > 0                                   # cells not moved to ADJ
    np.testing.assert_allclose((bea.Z + imp.Z)[kept], total[kept], rtol=1e-12, atol=1e-6)
    # moved cells: the domestic flow was negative; ADJ holds it, row by row
    adj = bea.Y[:, bea.final_demand_categories.index(ADJUSTMENT_CATEGORY)]
    raw = total - imp.Z
    np.testing.assert_allclose(adj, np.where(raw < 0, raw, 0.0).sum(axis=1), atol=1e-6)
    assert adj.sum() == pytest.approx(-282.7, abs=0.1) and np.count_nonzero(adj) <= 5
    assert bea.Z.min() >= 0


def test_column_identity_with_imports_as_primary_input(bea: MRIO) -> None:
    m = imports_by_industry().by_using_industry
    assert m.min() > 0 and m.sum() == pytest.approx(read_supply_use().M_U.sum(), abs=1)
    residual = np.abs(bea.x - bea.Z.sum(axis=0) - m - bea.va)
    assert residual.max() <= 263                      # $ million, measured 262.4 (GFGN)
    assert (residual / bea.x).max() <= 5e-4


def test_imports_by_industry(bea: MRIO) -> None:
    imp = imports_by_industry()
    assert imp.industries == bea.sectors
    assert imp.Z.min() > -200                         # a few negative cells, kept as published
    i = bea.sectors.index("331")
    # about a quarter of the primary metals used by U.S. industries is imported
    assert imp.supply_share("331", bea.Z) == pytest.approx(0.2583, abs=1e-4)
    assert imp.of_product("331").sum() == pytest.approx(99_724, abs=1)
    assert imp.of_product("331").sum() + bea.Z[i].sum() == pytest.approx(386_006, abs=1)
    share = imp.imported_share(bea.Z)
    assert share.min() == 0.0 and share.max() == 1.0
    assert share[i, bea.sectors.index("3361MV")] == pytest.approx(
        imp.Z[i, bea.sectors.index("3361MV")] / (imp.Z[i] + bea.Z[i])[
            bea.sectors.index("3361MV")])
    assert imp.Y[:, imp.final_uses.index("F050")].sum() < 0
    assert any("negative" in note for note in imp.notes)


def test_total_requirements_variant(bea_total: MRIO) -> None:
    assert "F050" in bea_total.final_demand_categories
    assert bea_total.final_demand_categories[-1] == ADJUSTMENT_CATEGORY
    assert bea_total.Y.shape == (71, 21)
    gap = np.abs(bea_total.x - bea_total.Z.sum(axis=1) - bea_total.Y.sum(axis=1))
    assert gap.max() <= 8.0 and (gap / bea_total.x).max() <= BALANCE_RTOL   # measured 7.96
    assert calc_A(bea_total.Z, bea_total.x).sum(axis=0).max() == pytest.approx(0.9087,
                                                                               abs=1e-4)
    adj = bea_total.Y[:, -1]
    assert adj.sum() == pytest.approx(-175.9, abs=0.1) and np.count_nonzero(adj) <= 5
    assert bea_total.Y[:, :-1].sum() == pytest.approx(bea_total.va.sum(), abs=50)   # GDP


def test_unknown_key() -> None:
    from econsec.errors import NotFoundError

    with pytest.raises(NotFoundError):
        load_bundled_table("bea-1999")
    with pytest.raises(NotFoundError):
        imports_by_industry().of_product("999")
