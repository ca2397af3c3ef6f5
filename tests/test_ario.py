"""ARIO simulator: reproduction of BoARIO 0.7.2 and the econsec extensions (DESIGN §4)."""

from __future__ import annotations

import warnings

import numpy as np
import pymrio
import pytest
from pydantic import ValidationError as PydanticValidationError

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.ario import ARIOParams, SimulationResult, simulate
from econsec.io_models.events import (
    CapacityLoss,
    CapitalDestroyed,
    ChokepointClosure,
    DemandChange,
    DiversifySupplier,
    ExportRestriction,
    Flow,
    Recycle,
    StockpileRelease,
    Substitute,
)
from econsec.io_models.loaders import load_mrio

T = 150


@pytest.fixture(scope="module")
def mrio():
    return load_mrio("pymrio:test")


def _boario(arb=(), kap=(), horizon=T, **model_kw):
    """BoARIO run on pymrio.load_test(); arb/kap: (region, sector, share, start, duration, tau)."""
    import pandas as pd
    from boario import event as be
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    io = pymrio.load_test()
    io.calc_all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(io, **model_kw)
        sim = Simulation(model, n_temporal_units_to_sim=horizon)
        capital = pd.Series(model.productive_capital, index=model.industries)
        evs = []
        # BoARIO crashes when two events of which one is "arbitrary" are active at once
        # (np.add.reduce over None): same-timed arbitrary shocks go in one event
        groups: dict[tuple[int, int, int], dict] = {}
        for r, s, share, start, dur, tau in arb:
            groups.setdefault((start, dur, tau), {})[(r, s)] = share
        for (start, dur, tau), impacts in groups.items():
            evs.append(be.from_series(pd.Series(impacts), event_type="arbitrary",
                                      occurrence=start, duration=dur, recovery_tau=tau))
        for r, s, share, start, dur, tau in kap:
            imp = pd.Series({(r, s): share * capital[(r, s)]})
            # the event's monetary factor must equal the model's, or BoARIO divides by 1e6
            evs.append(be.from_series(imp, event_type="recovery", occurrence=start,
                                      duration=dur, recovery_tau=tau,
                                      event_monetary_factor=model.monetary_factor))
        sim.add_events(evs)
        sim.loop()
    cols = list(model.industries)
    return cols, sim.production_realised.to_numpy(), sim.final_demand_unmet.to_numpy()


def _ours(mrio, arb=(), kap=(), horizon=T, params=None):
    evs = [CapacityLoss(region=r, sector=s, share=share, start_day=start, duration_days=dur,
                        recovery_days=tau) for r, s, share, start, dur, tau in arb]
    evs += [CapitalDestroyed(region=r, sector=s, share_of_capital=share, start_day=start,
                             recovery_days=tau, duration_days=dur)
            for r, s, share, start, dur, tau in kap]
    return simulate(mrio, evs, params=params or ARIOParams(), horizon_days=horizon)


def _assert_matches(mrio, res: SimulationResult, cols, prod, unmet):
    order = [res.labels.index(tuple(c)) for c in cols]
    ours_p = res.production[:, order]
    ours_u = res.final_demand_unmet[:, order]
    assert ours_p.shape == prod.shape
    np.testing.assert_allclose(ours_p, prod, rtol=1e-6, atol=0)
    # unmet final demand is a difference of large numbers: compare relative to the daily
    # final demand of that (region, product) column
    S = len(mrio.sectors)
    fd = mrio.final_demand_by_region().reshape(len(mrio.regions), S, -1).sum(axis=0).T.ravel()
    scale = fd[order] / 365
    assert np.all(np.abs(ours_u - unmet) <= 1e-6 * np.maximum(np.abs(unmet), scale))
    assert unmet.max() > 0  # the scenario does ration final demand


