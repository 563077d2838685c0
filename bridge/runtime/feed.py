"""The indicator feed: the terminal's history read at start (`bridge.warmup`), then every
snapshot's quotes and depth, the minute returns into the portfolio covariance, and the hourly
H1/D1 bars and margin rate. Times in UTC epoch seconds; depth in lots."""

from __future__ import annotations

from collections.abc import Sequence

from loguru import logger

from bridge.config import AppConfig
from bridge.terminal import TerminalError, TerminalPort
from bridge.warmup import Warmup
from controller import Snapshot
from controller.indicators import (
    PortfolioIndicators,
    SymbolIndicators,
    new_portfolio_indicators,
    new_symbol_indicators,
    on_depth,
    on_margin_rate,
    on_minute_returns,
    on_quote,
)
from controller.liquidity import hit_side_depth

__all__ = ["IndicatorFeed"]


class IndicatorFeed:
    """The per-symbol and portfolio indicators the controller decides on."""

    def __init__(self, port: TerminalPort, config: AppConfig) -> None:
        self.port = port
        self.config = config
        self.warmup = Warmup(port, config)
        self.indicators: dict[str, SymbolIndicators] = {}
        self.portfolio: PortfolioIndicators | None = None
        self._last_minute_fed: float | None = None

    def prepare(self, symbols: Sequence[str], snap: Snapshot) -> None:
        """At start: every symbol warmed from the terminal's history (empty where it has none)."""
        self.indicators, self.portfolio = self.warmup.prepare(symbols, snap)
        for name in symbols:
            self.indicators.setdefault(name, new_symbol_indicators(self.config.indicators))
        if self.portfolio is None or set(self.portfolio.symbols) != set(symbols):
            self.portfolio = new_portfolio_indicators(symbols, self.config.indicators)
        fed = [i.minute_return_time for i in self.indicators.values()
               if i.minute_return_time is not None]
        self._last_minute_fed = max(fed) if fed else None  # the history is already folded in

    def waiting(self) -> list[str]:
        """One sentence per indicator the history could not warm (each said once)."""
        return self.warmup.waiting(self.indicators)

    def update(self, snap: Snapshot) -> None:
        """Fold the snapshot's quotes and depth; the new minute returns into the portfolio."""
        minute_returns: dict[str, float] = {}
        minute_time: float | None = None
        for name, market in snap.market.items():
            ind = self.indicators.get(name)
            if ind is None:
                ind = new_symbol_indicators(self.config.indicators)
            try:
                ind = on_quote(ind, snap.time, market.bid, market.ask)
                if market.book:
                    bids = hit_side_depth(market, 1.0) or 0.0
                    asks = hit_side_depth(market, -1.0) or 0.0
                    ind = on_depth(ind, snap.time, bids, asks)
                elif market.bid_depth is not None and market.ask_depth is not None:
                    ind = on_depth(ind, snap.time, market.bid_depth, market.ask_depth)
            except ValueError as exc:
                logger.warning("indicator update for {} skipped: {}", name, exc)
                continue
            self.indicators[name] = ind
            t = ind.minute_return_time
            if t is not None and ind.minute_return is not None and \
                    (self._last_minute_fed is None or t > self._last_minute_fed):
                minute_returns[name] = ind.minute_return
                minute_time = t if minute_time is None else max(minute_time, t)
        if minute_returns and minute_time is not None:
            self._fold_minute(minute_returns, minute_time)

    def _fold_minute(self, minute_returns: dict[str, float], minute_time: float) -> None:
        if self.portfolio is None:
            return
        known = {k: v for k, v in minute_returns.items() if k in self.portfolio.symbols}
        if known:
            self.portfolio = on_minute_returns(self.portfolio, minute_time, known)
        self._last_minute_fed = minute_time

    def recalibrate(self, snap: Snapshot) -> None:
        """Hourly: the last closed H1/D1 bars and the margin rate of every symbol; a symbol the
        terminal cannot serve keeps its indicators (a warning says why)."""
        for name, ind in list(self.indicators.items()):
            market = snap.market.get(name)
            try:
                ind = self.warmup.refresh(name, ind, snap.time,
                                          market.time if market is not None else None)
                rate = self.port.margin_rate(name, snap)
                if rate is not None:
                    ind = on_margin_rate(ind, snap.time, rate)
            except (TerminalError, ValueError) as exc:
                logger.warning("recalibration of {} skipped: {}", name, exc)
                continue
            self.indicators[name] = ind
