"""Kernels against hand-computed values and their oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from controller.indicators import ewma_alpha, ols_slope, wilder_atr


def test_ewma_alpha_halves_the_weight_every_halflife() -> None:
    assert ewma_alpha(1.0) == pytest.approx(0.5, abs=1e-15)
    assert ewma_alpha(2.0) == pytest.approx(1.0 - 1.0 / math.sqrt(2.0), abs=1e-15)
    assert (1.0 - ewma_alpha(1440.0)) ** 1440 == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_ewma_alpha_rejects_bad_halflife(bad: float) -> None:
    with pytest.raises(ValueError, match="halflife"):
        ewma_alpha(bad)


def test_wilder_atr_hand_computed() -> None:
    # bars (H, L, C); period 3
    high = [10.0, 11.0, 12.0, 11.5, 13.0]
    low = [9.0, 10.0, 10.5, 10.0, 11.0]
    close = [9.5, 10.5, 11.0, 10.2, 12.5]
    # TR: 1.0 (first: H-L); max(1, |11-9.5|=1.5, |10-9.5|=0.5)=1.5; max(1.5, 1.5, 0)=1.5;
    #     max(1.5, 0.5, 1.0)=1.5; max(2.0, 2.8, 0.8)=2.8
    # ATR[2] = (1 + 1.5 + 1.5) / 3 = 4/3; ATR[3] = (2 × 4/3 + 1.5) / 3 = 25/18;
    # ATR[4] = (2 × 25/18 + 2.8) / 3 = (25/9 + 2.8) / 3
    atr = wilder_atr(high, low, close, 3)
    assert np.isnan(atr[:2]).all()
    assert atr[2] == pytest.approx(4.0 / 3.0, rel=1e-15)
    assert atr[3] == pytest.approx(25.0 / 18.0, rel=1e-15)
    assert atr[4] == pytest.approx((25.0 / 9.0 + 2.8) / 3.0, rel=1e-15)


def test_wilder_atr_of_a_flat_series_is_the_bar_range() -> None:
    n = 50
    atr = wilder_atr(np.full(n, 1.2), np.full(n, 1.1), np.full(n, 1.15), 14)
    np.testing.assert_allclose(atr[13:], 0.1, rtol=1e-12)


def test_wilder_atr_rejects_mismatched_arrays() -> None:
    with pytest.raises(ValueError, match="shapes"):
        wilder_atr([1.0, 2.0], [1.0], [1.0, 2.0], 1)


def test_ols_slope_hand_computed() -> None:
    # x = 1, 2, 3; y = 2, 3, 7: x̄ = 2, ȳ = 4; Sxy = (-1)(-2) + 0 + (1)(3) = 5; Sxx = 2
    assert ols_slope([1.0, 2.0, 3.0], [2.0, 3.0, 7.0]) == pytest.approx(2.5, rel=1e-15)


def test_ols_slope_is_none_without_variation_in_x() -> None:
    assert ols_slope([0.1, 0.1, 0.1], [1.0, 2.0, 3.0]) is None
    assert ols_slope([0.1], [1.0]) is None


@given(
    a=st.floats(-1.0, 1.0),
    b=st.floats(-100.0, 100.0),
    xs=st.lists(st.floats(0.001, 0.05), min_size=3, max_size=40, unique=True),
)
def test_ols_slope_recovers_an_exact_line(a: float, b: float, xs: list[float]) -> None:
    x = np.array(xs)
    if np.ptp(x) < 1e-4:
        return
    slope = ols_slope(x, a + b * x)
    assert slope is not None
    assert slope == pytest.approx(b, abs=1e-6 * (1.0 + abs(b)))
