"""The prepared indicator state of one symbol and its pure update functions (DESIGN §3.2).

`SymbolIndicators` is a plain frozen value. Each `on_*` function returns a new value and leaves
its argument untouched; each costs O(1) per sample (a bucket, day or margin close does O(W) work
on a fixed-size window, constant per sample). Every derived number is computed when the sample
that changes it arrives, so reading a property costs O(1).

Time is an argument: UTC epoch seconds. Feed samples in time order; a sample older than the last
one of its kind raises `ValueError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from controller.indicators._bars import AtrState, DailyState, update_atr, update_daily
from controller.indicators._liquidity import (
    DepthState,
    SpreadState,
    close_depth_buckets,
    close_spread_buckets,
)
from controller.indicators._margin import MarginState, update_margin
from controller.indicators._params import Params, params_from
from controller.indicators._settings import IndicatorSettings
from controller.indicators._volatility import VolState, close_minute

__all__ = [
    "DepthSource",
    "SymbolIndicators",
    "Timeframe",
    "new_symbol_indicators",
    "on_bar",
    "on_depth",
    "on_margin_rate",
    "on_quote",
]

Timeframe = Literal["M1", "H1", "D1"]
DepthSource = Literal["book", "proxy"]
_BAR_SECONDS = {"M1": 60, "H1": 3600, "D1": 86_400}


@dataclass(frozen=True, slots=True)
class SymbolIndicators:
    """Indicators of one symbol, prepared: read the properties, advance with the `on_*` functions.

    Every property is `None` while its history is too short (see `IndicatorSettings` minimums).
    """

    settings: IndicatorSettings
    params: Params
    quote_time: float | None = None
    """Time of the last quote, UTC epoch seconds."""
    bid: float | None = None
    """Last bid, price units."""
    ask: float | None = None
    """Last ask, price units."""
    quote_minute: int | None = None
    quote_bucket: int | None = None
    vol: VolState = field(default_factory=VolState)
    spreads: SpreadState = field(default_factory=SpreadState)
    depth: DepthState = field(default_factory=DepthState)
    h1: AtrState = field(default_factory=AtrState)
    d1: DailyState = field(default_factory=DailyState)
    margins: MarginState = field(default_factory=MarginState)

    # --- volatility -------------------------------------------------------------------------
    @property
    def sigma_now(self) -> float | None:
        """Daily σ of mid log returns (fraction per day): √(EWMA variance of 1-minute returns ×
        1440)."""
        return self.vol.sigma

    @property
    def sigma_long(self) -> float | None:
        """Long-run daily σ (fraction per day): EWMA of daily log returns of D1 closes."""
        return self.d1.sigma_long

    @property
    def sigma_enter(self) -> float | None:
        """σ_now level above which volatility is high: the enter percentile of the trailing
        daily σ_now samples (fraction per day)."""
        return self.vol.sigma_enter

    @property
    def sigma_exit(self) -> float | None:
        """σ_now level below which high volatility ends: the exit percentile (fraction per day)."""
        return self.vol.sigma_exit

    @property
    def minute_return(self) -> float | None:
        """Per-minute log return of the last closed minute, ln(C / C₋ₖ) / √k after k minutes
        (feed it to `on_minute_returns`)."""
        return self.vol.last_return

    @property
    def minute_return_time(self) -> float | None:
        """Start of the minute `minute_return` belongs to, UTC epoch seconds."""
        if self.vol.last_return is None or self.vol.last_minute is None:
            return None
        return float(self.vol.last_minute * 60)

    # --- spread -----------------------------------------------------------------------------
    @property
    def spread(self) -> float | None:
        """Last ask − bid, price units (None with M1 bars only)."""
        if self.bid is None or self.ask is None:
            return None
        return self.ask - self.bid

    @property
    def spread_median(self) -> float | None:
        """Rolling median of the bucketed spread over `median_window_buckets`, price units."""
        return self.spreads.buckets.median

    @property
    def spread_ratio(self) -> float | None:
        """The spread over its median, spread / spread_median (1 = usual; None when the median is
        unknown or 0)."""
        spread, med = self.spread, self.spreads.buckets.median
        if spread is None or med is None or med <= 0.0:
            return None
        return spread / med

    @property
    def liq_accel(self) -> float | None:
        """Liquidity acceleration: second difference of the smoothed bucketed spread, divided
        by the median spread, per bucket² (> 0: spreads widening faster and faster)."""
        return self.spreads.accel

    # --- depth ------------------------------------------------------------------------------
    @property
    def bid_depth_lots(self) -> float | None:
        """Last depth on the bid side (hit when closing a long), lots."""
        return self.depth.bid_lots

    @property
    def ask_depth_lots(self) -> float | None:
        """Last depth on the ask side (hit when closing a short), lots."""
        return self.depth.ask_lots

    @property
    def depth_median_bid_lots(self) -> float | None:
        """Rolling median of the bucketed bid depth, lots."""
        return self.depth.bid_median.median

    @property
    def depth_median_ask_lots(self) -> float | None:
        """Rolling median of the bucketed ask depth, lots."""
        return self.depth.ask_median.median

    @property
    def depth_source(self) -> str | None:
        """Where the last depth sample came from: "book" or "proxy" (None: no depth yet)."""
        return self.depth.source

    def depth_ratio(self, closing_long: bool) -> float | None:
        """DepthRatio on the side a reduction hits: bids to close a long, asks to close a short.
        DepthRatio = last depth / its rolling median; None when unknown or the median is 0."""
        if closing_long:
            last, med = self.depth.bid_lots, self.depth.bid_median.median
        else:
            last, med = self.depth.ask_lots, self.depth.ask_median.median
        if last is None or med is None or med <= 0.0:
            return None
        return last / med

    # --- bars -------------------------------------------------------------------------------
    @property
    def atr_h1(self) -> float | None:
        """Wilder ATR of H1 bars, price units."""
        return self.h1.atr

    @property
    def atr_d1(self) -> float | None:
        """Wilder ATR of D1 bars, price units."""
        return self.d1.atr.atr

    @property
    def atr_ratio(self) -> float | None:
        """ATR_H1 × √24 / ATR_D1: above 1, the hours move more than the days imply."""
        h, d = self.h1.atr, self.d1.atr.atr
        if h is None or d is None or d <= 0.0:
            return None
        return h * math.sqrt(24.0) / d

    @property
    def trend(self) -> int:
        """+1 when the last D1 close is above its EMA, −1 below, 0 when equal or unknown."""
        ema, close = self.d1.ema, self.d1.last_close
        if ema is None or close is None or close == ema:
            return 0
        return 1 if close > ema else -1

    # --- margin -----------------------------------------------------------------------------
    @property
    def mpg(self) -> float | None:
        """Margin pressure gradient dm/dσ: margin rate (fraction) per unit of daily σ."""
        return self.margins.mpg

    @property
    def margin_growth_max(self) -> float | None:
        """Largest rise of the margin rate within `margin_growth_window_hours` in the history,
        a fraction (0.5 = +50 %); None without any margin sample."""
        return self.margins.growth_max


def new_symbol_indicators(settings: IndicatorSettings) -> SymbolIndicators:
    """An empty state: every indicator None until enough samples arrive."""
    return SymbolIndicators(settings=settings, params=params_from(settings))


def _check_time(what: str, time_s: float, last: float | None) -> None:
    if not math.isfinite(time_s):
        raise ValueError(f"{what}: time_s={time_s!r} must be finite UTC epoch seconds")
    if last is not None and time_s < last:
        raise ValueError(
            f"{what}: time_s={time_s} is before the last sample at {last}: feed samples in time "
            "order"
        )


def on_quote(state: SymbolIndicators, time_s: float, bid: float, ask: float) -> SymbolIndicators:
    """Fold one quote (bid/ask in price units, ask ≥ bid > 0) at `time_s` (UTC epoch s).

    A quote in a new minute closes the previous minute (its mid return feeds σ_now); a quote in a
    new bucket closes the previous bucket(s) of spread. O(1) per quote; O(W) at a bucket close.
    """
    _check_time("on_quote", time_s, state.quote_time)
    if not (math.isfinite(bid) and bid > 0.0):
        raise ValueError(f"on_quote: bid={bid!r} at t={time_s}: prices must be finite and > 0")
    if not (math.isfinite(ask) and ask >= bid):
        raise ValueError(
            f"on_quote: ask={ask!r} at t={time_s} with bid={bid}: ask must be finite and >= bid"
        )
    p = state.params
    minute = int(time_s // 60)
    bucket = int(time_s // p.bucket_seconds)
    vol, spreads = state.vol, state.spreads
    last_bid, last_ask = state.bid, state.ask
    if state.quote_minute is not None and last_bid is not None and last_ask is not None:
        if minute != state.quote_minute:
            vol = close_minute(vol, p, state.quote_minute, 0.5 * (last_bid + last_ask))
        if state.quote_bucket is not None and bucket != state.quote_bucket:
            spreads = close_spread_buckets(
                spreads, p, last_ask - last_bid, bucket - state.quote_bucket
            )
    return SymbolIndicators(
        state.settings,
        p,
        time_s,
        bid,
        ask,
        minute,
        bucket,
        vol,
        spreads,
        state.depth,
        state.h1,
        state.d1,
        state.margins,
    )


def on_depth(
    state: SymbolIndicators,
    time_s: float,
    bid_depth_lots: float,
    ask_depth_lots: float,
    source: DepthSource = "book",
) -> SymbolIndicators:
    """Fold one depth sample: volume over the top N levels per side, in lots (≥ 0).

    `source` says whether it is the broker's book or the EA's proxy (§7). A sample in a new bucket
    closes the previous bucket(s). O(1) per sample, O(W) at a bucket close.
    """
    d = state.depth
    _check_time("on_depth", time_s, d.time)
    for name, value in (("bid_depth_lots", bid_depth_lots), ("ask_depth_lots", ask_depth_lots)):
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"on_depth: {name}={value!r} at t={time_s}: must be finite and >= 0")
    if source not in ("book", "proxy"):
        raise ValueError(f"on_depth: source={source!r}: must be 'book' or 'proxy'")
    p = state.params
    bucket = int(time_s // p.bucket_seconds)
    bid_med, ask_med = d.bid_median, d.ask_median
    if (
        d.bucket is not None
        and d.bid_lots is not None
        and d.ask_lots is not None
        and bucket != d.bucket
    ):
        bid_med, ask_med = close_depth_buckets(d, p, d.bid_lots, d.ask_lots, bucket - d.bucket)
    depth = DepthState(time_s, bid_depth_lots, ask_depth_lots, bucket, source, bid_med, ask_med)
    return _with(state, depth=depth)


def _check_bar(timeframe: str, time_s: float, prices: tuple[float, float, float, float]) -> None:
    names = ("open", "high", "low", "close")
    for name, value in zip(names, prices, strict=True):
        if not (math.isfinite(value) and value > 0.0):
            raise ValueError(
                f"on_bar: {timeframe} bar at t={time_s}: {name}={value!r} must be finite and > 0"
            )
    if prices[1] < prices[2]:
        raise ValueError(
            f"on_bar: {timeframe} bar at t={time_s}: high={prices[1]} is below low={prices[2]}"
        )


def on_bar(
    state: SymbolIndicators,
    timeframe: str,
    time_s: float,
    open: float,
    high: float,
    low: float,
    close: float,
) -> SymbolIndicators:
    """Fold one closed bar; `time_s` is its open time (UTC epoch s, the MT5 convention).

    H1: ATR_H1. D1: ATR_D1, the trend EMA and the long-run σ. M1: the close stands in for the
    mid of that minute when there are no ticks (σ_now only; do not mix with `on_quote`). O(1).
    """
    if timeframe not in _BAR_SECONDS:
        raise ValueError(f"on_bar: timeframe={timeframe!r}: must be one of M1, H1, D1")
    if not math.isfinite(time_s):
        raise ValueError(f"on_bar: time_s={time_s!r} must be finite UTC epoch seconds")
    _check_bar(timeframe, time_s, (open, high, low, close))
    p = state.params
    if timeframe == "M1":
        return _with(state, vol=close_minute(state.vol, p, int(time_s // 60), close))
    last = state.h1.last_time if timeframe == "H1" else state.d1.atr.last_time
    if last is not None and time_s <= last:
        raise ValueError(
            f"on_bar: {timeframe} bar at t={time_s} is not after the last one at {last}: feed "
            "each closed bar once, in time order"
        )
    if timeframe == "H1":
        return _with(state, h1=update_atr(state.h1, p, time_s, high, low, close))
    return _with(state, d1=update_daily(state.d1, p, time_s, high, low, close))


def on_margin_rate(state: SymbolIndicators, time_s: float, margin_rate: float) -> SymbolIndicators:
    """Fold one margin-rate sample (required margin per unit notional, a fraction > 0, e.g.
    0.0333 for 30:1), paired with the current σ_now for MPG. One sample per hour is kept (a later
    one in the same UTC hour replaces it). O(W) on the fixed hourly window."""
    _check_time("on_margin_rate", time_s, state.margins.last_time)
    if not (math.isfinite(margin_rate) and margin_rate > 0.0):
        raise ValueError(
            f"on_margin_rate: margin_rate={margin_rate!r} at t={time_s}: a fraction of notional, "
            "finite and > 0 (0.0333 = 30:1)"
        )
    margins = update_margin(state.margins, state.params, time_s, margin_rate, state.vol.sigma)
    return _with(state, margins=margins)


def _with(
    s: SymbolIndicators,
    *,
    vol: VolState | None = None,
    depth: DepthState | None = None,
    h1: AtrState | None = None,
    d1: DailyState | None = None,
    margins: MarginState | None = None,
) -> SymbolIndicators:
    return SymbolIndicators(
        s.settings,
        s.params,
        s.quote_time,
        s.bid,
        s.ask,
        s.quote_minute,
        s.quote_bucket,
        s.vol if vol is None else vol,
        s.spreads,
        s.depth if depth is None else depth,
        s.h1 if h1 is None else h1,
        s.d1 if d1 is None else d1,
        s.margins if margins is None else margins,
    )
