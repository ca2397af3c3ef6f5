"""Measures of the catalogue applied to a scenario (pymrio's test system)."""

from __future__ import annotations

import pytest

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models import events as ev
from econsec.policy.apply import MeasureChoice, apply_measures, scenario_with_measures
from econsec.scenarios.catalogue import resolve_scenario
from econsec.scenarios.runner import prepare
from econsec.scenarios.schema import Scenario, load_scenario


@pytest.fixture(scope="module")
def bare() -> Scenario:
    spec = load_scenario(resolve_scenario("worked:pymrio-test-mining-outage"))
    return spec.model_copy(update={"mitigations": [], "compare_mitigations": False,
                                   "ensemble": None})


def test_stockpile_adds_one_release_per_cut(bare: Scenario) -> None:
    out = scenario_with_measures(bare, [MeasureChoice("stockpile-release", {"days": 30,
                                                                             "delay": 5})])
    releases = [m for m in out.mitigations if isinstance(m, ev.StockpileRelease)]
    # the export restriction reg3/mining -> [reg1, reg2]: one release per importer
    restriction = next(e for e in bare.events if isinstance(e, ev.ExportRestriction))
    assert restriction.to is not None
    assert sorted(m.region for m in releases) == sorted(restriction.to)
    for m in releases:
        assert (m.origin, m.sector, m.days_of_use) == ("reg3", "mining", 30)
        assert m.daily_share == restriction.share
        assert m.start_day == restriction.start_day + 5
    assert out.events == bare.events


def test_diversify_picks_the_largest_third_region_exporter(bare: Scenario) -> None:
    mrio = prepare(bare)
    applied = apply_measures(bare, [MeasureChoice("equity-offtake", {"secured": 0.5})],
                             mrio=mrio)
    S = len(mrio.sectors)
    s = mrio.sector_index("mining")
    fd = mrio.final_demand_by_region()
    for m in applied.scenario.mitigations:
        assert isinstance(m, ev.DiversifySupplier)
        excluded = {"reg3", m.region}

        def sales(region: str, excluded: set[str] = excluded) -> float:
            row = mrio.region_index(region) * S + s
            return sum(float(mrio.Z[row, d * S:(d + 1) * S].sum()) + float(fd[row, d])
                       for d, dest in enumerate(mrio.regions)
                       if dest not in excluded and dest != region)

        best = max((r for r in mrio.regions if r not in excluded), key=sales)
        assert m.alternative == best
        output = float(mrio.x[mrio.index(best, "mining")])
        assert m.max_capacity_increase == pytest.approx(0.5 * sales(best) / output, rel=1e-6)


def test_event_changes(bare: Scenario) -> None:
    shorter = scenario_with_measures(bare, [MeasureChoice("export-control-dialogue",
                                                          {"days_earlier": 50})])
    lower = scenario_with_measures(bare, [MeasureChoice("licence-facilitation",
                                                        {"reduction": 0.5})])
    for before, a, b in zip(bare.events, shorter.events, lower.events, strict=True):
        if isinstance(before, ev.ExportRestriction):
            assert isinstance(a, ev.ExportRestriction) and isinstance(b, ev.ExportRestriction)
            assert a.duration_days == before.duration_days - 50
            assert b.share == pytest.approx(before.share * 0.5)
        else:
            assert a == before == b
    assert not shorter.mitigations and not lower.mitigations


def test_bad_choices(bare: Scenario) -> None:
    with pytest.raises(UnknownNameError, match="stockpile-release"):
        scenario_with_measures(bare, [MeasureChoice("stockpile-relese")])
    with pytest.raises(ValidationError, match="outside"):
        scenario_with_measures(bare, [MeasureChoice("recycling", {"share": 2})])
    with pytest.raises(UnknownNameError, match="share"):
        scenario_with_measures(bare, [MeasureChoice("recycling", {"shar": 0.2})])
