"""Test helpers: the reference fold (the definition `prepare_symbol` must reproduce) and small
settings so that short hand-made series already report values."""

from __future__ import annotations

from typing import Any

from controller.indicators import (
    IndicatorSettings,
    SymbolHistory,
    SymbolIndicators,
    new_symbol_indicators,
    on_bar,
    on_depth,
    on_margin_rate,
    on_quote,
)

BAR_SECONDS = {"M1": 60.0, "H1": 3600.0, "D1": 86_400.0}

EPOCH = 1_700_000_000.0 - 1_700_000_000.0 % 86_400.0
"""A UTC midnight (2023-11-14 00:00:00), so that minute, bucket and day boundaries are round."""

Event = tuple[float, int, str, tuple[Any, ...]]


def small_settings(**overrides: Any) -> IndicatorSettings:
    """Settings whose minimums are 1-3 samples, for hand-computed cases."""
    base: dict[str, Any] = {
        "min_vol_minutes": 1,
        "min_median_buckets": 1,
        "min_vol_days": 1,
        "min_long_vol_days": 1,
        "min_mpg_points": 3,
    }
    base.update(overrides)
    return IndicatorSettings(**base)


def _rows(*arrays: Any) -> list[tuple[float, ...]]:
    return list(zip(*(a.tolist() for a in arrays), strict=True))


def _events(h: SymbolHistory) -> list[Event]:
    """Every sample as (event time, rank, kind, arguments); rank breaks ties."""
    events: list[Event] = []
    if h.quote_time is not None:
        events += [(t, 0, "quote", (b, a)) for t, b, a in _rows(h.quote_time, h.bid, h.ask)]
    if h.depth_time is not None:
        rows = _rows(h.depth_time, h.bid_depth_lots, h.ask_depth_lots)
        events += [(t, 1, "depth", (b, a)) for t, b, a in rows]
    has_quotes = h.quote_time is not None and h.quote_time.size > 0
    for tf in ("M1", "H1", "D1"):
        bars = getattr(h, tf.lower())
        if tf == "M1" and has_quotes:
            continue  # M1 bars stand in for quotes only when there are none
        if bars is not None:
            rows = _rows(bars.time, bars.open, bars.high, bars.low, bars.close)
            events += [(r[0] + BAR_SECONDS[tf], 2, tf, r) for r in rows]
    if h.margin_time is not None:
        events += [(t, 3, "margin", (r,)) for t, r in _rows(h.margin_time, h.margin_rate)]
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def fold_history(history: SymbolHistory, settings: IndicatorSettings) -> SymbolIndicators:
    """Fold the update functions over `history` in time order; at equal times quotes, depth,
    bars (at their close time), margin, as `prepare_symbol` documents."""
    state = new_symbol_indicators(settings)
    for t, _, kind, args in _events(history):
        if kind == "quote":
            state = on_quote(state, t, *args)
        elif kind == "depth":
            source = history.depth_source
            state = on_depth(state, t, args[0], args[1], source=source)  # type: ignore[arg-type]
        elif kind == "margin":
            state = on_margin_rate(state, t, *args)
        else:
            state = on_bar(state, kind, *args)
    return state
