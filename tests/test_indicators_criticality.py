"""Criticality matrix, dependence profile and the three lenses."""

from __future__ import annotations

import pytest

from econsec.errors import ValidationError
from econsec.indicators.criticality import (
    ItemMetrics,
    Lens,
    Quadrant,
    Thresholds,
    classify_lenses,
    criticality_matrix,
    dependence_profile,
)


def test_criticality_matrix_quadrants() -> None:
    m = criticality_matrix(
        [("Ga", 1.0, 2.8), ("REE", 3.0, 1.0), ("Cu", 0.3, 5.0), ("Sand", 0.1, 1.0)]
    )
    assert [p.quadrant for p in m.points] == [
        Quadrant.CRITICAL,
        Quadrant.HIGH_SUPPLY_RISK,
        Quadrant.HIGH_ECONOMIC_IMPORTANCE,
        Quadrant.LOW,
    ]
    assert m.quadrant("Cu") is Quadrant.HIGH_ECONOMIC_IMPORTANCE
    assert m.by_quadrant()[Quadrant.CRITICAL] == ("Ga",)
    assert (m.sr_threshold, m.ei_threshold) == (1.0, 2.8)
    custom = criticality_matrix([("Ga", 1.0, 2.8)], sr_threshold=1.5)
    assert custom.points[0].quadrant is Quadrant.HIGH_ECONOMIC_IMPORTANCE


def test_criticality_matrix_errors() -> None:
    with pytest.raises(ValidationError, match="twice"):
        criticality_matrix([("Ga", 1.0, 1.0), ("Ga", 2.0, 2.0)])
    with pytest.raises(ValidationError) as info:
        criticality_matrix([("Ga", float("nan"), 1.0)])
    assert info.value.location.column == "points[0].sr"


PRODUCTION = {"CHN": 60.0, "JPN": 20.0, "AUS": 10.0, "USA": 10.0, "PRK": None}
WGI = {"CHN": 6.0, "JPN": 1.5, "AUS": 1.0, "USA": 2.0}


def test_dependence_profile_hand_computed() -> None:
    # shares 0.6 / 0.2 / 0.1 / 0.1; HHI = 0.36 + 0.04 + 0.01 + 0.01 = 0.42
    # partners {AUS, USA}: 0.2; outside = 1 − 0.2 − 0.2 = 0.6 (CHN)
    # governance-weighted = 0.36·6 + 0.04·1.5 + 0.01·1 + 0.01·2 = 2.16 + 0.06 + 0.01 + 0.02 = 2.25
    # without JPN: 60/80, 10/80, 10/80 → 0.5625 + 0.015625 + 0.015625 = 0.59375
    p = dependence_profile(
        PRODUCTION, "JPN", {"AUS", "USA", "JPN"}, WGI, net_import_reliance=0.3, item="x"
    )
    assert p.home_share == pytest.approx(0.2)
    assert p.home_rank == 2
    assert (p.top_supplier, p.top_share) == ("CHN", pytest.approx(0.6))
    assert p.hhi == pytest.approx(0.42)
    assert p.partner_share == pytest.approx(0.2)
    assert p.outside_share == pytest.approx(0.6)
    assert p.top_outside_supplier == "CHN"
    assert p.governance_weighted_hhi == pytest.approx(2.25)
    assert p.hhi_without_home == pytest.approx(0.59375)
    assert p.supply_lost_without_home == pytest.approx(0.2)
    assert p.net_import_reliance == 0.3
    assert p.to_dict()["method"]["name"] == "dependence profile"


def test_dependence_profile_world_total_and_missing_wgi() -> None:
    # total 200: home 20/200 = 0.1; partners 20/200 = 0.1; outside = 0.8 (incl. unreported 0.5)
    p = dependence_profile(PRODUCTION, "JPN", {"AUS", "USA"}, total=200.0)
    assert p.basis == "world-total"
    assert p.outside_share == pytest.approx(0.8)
    assert p.governance_weighted_hhi is None
    absent = dependence_profile(PRODUCTION, "KOR", ())
    assert absent.home_share == 0.0 and absent.home_rank is None
    with pytest.raises(ValidationError, match="'CHN'"):
        dependence_profile(PRODUCTION, "JPN", (), {"JPN": 1.0})


def test_lenses_external_dependence_with_reasons() -> None:
    p = dependence_profile(PRODUCTION, "JPN", {"AUS", "USA"}, net_import_reliance=0.9)
    r = classify_lenses(ItemMetrics.from_profile(p), Thresholds())
    assert r.external_dependence  # outside 0.6 ≥ 0.5 and HHI 0.42 ≥ 0.25; NIR 0.9 ≥ 0.5
    (flag,) = [f for f in r.flags if f.lens is Lens.EXTERNAL_DEPENDENCE]
    assert len(flag.reasons) == 2
    assert "60.0 %" in flag.reasons[0] and "threshold 50.0 %" in flag.reasons[0]
    assert "net import reliance" in flag.reasons[1]
    # JPN is producer no. 2 → domestic advantage by rank (share 0.2 < 0.25)
    assert r.domestic_advantage
    assert r.to_dict()["thresholds"]["hhi"] == 0.25


def test_lenses_thresholds_are_configurable() -> None:
    m = ItemMetrics("x", "JPN", home_share=0.2, home_rank=2, outside_share=0.6, hhi=0.42)
    strict = Thresholds(outside_share=0.7, advantage_rank=1, advantage_share=0.3)
    assert classify_lenses(m, strict).lenses == ()


def test_lenses_disruptive_innovation() -> None:
    m = ItemMetrics(
        "chip",
        "JPN",
        home_share=0.0,
        home_rank=None,
        outside_share=0.3,
        hhi=0.1,
        domains=("computing",),
        home_share_by_year={2020: 0.10, 2021: 0.12, 2023: 0.16},
    )
    r = classify_lenses(m)
    assert r.lenses == (Lens.DISRUPTIVE_INNOVATION,)
    reasons = r.flags[0].reasons
    assert "computing" in reasons[0]
    assert "6.0 points from 2020 to 2023" in reasons[1]  # 0.16 − 0.10
    assert not classify_lenses(
        m, Thresholds(innovation_domains=frozenset(), share_growth=0.1)
    ).flags


def test_lenses_validate() -> None:
    with pytest.raises(ValidationError) as info:
        classify_lenses(ItemMetrics("x", "JPN", 1.5, 1, 0.1, 0.1))
    assert info.value.location.column == "home_share"


def test_small_third_place_is_no_domestic_advantage() -> None:
    # Japan in gallium 2024 (USGS MCS 2025): third producer with 0.4 % of world supply.
    small = ItemMetrics("gallium", "JPN", home_share=0.004, home_rank=3, outside_share=0.99,
                        hhi=0.97)
    assert not classify_lenses(small).domestic_advantage
    # Japan in titanium sponge: second producer with 17 % -> advantage by rank.
    sponge = ItemMetrics("titanium-sponge", "JPN", home_share=0.17, home_rank=2,
                         outside_share=0.83, hhi=0.5)
    result = classify_lenses(sponge)
    assert result.domestic_advantage
    assert any("producer no. 2" in r for f in result.flags for r in f.reasons)
