"""The volatility × depth regime matrix (DESIGN §3.3), with hysteresis and a minimum dwell.

| regime       | volatility | depth | action                                             |
|--------------|------------|-------|----------------------------------------------------|
| NORMAL       | low        | thick | run to target; pyramiding headroom allowed          |
| NO_EXPANSION | low        | thin  | freeze: no new exposure                             |
| WAIT         | high       | thick | no new exposure; reduce only above rule thresholds  |
| MINIMUM      | high       | thin  | step down to the minimum leverage, time-sliced      |

Hysteresis: volatility turns high when σ_now rises above the `enter` percentile of its trailing
window and low again only below the `exit` percentile; the book turns thin below
`thin_depth_enter` and thick again only above `thin_depth_exit`. Dwell: a more severe regime is
entered at once; a less severe one only after the current one was held `min_dwell_minutes`. The
liquidity-crash flag forces MINIMUM whatever the matrix says. Without the history to tell
volatility or depth (a fresh start, a pasted snapshot) the regime is `UNAVAILABLE`: it does not
bind.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.memory import Regime
from controller.quick_init import quick_init
from controller.settings import RegimeSettings

__all__ = ["RegimeInputs", "RegimeStep", "next_regime", "severity"]

_SEVERITY = {
    Regime.UNAVAILABLE: 0,
    Regime.NORMAL: 0,
    Regime.NO_EXPANSION: 1,
    Regime.WAIT: 1,
    Regime.MINIMUM: 2,
}


def severity(regime: Regime) -> int:
    """0 for NORMAL/unavailable, 1 for the freezes, 2 for MINIMUM."""
    return _SEVERITY[regime]


@quick_init
@dataclass(frozen=True, slots=True)
class RegimeInputs:
    """Account-level inputs: value-weighted σ_now and its enter/exit percentiles (daily σ), the
    value-weighted DepthRatio, and the crash flag. None = unknown."""

    sigma_now: float | None
    sigma_enter: float | None
    sigma_exit: float | None
    depth_ratio: float | None
    crash_flag: bool


@quick_init
@dataclass(frozen=True, slots=True)
class RegimeStep:
    """The regime after one observation, with the updated hysteresis flags."""

    regime: Regime
    since: float
    vol_high: bool
    depth_thin: bool


def _vol_flag(x: RegimeInputs, was_high: bool) -> bool | None:
    if x.sigma_now is None or x.sigma_enter is None or x.sigma_exit is None:
        return None
    if was_high:
        return not x.sigma_now < x.sigma_exit
    return x.sigma_now > x.sigma_enter


def _thin_flag(x: RegimeInputs, was_thin: bool, s: RegimeSettings) -> bool | None:
    if x.depth_ratio is None:
        return None
    if was_thin:
        return not x.depth_ratio > s.thin_depth_exit
    return x.depth_ratio < s.thin_depth_enter


def _matrix(vol_high: bool, depth_thin: bool) -> Regime:
    if vol_high:
        return Regime.MINIMUM if depth_thin else Regime.WAIT
    return Regime.NO_EXPANSION if depth_thin else Regime.NORMAL


def next_regime(
    now: float,
    x: RegimeInputs,
    current: Regime,
    since: float | None,
    was_high: bool,
    was_thin: bool,
    s: RegimeSettings,
) -> RegimeStep:
    """One step of the regime machine at time `now` (UTC seconds)."""
    vol = _vol_flag(x, was_high)
    thin = _thin_flag(x, was_thin, s)
    vol_high = was_high if vol is None else vol
    depth_thin = was_thin if thin is None else thin
    if x.crash_flag:
        candidate = Regime.MINIMUM
    elif vol is None or thin is None:
        candidate = Regime.UNAVAILABLE
    else:
        candidate = _matrix(vol_high, depth_thin)
    if candidate == current:
        return RegimeStep(current, since if since is not None else now, vol_high, depth_thin)
    held = now - since if since is not None else float("inf")
    escalating = severity(candidate) > severity(current) or current == Regime.UNAVAILABLE
    if escalating or held >= s.min_dwell_minutes * 60.0:
        return RegimeStep(candidate, now, vol_high, depth_thin)
    return RegimeStep(current, since if since is not None else now, vol_high, depth_thin)