@pytest.mark.parametrize("case", [
    {"arb": [("reg2", "mining", 0.5, 5, 30, 30)]},
    {"kap": [("reg1", "manufactoring", 0.3, 5, 3, 40)]},
    {"arb": [("reg2", "mining", 0.9, 3, 40, 20), ("reg4", "electricity", 0.7, 3, 40, 20)],
     "kap": [("reg1", "manufactoring", 0.3, 100, 1, 20)]},
    {"kap": [("reg1", "manufactoring", 0.5, 5, 1, 60), ("reg3", "electricity", 0.4, 10, 5, 30)]},
], ids=["arbitrary", "recovery", "both", "two-recovery"])
def test_reproduces_boario_daily(mrio, case):
    cols, prod, unmet = _boario(**case)
    _assert_matches(mrio, _ours(mrio, **case), cols, prod, unmet)


def test_reproduces_boario_with_other_parameters(mrio):
    arb = [("reg2", "mining", 0.9, 3, 60, 50), ("reg4", "electricity", 0.7, 3, 60, 50)]
    kw = {"infinite_inventories_sect": ["electricity", "trade"], "psi_param": 0.9,
          "main_inv_dur": 30, "alpha_max": 1.1, "inventory_restoration_tau": 20}
    cols, prod, unmet = _boario(arb=arb, horizon=120, **kw)
    params = ARIOParams(infinite_inventories_sect=("electricity", "trade"), psi=0.9,
                        main_inv_dur=30, alpha_max=1.1, inventory_restoration_tau=20)
    _assert_matches(mrio, _ours(mrio, arb=arb, horizon=120, params=params), cols, prod, unmet)


def test_no_event_stays_at_equilibrium(mrio):
    res = simulate(mrio, [], horizon_days=60)
    np.testing.assert_allclose(res.production, np.tile(mrio.x / 365, (60, 1)), rtol=1e-9)
    assert abs(res.total_production_change) < 1e-6 * mrio.x.sum()
    assert res.recovery_day is None


def test_result_helpers(mrio):
    calls = []
    res = simulate(mrio, [CapacityLoss(region="reg3", sector="mining", share=0.5, start_day=5,
                                       duration_days=20, recovery_days=20)], horizon_days=200,
                   progress=lambda step, done, total: calls.append((step, done, total)))
    assert calls[-1] == (199, 200, 200) and 90 <= len(calls) <= 201
    assert res.total_production_change < 0
    assert res.total_production_change == pytest.approx(
        (res.production - mrio.x / 365).sum())
    worst = res.worst_hit(3)
    assert worst[0]["region"] == "reg3" and worst[0]["sector"] == "mining"
    assert worst[0]["min_relative_production"] == pytest.approx(0.5, abs=0.01)
    assert worst[0]["day"] >= 5
    assert res.recovery_day is not None and 5 <= res.recovery_day < 200
    base = mrio.x / 365
    short = (base - res.production) / base
    assert np.all(short[res.recovery_day:] <= 1e-3)
    assert short[res.recovery_day - 1].max() > 1e-3
    frame = res.to_frame()
    assert frame.height == 200 * mrio.n
    assert set(frame.columns) >= {"day", "region", "sector", "production", "final_demand_unmet"}


# ---------------------------------------------------------------- extensions


def _cut(share, to=("reg1",)):
    return ExportRestriction(region="reg6", sector="mining", share=share, start_day=10,
                             duration_days=120, to=to)


def _reg1(res, what="production"):
    S = 8
    if what == "production":
        return float((res.production[:, :S] - res.baseline_production[:S]).sum())
    return float(res.final_demand_unmet[:, :S].sum())


@pytest.fixture(scope="module")
def full_cut(mrio):
    return simulate(mrio, [_cut(1.0)], horizon_days=200)


