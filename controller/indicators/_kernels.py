"""Small numeric kernels, each with its formula; the update functions and the tests share them."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["ewma_alpha", "ols_slope", "wilder_atr"]

FloatArray = npt.NDArray[np.float64]


def ewma_alpha(halflife: float) -> float:
    """Weight of the newest sample of an EWMA whose weights halve every `halflife` samples.

    α = 1 − 2^(−1/halflife), so that (1 − α)^halflife = ½. `halflife` is in samples (minutes for
    1-minute returns, days for daily returns) and must be finite and > 0.
    """
    if not (math.isfinite(halflife) and halflife > 0.0):
        raise ValueError(f"halflife={halflife!r}: must be finite and > 0 (in samples)")
    return -math.expm1(-math.log(2.0) / halflife)


def true_range(high: float, low: float, prev_close: float | None) -> float:
    """True range of one bar, in price units: max(H − L, |H − C₋₁|, |L − C₋₁|); H − L for the first
    bar (no previous close)."""
    if prev_close is None:
        return high - low
    return max(high - low, abs(high - prev_close), abs(low - prev_close))


def wilder_step(atr: float, tr: float, period: int) -> float:
    """One Wilder smoothing step: ATR_t = ((n − 1) × ATR_{t−1} + TR_t) / n."""
    return ((period - 1) * atr + tr) / period


def wilder_atr(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    period: int,
) -> FloatArray:
    """Wilder's average true range of every bar, in price units (NaN until `period` bars).

    TR_0 = H_0 − L_0, TR_t = max(H_t − L_t, |H_t − C_{t−1}|, |L_t − C_{t−1}|). The ATR is seeded
    with the simple mean of the first `period` true ranges (at bar `period − 1`), then
    ATR_t = ((period − 1) × ATR_{t−1} + TR_t) / period. This is the array form; the streaming
    form in `on_bar` does the same arithmetic in the same order, so the two agree exactly.
    """
    if period < 1:
        raise ValueError(f"period={period}: the ATR period must be at least 1 bar")
    h = np.asarray(high, dtype=np.float64)
    lo = np.asarray(low, dtype=np.float64)
    c = np.asarray(close, dtype=np.float64)
    if not (h.shape == lo.shape == c.shape) or h.ndim != 1:
        raise ValueError(
            f"high, low and close must be 1-D arrays of one length, got shapes {h.shape}, "
            f"{lo.shape}, {c.shape}"
        )
    out = np.full(h.shape, np.nan)
    total = 0.0
    atr = math.nan
    prev: float | None = None
    for i, (hi, li, ci) in enumerate(zip(h.tolist(), lo.tolist(), c.tolist(), strict=True)):
        tr = true_range(hi, li, prev)
        prev = ci
        if i < period:
            total += tr
            if i == period - 1:
                atr = total / period
                out[i] = atr
        else:
            atr = wilder_step(atr, tr, period)
            out[i] = atr
    return out


def ols_slope(x: npt.ArrayLike, y: npt.ArrayLike) -> float | None:
    """Least-squares slope of y on x: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)² (two-pass, no intercept bias).

    None with fewer than 2 points or when x does not vary (every x equal): a slope is then not
    identified. Units: y units per x unit (MPG: margin rate per unit of daily σ).
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ValueError(f"x and y must be 1-D of one length, got shapes {xa.shape}, {ya.shape}")
    if xa.size < 2 or float(np.ptp(xa)) == 0.0:
        return None
    dx = xa - xa.mean()
    sxx = float(dx @ dx)
    if sxx <= 0.0:
        return None
    return float(dx @ (ya - ya.mean())) / sxx
