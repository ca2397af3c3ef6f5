"""Balassa RCA against a hand-computed 3 × 3 example."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from econsec.errors import ValidationError
from econsec.indicators.rca import rca


def test_hand_computed_3x3() -> None:
    x = np.array(
        [
            [10.0, 0.0, 10.0],  # X_c = 20
            [0.0, 30.0, 10.0],  # X_c = 40
            [10.0, 10.0, 20.0],  # X_c = 40
        ]
    )  # X_p = 20, 40, 40; X = 100
    # RCA_cp = (X_cp / X_c) / (X_p / X)
    expected = np.array(
        [
            [(10 / 20) / (20 / 100), 0.0, (10 / 20) / (40 / 100)],  # 2.5, 0, 1.25
            [0.0, (30 / 40) / (40 / 100), (10 / 40) / (40 / 100)],  # 0, 1.875, 0.625
            [(10 / 40) / (20 / 100), (10 / 40) / (40 / 100), (20 / 40) / (40 / 100)],
        ]  # 1.25, 0.625, 1.25
    )
    r = rca(x)
    np.testing.assert_allclose(r.rca, expected)
    assert r.total == 100.0
    np.testing.assert_array_equal(r.country_totals, [20, 40, 40])
    np.testing.assert_array_equal(r.mcp(), (expected >= 1).astype(np.int8))


def test_zero_rows_and_columns_give_zero() -> None:
    x = [[0.0, 0.0, 0.0], [1.0, 0.0, 3.0], [1.0, 0.0, 1.0]]
    r = rca(x)
    assert np.all(r.rca[0] == 0.0)
    assert np.all(r.rca[:, 1] == 0.0)
    assert np.all(np.isfinite(r.rca))


@pytest.mark.parametrize(
    ("x", "field"),
    [
        ([1.0, 2.0], "x"),
        ([[1.0, -1.0]], "x[0, 1]"),
        ([[1.0, float("nan")]], "x[0, 1]"),
        ([[0.0, 0.0]], "x"),
    ],
)
def test_errors(x, field) -> None:
    with pytest.raises(ValidationError) as info:
        rca(x)
    assert info.value.location.column == field


@given(arrays(np.float64, (4, 5), elements=st.one_of(st.just(0.0), st.floats(1e-3, 1e6))))
def test_export_weighted_mean_of_rca_is_one(x) -> None:
    # Σ_c (X_c / X) · RCA_cp = Σ_c X_cp / X_p = 1 for each exported product
    if x.sum() <= 0:
        return
    r = rca(x)
    weighted = (r.country_totals / r.total) @ r.rca
    exported = r.product_totals > 0
    np.testing.assert_allclose(weighted[exported], 1.0, rtol=1e-9)
