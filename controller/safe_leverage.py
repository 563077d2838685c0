"""Structural control (DESIGN §3.3): safe leverage and the cash buffer.

    L_safe = min(L_max, K / (σ × LR))
    σ      = sqrt(wᵀ Σ w), w_s = PV_s / PV, each symbol's σ floored at its long-run σ
    LR     = Σ_s w_s × max(1, 1 / DepthRatio_s) × max(1, spread_s / median_spread_s)
    L_max  = PV / Σ_s (PV_s / L_max_s)        (the class caps, weighted by position value)

σ is the book's daily volatility per unit of notional, so EffLev × σ is the daily volatility of
equity and L_safe keeps it at or below K / LR. The floor at the long-run σ is the counter-cyclical
part: calm markets do not invite leverage that a stress would force out.

Cash buffer: free margin ≥ M × g × D, g the daily margin growth rate (the largest observed, or the
one the margin-pressure gradient implies under the stress shock, floored), D the stress days. As an
EffLev cap, with margin proportional to position value: EffLev ≤ PV / (M × (1 + g × D)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = [
    "buffer_cap",
    "harmonic_l_max",
    "liquidity_risk",
    "safe_leverage",
    "sigma_upper_bound",
]


def harmonic_l_max(weights: Mapping[str, float], l_max: Mapping[str, float]) -> float | None:
    """L_max of a book: 1 / Σ_s (w_s / L_max_s), with w the (unsigned) value weights."""
    denom = sum(w / l_max[s] for s, w in weights.items() if w > 0.0)
    return 1.0 / denom if denom > 0.0 else None


def liquidity_risk(
    weights: Mapping[str, float],
    depth_ratio: Mapping[str, float | None],
    spread_ratio: Mapping[str, float | None],
) -> float:
    """LR = Σ_s w_s × max(1, 1/DepthRatio_s) × max(1, spread_s / median_s); unknown parts count 1.

    LR ≥ 1 whenever the weights sum to 1; a thin book or a wide spread makes it grow.
    """
    total = 0.0
    for s, w in weights.items():
        dr = depth_ratio.get(s)
        sr = spread_ratio.get(s)
        depth_factor = max(1.0, 1.0 / dr) if dr is not None and dr > 0.0 else (
            1.0 if dr is None else math.inf)
        spread_factor = max(1.0, sr) if sr is not None else 1.0
        total += w * depth_factor * spread_factor
    return max(total, 1.0)


def sigma_upper_bound(weights: Mapping[str, float], sigma: Mapping[str, float]) -> float | None:
    """σ of the book with every correlation at 1 (Σ_s |w_s| σ_s): the conservative fallback when
    no covariance is prepared. None if a weighted symbol has no σ."""
    total = 0.0
    for s, w in weights.items():
        if w == 0.0:
            continue
        if s not in sigma:
            return None
        total += abs(w) * sigma[s]
    return total


def safe_leverage(k: float, sigma: float | None, lr: float, l_max: float | None) -> float | None:
    """L_safe = min(L_max, K / (σ × LR)); None when σ is unknown (too little history)."""
    if sigma is None:
        return None
    if sigma <= 0.0:
        return l_max
    value = k / (sigma * lr)
    return min(value, l_max) if l_max is not None else value


def buffer_cap(position_value: float, margin: float, growth: float, days: float) -> float | None:
    """EffLev at which free margin covers M × g × D: PV / (M × (1 + g × D)); None without margin."""
    if margin <= 0.0:
        return None
    return position_value / (margin * (1.0 + growth * days))
