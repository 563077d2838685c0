"""Daily σ samples from intraday bars, for the high-volatility percentiles on the first decision.

The percentiles of the regime (DESIGN §3.3) are taken over trailing daily samples of σ_now, one
per UTC day (`_volatility.close_minute`). A fresh start with a few hours of ticks has none, and
would wait `min_vol_days` days. A terminal serves months of H1/H4 bars, so the same estimator is
run on them: the EWMA variance of per-minute returns with the σ_now half-life (in minutes), where
a close-to-close return r of a P-minute bar after g ≥ P minutes (a weekend: more) enters as P
minutes of per-minute variance r² / g. With P = 1 this is exactly the σ_now recursion
(S ← λS + r²/g, W ← λW + 1), so M1 bars give the very samples the quotes would (the oracle of
tests/controller/indicators/test_seed.py); with P = 240 each H4 return weighs 240 minutes.
σ = √(S / W × 1440), a fraction per day; the value in force when a bar of a new UTC day arrives
is that day's sample, as for σ_now.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from controller.indicators._history import Bars
from controller.indicators._params import MINUTES_PER_DAY, Params
from controller.indicators._volatility import VolState

__all__ = ["intraday_daily_sigmas", "seed_vol_window"]


def intraday_daily_sigmas(bars: Bars, bar_seconds: float, p: Params) -> list[tuple[int, float]]:
    """(UTC day index, daily σ sample) per finished day of `bars` (closed intraday bars of
    `bar_seconds`, open times in UTC epoch s), oldest first; see the module docstring."""
    if not 60.0 <= bar_seconds <= 86_400.0:
        raise ValueError(
            f"bar_seconds={bar_seconds!r}: intraday bars are 60 s (M1) to 86 400 s (D1) long"
        )
    period = bar_seconds / 60.0
    lam = p.vol_decay
    decay_bar = lam**period
    mass = (1.0 - decay_bar) / (1.0 - lam) if lam < 1.0 else period
    sum_sq = weight = 0.0
    minutes = 0.0
    sigma: float | None = None
    day: int | None = None
    prev_close: float | None = None
    prev_minute: int | None = None
    out: list[tuple[int, float]] = []
    for t, c in zip(bars.time.tolist(), bars.close.tolist(), strict=True):
        minute = int(t // 60)
        d = minute // MINUTES_PER_DAY
        if day is not None and d != day and sigma is not None:
            out.append((day, sigma))
        day = d
        if prev_close is not None and prev_minute is not None:
            gap = max(float(minute - prev_minute), period)
            r = math.log(c / prev_close)
            sum_sq = decay_bar * sum_sq + (r * r / gap) * mass
            weight = decay_bar * weight + mass
            minutes += period
            if minutes >= p.min_vol_minutes:
                sigma = math.sqrt(sum_sq / weight * MINUTES_PER_DAY)
        prev_close, prev_minute = c, minute
    return out


def seed_vol_window(
    vol: VolState, p: Params, bars: Bars, bar_seconds: float, before_s: float
) -> VolState:
    """`vol` with its trailing daily σ samples completed from intraday bars where the quotes
    gave fewer than `min_vol_days`: only bars closed by `before_s` (UTC s; the first quote, so
    that no day is counted twice) are used, their day samples go in front of the ones `vol`
    already holds, the window keeps the last `vol_percentile_window_days`, and the enter/exit
    percentiles are taken as `close_minute` takes them. Unchanged when the window is full."""
    if len(vol.daily) >= p.min_vol_days or len(bars) == 0:
        return vol
    closed = bars.time + bar_seconds <= before_s
    if not bool(np.any(closed)):
        return vol
    kept = Bars(
        time=bars.time[closed],
        open=bars.open[closed],
        high=bars.high[closed],
        low=bars.low[closed],
        close=bars.close[closed],
    )
    samples = [s for _, s in intraday_daily_sigmas(kept, bar_seconds, p)]
    daily = (*samples, *vol.daily)[-p.vol_window_days :]
    enter, exit_ = vol.sigma_enter, vol.sigma_exit
    if len(daily) >= p.min_vol_days:
        enter = float(np.percentile(daily, p.enter_pct))
        exit_ = float(np.percentile(daily, p.exit_pct))
    return replace(vol, daily=daily, sigma_enter=enter, sigma_exit=exit_)
