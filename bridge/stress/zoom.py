"""Where the report's zoomed panel looks: a span of ±N around the largest price move of a window,
with N chosen from the window's own data, so a crash of a few minutes is not a thin band on an
axis of hours or days.

The move: the largest one-step change of the main symbol's mid (in % of the price) in the plotted
series, extended both ways over the neighbouring steps that move the same way by at least a tenth
of it (the steep leg of the fall or the jump; noise does not stretch it). N = the largest of
10 minutes (a flash crash's rebound shows too), 20 of the series' steps (the panel never shows a
handful of points) and 4 × the leg's duration; at most a quarter of the window; rounded up to a
whole minute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["MIN_HALF_WIDTH_S", "Zoom", "crash_zoom"]

MIN_HALF_WIDTH_S = 600.0
_MIN_STEPS = 20
_LEGS = 4.0
_STEEP = 0.1  # a step belongs to the move's leg when it goes the same way by ≥ 10 % of the largest


@dataclass(frozen=True)
class Zoom:
    """The zoomed span (UTC epoch seconds) and the move it is centred on."""

    start: float
    end: float
    centre: float  # the end of the largest one-step move
    half_width_s: float  # N, seconds
    move_start: float  # the leg of the move: from here ...
    move_end: float  # ... to here (UTC epoch seconds)
    move: float  # the leg's change of the mid, a fraction (−0.061 = a fall of 6.1 %)


def crash_zoom(t: Sequence[float], mid: Sequence[float]) -> Zoom | None:
    """The span around the largest move of `mid` (prices at UTC epoch seconds `t`); None when the
    series has fewer than three finite prices or never moves."""
    ts = np.asarray(t, dtype=float)
    px = np.asarray(mid, dtype=float)
    ok = np.isfinite(ts) & np.isfinite(px) & (px > 0)
    ts, px = ts[ok], px[ok]
    if len(px) < 3:
        return None
    step = np.diff(px) / px[:-1]
    i = int(np.argmax(np.abs(step)))
    if step[i] == 0.0:
        return None
    steep = step * np.sign(step[i]) >= _STEEP * abs(step[i])
    lo = i
    while lo > 0 and steep[lo - 1]:
        lo -= 1
    hi = i
    while hi + 1 < len(step) and steep[hi + 1]:
        hi += 1
    leg = float(ts[hi + 1] - ts[lo])
    spacing = float(np.median(np.diff(ts)))
    span = float(ts[-1] - ts[0])
    half = max(MIN_HALF_WIDTH_S, _MIN_STEPS * spacing, _LEGS * leg)
    half = min(half, max(span / 4.0, spacing))
    half = 60.0 * math.ceil(half / 60.0)
    centre = float(ts[i + 1])
    return Zoom(start=centre - half, end=centre + half, centre=centre, half_width_s=half,
                move_start=float(ts[lo]), move_end=float(ts[hi + 1]),
                move=float(px[hi + 1] / px[lo] - 1.0))
