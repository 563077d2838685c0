"""Time schedules of the replay: multipliers interpolated log-linearly, and time windows.

A spread, depth or margin overlay is a list of points (UTC epoch seconds, multiplier); between two
points the multiplier moves log-linearly (a factor 1000 halfway is √1000 ≈ 31.6), before the first
and after the last it holds the end value. Several overlays on one quantity multiply.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

__all__ = ["Schedule", "Windows"]


@dataclass(frozen=True)
class Schedule:
    """A piecewise log-linear multiplier of time. `times` UTC epoch seconds, `values` > 0."""

    times: tuple[float, ...] = ()
    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.times) != len(self.values):
            raise ValueError("a schedule needs one value per time")
        if any(b < a for a, b in zip(self.times, self.times[1:], strict=False)):
            raise ValueError(f"schedule times must not decrease, got {self.times}")
        if any(not v > 0 for v in self.values):
            raise ValueError(f"schedule multipliers must be > 0, got {self.values}")

    def at(self, t: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The multiplier at UTC epoch seconds `t` (1.0 for an empty schedule)."""
        tt = np.asarray(t, dtype=np.float64)
        if not self.times:
            return np.ones(tt.shape)
        logs = np.log(np.asarray(self.values, dtype=np.float64))
        return np.exp(np.interp(tt, np.asarray(self.times, dtype=np.float64), logs))

    def value_at(self, t: float) -> float:
        """`at` of one instant, as a float: the same numpy interpolation and `exp` (so the same
        bits), on the point arrays kept once (they depend only on the frozen points)."""
        if not self.times:
            return 1.0
        times, logs, first, last = self._arrays
        if t < self.times[0]:  # np.interp holds the end values outside the points
            return first
        if t > self.times[-1]:
            return last
        return float(np.exp(np.interp(t, times, logs)))

    @cached_property
    def _arrays(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, float]:
        """The times and the logs of the values as arrays, and the values `at` gives before
        the first point and after the last (for `value_at`)."""
        times = np.asarray(self.times, dtype=np.float64)
        logs = np.log(np.asarray(self.values, dtype=np.float64))
        ends = np.exp(np.interp(np.array([times[0] - 1.0, times[-1] + 1.0]), times, logs))
        return times, logs, float(ends[0]), float(ends[1])

    def times_product(self, other: Schedule) -> Schedule:
        """The product of two schedules, exact at the union of their points."""
        if not self.times:
            return other
        if not other.times:
            return self
        ts = np.union1d(self.times, other.times)
        vs = self.at(ts) * other.at(ts)
        return Schedule(tuple(float(x) for x in ts), tuple(float(v) for v in vs))


@dataclass(frozen=True)
class Windows:
    """Half-open time windows [start, end) in UTC epoch seconds, e.g. no-quote windows."""

    starts: tuple[float, ...] = ()
    ends: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for a, b in zip(self.starts, self.ends, strict=True):
            if not b > a:
                raise ValueError(f"a window must end after it starts, got [{a}, {b})")

    def union(self, other: Windows) -> Windows:
        pairs = sorted(zip(self.starts + other.starts, self.ends + other.ends, strict=True))
        return Windows(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    def contains(self, t: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """True where `t` (UTC epoch seconds) falls inside a window."""
        tt = np.asarray(t, dtype=np.float64)
        out = np.zeros(tt.shape, dtype=bool)
        for a, b in zip(self.starts, self.ends, strict=True):
            out |= (tt >= a) & (tt < b)
        return out

    def covers(self, t: float) -> bool:
        """`contains` of one instant, without numpy (the same comparisons on floats)."""
        return any(a <= t < b for a, b in zip(self.starts, self.ends, strict=True))

    def __bool__(self) -> bool:
        return bool(self.starts)
