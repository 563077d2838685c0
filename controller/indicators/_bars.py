"""Indicators from closed H1 and D1 bars (DESIGN §3.2 volatility, §3.3 long-run σ, §3.5 extras).

- ATR: Wilder's, seeded with the mean of the first `atr_period` true ranges (see `wilder_atr`).
- Trend: the sign of the last D1 close minus its EMA (span `trend_ema_days`, α = 2 / (span + 1),
  seeded with the mean of the first `span` closes).
- Long-run σ: EWMA variance of daily log returns ln(C_t / C_{t−1}) with half-life
  `vol_long_halflife_days`, bias-corrected weights as for σ_now; σ_long = √var, fraction per day.
Each closed bar costs O(1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from controller.indicators._kernels import true_range, wilder_step
from controller.indicators._params import Params

__all__ = ["AtrState", "DailyState", "update_atr", "update_daily"]


@dataclass(frozen=True, slots=True)
class AtrState:
    """Streaming Wilder ATR of one timeframe, price units."""

    last_time: float | None = None
    prev_close: float | None = None
    tr_sum: float = 0.0
    n_bars: int = 0
    atr: float | None = None


def update_atr(
    a: AtrState, p: Params, time_s: float, high: float, low: float, close: float
) -> AtrState:
    """Fold one closed bar into the ATR (same arithmetic as `wilder_atr`)."""
    tr = true_range(high, low, a.prev_close)
    n = a.n_bars + 1
    if a.atr is not None:
        return AtrState(time_s, close, a.tr_sum, n, wilder_step(a.atr, tr, p.atr_period))
    total = a.tr_sum + tr
    return AtrState(time_s, close, total, n, total / p.atr_period if n == p.atr_period else None)


@dataclass(frozen=True, slots=True)
class DailyState:
    """D1 bars: ATR, trend EMA and the long-run σ."""

    atr: AtrState = field(default_factory=AtrState)
    close_sum: float = 0.0
    n_closes: int = 0
    ema: float | None = None
    last_close: float | None = None
    sum_sq: float = 0.0
    weight: float = 0.0
    n_returns: int = 0
    sigma_long: float | None = None


def update_daily(
    d: DailyState, p: Params, time_s: float, high: float, low: float, close: float
) -> DailyState:
    """Fold one closed D1 bar: ATR, trend EMA and the long-run EWMA σ, O(1)."""
    atr = update_atr(d.atr, p, time_s, high, low, close)
    n_closes = d.n_closes + 1
    close_sum = d.close_sum
    ema = d.ema
    if n_closes <= p.trend_days:
        close_sum += close
        if n_closes == p.trend_days:
            ema = close_sum / p.trend_days
    elif ema is not None:
        ema = ema + p.trend_alpha * (close - ema)
    sum_sq, weight, n_ret, sigma = d.sum_sq, d.weight, d.n_returns, d.sigma_long
    if d.last_close is not None:
        r = math.log(close / d.last_close)
        sum_sq = p.long_vol_decay * sum_sq + r * r
        weight = p.long_vol_decay * weight + 1.0
        n_ret += 1
        sigma = math.sqrt(sum_sq / weight) if n_ret >= p.min_long_vol_days else None
    return DailyState(atr, close_sum, n_closes, ema, close, sum_sq, weight, n_ret, sigma)
