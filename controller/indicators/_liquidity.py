"""Spread and depth on a uniform bucket grid: rolling medians and the spread's curvature
(DESIGN §3.2 liquidity acceleration and DepthRatio).

Resampling: a bucket's value is the one in force at its close (the last quote or depth sample in
it); a bucket with no sample holds the previous value (sample-and-hold), so the grid is uniform.
A gap longer than `max_fill_buckets` is a market closure (weekend, halt): it fills only that many
buckets, so closed hours do not crowd the medians. The work per sample is bounded by the fixed
window W (O(W), constant per sample).

Smoothing: s_k = s_{k−1} + α (x_k − s_{k−1}), α = 2 / (span + 1), s_0 = x_0.
Acceleration: a_k = (s_k − 2 s_{k−1} + s_{k−2}) / median spread, per bucket² (dimensionless per
bucket²): the curvature of the spread relative to its usual level; 0 on a flat or linear series.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from controller.indicators._params import Params

__all__ = [
    "DepthState",
    "RollingMedian",
    "SpreadState",
    "close_depth_buckets",
    "close_spread_buckets",
]


@dataclass(frozen=True, slots=True)
class RollingMedian:
    """The last W closed bucket values (oldest first), the same values sorted, and their median
    (None below the minimum count). The median equals `np.median(window)`."""

    window: tuple[float, ...] = ()
    ordered: tuple[float, ...] = ()
    median: float | None = None


def push_median(rm: RollingMedian, p: Params, value: float, count: int) -> RollingMedian:
    """Append `count` copies of `value` (capped at `max_fill_buckets` and the window W) and drop
    the oldest beyond W.

    The sorted copy is updated by bisection (O(W) memory moves at C speed, O(log W) compares),
    so a bucket close costs O(W) with a small constant: constant per sample for the fixed W.
    """
    w = p.median_window
    k = min(count, p.max_fill)
    if len(rm.window) == w:
        return _push_full(rm, value, k)
    window = (*rm.window, *([value] * k))[-w:]
    dropped = len(rm.window) + k - len(window)
    ordered = list(rm.ordered)
    for old in rm.window[:dropped]:
        del ordered[bisect_left(ordered, old)]
    at = bisect_right(ordered, value)
    ordered[at:at] = [value] * k
    n = len(ordered)
    median = None
    if n >= p.min_median:
        median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2.0
    return RollingMedian(window, tuple(ordered), median)


def _push_full(rm: RollingMedian, value: float, k: int) -> RollingMedian:
    """`push_median` of `k` ≤ W copies of `value` on a full window (the steady state), with the
    general form's arithmetic: the k oldest values leave the sorted copy where `bisect_left`
    finds each, the copies enter where `bisect_right` finds `value` once they are gone. When the
    k leaving are all equal to `value` (and it is not a zero, whose sign could differ), the
    sorted copy and its median are what they were."""
    leaving = rm.window[:k]
    window = rm.window[k:] + (value,) * k
    if value != 0.0 and leaving.count(value) == k:
        return RollingMedian(window, rm.ordered, rm.median)
    ordered = list(rm.ordered)
    for old in leaving:
        del ordered[bisect_left(ordered, old)]
    at = bisect_right(ordered, value)
    ordered[at:at] = (value,) * k
    if rm.median is None:  # the window stays full: the count is what it was
        return RollingMedian(window, tuple(ordered), None)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2.0
    return RollingMedian(window, tuple(ordered), median)


@dataclass(frozen=True, slots=True)
class SpreadState:
    """Bucketed spread: rolling median, the last three smoothed values and the acceleration."""

    buckets: RollingMedian = field(default_factory=RollingMedian)
    smooth: tuple[float, ...] = ()
    """The last (up to) three smoothed spreads, newest last, price units."""
    accel: float | None = None


def close_spread_buckets(s: SpreadState, p: Params, value: float, count: int) -> SpreadState:
    """Close `count` ≥ 1 buckets whose spread in force at the close was `value` (price units)."""
    buckets = push_median(s.buckets, p, value, count)
    smooth = s.smooth
    a = p.smooth_alpha
    for _ in range(min(count, p.max_fill)):
        if smooth:
            last = smooth[-1]
            smooth = (*smooth[-2:], last + a * (value - last))
        else:
            smooth = (value,)
    accel = None
    med = buckets.median
    if len(smooth) == 3 and med is not None and med > 0.0:
        accel = (smooth[2] - 2.0 * smooth[1] + smooth[0]) / med
    return SpreadState(buckets, smooth, accel)


@dataclass(frozen=True, slots=True)
class DepthState:
    """Book depth per side in lots: the last sample and the rolling medians of bucketed depth."""

    time: float | None = None
    bid_lots: float | None = None
    ask_lots: float | None = None
    bucket: int | None = None
    """Bucket index of the last sample (still open)."""
    source: str | None = None
    """Where the depth comes from: "book" (the broker's) or "proxy" (the EA's estimate, §7)."""
    bid_median: RollingMedian = field(default_factory=RollingMedian)
    ask_median: RollingMedian = field(default_factory=RollingMedian)


def close_depth_buckets(
    d: DepthState, p: Params, bid_lots: float, ask_lots: float, count: int
) -> tuple[RollingMedian, RollingMedian]:
    """Close `count` ≥ 1 buckets whose depth in force at the close was (bid_lots, ask_lots)."""
    return (
        push_median(d.bid_median, p, bid_lots, count),
        push_median(d.ask_median, p, ask_lots, count),
    )
