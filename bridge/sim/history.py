"""Bars before the first tick: the months of history a terminal serves through `copy_rates_*`.

A live terminal answers `copy_rates_from_pos(symbol, TIMEFRAME_D1, 1, 400)` from its stored
history; a replay has ticks only from `start − warmup_hours`. This module gives the simulated
terminal that history, per symbol, from two sources:

- the scenario's `[[history]]` bar files (real MT5-broker D1 and H4 bars in
  ../shared/data/*/history/, PROVENANCE.md), read with the same readers as `[[data]]`;
- for generated scenarios, `[generator] history_days`: calm bars drawn from a seeded random walk
  at the symbol's `daily_volatility`, ending at the first tick's price (labelled modelled).

Serving (`merge_rates`): a request for timeframe T uses every history series whose period P
divides T (D1 from D1 or H4, W1 from D1 or H4; H1 and M1 only from the ticks), finest first,
resampled onto T's buckets on the server clock. Only history bars that closed before the symbol's
first tick (and at or before now) are used: the ticks build every later bar, so no bar carries a
price from after the simulated now. The bucket holding the first tick joins its history part
(open, high, low) with the ticks' part (high, low, close). The forming bar (position 0) is built
from the ticks played so far, as MT5 serves it. History bars have no spread column in the data:
they carry the symbol's normal `spread_points`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bridge.sim.broker import BrokerSymbol
from bridge.sim.records import RATES_DTYPE
from bridge.sim.replay.clock import ServerClock
from bridge.sim.replay.readers import Bars, read_market_file

__all__ = ["HistoryBars", "generated_history", "history_part", "join_history", "merge_rates",
           "read_history"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_H4 = 4 * 3600
_D1 = 86_400
_GENERATED_H4_DAYS = 180


@dataclass(frozen=True, eq=False)
class HistoryBars:
    """One symbol's bars of one period: `time` = bar open on the server clock (epoch s)."""

    period: int
    time: I64
    open: F64
    high: F64
    low: F64
    close: F64
    tick_volume: I64
    spread: I64
    modelled: bool = False


def read_history(path: Path, fmt: str, time_zone: str, clock: ServerClock,
                 spec: BrokerSymbol) -> HistoryBars:
    """A `[[history]]` bar file as server-clock bars (a tick file is refused: history is bars)."""
    raw = read_market_file(path, fmt=fmt, time_zone=time_zone, clock=clock)
    if not isinstance(raw, Bars):
        raise ValueError(f"{path}: a [[history]] file must hold bars (D1, H4, ...), not ticks")
    t_utc = raw.time.astype(np.int64)
    server = t_utc + clock.offset_seconds(t_utc)
    vol = raw.tick_volume
    spread = np.full(len(server), round(spec.spread_points), dtype=np.int64)
    return HistoryBars(
        raw.period, server.astype(np.int64), raw.open, raw.high, raw.low, raw.close,
        np.zeros(len(server), np.int64) if vol is None else vol.astype(np.int64), spread)


