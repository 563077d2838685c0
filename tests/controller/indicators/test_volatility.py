"""σ_now: EWMA variance of 1-minute log returns, its oracle, and its daily percentiles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.indicators import (
    IndicatorSettings,
    ewma_alpha,
    new_symbol_indicators,
    on_bar,
    on_quote,
)
from tests.controller.indicators.helpers import EPOCH, small_settings


def _one_quote_per_minute(mids: list[float], s: IndicatorSettings):  # type: ignore[no-untyped-def]
    state = new_symbol_indicators(s)
    for k, m in enumerate(mids):
        state = on_quote(state, EPOCH + 60.0 * k + 30.0, m, m)
    return state


def _oracle_sigma(closes: np.ndarray, halflife: float) -> float:
    """Direct weighted sum: var = Σ λ^(n−k) r_k² / Σ λ^(n−k), σ = √(var × 1440)."""
    r = np.log(closes[1:] / closes[:-1])  # log of the ratio: no cancellation on tiny moves
    lam = 1.0 - ewma_alpha(halflife)
    w = lam ** np.arange(r.size - 1, -1, -1, dtype=np.float64)
    return math.sqrt(float(np.sum(w * r * r) / np.sum(w)) * 1440.0)


def test_sigma_now_hand_computed() -> None:
    # half-life 1 minute: λ = ½. Minute closes 1, e^0.01, e^0.03 (the 4th quote closes minute 2)
    # r = 0.01, 0.02; var = (½ × 0.01² + 0.02²) / (½ + 1) = 3e-4; σ = √(3e-4 × 1440)
    s = small_settings(vol_halflife_minutes=1.0)
    state = _one_quote_per_minute([1.0, math.exp(0.01), math.exp(0.03), 5.0], s)
    assert state.sigma_now == pytest.approx(math.sqrt(3e-4 * 1440.0), rel=1e-12)
    assert state.minute_return == pytest.approx(0.02, rel=1e-12)
    assert state.minute_return_time == EPOCH + 120.0


def test_sigma_now_is_none_below_the_minimum_returns() -> None:
    s = small_settings(min_vol_minutes=5)
    state = _one_quote_per_minute([1.0 + 0.001 * k for k in range(6)], s)  # 4 returns
    assert state.sigma_now is None
    state = on_quote(state, EPOCH + 6 * 60 + 1.0, 1.2, 1.2)  # closes the 6th minute: 5 returns
    assert state.sigma_now is not None


def test_flat_series_has_zero_sigma() -> None:
    state = _one_quote_per_minute([1.10] * 100, small_settings())
    assert state.sigma_now == 0.0


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(st.floats(-0.01, 0.01), min_size=3, max_size=300),
    halflife=st.floats(0.5, 5000.0),
)
def test_sigma_now_equals_the_direct_weighted_sum(steps: list[float], halflife: float) -> None:
    closes = 1.1 * np.exp(np.cumsum([0.0, *steps]))
    s = small_settings(vol_halflife_minutes=halflife)
    state = _one_quote_per_minute([*closes.tolist(), 1.0], s)  # the last quote closes the last
    expected = _oracle_sigma(closes, halflife)
    assert state.sigma_now == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_ticks_within_a_minute_use_the_last_mid_as_the_close() -> None:
    s = small_settings(vol_halflife_minutes=1.0)
    state = new_symbol_indicators(s)
    state = on_quote(state, EPOCH + 1.0, 1.0, 1.0)
    state = on_quote(state, EPOCH + 61.0, 2.0, 2.0)
    state = on_quote(state, EPOCH + 62.0, 1.0, 1.2)  # minute 1 closes at mid 1.1
    state = on_quote(state, EPOCH + 180.0, 1.3, 1.3)  # closes minute 1; minute 2 has no quote
    assert state.minute_return == pytest.approx(math.log(1.1 / 1.0), rel=1e-14)
    assert state.vol.n_returns == 1
    state = on_quote(state, EPOCH + 240.0, 1.3, 1.3)  # closes minute 3: one return over 2 minutes
    assert state.minute_return == pytest.approx(math.log(1.3 / 1.1) / math.sqrt(2.0), rel=1e-14)
    assert state.vol.n_returns == 2


def test_a_return_over_k_minutes_enters_as_one_per_minute_return() -> None:
    # half-life 1 minute, λ = ½. Closes at minutes 0, 1, 5: r1 = 0.01, r2 = 0.04 over 4 minutes
    # → 0.04 / √4 = 0.02; var = (½ × 0.01² + 0.02²) / 1.5 = 3e-4
    s = small_settings(vol_halflife_minutes=1.0)
    state = new_symbol_indicators(s)
    for minute, log_price in ((0, 0.0), (1, 0.01), (5, 0.05), (6, 0.0)):
        p = math.exp(log_price)
        state = on_quote(state, EPOCH + 60.0 * minute, p, p)
    assert state.vol.n_returns == 2
    assert state.sigma_now == pytest.approx(math.sqrt(3e-4 * 1440.0), rel=1e-12)


def test_a_weekend_gap_is_not_one_huge_minute() -> None:
    rng = np.random.default_rng(8)
    s = IndicatorSettings()
    state = new_symbol_indicators(s)
    price = 1.1
    for k in range(600):  # Friday: 10 h of 1-minute moves of ~0.5 pip
        price *= math.exp(5e-5 * rng.standard_normal())
        state = on_quote(state, EPOCH + 60.0 * k, price, price)
    friday = state.sigma_now
    assert friday is not None
    sunday = EPOCH + 60.0 * 600 + 2 * 86_400.0
    state = on_quote(state, sunday, price * 1.005, price * 1.005)  # a 50-pip weekend gap
    state = on_quote(state, sunday + 60.0, price * 1.005, price * 1.005)  # closes that minute
    assert state.sigma_now is not None
    assert state.sigma_now < 1.1 * friday


def test_m1_bars_stand_in_for_quotes() -> None:
    s = small_settings(vol_halflife_minutes=3.0)
    closes = 1.1 * np.exp(np.cumsum([0.0, 0.001, -0.002, 0.0005, 0.003]))
    state = new_symbol_indicators(s)
    for k, c in enumerate(closes.tolist()):
        state = on_bar(state, "M1", EPOCH + 60.0 * k, c, c, c, c)
    assert state.sigma_now == pytest.approx(_oracle_sigma(closes, 3.0), rel=1e-12)
    assert state.spread is None


def test_daily_samples_feed_the_high_volatility_percentiles() -> None:
    # 5 days of M1 closes, each day with its own noise level; window 3 days
    s = small_settings(vol_halflife_minutes=60.0, vol_percentile_window_days=3, min_vol_days=2)
    rng = np.random.default_rng(7)
    state = new_symbol_indicators(s)
    day_sigmas: list[float] = []
    price = 1.1
    for day, scale in enumerate([1e-4, 3e-4, 2e-4, 5e-4, 1e-4]):
        for k in range(1440):
            price *= math.exp(scale * rng.standard_normal())
            t = EPOCH + 86_400.0 * day + 60.0 * k
            state = on_bar(state, "M1", t, price, price, price, price)
        assert state.sigma_now is not None
        day_sigmas.append(state.sigma_now)  # the day's last update
    # the 5th day's sample enters only when a minute of day 6 closes
    assert state.vol.daily == tuple(day_sigmas[1:4])
    assert state.sigma_enter == pytest.approx(np.percentile(day_sigmas[1:4], 80.0), rel=1e-15)
    assert state.sigma_exit == pytest.approx(np.percentile(day_sigmas[1:4], 70.0), rel=1e-15)
    state = on_bar(state, "M1", EPOCH + 86_400.0 * 5, price, price, price, price)
    assert state.vol.daily == tuple(day_sigmas[2:5])
    assert state.sigma_enter == pytest.approx(np.percentile(day_sigmas[2:5], 80.0), rel=1e-15)


def test_percentiles_need_the_minimum_days() -> None:
    s = small_settings(min_vol_days=3, vol_percentile_window_days=5)
    state = new_symbol_indicators(s)
    for day in range(3):  # two finished days, the third still open
        for k in range(3):
            p = 1.1 + 0.001 * (day + k)
            state = on_bar(state, "M1", EPOCH + 86_400.0 * day + 60.0 * k, p, p, p, p)
    assert len(state.vol.daily) == 2
    assert state.sigma_enter is None
    assert state.sigma_exit is None


def test_quotes_out_of_order_raise() -> None:
    state = on_quote(new_symbol_indicators(small_settings()), EPOCH + 10.0, 1.1, 1.1002)
    with pytest.raises(ValueError, match=r"on_quote: time_s=.* is before the last sample"):
        on_quote(state, EPOCH + 9.0, 1.1, 1.1002)
    with pytest.raises(ValueError, match=r"ask=1.0 .*ask must be finite and >= bid"):
        on_quote(state, EPOCH + 11.0, 1.1, 1.0)
    with pytest.raises(ValueError, match=r"bid=nan"):
        on_quote(state, EPOCH + 11.0, math.nan, 1.0)


@settings(max_examples=30, deadline=None)
@given(
    moves=st.lists(
        st.tuples(st.floats(-0.01, 0.01), st.integers(1, 3000)), min_size=3, max_size=200
    ),
    halflife=st.floats(0.5, 5000.0),
)
def test_sigma_now_with_gaps_equals_the_weighted_sum_of_per_minute_returns(
    moves: list[tuple[float, int]], halflife: float
) -> None:
    log_prices = np.cumsum([0.0, *(m for m, _ in moves)])
    minutes = np.cumsum([0, *(g for _, g in moves)])
    closes = 1.1 * np.exp(log_prices)
    state = new_symbol_indicators(small_settings(vol_halflife_minutes=halflife))
    for minute, c in zip(minutes.tolist(), closes.tolist(), strict=True):
        state = on_quote(state, EPOCH + 60.0 * minute + 5.0, c, c)
    state = on_quote(state, EPOCH + 60.0 * (minutes[-1] + 1) + 5.0, 1.0, 1.0)
    r = np.log(closes[1:] / closes[:-1]) / np.sqrt(np.diff(minutes))
    lam = 1.0 - ewma_alpha(halflife)
    w = lam ** np.arange(r.size - 1, -1, -1, dtype=np.float64)
    expected = math.sqrt(float(np.sum(w * r * r) / np.sum(w)) * 1440.0)
    assert state.sigma_now == pytest.approx(expected, rel=1e-12, abs=1e-15)