def test_export_restriction_brief_example(mrio):
    """80 % of reg3 mining to reg1/reg2: reg1 manufacturing output falls (reg3 supplies only
    6 % of reg1's mining inputs, so the fall is small but strictly there)."""
    base = simulate(mrio, [], horizon_days=200)
    res = simulate(mrio, [ExportRestriction(region="reg3", sector="mining", share=0.8,
                                            start_day=10, duration_days=120,
                                            to=("reg1", "reg2"))],
                   horizon_days=200)
    i = mrio.index("reg1", "manufactoring")
    assert res.production[:, i].min() < base.production[:, i].min()
    assert res.total_production_change < base.total_production_change - 1000


def test_export_restriction_hits_buyers(mrio, full_cut):
    i = mrio.index("reg1", "manufactoring")
    rel = full_cut.production[:, i] / full_cut.baseline_production[i]
    assert rel[:10].min() > 0.999999  # before the restriction
    assert rel.min() < 0.9  # reg6 supplies half of reg1's mining inputs
    assert _reg1(full_cut) < -1e6
    assert full_cut.worst_hit(1)[0]["region"] == "reg1"


def test_partial_restriction_hurts_less(mrio, full_cut):
    half = simulate(mrio, [_cut(0.5)], horizon_days=200)
    assert full_cut.total_production_change < half.total_production_change < 0
    assert full_cut.total_final_demand_unmet > half.total_final_demand_unmet > 0


def test_zero_share_changes_nothing(mrio):
    base = simulate(mrio, [], horizon_days=100)
    res = simulate(mrio, [DemandChange(region="reg1", sector="food", share=0.0, start_day=5,
                                       duration_days=30)], horizon_days=100)
    np.testing.assert_array_equal(res.production, base.production)
    np.testing.assert_array_equal(res.final_demand_unmet, base.final_demand_unmet)


@pytest.mark.parametrize("make", [
    lambda: ExportRestriction(region="reg6", sector="mining", share=0.0, start_day=10,
                              duration_days=50, to=["reg1"]),
    lambda: ChokepointClosure(route="strait", flows=[Flow(origin="reg6", destination="reg1")],
                              share=0.0, start_day=5, duration_days=30),
    lambda: CapacityLoss(region="reg2", sector="mining", share=0.0, start_day=5,
                         duration_days=10),
], ids=["restriction", "chokepoint", "capacity"])
def test_zero_share_shock_is_refused_when_built(make):
    """A shock of share 0 does nothing: the event model refuses it, as a scenario file does."""
    with pytest.raises(PydanticValidationError, match="share 0 does nothing"):
        make()


def test_chokepoint_equals_matching_restriction(mrio, full_cut):
    closure = ChokepointClosure(route="strait", share=1.0, start_day=10, duration_days=120,
                                flows=[Flow(origin="reg6", destination="reg1", sector="mining")])
    res = simulate(mrio, [closure], horizon_days=200)
    np.testing.assert_allclose(res.production, full_cut.production, rtol=1e-12)


def test_restriction_recovers_linearly(mrio):
    quick = simulate(mrio, [ExportRestriction(region="reg6", sector="mining", share=1.0,
                                              start_day=10, duration_days=40, to=("reg1",))],
                     horizon_days=200)
    slow = simulate(mrio, [ExportRestriction(region="reg6", sector="mining", share=1.0,
                                             start_day=10, duration_days=40, to=("reg1",),
                                             recovery_days=60)], horizon_days=200)
    assert slow.total_production_change < quick.total_production_change


def test_demand_change(mrio):
    i = mrio.index("reg1", "food")
    cut = simulate(mrio, [DemandChange(region="reg1", sector="food", share=-0.2, start_day=5,
                                       duration_days=50)], horizon_days=100)
    rise = simulate(mrio, [DemandChange(region="reg1", sector="food", share=0.1, start_day=5,
                                        duration_days=50, by=("reg1",))],
                    horizon_days=100)
    rel = cut.production[:, i] / cut.baseline_production[i]
    assert rel[20] < 0.95 and rel[:5].min() > 0.999999
    assert cut.total_production_change < 0
    assert rise.total_production_change > 0
    assert rise.total_final_demand_unmet > 0  # demand above capacity is rationed


