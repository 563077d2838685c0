"""Warm on the first decision: the terminal's own history, read at start and at each recalibration.

At start (`Warmup.prepare`) every symbol's history is read through the one terminal port, the same
calls live and in replay (the simulated terminal serves them from the scenario's data):

- `copy_ticks_range` over the last `run.warmup_hours`: bid/ask quotes → σ_now, the portfolio
  covariance, the spread median and its curvature;
- `copy_rates_from_pos` M1 (1 → 3 days): σ_now where the terminal serves no ticks;
- `copy_rates_from_pos` H1 (1 → 60 days) and H4 (1 → 180 days): ATR H1, and the daily σ samples
  of the 60-day high-volatility percentiles for the days before the ticks (from the series that
  reaches further back, `controller.indicators.seed_vol_window`);
- `copy_rates_from_pos` D1 (1 → 400 bars): ATR D1, the D1 trend, the long-run σ floor;
- `order_calc_margin` now: the first sample of the margin-rate history behind MPG.

Start position 1 skips the forming bar: only closed bars are folded. At each recalibration
(`Warmup.refresh`) the bars that closed since are folded in order (H1, D1), and a percentile
window still short is completed from the terminal's H1/H4 bars again. The recalibration reads
from position 0 and drops the forming bar (the same closed bars as position 1), so that it
knows when the forming bar opened: no later bar can close before one bar length after that,
less `OFFSET_MARGIN_S` for the server's UTC offset changing in between (DST), so until then the
timeframe is not asked again (a D1 series is read about three times a day, not 24; H1 every
hour, as every hour closes one). Nor is it asked while the symbol's last tick is the one of the
last read: a bar opens, and the one before it closes, only on a tick (a closed market, a
weekend).

What the terminal cannot serve is said once (one log line and one journal `state` row each):
the indicator, and what it waits for (e.g. the depth medians wait for book samples: MT5 keeps no
history of the book; MPG waits for hourly margin-rate samples).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bridge.config import AppConfig
from bridge.mt5 import constants as mt5c
from bridge.terminal import TerminalError, TerminalPort
from controller import Snapshot, prepare_indicators
from controller.indicators import (
    Bars,
    PortfolioIndicators,
    SymbolHistory,
    SymbolIndicators,
    on_bar,
    on_margin_rate,
    seed_vol_window,
)
from controller.indicators._params import params_from

__all__ = ["BAR_COUNTS", "Warmup"]

#: closed bars asked for per timeframe (start position 1): D1 at least 300, H1/H4 at least 60 days
BAR_COUNTS = {"M1": 3 * 1440, "H1": 60 * 24, "H4": 180 * 6, "D1": 400}
_SECONDS = {"M1": 60, "H1": 3600, "H4": 14_400, "D1": 86_400}
#: seconds by which a bar's successor may open earlier in UTC than one bar length after it: the
#: server's offset moving by an hour at a DST change, and an hour to spare
OFFSET_MARGIN_S = 7200.0


@dataclass
class _Read:
    history: SymbolHistory
    served: dict[str, int]


class Warmup:
    """Reads the terminal's history for the indicators; remembers what was said and fed."""

    def __init__(self, port: TerminalPort, config: AppConfig) -> None:
        self.port = port
        self.config = config
        self.said: set[str] = set()
        self.bar_fed: dict[tuple[str, str], float] = {}
        """(symbol, "H1" | "D1") → open time (UTC s) of the last bar folded into the indicators."""
        self.next_read: dict[tuple[str, str], float] = {}
        """(symbol, "H1" | "D1") → UTC s before which no bar can have closed since the last read
        (the forming bar's open + one bar length − `OFFSET_MARGIN_S`)."""
        self.read_tick: dict[tuple[str, str], float] = {}
        """(symbol, "H1" | "D1") → time of the symbol's last tick at the last read (UTC s)."""
        self.served: dict[str, dict[str, int]] = {}
        """Per symbol: how many quotes and bars of each timeframe the terminal served at start."""
        self.pending: list[str] = []

    # -- reading -----------------------------------------------------------------------------
    def _bars(self, name: str, timeframe: str, count: int | None = None,
              start_pos: int = 1) -> Bars | None:
        try:
            return self.port.bars(name, timeframe, count or BAR_COUNTS[timeframe], start_pos)
        except TerminalError:
            return None

    def _ticks(self, name: str, now: float) -> dict[str, Any]:
        clock = self.port.clock
        start = now - self.config.run.warmup_hours * 3600.0
        try:
            ticks = self.port.call("copy_ticks_range", name, int(clock.to_server(start)),
                                   int(clock.to_server(now)), mt5c.COPY_TICKS_INFO)
        except TerminalError:
            return {}
        if not len(ticks):
            return {}
        t = clock.to_utc_array(ticks["time_msc"] // 1000).astype(np.float64)
        t += (ticks["time_msc"] % 1000) / 1000.0
        keep = (ticks["bid"] > 0) & (ticks["ask"] >= ticks["bid"])
        return {"quote_time": t[keep], "bid": ticks["bid"][keep].astype(np.float64),
                "ask": ticks["ask"][keep].astype(np.float64)}

    def read(self, name: str, now: float) -> _Read:
        """One symbol's history from the terminal (see the module docstring)."""
        kwargs: dict[str, Any] = self._ticks(name, now)
        bars = {tf: self._bars(name, tf) for tf in ("M1", "H1", "H4", "D1")}
        served = {"ticks": int(kwargs["quote_time"].size) if kwargs else 0}
        served.update({tf: len(b) if b is not None else 0 for tf, b in bars.items()})
        intraday, seconds = _longest_intraday(bars)
        history = SymbolHistory(**kwargs, m1=bars["M1"], h1=bars["H1"], d1=bars["D1"],
                                intraday=intraday, intraday_seconds=seconds)
        return _Read(history, served)

    # -- start -------------------------------------------------------------------------------
    def prepare(self, symbols: Sequence[str], snap: Snapshot
                ) -> tuple[dict[str, SymbolIndicators], PortfolioIndicators | None]:
        """Indicators of `symbols` prepared from the terminal's history at the snapshot's time."""
        now = snap.time
        histories: dict[str, SymbolHistory] = {}
        for name in symbols:
            try:
                r = self.read(name, now)
            except (TerminalError, ValueError) as exc:
                self.served[name] = {}
                self.pending.append(f"{name}: no history read ({exc}); its indicators warm on "
                                    "live quotes")
                continue
            histories[name] = r.history
            self.served[name] = r.served
        indicators, portfolio = prepare_indicators(histories, self.config)
        for name, h in histories.items():
            for timeframe, bars in (("H1", h.h1), ("D1", h.d1)):
                if bars is not None and len(bars):
                    self.bar_fed[(name, timeframe)] = float(bars.time[-1])
        for name, ind in indicators.items():
            indicators[name] = self.margin_sample(name, ind, snap)
        return indicators, portfolio

    def margin_rate(self, name: str, snap: Snapshot) -> float | None:
        """The margin rate of `name` now: the required margin of one lot at the ask ÷ its
        notional in the account currency (a fraction); None when the terminal cannot say."""
        try:
            return self.port.margin_rate(name, snap)
        except TerminalError:
            return None

    def margin_sample(self, name: str, ind: SymbolIndicators, snap: Snapshot
                      ) -> SymbolIndicators:
        """Fold the margin rate (`margin_rate`) at the snapshot's time; unchanged when the
        terminal cannot say."""
        rate = self.margin_rate(name, snap)
        if rate is None:
            return ind
        try:
            return on_margin_rate(ind, snap.time, rate)
        except ValueError:
            return ind

    # -- recalibration -----------------------------------------------------------------------
    def refresh(self, name: str, ind: SymbolIndicators, now: float,
                tick_time: float | None = None) -> SymbolIndicators:
        """Fold the H1/D1 bars closed since the last one fed (oldest first) and complete a
        percentile window still short from the terminal's H1/H4 bars. `tick_time`: the time of
        the symbol's last tick (UTC s; None or 0 when unknown)."""
        for timeframe in ("H1", "D1"):
            ind = self._fold_closed(name, timeframe, ind, now, tick_time)
        p = params_from(self.config.indicators)
        if len(ind.vol.daily) < p.min_vol_days:
            intraday, seconds = _longest_intraday({tf: self._bars(name, tf) for tf in ("H1", "H4")})
            if intraday is not None:
                v = ind.vol
                # the quotes' samples cover the days before the current one: seed before them
                before = (v.day - len(v.daily)) * 86_400.0 if v.day is not None else now
                ind = replace(ind, vol=seed_vol_window(v, p, intraday, seconds, before))
        return ind

    def _fold_closed(self, name: str, timeframe: str, ind: SymbolIndicators, now: float,
                     tick_time: float | None) -> SymbolIndicators:
        """Fold the `timeframe` bars closed since the last one fed, oldest first; not asked while
        no bar can have closed since the last read (`next_read`, `read_tick`)."""
        key = (name, timeframe)
        ticked = tick_time is not None and tick_time > 0.0
        if now < self.next_read.get(key, -math.inf) or (
                ticked and self.read_tick.get(key) == tick_time):
            return ind
        last = self.bar_fed.get(key, -math.inf)
        count = BAR_COUNTS[timeframe]
        if math.isfinite(last):
            count = min(count, max(2, int((now - last) // _SECONDS[timeframe]) + 2))
        bars = self._bars(name, timeframe, count + 1, start_pos=0)  # the closed ones + forming
        if bars is None:
            return ind
        forming = float(bars.time[-1])
        self.next_read[key] = min(forming, now) + _SECONDS[timeframe] - OFFSET_MARGIN_S
        if ticked and tick_time is not None:
            self.read_tick[key] = tick_time
        for i in np.flatnonzero(bars.time[:-1] > last).tolist():
            ind = on_bar(ind, timeframe, float(bars.time[i]), float(bars.open[i]),
                         float(bars.high[i]), float(bars.low[i]), float(bars.close[i]))
            self.bar_fed[key] = float(bars.time[i])
        return ind

    # -- what is missing ---------------------------------------------------------------------
    def waiting(self, indicators: dict[str, SymbolIndicators]) -> list[str]:
        """One sentence per indicator still empty: which, and what it waits for (new ones)."""
        s = self.config.indicators
        out, self.pending = self.pending, []
        for name, ind in sorted(indicators.items()):
            served = self.served.get(name, {})
            checks = (
                (ind.sigma_now is None, "σ_now", "waits",
                 f"{s.min_vol_minutes} one-minute returns (the terminal served "
                 f"{served.get('ticks', 0)} ticks and {served.get('M1', 0)} M1 bars)"),
                (ind.sigma_enter is None, "the high-volatility percentiles", "wait",
                 f"{s.min_vol_days} daily σ samples (have {len(ind.vol.daily)}; the terminal "
                 f"served {served.get('H1', 0)} H1 and {served.get('H4', 0)} H4 bars)"),
                (ind.sigma_long is None, "the long-run σ floor", "waits",
                 f"{s.min_long_vol_days} D1 returns (the terminal served "
                 f"{served.get('D1', 0)} D1 bars)"),
                (ind.atr_h1 is None, "ATR H1", "waits",
                 f"{s.atr_period} closed H1 bars (served {served.get('H1', 0)})"),
                (ind.atr_d1 is None, "ATR D1", "waits",
                 f"{s.atr_period} closed D1 bars (served {served.get('D1', 0)})"),
                (ind.spread_median is None, "the spread median", "waits",
                 f"{s.min_median_buckets} buckets of {s.bucket_seconds} s of quotes"),
                (ind.depth_median_bid_lots is None, "the depth medians", "wait",
                 f"{s.min_median_buckets} buckets of {s.bucket_seconds} s of book samples (MT5 "
                 "keeps no history of the book); the spread proxy stands in meanwhile"),
                (ind.mpg is None, "MPG", "waits",
                 f"{s.min_mpg_points} hourly margin-rate samples (MT5 serves no margin history)"),
            )
            for missing, what, verb, needs in checks:
                key = f"{name}:{what}"
                if missing and key not in self.said:
                    self.said.add(key)
                    out.append(f"{name}: {what} {verb} for {needs}")
        return out


def _longest_intraday(bars: dict[str, Bars | None]) -> tuple[Bars | None, float]:
    """The H1 or H4 series reaching furthest back (H1 on a tie), and its bar length (s)."""
    best: tuple[Bars | None, float] = (None, 3600.0)
    start = math.inf
    for tf in ("H1", "H4"):
        b = bars.get(tf)
        if b is not None and len(b) >= 2 and float(b.time[0]) < start:
            best, start = (b, float(_SECONDS[tf])), float(b.time[0])
    return best
