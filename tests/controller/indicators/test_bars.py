"""H1/D1 bars: streaming Wilder ATR equals the array form, trend EMA and long-run σ by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.indicators import (
    SymbolIndicators,
    ewma_alpha,
    new_symbol_indicators,
    on_bar,
    wilder_atr,
)
from tests.controller.indicators.helpers import EPOCH, small_settings


def _feed(
    state: SymbolIndicators, tf: str, step: float, bars: Sequence[tuple[float, float, float]]
) -> SymbolIndicators:
    for k, (h, lo, c) in enumerate(bars):
        state = on_bar(state, tf, EPOCH + step * k, c, h, lo, c)
    return state


@settings(max_examples=40, deadline=None)
@given(
    moves=st.lists(
        st.tuples(st.floats(-0.01, 0.01), st.floats(0.0, 0.01), st.floats(0.0, 0.01)),
        min_size=1,
        max_size=60,
    ),
    period=st.integers(1, 20),
)
def test_streaming_atr_equals_wilder_atr_exactly(
    moves: list[tuple[float, float, float]], period: int
) -> None:
    close = 1.1 * np.exp(np.cumsum([m[0] for m in moves]))
    high = close * (1.0 + np.array([m[1] for m in moves]))
    low = close * (1.0 - np.array([m[2] for m in moves]))
    state = new_symbol_indicators(small_settings(atr_period=period))
    rows = list(zip(high.tolist(), low.tolist(), close.tolist(), strict=True))
    state = _feed(state, "H1", 3600.0, rows)
    expected = wilder_atr(high, low, close, period)[-1]
    if np.isnan(expected):
        assert state.atr_h1 is None
    else:
        assert state.atr_h1 == expected


def test_atr_ratio_hand_computed() -> None:
    # flat closes: TR = H − L. H1 range 0.001, D1 range 0.01 → ratio = 0.001 × √24 / 0.01
    s = small_settings(atr_period=3)
    state = new_symbol_indicators(s)
    state = _feed(state, "H1", 3600.0, [(1.1005, 1.0995, 1.1)] * 5)
    state = _feed(state, "D1", 86_400.0, [(1.105, 1.095, 1.1)] * 5)
    assert state.atr_h1 == pytest.approx(0.001, rel=1e-9)
    assert state.atr_d1 == pytest.approx(0.01, rel=1e-9)
    assert state.atr_ratio == pytest.approx(0.1 * math.sqrt(24.0), rel=1e-9)


def test_trend_hand_computed() -> None:
    # span 3 → α = ½; EMA seeded with mean(1, 2, 3) = 2; close 3 > 2 → +1
    s = small_settings(trend_ema_days=3)
    state = new_symbol_indicators(s)
    state = _feed(state, "D1", 86_400.0, [(1.0, 1.0, 1.0), (2.0, 2.0, 2.0)])
    assert state.trend == 0  # EMA unknown
    state = on_bar(state, "D1", EPOCH + 2 * 86_400.0, 3.0, 3.0, 3.0, 3.0)
    assert (state.d1.ema, state.trend) == (2.0, 1)
    # next close 1: EMA = 2 + ½ (1 − 2) = 1.5; 1 < 1.5 → −1
    state = on_bar(state, "D1", EPOCH + 3 * 86_400.0, 1.0, 1.0, 1.0, 1.0)
    assert (state.d1.ema, state.trend) == (1.5, -1)


def test_sigma_long_equals_the_direct_weighted_sum_on_daily_returns() -> None:
    rng = np.random.default_rng(3)
    close = 1.1 * np.exp(np.cumsum(rng.normal(0.0, 0.006, 120)))
    s = small_settings(vol_long_halflife_days=60.0, min_long_vol_days=20)
    state = _feed(
        new_symbol_indicators(s),
        "D1",
        86_400.0,
        [(c * 1.002, c * 0.998, c) for c in close.tolist()],
    )
    r = np.diff(np.log(close))
    lam = 1.0 - ewma_alpha(60.0)
    w = lam ** np.arange(r.size - 1, -1, -1, dtype=np.float64)
    assert state.sigma_long == pytest.approx(math.sqrt(np.sum(w * r * r) / np.sum(w)), rel=1e-12)


def test_sigma_long_flat_is_zero_and_needs_its_minimum() -> None:
    s = small_settings(min_long_vol_days=5)
    state = _feed(new_symbol_indicators(s), "D1", 86_400.0, [(1.1, 1.1, 1.1)] * 5)
    assert state.sigma_long is None  # 4 returns
    state = on_bar(state, "D1", EPOCH + 5 * 86_400.0, 1.1, 1.1, 1.1, 1.1)
    assert state.sigma_long == 0.0


def test_bar_errors_name_the_problem() -> None:
    state = new_symbol_indicators(small_settings())
    with pytest.raises(ValueError, match="timeframe='H4'"):
        on_bar(state, "H4", EPOCH, 1.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"high=1.0 is below low=1.2"):
        on_bar(state, "H1", EPOCH, 1.1, 1.0, 1.2, 1.1)
    with pytest.raises(ValueError, match=r"close=0.0 must be finite and > 0"):
        on_bar(state, "D1", EPOCH, 1.1, 1.2, 1.0, 0.0)
    state = on_bar(state, "H1", EPOCH, 1.1, 1.2, 1.0, 1.1)
    with pytest.raises(ValueError, match="not after the last one"):
        on_bar(state, "H1", EPOCH, 1.1, 1.2, 1.0, 1.1)


def test_sigma_long_hand_computed() -> None:
    # half-life 1 day: λ = ½. Closes 1, e^0.01, e^0.03: r = 0.01, 0.02
    # var = (½ × 0.01² + 0.02²) / (½ + 1) = 3e-4; σ_long = √3e-4 per day
    s = small_settings(vol_long_halflife_days=1.0)
    closes = [1.0, math.exp(0.01), math.exp(0.03)]
    state = _feed(new_symbol_indicators(s), "D1", 86_400.0, [(c, c, c) for c in closes])
    assert state.sigma_long == pytest.approx(math.sqrt(3e-4), rel=1e-12)
