"""`copy_rates_*` and `copy_ticks_*` of the simulated terminal: bars and ticks from the ticks played
so far, on the broker's server clock, with the stored history (bridge.sim.history) in front of the
tick-built bars. Bar times are bucket opens in server epoch seconds; prices the bid (as MT5 builds
bars); `spread` the least spread of the bar in points. Functions are called after `gate`; they
return None with last_error set on a bad argument.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as c
from bridge.mt5.records import RATES_DTYPE, TICKS_DTYPE
from bridge.sim.bars import kept_history, played_bars, tick_bars
from bridge.sim.history import join_history
from bridge.sim.info import MAXBARS
from bridge.sim.market import Stream
from bridge.sim.state import DateArg, SimState, epoch

__all__ = [
    "copy_rates_from",
    "copy_rates_from_pos",
    "copy_rates_range",
    "copy_ticks_from",
    "copy_ticks_range",
]

Records = npt.NDArray[np.void]
I64 = npt.NDArray[np.int64]
_WEEK = 7 * 86400


def _period_seconds(timeframe: int) -> int | None:
    if 1 <= timeframe <= 30:
        return timeframe * 60
    if timeframe & 0xC000 == 0x4000:
        return (timeframe & 0xFF) * 3600
    if timeframe == c.TIMEFRAME_W1:
        return _WEEK
    return None


def _week_bucket(t: I64) -> I64:
    """Monday-open weeks (the epoch began on a Thursday)."""
    return (t - 3 * 86400) // _WEEK * _WEEK + 3 * 86400


def _buckets(t: I64, timeframe: int, period: int | None) -> I64:
    if period is None:
        months = t.astype("datetime64[s]").astype("datetime64[M]")
        return months.astype("datetime64[s]").astype(np.int64)
    if timeframe == c.TIMEFRAME_W1:
        return _week_bucket(t)
    return t // period * period


def _rates(st: SimState, symbol: str, timeframe: int, tail: int | None = None) -> Records | None:
    """Every bar of `symbol` on `timeframe` up to now (oldest first); `tail`: at least the last
    `tail` of them (all when the history part is among them)."""
    k = st.symbol_index(symbol)
    period = _period_seconds(timeframe)
    if k is None or (period is None and timeframe != c.TIMEFRAME_MN1):
        st.fail(c.RES_E_INVALID_PARAMS, "Terminal: Invalid params")
        return None
    server_ms, s = st.played(k)
    n = len(server_ms)
    if n == 0:
        return _with_history(st, k, period, timeframe, np.zeros(0, dtype=RATES_DTYPE))
    tb = tick_bars(s, timeframe, st.scenario.clock, st.server_ms(k),
                   lambda t: _buckets(t, timeframe, period))
    if tail is not None:  # the last bars, without the first tick's bar the history may join
        out = played_bars(tb, s, n, tail + 1)
        if len(out) > tail:
            return out
    return _with_history(st, k, period, timeframe, played_bars(tb, s, n))


def _with_history(st: SimState, k: int, period: int | None, timeframe: int,
                  out: Records) -> Records:
    """The stored bars before the first tick in front of the tick-built ones (sim.history)."""
    m = st.market
    hist = m.history[k] if k < len(m.history) else ()
    if not hist or period is None:
        return out
    first_ms = int(m.streams[k].time_msc[0])
    first = first_ms // 1000 + int(st.scenario.clock.offset_seconds(first_ms // 1000))
    now = st.server_s()
    p = period

    def bucket(t: I64) -> I64:
        return _week_bucket(t) if timeframe == c.TIMEFRAME_W1 else t // p * p

    part = kept_history(m, k, hist, timeframe, period, bucket, min(first, now))
    return join_history(part, out, period, now)


def copy_rates_from_pos(st: SimState, symbol: str, timeframe: int, start_pos: int,
                        count: int) -> Records | None:
    """`count` bars ending `start_pos` bars before the forming one (0 = the forming bar)."""
    tail = start_pos + count if start_pos >= 0 and count > 0 else None
    r = _rates(st, symbol, timeframe, tail)
    if r is None:
        return None
    if start_pos < 0 or count <= 0 or start_pos >= len(r) or start_pos + count > MAXBARS:
        st.fail(c.RES_E_FAIL)
        return None
    hi = len(r) - start_pos
    return r[max(hi - count, 0) : hi].copy()


def copy_rates_from(st: SimState, symbol: str, timeframe: int, date_from: DateArg,
                    count: int) -> Records | None:
    """`count` bars opening at or before `date_from` (server clock)."""
    r = _rates(st, symbol, timeframe)
    t = epoch(date_from)
    if r is None or t is None:
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    hi = int(np.searchsorted(r["time"], t, side="right"))
    return r[max(hi - count, 0) : hi].copy()


def copy_rates_range(st: SimState, symbol: str, timeframe: int, date_from: DateArg,
                     date_to: DateArg) -> Records | None:
    """The bars opening within [date_from, date_to] (server clock)."""
    r = _rates(st, symbol, timeframe)
    a, b = epoch(date_from), epoch(date_to)
    if r is None or a is None or b is None:
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    return r[(r["time"] >= a) & (r["time"] <= b)].copy()


def _ticks(st: SimState, symbol: str, flags: int) -> tuple[I64, Stream] | None:
    k = st.symbol_index(symbol)
    if k is None or flags not in (c.COPY_TICKS_ALL, c.COPY_TICKS_INFO, c.COPY_TICKS_TRADE):
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    return st.played(k)


def _tick_array(server_ms: I64, s: Stream, sel: slice, flags: int) -> Records:
    if flags == c.COPY_TICKS_TRADE:
        return np.zeros(0, dtype=TICKS_DTYPE)
    ms = server_ms[sel]
    out = np.zeros(len(ms), dtype=TICKS_DTYPE)
    out["time"] = ms // 1000
    out["time_msc"] = ms
    out["bid"] = s.bid[: len(server_ms)][sel]
    out["ask"] = s.ask[: len(server_ms)][sel]
    out["flags"] = s.flags[: len(server_ms)][sel]
    return out


def copy_ticks_range(st: SimState, symbol: str, date_from: DateArg, date_to: DateArg,
                     flags: int) -> Records | None:
    """The played ticks within [date_from, date_to] (server clock; no trade ticks in FX)."""
    got = _ticks(st, symbol, flags)
    a, b = epoch(date_from), epoch(date_to)
    if got is None or a is None or b is None:
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    server_ms, s = got
    lo = int(np.searchsorted(server_ms, int(a * 1000), side="left"))
    hi = int(np.searchsorted(server_ms, int(b * 1000), side="right"))
    return _tick_array(server_ms, s, slice(lo, hi), flags)


def copy_ticks_from(st: SimState, symbol: str, date_from: DateArg, count: int,
                    flags: int) -> Records | None:
    """Up to `count` played ticks from `date_from` on (server clock)."""
    got = _ticks(st, symbol, flags)
    a = epoch(date_from)
    if got is None or a is None:
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    server_ms, s = got
    lo = int(np.searchsorted(server_ms, int(a * 1000), side="left"))
    return _tick_array(server_ms, s, slice(lo, lo + max(count, 0)), flags)
