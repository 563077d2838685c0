"""`prepare_symbol`: the state folding the update functions over a history would give, fast.

Most quotes only overwrite the pending minute's and bucket's last value, so numpy finds the
quotes that close a minute or a bucket and only those closes run through the same step functions
the `on_*` functions use (same arithmetic, same order: the result is identical, not just close).

M1 bars stand in for quotes only when the history has no quotes (they are ignored otherwise).
Intraday bars (H1/H4) before the first quote seed the daily σ samples of the percentiles first.
Order, as the equivalent fold: samples in time order; at equal times quotes first, then depth,
then bars (each at its close time = open time + bar length), then margin samples.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from controller.indicators._bars import update_atr, update_daily
from controller.indicators._history import Bars, SymbolHistory
from controller.indicators._liquidity import (
    DepthState,
    RollingMedian,
    close_depth_buckets,
    close_spread_buckets,
)
from controller.indicators._margin import update_margin
from controller.indicators._seed import seed_vol_window
from controller.indicators._settings import IndicatorSettings
from controller.indicators._symbol import SymbolIndicators, new_symbol_indicators
from controller.indicators._volatility import close_minute

__all__ = ["prepare_symbol"]

_MINUTE, _SPREAD, _DEPTH, _M1, _H1, _D1, _MARGIN = range(7)
_RANK = {_MINUTE: 0, _SPREAD: 0, _DEPTH: 1, _M1: 2, _H1: 2, _D1: 2, _MARGIN: 3}
_BAR_SECONDS = {_M1: 60.0, _H1: 3600.0, _D1: 86_400.0}

Event = tuple[Any, ...]


def _changes(index: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Positions i ≥ 1 where index[i] differs from index[i − 1]."""
    return np.flatnonzero(index[1:] != index[:-1]) + 1


def _has_quotes(h: SymbolHistory) -> bool:
    return h.quote_time is not None and h.quote_time.size > 0


def _quote_events(h: SymbolHistory, bucket_seconds: int) -> list[Event]:
    if h.quote_time is None or h.bid is None or h.ask is None or h.quote_time.size == 0:
        return []
    t, bid, ask = h.quote_time, h.bid, h.ask
    minute = np.floor_divide(t, 60.0).astype(np.int64)
    bucket = np.floor_divide(t, float(bucket_seconds)).astype(np.int64)
    mid = 0.5 * (bid + ask)
    spread = ask - bid
    times = t.tolist()
    events: list[Event] = []
    at = _changes(minute)
    for i, m, c in zip(at.tolist(), minute[at - 1].tolist(), mid[at - 1].tolist(), strict=True):
        events.append((times[i], 0, _MINUTE, m, c))
    at = _changes(bucket)
    gaps = (bucket[at] - bucket[at - 1]).tolist()
    for i, s, n in zip(at.tolist(), spread[at - 1].tolist(), gaps, strict=True):
        events.append((times[i], 0, _SPREAD, s, n))
    return events


def _depth_events(h: SymbolHistory, bucket_seconds: int) -> list[Event]:
    t, b, a = h.depth_time, h.bid_depth_lots, h.ask_depth_lots
    if t is None or b is None or a is None or t.size == 0:
        return []
    bucket = np.floor_divide(t, float(bucket_seconds)).astype(np.int64)
    at = _changes(bucket)
    times = t.tolist()
    gaps = (bucket[at] - bucket[at - 1]).tolist()
    return [
        (times[i], 1, _DEPTH, bl, al, n)
        for i, bl, al, n in zip(
            at.tolist(), b[at - 1].tolist(), a[at - 1].tolist(), gaps, strict=True
        )
    ]


def _bar_events(bars: Bars | None, kind: int) -> list[Event]:
    if bars is None:
        return []
    length = _BAR_SECONDS[kind]
    return [
        (t + length, 2, kind, t, hi, lo, c)
        for t, hi, lo, c in zip(
            bars.time.tolist(),
            bars.high.tolist(),
            bars.low.tolist(),
            bars.close.tolist(),
            strict=True,
        )
    ]


def _margin_events(h: SymbolHistory) -> list[Event]:
    if h.margin_time is None or h.margin_rate is None:
        return []
    return [
        (t, 3, _MARGIN, r)
        for t, r in zip(h.margin_time.tolist(), h.margin_rate.tolist(), strict=True)
    ]


