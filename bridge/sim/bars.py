"""Bars built from a symbol's ticks once per market, served up to the tick played.

`copy_rates_*` (bridge.sim.rates) asks for the bars of the ticks played so far. Building them on
every call costs a pass over every played tick; here each (stream, timeframe, server clock)
builds the bars of its whole stream once (`TickBars`) and a call takes the bars that open at or
before the last played tick (`played_bars`). A bar every tick of which is played is the same
whichever way it is built (its open, high, low, close, tick count and least spread are those of
the same ticks); the bar that the next tick may still extend (the forming one) is rebuilt from
the ticks played, as before. So nothing served differs from a build over the played ticks only.

The history part in front of them (bridge.sim.history) is kept the same way per (symbol,
timeframe, cut second): it depends on nothing else. Both caches hang on the `Market` (immutable
after its build) and go with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bridge.sim.history import HistoryBars, history_part
from bridge.sim.market import Market, Stream
from bridge.sim.records import RATES_DTYPE
from bridge.sim.replay.clock import ServerClock

__all__ = ["TickBars", "kept_history", "played_bars", "tick_bars"]

Records = npt.NDArray[np.void]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class TickBars:
    """Every bar of one stream on one timeframe: `rates` (RATES_DTYPE, read-only) and the
    index of each bar's first tick in the stream (`starts`)."""

    rates: Records
    starts: I64


_TICK_BARS: weakref.WeakKeyDictionary[Stream, dict[tuple[int, ServerClock], TickBars]] = (
    weakref.WeakKeyDictionary())
_HISTORY: weakref.WeakKeyDictionary[Market, dict[tuple[int, int, int], Records | None]] = (
    weakref.WeakKeyDictionary())


def _spread_points(s: Stream, lo: int, hi: int) -> I64:
    return np.round((s.ask[lo:hi] - s.bid[lo:hi]) / s.spec.point).astype(np.int64)


def _build(bucket: I64, s: Stream) -> TickBars:
    n = len(bucket)
    starts = np.flatnonzero(np.diff(bucket, prepend=bucket[0] - 1))
    bid = s.bid[:n]
    out = np.zeros(len(starts), dtype=RATES_DTYPE)
    out["time"] = bucket[starts]
    out["open"] = bid[starts]
    out["high"] = np.maximum.reduceat(bid, starts)
    out["low"] = np.minimum.reduceat(bid, starts)
    ends = np.append(starts[1:], n) - 1
    out["close"] = bid[ends]
    out["tick_volume"] = np.diff(np.append(starts, n))
    out["spread"] = np.minimum.reduceat(_spread_points(s, 0, n), starts)
    out.flags.writeable = False
    starts.flags.writeable = False
    return TickBars(out, starts)


def tick_bars(s: Stream, timeframe: int, clock: ServerClock, server_ms: I64,
              buckets: Callable[[I64], I64]) -> TickBars:
    """The bars of all of `s` (server-clock ms `server_ms`, bucketed by `buckets` from server
    seconds), built the first time (stream, timeframe, clock) is asked for. `server_ms` must
    be the stream's stamps on `clock` (a pure function of the two: the key holds both)."""
    kept = _TICK_BARS.setdefault(s, {})
    got = kept.get((timeframe, clock))
    if got is None:
        got = _build(buckets(server_ms // 1000), s)
        kept[(timeframe, clock)] = got
    return got


def played_bars(tb: TickBars, s: Stream, n: int, tail: int | None = None) -> Records:
    """The bars of the first `n` ticks of `s` (a new array): every bar opening before tick n,
    the last one built from its ticks played so far. `tail`: only the last `tail` of them."""
    starts = tb.starts
    m = int(np.searchsorted(starts, n, side="left"))
    lo = 0 if tail is None else max(m - tail, 0)
    out = tb.rates[lo:m].copy()
    if m == 0 or (m < len(starts) and int(starts[m]) == n) or (m == len(starts) and
                                                                 n == len(s.bid)):
        return out  # the last bar is complete
    a = int(starts[m - 1])
    bid = s.bid[a:n]
    last = out[-1:]
    last["high"] = np.maximum.reduce(bid)
    last["low"] = np.minimum.reduce(bid)
    last["close"] = bid[-1]
    last["tick_volume"] = n - a
    last["spread"] = np.minimum.reduce(_spread_points(s, a, n))
    return out


def kept_history(market: Market, k: int, history: tuple[HistoryBars, ...], timeframe: int,
                 period: int | None, bucket: Callable[[I64], I64], cut: int) -> Records | None:
    """`history_part(history, period, bucket, cut)` of symbol k of `market` on `timeframe`,
    kept per (k, timeframe, cut): `history` is the market's own, `period` and `bucket` follow
    from the timeframe (read-only array; `join_history` never writes it)."""
    kept = _HISTORY.setdefault(market, {})
    key = (k, timeframe, cut)
    if key not in kept:
        part = history_part(history, period, bucket, cut)
        if part is not None:
            part.flags.writeable = False
        kept[key] = part
    return kept[key]