def test_stockpile_release_reduces_unmet(mrio, full_cut):
    small = simulate(mrio, [_cut(1.0)], [StockpileRelease(region="reg1", sector="mining",
                                                          days_of_use=30, start_day=10,
                                                          origin="reg6")], horizon_days=200)
    large = simulate(mrio, [_cut(1.0)], [StockpileRelease(region="reg1", sector="mining",
                                                          days_of_use=60, start_day=10,
                                                          origin="reg6")], horizon_days=200)
    assert large.total_final_demand_unmet < small.total_final_demand_unmet \
        < 0.7 * full_cut.total_final_demand_unmet
    assert full_cut.total_production_change < small.total_production_change


def test_diversify_supplier(mrio, full_cut):
    wide = simulate(mrio, [_cut(1.0)], [DiversifySupplier(sector="mining", origin="reg6",
                                                          alternative="reg5", share=0.8,
                                                          start_day=10, ramp_days=20,
                                                          region="reg1",
                                                          max_capacity_increase=0.5)],
                    horizon_days=200)
    narrow = simulate(mrio, [_cut(1.0)], [DiversifySupplier(sector="mining", origin="reg6",
                                                            alternative="reg5", share=0.8,
                                                            start_day=10, ramp_days=20,
                                                            region="reg1",
                                                            max_capacity_increase=0.05)],
                      horizon_days=200)
    assert _reg1(full_cut) < _reg1(narrow) < _reg1(wide) <= 0
    a = mrio.index("reg5", "mining")
    assert wide.production_capacity[:, a].max() > 1.05 * wide.baseline_production[a]


def test_substitute_and_recycle(mrio, full_cut):
    sub = simulate(mrio, [_cut(1.0)], [Substitute(region="reg1", sector="mining", share=1.0)],
                   horizon_days=200)
    rec = simulate(mrio, [_cut(1.0)], [Recycle(region="reg1", sector="mining", share=0.3,
                                               start_day=10, ramp_days=10)],
                   horizon_days=200)
    assert full_cut.total_final_demand_unmet > sub.total_final_demand_unmet
    assert _reg1(full_cut) < _reg1(sub)
    assert _reg1(rec) > 0.2 * _reg1(full_cut)  # recycling covers most of the gap
    idle = simulate(mrio, [], [Recycle(region="reg1", sector="mining", share=0.3, start_day=10,
                                       ramp_days=10)], horizon_days=60)
    assert abs(idle.total_production_change) < 1e-6 * mrio.x.sum()  # only acts in shortage


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(("make", "match"), [
    (lambda: ExportRestriction(region="reg3", sector="mining", share=1.3, start_day=10,
                               duration_days=10), r"share 1.3 is above 100 %"),
    (lambda: CapacityLoss(region="reg1", sector="food", share=-0.1, start_day=5),
     r"share -0.1 is negative"),
    (lambda: DemandChange(region="reg1", sector="food", share=-1.5, start_day=5,
                          duration_days=5), r"share -1.5 would cut demand by more than 100 %"),
    (lambda: StockpileRelease(region="reg1", sector="mining", days_of_use=10, start_day=5,
                              daily_share=2.0), r"share 2 is above 100 %"),
    (lambda: CapacityLoss(region="reg1", sector="food", share=0.1, start_day=-1),
     r"greater than or equal to 0"),
    (lambda: DiversifySupplier(sector="mining", origin="reg6", alternative="reg6", share=0.5,
                               start_day=1, ramp_days=0), r"alternative 'reg6' is the origin"),
])
def test_ranges_are_checked_when_an_event_is_built(make, match):
    """Ranges live on the event models: one set of rules for files and for Python callers."""
    with pytest.raises(PydanticValidationError, match=match):
        make()


