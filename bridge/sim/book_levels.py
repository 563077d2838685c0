"""The prices of the simulated book's levels: the touch ± max(offset, level × point), rounded to
the symbol's digits, with the value and the type of the per-level formula
``round(ask + max(o, i * point), digits)`` (a numpy float rounded by numpy where the offset wins,
a Python float rounded by Python where the tick floor wins), computed with one array rounding.

Where the floor wins the price is the touch moved by a whole number of points; when the touch
and the point lie on the digits' grid (`_on_grid`), numpy's rounding of those levels is bit for
bit Python's (proof at `_on_grid`), so the array's value is served as a Python float. Off the
grid, each floor level is rounded by Python as before.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["level_prices"]

F64 = npt.NDArray[np.float64]
_MAX_LEVELS = 10_000
_BOUND = 2.0**40


@lru_cache(maxsize=256)
def _floors(n: int, step: float) -> F64:
    """Level × point for levels 0…n−1 (read-only; a pure function of n and the point)."""
    out = (np.arange(n) * step).astype(np.float64, copy=False)
    out.flags.writeable = False
    return out


def _on_grid(bid: float, ask: float, step: float, digits: int, n: int) -> bool:
    """Whether numpy's and Python's rounding agree on every ``touch ± i × step``, i < n.

    numpy rounds x to d digits as rint(fl(x·10^d)) / 10^d; Python takes the exact x·10^d to the
    nearest integer q and serves the double nearest q / 10^d, which is fl(q / 10^d) too (10^d
    and q exact). So both agree when fl(x·10^d) and x·10^d round to one integer. With the touch
    within 0.1 of the grid (touch·10^d = A + e, |e| ≤ 0.1), the point a whole number P of grid
    steps (within 1e-9), n ≤ 10^4 and |touch·10^d| + n·P < 2^40, each x·10^d is A ± iP within
    0.1 + n·1e-9 + a few rounding errors of at most 2^-13 each: under 0.2 from an integer, far
    from the half where the two could part."""
    if not 0 <= digits <= 22 or n > _MAX_LEVELS:
        return False
    f = 10.0**digits
    p, ya, yb = step * f, ask * f, bid * f
    if not (math.isfinite(p) and math.isfinite(ya) and math.isfinite(yb)):
        return False
    if abs(ya) + n * abs(p) >= _BOUND or abs(yb) + n * abs(p) >= _BOUND:
        return False
    return abs(p - round(p)) <= 1e-9 and abs(ya - round(ya)) <= 0.1 and abs(yb - round(yb)) <= 0.1


def level_prices(bid: float, ask: float, offs: F64, step: float,
                 digits: int) -> tuple[list[float], list[float]]:
    """Ask and bid prices of the book levels (see the module docstring); `offs` the offsets
    from the touch (bridge.sim.broker.book_offsets), `step` the point."""
    n = len(offs)
    floor = _floors(n, step)
    wins = floor > offs
    if not _on_grid(bid, ask, step, digits, n):
        return _per_level(bid, ask, offs, step, digits, wins)
    moved = np.where(wins, floor, offs)
    x = np.empty((2, n))
    np.add(ask, moved, out=x[0])
    np.subtract(bid, moved, out=x[1])
    a, b = x.round(digits).tolist()
    f64 = np.float64
    won = wins.tolist()
    asks: list[float] = [v if w else f64(v) for v, w in zip(a, won, strict=True)]
    bids: list[float] = [v if w else f64(v) for v, w in zip(b, won, strict=True)]
    return asks, bids


def _per_level(bid: float, ask: float, offs: F64, step: float, digits: int,
               wins: npt.NDArray[np.bool_]) -> tuple[list[float], list[float]]:
    """The offsets' levels rounded as arrays, each floor level rounded by Python."""
    asks: list[float] = list(np.round(ask + offs, digits))
    bids: list[float] = list(np.round(bid - offs, digits))
    for i in np.flatnonzero(wins).tolist():
        f = i * step
        asks[i], bids[i] = round(ask + f, digits), round(bid - f, digits)
    return asks, bids
