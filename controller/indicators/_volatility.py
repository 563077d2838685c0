"""σ_now: EWMA variance of 1-minute log returns on mid, and its daily samples for the
high-volatility percentiles (DESIGN §3.2, §3.3, §3.7).

Variance (zero-mean, RiskMetrics style, bias-corrected weights):
    var_n = Σ_k λ^(n−k) r_k² / Σ_k λ^(n−k),   λ = 1 − α = 2^(−1/half-life)
kept as two running sums S ← λS + r², W ← λW + 1, so each minute costs O(1). σ_now = √(var × 1440),
a fraction per day. A minute's close is the mid of its last quote. Minutes without a quote add no
sample: the next return spans k minutes and enters as one per-minute return r = ln(C / C₋ₖ) / √k,
so a quiet patch or a weekend (k = 2,880) does not count as one huge minute, while a 10-minute
quote outage in a crash still shows (2 % over 10 minutes enters as 0.63 % in a minute).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from controller.indicators._params import MINUTES_PER_DAY, Params

__all__ = ["VolState", "close_minute", "minute_return"]


def minute_return(prev_close: float, close: float, minutes: int) -> float:
    """Per-minute log return of a move over `minutes` ≥ 1: ln(close / prev_close) / √minutes."""
    return math.log(close / prev_close) / math.sqrt(minutes)


@dataclass(frozen=True, slots=True)
class VolState:
    """Prepared state of σ_now for one symbol (O(1) size but for the fixed window of days)."""

    last_minute: int | None = None
    """Index (epoch minutes) of the last closed minute."""
    last_close: float | None = None
    """Mid at that minute's close, price units."""
    sum_sq: float = 0.0
    weight: float = 0.0
    n_returns: int = 0
    last_return: float | None = None
    """Per-minute log return of the last closed minute (see `minute_return`); None before the
    second minute."""
    sigma: float | None = None
    """σ_now, daily σ as a fraction (None below `min_vol_minutes` returns)."""
    day: int | None = None
    """UTC day index (epoch days) of the last closed minute."""
    daily: tuple[float, ...] = ()
    """Trailing daily σ_now samples (the last value of each finished UTC day), oldest first."""
    sigma_enter: float | None = None
    sigma_exit: float | None = None


def close_minute(v: VolState, p: Params, minute: int, close: float) -> VolState:
    """Close minute `minute` (epoch minutes) at mid `close`: O(1), plus O(window days) once a day
    when a finished day's σ sample enters the percentile window."""
    if v.last_minute is not None and minute <= v.last_minute:
        raise ValueError(
            f"minute {minute} (t={minute * 60} s) is not after the last closed minute "
            f"{v.last_minute}: feed quotes and M1 bars in time order, each minute once"
        )
    day = minute // MINUTES_PER_DAY
    daily, enter, exit_ = v.daily, v.sigma_enter, v.sigma_exit
    if v.day is not None and day != v.day and v.sigma is not None:
        daily = (*v.daily, v.sigma)[-p.vol_window_days :]
        if len(daily) >= p.min_vol_days:
            enter = float(np.percentile(daily, p.enter_pct))
            exit_ = float(np.percentile(daily, p.exit_pct))
    if v.last_close is None or v.last_minute is None:
        return VolState(minute, close, 0.0, 0.0, 0, None, None, day, daily, enter, exit_)
    r = minute_return(v.last_close, close, minute - v.last_minute)
    sum_sq = p.vol_decay * v.sum_sq + r * r
    weight = p.vol_decay * v.weight + 1.0
    n = v.n_returns + 1
    sigma = math.sqrt(sum_sq / weight * MINUTES_PER_DAY) if n >= p.min_vol_minutes else None
    return VolState(minute, close, sum_sq, weight, n, r, sigma, day, daily, enter, exit_)
