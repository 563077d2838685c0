"""MPG (OLS of margin rate on σ_now) and the largest observed margin growth, by hand."""

from __future__ import annotations

import math

import pytest

from controller.indicators import (
    SymbolIndicators,
    new_symbol_indicators,
    ols_slope,
    on_bar,
    on_margin_rate,
)
from controller.indicators._margin import MarginState, update_margin
from controller.indicators._params import params_from
from tests.controller.indicators.helpers import EPOCH, small_settings

HOUR = 3600.0


def test_mpg_is_the_slope_of_margin_rate_on_sigma() -> None:
    # margin rate = 0.02 + 2 σ exactly → MPG = 2 (margin rate per unit of daily σ)
    p = params_from(small_settings(min_mpg_points=3))
    m = MarginState()
    for k, sigma in enumerate([0.005, 0.01, 0.02, 0.04]):
        m = update_margin(m, p, EPOCH + HOUR * k, 0.02 + 2.0 * sigma, sigma)
    assert m.mpg == pytest.approx(2.0, rel=1e-9)


def test_mpg_needs_points_with_known_and_varying_sigma() -> None:
    p = params_from(small_settings(min_mpg_points=3))
    m = MarginState()
    for k, sigma in enumerate([None, 0.01, 0.02]):
        m = update_margin(m, p, EPOCH + HOUR * k, 0.03, sigma)
    assert m.mpg is None  # two pairs with a known σ
    m = MarginState()
    for k in range(5):
        m = update_margin(m, p, EPOCH + HOUR * k, 0.03 + 0.01 * k, 0.01)
    assert m.mpg is None  # σ never moved: slope not identified


@pytest.mark.parametrize(("window", "expected"), [(1, 0.2), (2, 0.44)])
def test_margin_growth_max_hand_computed(window: int, expected: float) -> None:
    # hourly rates 1.0, 1.2, 1.44 (×3.33 %): +20 % per hour, +44 % over two hours
    p = params_from(small_settings(margin_growth_window_hours=window))
    m = MarginState()
    for k, rate in enumerate([1.0, 1.2, 1.44]):
        m = update_margin(m, p, EPOCH + HOUR * k, 0.0333 * rate, None)
    assert m.growth_max == pytest.approx(expected, rel=1e-12)


def test_a_falling_margin_rate_has_zero_growth() -> None:
    p = params_from(small_settings())
    m = MarginState()
    for k, rate in enumerate([0.05, 0.04, 0.03]):
        m = update_margin(m, p, EPOCH + HOUR * k, rate, None)
    assert m.growth_max == 0.0


def test_one_sample_per_hour_and_a_fixed_window() -> None:
    p = params_from(small_settings(margin_history_hours=3, margin_growth_window_hours=1))
    m = MarginState()
    m = update_margin(m, p, EPOCH + 10.0, 0.03, None)
    m = update_margin(m, p, EPOCH + 20.0, 0.06, None)  # same hour: replaces
    assert (m.rates, m.growth_max) == ((0.06,), 0.0)
    for k in range(1, 10):
        m = update_margin(m, p, EPOCH + HOUR * k, 0.03, None)
    assert len(m.hours) == 3  # hours 7, 8, 9 only
    assert m.growth_max == 0.0  # the early +100 % (replaced) never entered


def test_on_margin_rate_pairs_the_sample_with_sigma_now() -> None:
    s = small_settings(vol_halflife_minutes=30.0, min_mpg_points=3)
    state: SymbolIndicators = new_symbol_indicators(s)
    price = 1.1
    pairs: list[tuple[float, float]] = []
    for hour in range(6):
        for k in range(60):  # growing volatility, hour after hour
            price *= math.exp((-1) ** k * 1e-4 * (1 + hour))
            state = on_bar(state, "M1", EPOCH + HOUR * hour + 60.0 * k, price, price, price, price)
        rate = 0.0333 * (1 + 0.1 * hour)
        state = on_margin_rate(state, EPOCH + HOUR * hour + 3599.0, rate)
        assert state.sigma_now is not None
        pairs.append((state.sigma_now, rate))
    expected = ols_slope([p[0] for p in pairs], [p[1] for p in pairs])
    assert expected is not None
    assert expected > 0.0
    assert state.mpg == pytest.approx(expected, rel=1e-12)
    assert state.margin_growth_max == pytest.approx(0.5, rel=1e-12)  # 1.0 → 1.5 within 24 h


def test_margin_errors_name_the_field() -> None:
    state = new_symbol_indicators(small_settings())
    with pytest.raises(ValueError, match=r"margin_rate=0.0 .*0.0333 = 30:1"):
        on_margin_rate(state, EPOCH, 0.0)
    state = on_margin_rate(state, EPOCH + 5.0, 0.03)
    with pytest.raises(ValueError, match="before the last sample"):
        on_margin_rate(state, EPOCH, 0.03)
