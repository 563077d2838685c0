"""Expand bid bars into seeded intrabar tick paths that hit each bar's open, high, low and close.

Each bar gets `ticks_per_bar` evenly spaced ticks. The path starts at the open, visits the two
extremes (low then high for an up bar, high then low for a down bar, at seeded random ticks) and
ends at the close; between these anchors it is a Brownian bridge clipped to [low, high] and rounded
to the symbol's digits, so the bar rebuilt from the ticks is the input bar exactly.

A no-quote window inside a bar removes the ticks in it, and the path is anchored so that the quote
*gaps* across the window: before it the path visits the extreme nearest the open, the first quote
after it is the far extreme (the SNB 2015 bar: 1.0211 before 09:30 UTC, 0.8194 at the first quote
after). The ask is bid + spread, where the spread is the bar's (from the source's ask or spread
column) or the symbol's normal spread, times the spread schedule. Such ticks are flagged modelled.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from bridge.sim.replay.readers import Bars, Ticks
from bridge.sim.replay.schedule import Schedule, Windows

__all__ = ["expand_bars"]

F64 = npt.NDArray[np.float64]


def _bridge(rng: np.random.Generator, n: int, v0: float, v1: float, sd: float) -> F64:
    """n+1 points from v0 to v1: a straight line plus a Brownian bridge of per-step sd `sd`."""
    line = np.linspace(v0, v1, n + 1)
    if n < 2 or sd <= 0:
        return line
    w = np.concatenate(([0.0], np.cumsum(rng.standard_normal(n) * sd)))
    w -= np.linspace(0.0, w[-1], n + 1)
    return line + w


def _anchors(
    rng: np.random.Generator,
    valid: npt.NDArray[np.int64],
    n: int,
    o: float,
    h: float,
    lo: float,
    c: float,
) -> list[tuple[int, float]]:
    gap = np.flatnonzero(np.diff(valid) > 1)
    near, far = (h, lo) if abs(h - o) <= abs(o - lo) else (lo, h)
    if len(gap) and gap[0] + 1 >= 2 and len(valid) - gap[0] - 1 >= 2:
        pre_end, post_start = int(valid[gap[0]]), int(valid[gap[0] + 1])
        return [(int(valid[0]), o), (pre_end, near), (post_start, far), (int(valid[-1]), c)]
    first, second = (lo, h) if c >= o else (h, lo)
    a = int(rng.integers(1, n - 2))
    b = int(rng.integers(a + 1, n - 1))
    return [(0, o), (a, first), (b, second), (n - 1, c)]


def expand_bars(
    bars: Bars,
    *,
    rng: np.random.Generator,
    ticks_per_bar: int,
    digits: int,
    normal_spread: float,
    spread_schedule: Schedule | None = None,
    no_quotes: Windows | None = None,
) -> Ticks:
    """Tick paths for `bars` (see the module docstring); `normal_spread` in price units."""
    if ticks_per_bar < 4:
        raise ValueError(f"ticks_per_bar = {ticks_per_bar} is too few; a path needs at least 4")
    n = ticks_per_bar
    step_ms = bars.period * 1000 / n
    offs = np.round(np.arange(n) * step_ms).astype(np.int64)
    times: list[npt.NDArray[np.int64]] = []
    bids: list[F64] = []
    spreads: list[F64] = []
    for i in range(len(bars.time)):
        t = int(bars.time[i]) * 1000 + offs
        keep = ~no_quotes.contains(t / 1000.0) if no_quotes else np.ones(n, dtype=bool)
        valid = np.flatnonzero(keep)
        if len(valid) == 0:
            continue
        o, h, lo, c = (float(x[i]) for x in (bars.open, bars.high, bars.low, bars.close))
        path = np.empty(n)
        anchors = _anchors(rng, valid, n, o, h, lo, c)
        sd = 0.25 * (h - lo) / np.sqrt(n)
        for (i0, v0), (i1, v1) in itertools.pairwise(anchors):
            path[i0 : i1 + 1] = _bridge(rng, i1 - i0, v0, v1, sd)
        path = np.asarray(np.round(np.clip(path, lo, h), digits), dtype=np.float64)
        for ia, va in anchors:
            path[ia] = va
        if len(valid) < n and anchors[0][0] > 0:
            path[: anchors[0][0]] = o
        times.append(t[valid])
        bids.append(path[valid])
        bar_spread = normal_spread if bars.spread is None else float(bars.spread[i])
        spreads.append(np.full(len(valid), max(bar_spread, 0.0)))
    if not times:
        raise ValueError("every bar fell inside a no-quote window; nothing to replay")
    t_all = np.concatenate(times)
    bid = np.concatenate(bids)
    spread = np.concatenate(spreads)
    if spread_schedule is not None:
        spread = spread * spread_schedule.at(t_all / 1000.0)
    point = 10.0**-digits
    ask = np.round(bid + np.maximum(spread, point), digits)
    return Ticks(t_all, bid, ask, modelled=True)
