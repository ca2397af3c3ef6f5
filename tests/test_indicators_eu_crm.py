"""EU CRM supply risk and economic importance: worked cases by hand, properties, errors."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from econsec.errors import ValidationError
from econsec.indicators.eu_crm import (
    Q_MAX_2023,
    CountryShare,
    EndUse,
    MaterialInput,
    StageInputs,
    assess_materials,
    economic_importance,
    import_reliance,
    is_critical,
    supply_risk,
    supply_risk_stage,
    wgi_scaled,
)

WGI = {"CHN": 6.0, "USA": 2.0, "DEU": 2.0, "AUS": 1.0}

STAGE_P = StageInputs(
    global_supply=[CountryShare("CHN", 0.9), CountryShare("USA", 0.1)],
    eu_sourcing=[CountryShare("CHN", 0.5), CountryShare("DEU", 0.5, t=0.8)],
    import_reliance=0.6,
    eol_rir=0.1,
    si_sr=0.9,
)
STAGE_E = StageInputs(
    global_supply={"AUS": 1.0},
    eu_sourcing={"AUS": 1.0},
    import_reliance=1.0,
    eol_rir=0.0,
    si_sr=1.0,
)


def test_wgi_scaled_hand_computed() -> None:
    # mean = (0.5 + 1.0 + 1.5 + 0.0 − 0.5 + 0.5) / 6 = 3.0 / 6 = 0.5; 5 − 2 · 0.5 = 4.0
    assert wgi_scaled([0.5, 1.0, 1.5, 0.0, -0.5, 0.5]) == pytest.approx(4.0)
    assert wgi_scaled([-3.0] * 6) == 10.0  # 5 + 6 = 11 → clipped to 10
    assert wgi_scaled([3.0] * 6) == 0.0  # 5 − 6 = −1 → clipped to 0


def test_wgi_scaled_needs_six_finite_values() -> None:
    with pytest.raises(ValidationError, match="six"):
        wgi_scaled([1.0] * 5)
    with pytest.raises(ValidationError) as info:
        wgi_scaled([1.0, 1.0, float("nan"), 1.0, 1.0, 1.0])
    assert info.value.location.column == "estimates[2]"


def test_import_reliance_hand_computed() -> None:
    # (90 − 10) / (20 + 90 − 10) = 80 / 100
    assert import_reliance(90.0, 10.0, 20.0) == pytest.approx(0.8)
    assert import_reliance(10.0, 30.0, 50.0) == 0.0  # net exporter → clipped to 0
    assert import_reliance(0.0, 0.0, 0.0) == 0.0
    assert import_reliance(50.0, 0.0, 0.0) == 1.0
    with pytest.raises(ValidationError) as info:
        import_reliance(-1.0, 0.0, 0.0)
    assert info.value.location.column == "imports"


def test_supply_risk_stage_hand_computed() -> None:
    # HHI_GS = 0.9² · 6 · 1 + 0.1² · 2 · 1 = 4.86 + 0.02 = 4.88
    # HHI_EU = 0.5² · 6 · 1 + 0.5² · 2 · 0.8 = 1.5 + 0.4 = 1.9
    # SR = [4.88 · 0.6/2 + 1.9 · (1 − 0.6/2)] · (1 − 0.1) · 0.9
    #    = [1.464 + 1.33] · 0.9 · 0.9 = 2.794 · 0.81 = 2.26314
    r = supply_risk_stage(
        STAGE_P.global_supply,
        STAGE_P.eu_sourcing,
        STAGE_P.import_reliance,
        STAGE_P.eol_rir,
        STAGE_P.si_sr,
        WGI,
        stage="P",
    )
    assert r.hhi_gs == pytest.approx(4.88)
    assert r.hhi_eu == pytest.approx(1.9)
    assert r.sr == pytest.approx(2.26314)
    assert [t.country for t in r.eu_terms] == ["CHN", "DEU"]
    assert r.eu_terms[1].contribution == pytest.approx(0.4)
    assert "2017" in r.method.version


def test_supply_risk_reports_higher_stage() -> None:
    # Stage E: HHI_GS = HHI_EU = 1² · 1 = 1; SR = [1 · 0.5 + 1 · 0.5] · 1 · 1 = 1.0
    r = supply_risk({"E": STAGE_E, "P": STAGE_P}, WGI)
    assert r.sr_e == pytest.approx(1.0)
    assert r.sr_p == pytest.approx(2.26314)
    assert r.sr == pytest.approx(2.26314)
    assert r.stage == "P"
    assert r.sr_by_stage == {"E": r.sr_e, "P": r.sr_p}

    only_e = supply_risk({"E": STAGE_E}, WGI)
    assert only_e.sr_p is None
    assert only_e.stage == "E"


def test_supply_risk_errors_name_stage_and_country() -> None:
    with pytest.raises(ValidationError, match="'CHN'") as info:
        supply_risk({"P": STAGE_P}, {"USA": 2.0, "DEU": 2.0})
    assert info.value.location.column == "stages.P.global_supply[CHN]"
    with pytest.raises(ValidationError, match="unknown stage"):
        supply_risk({"X": STAGE_P}, WGI)
    with pytest.raises(ValidationError):
        supply_risk({}, WGI)
    twice = StageInputs([CountryShare("CHN", 0.5), CountryShare("CHN", 0.5)], {}, 0.5, 0, 1)
    with pytest.raises(ValidationError, match="twice"):
        supply_risk({"E": twice}, WGI)
    over = StageInputs({"CHN": 0.7, "USA": 0.4}, {"CHN": 1.0}, 0.5, 0, 1)
    with pytest.raises(ValidationError, match="add up"):
        supply_risk({"E": over}, WGI)


def test_economic_importance_hand_computed() -> None:
    # Σ A_s Q_s = 0.6 · 100,000 + 0.4 · 50,000 = 80,000
    # EI = 80,000 / 204,200 · 10 · 0.9 = 720,000 / 204,200 = 3.525954...
    r = economic_importance(
        [EndUse("C26", 0.6, 100_000.0), EndUse("C27", 0.4, 50_000.0)], si_ei=0.9
    )
    assert r.weighted_value_added == pytest.approx(80_000.0)
    assert r.ei == pytest.approx(720_000.0 / 204_200.0)
    assert r.q_max == Q_MAX_2023 == 204_200.0
    assert [t.contribution for t in r.terms] == pytest.approx([60_000.0, 20_000.0])


def test_economic_importance_q_max_is_a_parameter_and_bounds_value_added() -> None:
    # with q_max = 100,000: 80,000 / 100,000 · 10 · 1 = 8
    r = economic_importance(
        [EndUse("C26", 0.6, 100_000.0), EndUse("C27", 0.4, 50_000.0)], 1.0, q_max=100_000.0
    )
    assert r.ei == pytest.approx(8.0)
    with pytest.raises(ValidationError, match="q_max") as info:
        economic_importance([EndUse("C29", 1.0, 300_000.0)], 1.0)
    assert info.value.location.column == "end_uses[0].value_added"
    with pytest.raises(ValidationError):
        economic_importance([], 1.0)
    with pytest.raises(ValidationError, match="add up"):
        economic_importance([EndUse("A", 0.6, 1.0), EndUse("B", 0.6, 1.0)], 1.0)


def test_is_critical_thresholds() -> None:
    assert is_critical(1.0, 2.8)
    assert not is_critical(0.99, 2.8)
    assert not is_critical(1.0, 2.79)
    assert is_critical(0.5, 1.0, sr_threshold=0.5, ei_threshold=1.0)


def test_assess_materials() -> None:
    m = MaterialInput(
        material="Testium",
        stages={"E": STAGE_E, "P": STAGE_P},
        end_uses=(EndUse("C26", 0.6, 100_000.0), EndUse("C27", 0.4, 50_000.0)),
        si_ei=0.9,
        wgi_scaled=WGI,
    )
    (a,) = assess_materials([m])
    assert a.sr == pytest.approx(2.26314)
    assert a.ei == pytest.approx(3.5259549)
    assert a.critical
    d = a.to_dict()
    assert set(d) >= {"material", "sr", "sr_by_stage", "ei", "critical"}
    assert d["sr_by_stage"]["E"] == pytest.approx(1.0)
    with pytest.raises(ValidationError) as info:
        assess_materials([m], {"CHN": 6.0})
    assert info.value.location.column.startswith("materials[0].stages.")


fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
wgi_value = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)


@given(fraction, fraction, fraction, fraction, wgi_value, wgi_value, fraction, fraction)
def test_sr_monotone_in_ir_when_global_more_concentrated(
    ir1, ir2, eol, si, w_gs, w_eu, s_gs, s_eu
) -> None:
    gs = {"AAA": s_gs}
    eu = {"BBB": s_eu}
    wgi = {"AAA": w_gs, "BBB": w_eu}
    hhi_gs, hhi_eu = s_gs**2 * w_gs, s_eu**2 * w_eu
    assume(hhi_gs > hhi_eu)
    lo, hi = sorted((ir1, ir2))
    a = supply_risk_stage(gs, eu, lo, eol, si, wgi).sr
    b = supply_risk_stage(gs, eu, hi, eol, si, wgi).sr
    assert a <= b + 1e-12


@given(fraction, fraction, wgi_value, fraction)
def test_sr_zero_when_all_recycled(ir, si, w, s) -> None:
    r = supply_risk_stage({"AAA": s}, {"AAA": s}, ir, 1.0, si, {"AAA": w})
    assert r.sr == 0.0


@given(fraction, fraction, fraction, wgi_value, fraction)
def test_sr_bounds_and_linear_in_si(ir, eol, si, w, s) -> None:
    full = supply_risk_stage({"AAA": s}, {"AAA": s}, ir, eol, 1.0, {"AAA": w}).sr
    part = supply_risk_stage({"AAA": s}, {"AAA": s}, ir, eol, si, {"AAA": w}).sr
    assert 0.0 <= part <= 10.0
    assert part == pytest.approx(full * si, abs=1e-12)


@given(st.lists(st.floats(min_value=-3, max_value=3, allow_nan=False), min_size=6, max_size=6))
def test_wgi_scaled_in_range(estimates) -> None:
    assert 0.0 <= wgi_scaled(estimates) <= 10.0


@given(
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_import_reliance_in_unit_interval(i, x, p) -> None:
    assert 0.0 <= import_reliance(i, x, p) <= 1.0
