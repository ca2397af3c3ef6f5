"""GeoPolRisk: a hand-computed case and error cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.errors import ValidationError
from econsec.indicators.geopolrisk import geopolrisk, instability_from_wgi_pv


def test_geopolrisk_hand_computed() -> None:
    # World production 60 / 30 / 10 → HHI = 0.36 + 0.09 + 0.01 = 0.46.
    # Importer: domestic production 20, imports CHN 50, AUS 20, DEU 10 (F = 80, p + F = 100).
    # g: CHN 0.7, AUS 0.2; DEU is a group member → g = 0.
    # import risk = (0.7 · 50 + 0.2 · 20 + 0 · 10) / 100 = (35 + 4) / 100 = 0.39
    # GPR = 0.46 · 0.39 = 0.1794
    r = geopolrisk(
        {"CHN": 60.0, "USA": 30.0, "AUS": 10.0},
        {"CHN": 50.0, "AUS": 20.0, "DEU": 10.0},
        20.0,
        {"CHN": 0.7, "AUS": 0.2, "DEU": 0.1},
        zero_risk_origins={"DEU"},
    )
    assert r.hhi == pytest.approx(0.46)
    assert r.total_imports == 80.0
    assert r.import_risk == pytest.approx(0.39)
    assert r.score == pytest.approx(0.1794)
    assert [t.origin for t in r.terms] == ["CHN", "AUS", "DEU"]
    assert r.terms[2].instability == 0.0
    assert "Gemechu" in r.method.reference


def test_domestic_production_dilutes_risk() -> None:
    args = ({"A": 1.0}, {"A": 10.0}, {"A": 1.0})
    no_home = geopolrisk(args[0], args[1], 0.0, args[2]).score
    with_home = geopolrisk(args[0], args[1], 10.0, args[2]).score
    assert no_home == pytest.approx(1.0)  # HHI 1 · g 1 · 10/10
    assert with_home == pytest.approx(0.5)  # 10 / (10 + 10)


def test_missing_instability_is_an_error_unless_default() -> None:
    with pytest.raises(ValidationError, match="'RUS'") as info:
        geopolrisk({"RUS": 1.0}, {"RUS": 5.0}, 0.0, {})
    assert info.value.location.column == "imports_by_origin[RUS]"
    r = geopolrisk({"RUS": 1.0}, {"RUS": 5.0}, 0.0, {}, default_instability=0.5)
    assert r.score == pytest.approx(0.5)


def test_errors() -> None:
    with pytest.raises(ValidationError):
        geopolrisk({"A": 1.0}, {"A": 0.0}, 0.0, {"A": 0.5})  # no supply
    with pytest.raises(ValidationError):
        geopolrisk({"A": 1.0}, {"A": -1.0}, 0.0, {"A": 0.5})
    with pytest.raises(ValidationError):
        geopolrisk({"A": 1.0}, {"A": 1.0}, 0.0, {"A": 1.5})


def test_instability_from_wgi_pv() -> None:
    assert instability_from_wgi_pv(2.5) == 0.0
    assert instability_from_wgi_pv(-2.5) == 1.0
    assert instability_from_wgi_pv(-3.0) == 1.0
    assert instability_from_wgi_pv(0.5) == pytest.approx(0.4)  # (2.5 − 0.5) / 5


@given(
    st.dictionaries(st.sampled_from("ABCDE"), st.floats(0, 1e6), min_size=1),
    st.floats(0, 1e6),
    st.dictionaries(st.sampled_from("ABCDE"), st.floats(0, 1), min_size=5),
)
def test_score_in_unit_interval(imports, p, g) -> None:
    if p + sum(imports.values()) <= 0:
        return
    r = geopolrisk({"A": 3.0, "B": 1.0}, imports, p, g)
    assert 0.0 <= r.import_risk <= 1.0 + 1e-12
    assert 0.0 <= r.score <= 1.0 + 1e-12