def _first_sample(h: SymbolHistory) -> float:
    """Time of the first quote (or M1 bar when there are no quotes): intraday bars seed the
    daily σ samples only for the time before it. UTC s; +inf with neither."""
    if h.quote_time is not None and h.quote_time.size:
        return float(h.quote_time[0])
    if h.m1 is not None and len(h.m1):
        return float(h.m1.time[0])
    return float("inf")


_LastQuote = tuple[float | None, float | None, float | None, int | None, int | None]


def _last_quote(history: SymbolHistory, bucket_seconds: int) -> _LastQuote:
    """The last quote: time (UTC s), bid, ask, its epoch minute and bucket (all None without)."""
    t = history.quote_time
    if t is None or not t.size or history.bid is None or history.ask is None:
        return None, None, None, None, None
    quote_time = float(t[-1])
    return (quote_time, float(history.bid[-1]), float(history.ask[-1]), int(quote_time // 60),
            int(quote_time // bucket_seconds))


def _last_depth(history: SymbolHistory, bucket_seconds: int, bid_median: RollingMedian,
                ask_median: RollingMedian) -> DepthState | None:
    """The depth state after the last depth sample (lots) with the folded medians; None without
    depth samples."""
    dt = history.depth_time
    bd, ad = history.bid_depth_lots, history.ask_depth_lots
    if dt is None or not dt.size or bd is None or ad is None:
        return None
    last_t = float(dt[-1])
    return DepthState(
        last_t,
        float(bd[-1]),
        float(ad[-1]),
        int(last_t // bucket_seconds),
        history.depth_source,
        bid_median,
        ask_median,
    )


def prepare_symbol(history: SymbolHistory, settings: IndicatorSettings) -> SymbolIndicators:
    """Indicators of one symbol prepared from its history; equal to folding `on_quote`,
    `on_depth`, `on_bar` and `on_margin_rate` over it in time order (see the module docstring
    for ties). A day of 1-second quotes takes some 20-40 ms: only the 1,440 minute and bucket
    closes are stepped one by one."""
    state = new_symbol_indicators(settings)
    p = state.params
    if history.intraday is not None:
        state = replace(
            state,
            vol=seed_vol_window(
                state.vol, p, history.intraday, history.intraday_seconds, _first_sample(history)
            ),
        )
    events = [
        *_quote_events(history, p.bucket_seconds),
        *_depth_events(history, p.bucket_seconds),
        *_bar_events(None if _has_quotes(history) else history.m1, _M1),
        *_bar_events(history.h1, _H1),
        *_bar_events(history.d1, _D1),
        *_margin_events(history),
    ]
    events.sort(key=lambda e: (e[0], e[1]))
    vol, spreads, h1, d1, margins = state.vol, state.spreads, state.h1, state.d1, state.margins
    depth = state.depth
    bid_med, ask_med = depth.bid_median, depth.ask_median
    for ev in events:
        kind = ev[2]
        if kind == _MINUTE:
            vol = close_minute(vol, p, ev[3], ev[4])
        elif kind == _SPREAD:
            spreads = close_spread_buckets(spreads, p, ev[3], ev[4])
        elif kind == _DEPTH:
            bid_med, ask_med = close_depth_buckets(
                DepthState(bid_median=bid_med, ask_median=ask_med), p, ev[3], ev[4], ev[5]
            )
        elif kind == _M1:
            vol = close_minute(vol, p, int(ev[3] // 60), ev[6])
        elif kind == _H1:
            h1 = update_atr(h1, p, ev[3], ev[4], ev[5], ev[6])
        elif kind == _D1:
            d1 = update_daily(d1, p, ev[3], ev[4], ev[5], ev[6])
        else:
            margins = update_margin(margins, p, ev[0], ev[3], vol.sigma)
    quote_time, bid, ask, quote_minute, quote_bucket = _last_quote(history, p.bucket_seconds)
    last_depth = _last_depth(history, p.bucket_seconds, bid_med, ask_med)
    if last_depth is not None:
        depth = last_depth
    return SymbolIndicators(
        settings,
        p,
        quote_time,
        bid,
        ask,
        quote_minute,
        quote_bucket,
        vol,
        spreads,
        depth,
        h1,
        d1,
        margins,
    )
