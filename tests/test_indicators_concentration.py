"""Shares, HHI and governance-weighted HHI: hand-computed cases, properties, errors."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.errors import ValidationError
from econsec.indicators.concentration import (
    governance_weighted_hhi,
    governance_weighted_hhi_terms,
    hhi,
    market_shares,
)

values_st = st.dictionaries(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    st.floats(min_value=0.0, max_value=1e9, allow_nan=False),
    min_size=1,
    max_size=30,
).filter(lambda d: sum(d.values()) > 0)


def test_reported_basis_hand_computed() -> None:
    # 60 / 100 = 0.6, 30 / 100 = 0.3, 10 / 100 = 0.1; HHI = 0.36 + 0.09 + 0.01 = 0.46
    r = market_shares({"AUS": 10.0, "CHN": 60.0, "USA": 30.0, "XXX": None})
    assert r.basis == "reported"
    assert r.denominator == 100.0
    assert [k for k, _ in r.shares] == ["CHN", "USA", "AUS"]
    assert r.share("CHN") == pytest.approx(0.6)
    assert r.hhi == pytest.approx(0.46)
    assert r.missing == ("XXX",)
    assert r.unreported_share == 0.0
    assert r.rank("USA") == 2
    assert r.rank("XXX") is None
    assert r.method.name


def test_world_total_basis_does_not_count_remainder_as_one_supplier() -> None:
    # total 200: shares 0.3, 0.15, 0.05 (sum 0.5); HHI = 0.09 + 0.0225 + 0.0025 = 0.115
    r = market_shares({"CHN": 60.0, "USA": 30.0, "AUS": 10.0}, total=200.0)
    assert r.basis == "world-total"
    assert r.denominator == 200.0
    assert r.hhi == pytest.approx(0.115)
    assert r.unreported_share == pytest.approx(0.5)  # not added as 0.5² = 0.25
    assert r.to_dict()["basis"] == "world-total"


def test_ties_are_sorted_by_key() -> None:
    r = market_shares({"B": 1.0, "A": 1.0})
    assert [k for k, _ in r.shares] == ["A", "B"]
    assert r.rank("A") == r.rank("B") == 1


@pytest.mark.parametrize(
    ("values", "total", "field"),
    [
        ({"CHN": -1.0}, None, "values[CHN]"),
        ({"CHN": float("nan")}, None, "values[CHN]"),
        ({"CHN": 0.0}, None, "values"),
        ({"CHN": 10.0}, 0.0, "total"),
        ({"CHN": 10.0}, 5.0, "total"),
    ],
)
def test_market_shares_errors(values: dict, total: float | None, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        market_shares(values, total=total)
    assert info.value.location.column == field


def test_world_total_allows_rounding() -> None:
    # reported sum may exceed a rounded published total by up to 5 % (USGS rounds totals)
    r = market_shares({"A": 54.5, "B": 50.0}, total=100.0)
    assert r.unreported_share == 0.0
    with pytest.raises(ValidationError, match="5%"):
        market_shares({"A": 56.0, "B": 50.0}, total=100.0)


def test_hhi_hand_computed_and_errors() -> None:
    assert hhi([0.5, 0.5]) == pytest.approx(0.5)
    assert hhi({"A": 1.0}) == 1.0
    assert hhi({"A": 0.34, "B": 0.34, "C": 0.34}) == pytest.approx(3 * 0.34**2)  # sum 1.02 ok
    with pytest.raises(ValidationError, match="add up"):
        hhi([0.6, 0.5])  # 1.1 > 1.02
    with pytest.raises(ValidationError) as info:
        hhi({"CHN": -0.1})
    assert info.value.location.column == "shares[CHN]"
    with pytest.raises(ValidationError, match="at most 1"):
        hhi([1.5])
    with pytest.raises(ValidationError, match="NaN"):
        hhi([float("nan")])


def test_governance_weighted_hhi_hand_computed() -> None:
    # 0.8² · 6.0 · 1.0 + 0.2² · 1.0 · 0.8 = 3.84 + 0.032 = 3.872
    value = governance_weighted_hhi(
        {"CHN": 0.8, "DEU": 0.2}, {"CHN": 6.0, "DEU": 1.0, "USA": 3.0}, t={"DEU": 0.8}
    )
    assert value == pytest.approx(3.872)
    terms = governance_weighted_hhi_terms({"CHN": 0.8}, {"CHN": 6.0})
    assert terms[0].contribution == pytest.approx(3.84)
    assert terms[0].t == 1.0


def test_governance_weighted_hhi_missing_country_named() -> None:
    with pytest.raises(ValidationError, match="'RUS'") as info:
        governance_weighted_hhi({"RUS": 0.5}, {"CHN": 6.0})
    assert info.value.location.column == "shares[RUS]"
    with pytest.raises(ValidationError, match="0-10"):
        governance_weighted_hhi({"CHN": 0.5}, {"CHN": 11.0})


@given(values_st)
def test_hhi_in_unit_interval_and_reported_shares_sum_to_one(values: dict[str, float]) -> None:
    r = market_shares(values)
    assert 0.0 <= r.hhi <= 1.0 + 1e-12
    assert math.fsum(s for _, s in r.shares) == pytest.approx(1.0)
    assert r.hhi >= 1.0 / len(values) - 1e-9  # HHI ≥ 1/n
    assert [s for _, s in r.shares] == sorted((s for _, s in r.shares), reverse=True)


@given(values_st, st.randoms(use_true_random=False))
def test_invariant_to_order(values: dict[str, float], rnd: random.Random) -> None:
    items = list(values.items())
    rnd.shuffle(items)
    a, b = market_shares(values), market_shares(dict(items))
    assert a.shares == b.shares
    assert a.hhi == pytest.approx(b.hhi)


@given(values_st, st.floats(min_value=1.0, max_value=5.0))
def test_world_total_hhi_not_above_reported_hhi(values: dict[str, float], k: float) -> None:
    total = sum(values.values()) * k
    assert market_shares(values, total=total).hhi <= market_shares(values).hhi + 1e-12


def test_rounded_world_total_below_reported_sum_uses_reported_sum() -> None:
    # USGS MCS 2025 magnesium metal 2024: reported countries add up to 1,045 kt against a
    # rounded world total of 1,000 kt. Shares must not exceed 100 %.
    result = market_shares({"CHN": 950.0, "RUS": 60.0, "ISR": 35.0}, total=1000.0)
    assert result.basis == "world-total"
    assert result.denominator == 1045.0
    assert sum(s for _, s in result.shares) == pytest.approx(1.0)
    assert result.unreported_share == 0.0