@pytest.mark.parametrize(("events", "match"), [
    ([CapacityLoss(region="reg1", sector="food", share=0.1, start_day=5)] * 2
     + [CapacityLoss(region="reg3", sector="mining", share=0.1, start_day=400)],
     r"events\[2\] \(capacity_loss reg3/mining\): start_day 400 is beyond the horizon of 100 "
     r"days \(days run from 0 to 99\)"),
    ([CapacityLoss(region="reg1", sector="food", share=0.1, start_day=50, duration_days=80)],
     r"start_day 50 \+ duration_days 80 runs past the horizon of 100 days"),
])
def test_days_beyond_the_horizon(mrio, events, match):
    with pytest.raises(ValidationError, match=match):
        simulate(mrio, events, horizon_days=100)


def test_days_beyond_the_horizon_of_a_mitigation(mrio):
    late = StockpileRelease(region="reg1", sector="mining", days_of_use=10, start_day=100)
    with pytest.raises(ValidationError,
                       match=r"mitigations\[0\] \(stockpile_release reg1/mining\): start_day 100"):
        simulate(mrio, [], [late], horizon_days=100)


def test_unknown_names_suggest(mrio):
    with pytest.raises(UnknownNameError, match=r"events\[0\].*'manufacturing'.*manufactoring"):
        simulate(mrio, [CapacityLoss(region="reg1", sector="manufacturing", share=0.1,
                                     start_day=5)], horizon_days=50)
    with pytest.raises(UnknownNameError, match=r"reg9"):
        simulate(mrio, [ExportRestriction(region="reg3", sector="mining", share=0.5,
                                          start_day=1, duration_days=5, to=("reg9",))],
                 horizon_days=50)


@pytest.mark.parametrize("horizon", [0, -5])
def test_bad_horizon(mrio, horizon):
    with pytest.raises(ValidationError, match="horizon"):
        simulate(mrio, [], horizon_days=horizon)


def test_recovery_day_waits_for_every_industry(mrio):
    """A cut to one industry is far below 0.1 % of total output: recovery must not be
    declared on the first shock day while that industry is still down."""
    res = simulate(mrio, [CapacityLoss(region="reg1", sector="food", share=0.2, start_day=5,
                                       duration_days=60, recovery_days=30)], horizon_days=200)
    total = res.production.sum(axis=1)
    base = float(res.baseline_production.sum())
    assert np.all(np.abs(total - base) <= 1e-3 * base)  # the total never leaves 0.1 %
    i = res.labels.index(("reg1", "food"))
    rel = res.production[:, i] / res.baseline_production[i]
    assert rel[40] < 0.85  # still down by 15 % on day 40
    assert res.recovery_day is not None and res.recovery_day > 65
    assert np.all(rel[res.recovery_day:] >= 1 - 1e-3)


def test_recycling_is_used_before_the_stockpile(mrio):
    """With both measures on one input, the stockpile is drawn only for what recycling
    leaves uncovered, so more of it is left (it was drawn first before)."""
    from econsec.io_models.events import Recycle, StockpileRelease

    events = [CapacityLoss(region="reg2", sector="mining", share=0.5, start_day=5,
                           duration_days=60, recovery_days=30)]
    stock = StockpileRelease(region="reg1", sector="mining", days_of_use=30, start_day=6)
    recycle = Recycle(region="reg1", sector="mining", share=0.1, start_day=6, ramp_days=0)
    alone = simulate(mrio, events, [stock], horizon_days=120)
    both = simulate(mrio, events, [stock, recycle], horizon_days=120)
    reversed_order = simulate(mrio, events, [recycle, stock], horizon_days=120)
    assert both.total_supplied_by_measures > 0
    np.testing.assert_allclose(both.production, reversed_order.production, rtol=1e-12)
    # what the stockpile gave alone is an upper bound; together recycling takes a share
    assert both.total_supplied_by_measures >= alone.total_supplied_by_measures * 0.999
