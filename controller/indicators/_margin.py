"""Margin pressure: MPG and the observed margin growth (DESIGN §3.2, §3.3 cash buffer).

The history holds one sample per UTC hour (a later sample in the same hour replaces it), the
last `margin_history_hours` hours, each paired with σ_now at the time it arrived.
- MPG_s = dm/dσ: the OLS slope of the margin rate (fraction of notional) on daily σ_now over the
  pairs where σ_now was known; None below `min_mpg_points` pairs or when σ did not vary.
- Margin growth: for each hour j, rise_j = m_j / min{m_i : hour_j − G ≤ hour_i ≤ hour_j} − 1
  (G = `margin_growth_window_hours`); `growth_max` is the largest rise in the history (a fraction,
  0.5 = +50 % within G hours).
Each sample costs O(W) on the fixed window W = `margin_history_hours` (constant per sample).
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.indicators._kernels import ols_slope
from controller.indicators._params import Params

__all__ = ["MarginState", "update_margin"]


@dataclass(frozen=True, slots=True)
class MarginState:
    """Hourly margin-rate history (oldest first) with the fitted MPG and the largest growth."""

    last_time: float | None = None
    hours: tuple[int, ...] = ()
    rates: tuple[float, ...] = ()
    sigmas: tuple[float | None, ...] = ()
    rises: tuple[float, ...] = ()
    mpg: float | None = None
    growth_max: float | None = None


def update_margin(
    m: MarginState, p: Params, time_s: float, rate: float, sigma: float | None
) -> MarginState:
    """Add the margin-rate sample `rate` (fraction) taken at `time_s` with σ_now = `sigma`."""
    hour = int(time_s // 3600)
    hours, rates, sigmas, rises = m.hours, m.rates, m.sigmas, m.rises
    if hours and hours[-1] == hour:
        hours, rates, sigmas, rises = hours[:-1], rates[:-1], sigmas[:-1], rises[:-1]
    oldest = hour - p.margin_hours
    start = 0
    while start < len(hours) and hours[start] <= oldest:
        start += 1
    hours = (*hours[start:], hour)
    rates = (*rates[start:], rate)
    sigmas = (*sigmas[start:], sigma)
    low = rate
    i = len(hours) - 2
    while i >= 0 and hours[i] >= hour - p.growth_hours:
        low = min(low, rates[i])
        i -= 1
    rises = (*rises[start:], rate / low - 1.0)
    pairs = [(s, r) for s, r in zip(sigmas, rates, strict=True) if s is not None]
    mpg = None
    if len(pairs) >= p.min_mpg_points:
        mpg = ols_slope([s for s, _ in pairs], [r for _, r in pairs])
    return MarginState(time_s, hours, rates, sigmas, rises, mpg, max(rises))