def generated_history(spec: BrokerSymbol, first_tick_server_s: int, first_price: float, days: int,
                      rng: np.random.Generator) -> tuple[HistoryBars, ...]:
    """Calm modelled history: `days` of D1 bars and the last 180 days of H4 bars before the
    first tick, a random walk at `spec.daily_volatility` (16 steps per H4 bar for the highs and
    lows) that ends at `first_price`. Weekends (Saturday, Sunday server time) have no bars."""
    end = first_tick_server_s // _H4 * _H4
    times = np.arange(end - days * _D1, end, _H4, dtype=np.int64)
    weekday = (times // _D1 + 3) % 7  # 0 = Monday
    times = times[weekday < 5]
    if len(times) == 0:
        return ()
    steps = 16
    sigma_step = spec.daily_volatility / np.sqrt(6 * steps)
    z = rng.standard_normal((len(times), steps)) * sigma_step
    path = np.cumsum(z.ravel()).reshape(z.shape)
    path = path - path[-1, -1] + np.log(first_price)
    opens = np.concatenate([[path[0, 0] - z[0, 0]], path[:-1, -1]])
    prices = np.exp(np.column_stack([opens, path]))
    digits = spec.digits
    o = np.round(prices[:, 0], digits)
    c = np.round(prices[:, -1], digits)
    h = np.maximum(np.round(prices.max(axis=1), digits), np.maximum(o, c))
    lo = np.minimum(np.round(prices.min(axis=1), digits), np.minimum(o, c))
    vol = np.full(len(times), 4 * 3600 // 10, dtype=np.int64)
    spread = np.full(len(times), round(spec.spread_points), dtype=np.int64)
    h4 = HistoryBars(_H4, times, o, h, lo, c, vol, spread, modelled=True)
    d1 = _resample(h4, _D1, lambda t: t // _D1 * _D1)
    d1_bars = HistoryBars(_D1, d1["time"].astype(np.int64), d1["open"], d1["high"], d1["low"],
                          d1["close"], d1["tick_volume"].astype(np.int64),
                          d1["spread"].astype(np.int64), modelled=True)
    recent = h4.time >= end - _GENERATED_H4_DAYS * _D1
    h4_recent = HistoryBars(_H4, h4.time[recent], h4.open[recent], h4.high[recent],
                            h4.low[recent], h4.close[recent], h4.tick_volume[recent],
                            h4.spread[recent], modelled=True)
    return (d1_bars, h4_recent)


def _resample(h: HistoryBars, period: int, bucket: Callable[[I64], I64],
              keep: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.void]:
    """`h` resampled onto the buckets of `period` (OHLC, summed ticks, the least spread)."""
    t = h.time if keep is None else h.time[keep]
    out = np.zeros(0, dtype=RATES_DTYPE)
    if len(t) == 0:
        return out
    sel = slice(None) if keep is None else keep
    o, hi, lo, c = h.open[sel], h.high[sel], h.low[sel], h.close[sel]
    b = bucket(t)
    starts = np.flatnonzero(np.diff(b, prepend=b[0] - 1))
    ends = np.append(starts[1:], len(t)) - 1
    out = np.zeros(len(starts), dtype=RATES_DTYPE)
    out["time"] = b[starts]
    out["open"] = o[starts]
    out["high"] = np.maximum.reduceat(hi, starts)
    out["low"] = np.minimum.reduceat(lo, starts)
    out["close"] = c[ends]
    out["tick_volume"] = np.add.reduceat(h.tick_volume[sel], starts)
    out["spread"] = np.minimum.reduceat(h.spread[sel], starts)
    return out


def merge_rates(history: tuple[HistoryBars, ...], tick_rates: npt.NDArray[np.void],
                period: int | None, bucket: Callable[[I64], I64], first_tick_server_s: int,
                now_server_s: int) -> npt.NDArray[np.void]:
    """History bars (closed before the first tick and by now) in front of the tick-built bars;
    see the module docstring. `period` None (MN1): the ticks only."""
    cut = min(first_tick_server_s, now_server_s)
    return join_history(history_part(history, period, bucket, cut), tick_rates, period,
                        now_server_s)


def history_part(history: tuple[HistoryBars, ...], period: int | None,
                 bucket: Callable[[I64], I64], cut: int) -> npt.NDArray[np.void] | None:
    """The history bars closed by server second `cut` resampled onto `period`'s buckets, oldest
    first (None: no history serves this period). Depends only on its arguments."""
    if not history or period is None:
        return None
    parts: list[npt.NDArray[np.void]] = []
    limit: int | None = None
    for h in sorted(history, key=lambda x: x.period):
        if h.period > period or period % h.period:
            continue
        closed = h.time + h.period <= cut
        r = _resample(h, period, bucket, closed)
        if limit is not None:
            r = r[r["time"] < limit]
        if len(r):
            parts.append(r)
            limit = int(r["time"][0]) if limit is None else min(limit, int(r["time"][0]))
    if not parts:
        return None
    hist = np.concatenate(parts[::-1])
    return hist[np.argsort(hist["time"], kind="stable")]


def join_history(hist: npt.NDArray[np.void] | None, tick_rates: npt.NDArray[np.void],
                 period: int | None, now_server_s: int) -> npt.NDArray[np.void]:
    """`history_part`'s bars in front of the tick-built ones (a new array, `hist` unchanged):
    the bucket of the first tick joins both parts; a history bucket the ticks do not finish by
    now is left out."""
    if hist is None or period is None:
        return tick_rates
    if len(tick_rates) and len(hist) and hist["time"][-1] == tick_rates["time"][0]:
        seam = tick_rates[:1].copy()
        last = hist[-1]
        seam["open"] = last["open"]
        seam["high"] = max(float(last["high"]), float(seam["high"][0]))
        seam["low"] = min(float(last["low"]), float(seam["low"][0]))
        seam["tick_volume"] = int(last["tick_volume"]) + int(seam["tick_volume"][0])
        seam["spread"] = min(int(last["spread"]), int(seam["spread"][0]))
        return np.concatenate([hist[:-1], seam, tick_rates[1:]])
    hist = hist[hist["time"] + period <= now_server_s]  # a bucket the ticks do not finish
    return np.concatenate([hist, tick_rates])
