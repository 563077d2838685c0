"""The broker's server clock: UTC plus a fixed offset, plus one hour in daylight-saving time.

MT5 stamps every time it returns (ticks, bars, deals) in the trade server's wall clock, "broker time
disguised as UTC" (shared/reference/mt5-api.md §0.4). The common "New York close" server runs at
UTC+2 in winter and UTC+3 while the US is on daylight-saving time (shared/data/PROVENANCE.md).

DST rules (transition instants in UTC):
- ``us``: second Sunday of March 07:00 UTC to first Sunday of November 06:00 UTC (rules since 2007);
- ``eu``: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC;
- ``none``: a fixed offset.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["DST_RULES", "DstRule", "ServerClock"]


class DstRule(StrEnum):
    """When the server clock is one hour ahead of its winter offset (transitions above)."""

    NONE = "none"  # a fixed offset all year
    US = "us"  # the US daylight-saving period (the usual "New York close" server)
    EU = "eu"  # the EU summer-time period


DST_RULES = tuple(rule.value for rule in DstRule)  # ("none", "us", "eu")
_YEARS = range(1990, 2101)


def _nth_sunday(year: int, month: int, n: int) -> int:
    """Day of month of the n-th Sunday (n = -1: the last one)."""
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if calendar.weekday(year, month, d) == calendar.SUNDAY
    ]
    return days[n]


@lru_cache(maxsize=4)
def _boundaries(rule: DstRule) -> npt.NDArray[np.int64]:
    out: list[int] = []
    for y in _YEARS:
        if rule is DstRule.US:
            start = calendar.timegm((y, 3, _nth_sunday(y, 3, 1), 7, 0, 0))
            end = calendar.timegm((y, 11, _nth_sunday(y, 11, 0), 6, 0, 0))
        else:
            start = calendar.timegm((y, 3, _nth_sunday(y, 3, -1), 1, 0, 0))
            end = calendar.timegm((y, 10, _nth_sunday(y, 10, -1), 1, 0, 0))
        out += [start, end]
    return np.asarray(out, dtype=np.int64)


@lru_cache(maxsize=4)
def _boundary_list(rule: DstRule) -> tuple[int, ...]:
    """`_boundaries` as Python ints, for the scalar lookups (`bisect` on one instant)."""
    return tuple(int(b) for b in _boundaries(rule))


@dataclass(frozen=True)
class ServerClock:
    """UTC ↔ server time.

    `utc_offset_hours` is the winter (standard) offset in hours; `dst` a `DstRule` (its text,
    one of DST_RULES, is taken too and kept as the `DstRule`)."""

    utc_offset_hours: float = 2.0
    dst: DstRule | str = DstRule.US
    _offset_s: int = field(init=False, repr=False, compare=False, default=0)
    _rule: DstRule = field(init=False, repr=False, compare=False, default=DstRule.US)

    def __post_init__(self) -> None:
        if self.dst not in DST_RULES:
            raise ValueError(
                f"server_time.dst = {self.dst!r} is not a known rule; use one of {DST_RULES}"
            )
        if not -14 <= self.utc_offset_hours <= 14:
            raise ValueError(
                f"server_time.utc_offset_hours = {self.utc_offset_hours} is outside -14..14 hours"
            )
        object.__setattr__(self, "dst", DstRule(self.dst))
        object.__setattr__(self, "_rule", DstRule(self.dst))
        object.__setattr__(self, "_offset_s", round(self.utc_offset_hours * 3600))

    def offset_seconds(self, t_utc: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Server-minus-UTC offset in seconds at the UTC epoch-second instants `t_utc`."""
        if isinstance(t_utc, float | int) and self._rule is not DstRule.NONE:
            # one instant (the simulator asks per tick): `offset_at`, the same boundaries and
            # side, as the numpy scalar the array path gives a 0-d input
            return np.int64(self.offset_at(t_utc))
        t = np.asarray(t_utc, dtype=np.float64)
        base = np.full(t.shape, self._offset_s, dtype=np.int64)
        if self._rule is DstRule.NONE:
            return base
        idx = np.searchsorted(_boundaries(self._rule), t, side="right")
        return base + np.where(idx % 2 == 1, 3600, 0).astype(np.int64)

    def offset_at(self, t_utc: float) -> int:
        """`offset_seconds` of one instant (seconds), without numpy: the same boundaries and
        the same side (`bisect_right` is `searchsorted(side="right")`, a NaN sorting last)."""
        if self._rule is DstRule.NONE:
            return self._offset_s
        idx = bisect_right(_boundary_list(self._rule), t_utc)
        return self._offset_s + (3600 if idx % 2 == 1 else 0)

    def to_server(self, t_utc: float) -> float:
        """Server-clock epoch seconds for a UTC epoch-second instant."""
        return t_utc + float(self.offset_at(float(t_utc)))

    def to_utc(self, t_server: float) -> float:
        """UTC epoch seconds for a server-clock stamp (a repeated hour at a DST end maps early)."""
        guess = t_server - self._offset_s
        return t_server - float(self.offset_at(float(guess - 3600)))

    def to_utc_array(self, t_server: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorised `to_utc` for integer server-clock seconds."""
        t = np.asarray(t_server, dtype=np.int64)
        return t - self.offset_seconds(t - self._offset_s - 3600)

    def to_server_array(self, t_utc: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorised `to_server` for integer UTC seconds."""
        t = np.asarray(t_utc, dtype=np.int64)
        return t + self.offset_seconds(t)
