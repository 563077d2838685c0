"""Spread and depth on the bucket grid: rolling medians (oracle: np.median over the resampled
window), liquidity acceleration (hand-computed), DepthRatio."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.indicators import SymbolIndicators, new_symbol_indicators, on_depth, on_quote
from controller.indicators._liquidity import RollingMedian, push_median
from controller.indicators._params import params_from
from tests.controller.indicators.helpers import EPOCH, small_settings


def _spread_per_bucket(spreads: list[float], **kw: float) -> SymbolIndicators:
    """One quote in the middle of each 60 s bucket, plus one that closes the last bucket."""
    state = new_symbol_indicators(small_settings(**kw))
    for k, sp in enumerate([*spreads, spreads[-1]]):
        state = on_quote(state, EPOCH + 60.0 * k + 30.0, 1.1, 1.1 + sp)
    return state


def test_liquidity_acceleration_hand_computed() -> None:
    # span 3 → α = ½. Bucket spreads 1, 1, 3 (×1e-4): smoothed 1, 1, 2; median(1, 1, 3) = 1
    # accel = (2 − 2 × 1 + 1) / 1 = 1 per bucket²
    state = _spread_per_bucket([1e-4, 1e-4, 3e-4], spread_smoothing_buckets=3.0)
    assert state.spreads.smooth == pytest.approx((1e-4, 1e-4, 2e-4), rel=1e-12)
    assert state.liq_accel == pytest.approx(1.0, rel=1e-12)
    # a 4th bucket at 3: smoothed 2.5; median(1, 1, 3, 3) = 2; accel = (2.5 − 4 + 1) / 2 = −0.25
    state = _spread_per_bucket([1e-4, 1e-4, 3e-4, 3e-4], spread_smoothing_buckets=3.0)
    assert state.spread_median == pytest.approx(2e-4, rel=1e-12)
    assert state.liq_accel == pytest.approx(-0.25, rel=1e-12)


def test_flat_spread_has_zero_acceleration_and_ratio_one() -> None:
    state = _spread_per_bucket([2e-4] * 50)
    assert state.liq_accel == 0.0
    assert state.spread_ratio == 1.0


def test_linear_spread_has_zero_curvature_without_smoothing() -> None:
    state = _spread_per_bucket([1e-4 * (1 + k) for k in range(30)], spread_smoothing_buckets=1.0)
    assert state.liq_accel == pytest.approx(0.0, abs=1e-9)


def test_spread_ratio_is_last_spread_over_the_median() -> None:
    state = _spread_per_bucket([1e-4] * 20)
    state = on_quote(state, EPOCH + 60.0 * 20 + 45.0, 1.1, 1.1005)  # 5 pips now
    assert state.spread == pytest.approx(5e-4, rel=1e-9)
    assert state.spread_ratio == pytest.approx(5.0, rel=1e-9)


def _resampled_oracle(t: np.ndarray, values: np.ndarray, bucket_s: int) -> np.ndarray:
    """Value in force at each closed bucket's close (sample-and-hold), first to last−1 bucket."""
    first, last = int(t[0] // bucket_s), int(t[-1] // bucket_s)
    closes = (np.arange(first, last) + 1) * bucket_s
    idx = np.searchsorted(t, closes, side="left") - 1
    return values[idx]


@settings(max_examples=30, deadline=None)
@given(
    gaps=st.lists(st.floats(0.1, 200.0), min_size=2, max_size=150),
    seed=st.integers(0, 2**32 - 1),
    window=st.integers(3, 30),
)
def test_spread_median_equals_np_median_over_the_resampled_window(
    gaps: list[float], seed: int, window: int
) -> None:
    rng = np.random.default_rng(seed)
    t = EPOCH + np.cumsum(gaps)
    spread = np.round(rng.uniform(1e-5, 5e-4, t.size), 6)
    s = small_settings(median_window_buckets=window, bucket_seconds=30)
    state = new_symbol_indicators(s)
    for ti, sp in zip(t.tolist(), spread.tolist(), strict=True):
        state = on_quote(state, ti, 1.1, 1.1 + sp)
    bucket_values = _resampled_oracle(t, 1.1 + spread - 1.1, 30)
    if bucket_values.size == 0:
        assert state.spread_median is None
        return
    tail = bucket_values[-window:]
    assert state.spread_median == np.median(tail)
    assert len(state.spreads.buckets.window) == min(window, bucket_values.size)


def test_a_short_gap_holds_the_last_spread() -> None:
    s = small_settings(median_window_buckets=10, max_fill_buckets=15)
    state = new_symbol_indicators(s)
    state = on_quote(state, EPOCH + 1.0, 1.1, 1.1001)
    state = on_quote(state, EPOCH + 61.0, 1.1, 1.1003)
    state = on_quote(state, EPOCH + 6 * 60.0 + 1.0, 1.1, 1.1002)  # buckets 1-5 hold 3 pips
    assert state.spreads.buckets.window == pytest.approx((1e-4,) + (3e-4,) * 5, rel=1e-9)
    assert state.spread_median == pytest.approx(3e-4, rel=1e-9)


def test_a_market_closure_fills_only_max_fill_buckets() -> None:
    s = small_settings(median_window_buckets=10, max_fill_buckets=3)
    state = new_symbol_indicators(s)
    for k in range(5):
        state = on_quote(state, EPOCH + 60.0 * k + 1.0, 1.1, 1.1001)
    state = on_quote(state, EPOCH + 60.0 * 4 + 2.0, 1.1, 1.1009)  # Friday's last, wide quote
    state = on_quote(state, EPOCH + 2 * 86_400.0, 1.1, 1.1002)  # Sunday reopening
    assert state.spreads.buckets.window == pytest.approx((1e-4,) * 4 + (9e-4,) * 3, rel=1e-9)
    assert state.spread_median == pytest.approx(1e-4, rel=1e-9)


def test_depth_medians_ratio_and_source() -> None:
    s = small_settings(median_window_buckets=4)
    state = new_symbol_indicators(s)
    # buckets of 60 s; bid depth in force at the closes: 10, 20, 30, 40, 50; ask 5 throughout
    for k, lots in enumerate([10.0, 20.0, 30.0, 40.0, 50.0]):
        state = on_depth(state, EPOCH + 60.0 * k + 10.0, 999.0, 5.0)  # overwritten in bucket
        state = on_depth(state, EPOCH + 60.0 * k + 50.0, lots, 5.0)
    state = on_depth(state, EPOCH + 60.0 * 5 + 1.0, 15.0, 1.0, source="proxy")
    assert state.depth_median_bid_lots == 35.0  # median(20, 30, 40, 50)
    assert state.depth_median_ask_lots == 5.0
    assert (state.bid_depth_lots, state.ask_depth_lots) == (15.0, 1.0)
    assert state.depth_ratio(closing_long=True) == pytest.approx(15.0 / 35.0, rel=1e-15)
    assert state.depth_ratio(closing_long=False) == pytest.approx(0.2, rel=1e-15)
    assert state.depth_source == "proxy"


def test_depth_ratio_unknown_before_the_minimum_buckets() -> None:
    s = small_settings(min_median_buckets=3)
    state = new_symbol_indicators(s)
    for k in range(3):  # two buckets closed
        state = on_depth(state, EPOCH + 60.0 * k, 10.0, 10.0)
    assert state.depth_median_bid_lots is None
    assert state.depth_ratio(closing_long=True) is None


def test_depth_errors_name_the_field() -> None:
    state = new_symbol_indicators(small_settings())
    with pytest.raises(ValueError, match=r"bid_depth_lots=-1.0"):
        on_depth(state, EPOCH, -1.0, 2.0)
    with pytest.raises(ValueError, match=r"source='l2'"):
        on_depth(state, EPOCH, 1.0, 2.0, source="l2")  # type: ignore[arg-type]
    state = on_depth(state, EPOCH + 5.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="before the last sample"):
        on_depth(state, EPOCH + 4.0, 1.0, 2.0)


@settings(max_examples=60, deadline=None)
@given(
    pushes=st.lists(
        st.tuples(st.floats(0.0, 1e-3, allow_subnormal=False), st.integers(1, 40)),
        min_size=1,
        max_size=60,
    ),
    window=st.integers(3, 25),
    minimum=st.integers(1, 3),
    max_fill=st.integers(1, 30),
)
def test_push_median_equals_np_median_over_the_window(
    pushes: list[tuple[float, int]], window: int, minimum: int, max_fill: int
) -> None:
    p = params_from(
        small_settings(
            median_window_buckets=window, min_median_buckets=minimum, max_fill_buckets=max_fill
        )
    )
    rm = RollingMedian()
    series: list[float] = []
    for value, count in pushes:
        rm = push_median(rm, p, value, count)
        series += [value] * min(count, max_fill)
        tail = series[-window:]
        assert rm.window == tuple(tail)
        assert rm.ordered == tuple(sorted(tail))
        assert rm.median == (float(np.median(tail)) if len(tail) >= minimum else None)
