"""Indicators of the controller (DESIGN §3.2, volatility parts of §3.3 and §3.5): pure core.

Per symbol, a `SymbolIndicators` value holds σ_now, the long-run σ and its high-volatility
percentiles, spread and depth with their rolling medians, the liquidity acceleration, ATR H1/D1
and the D1 trend, and the margin pressure gradient. It is built once from history with
`prepare_symbol` and advanced with the O(1) `on_*` update functions; the two give the same state.
Across symbols, `PortfolioIndicators` holds the EWMA covariance of 1-minute returns for the
portfolio σ and the average pairwise correlation. `lvi` and `stress_margin` combine them with the
account's positions.

No I/O, no clock: time is always an argument (UTC epoch seconds).
"""

from controller.indicators._history import Bars, SymbolHistory
from controller.indicators._kernels import ewma_alpha, ols_slope, wilder_atr
from controller.indicators._portfolio import (
    PortfolioIndicators,
    avg_pairwise_correlation,
    minute_returns,
    new_portfolio_indicators,
    on_minute_returns,
    portfolio_sigma,
    prepare_portfolio,
)
from controller.indicators._prepare import prepare_symbol
from controller.indicators._risk import lvi, stress_margin
from controller.indicators._seed import intraday_daily_sigmas, seed_vol_window
from controller.indicators._settings import IndicatorSettings
from controller.indicators._symbol import (
    DepthSource,
    SymbolIndicators,
    Timeframe,
    new_symbol_indicators,
    on_bar,
    on_depth,
    on_margin_rate,
    on_quote,
)

__all__ = [
    "Bars",
    "DepthSource",
    "IndicatorSettings",
    "PortfolioIndicators",
    "SymbolHistory",
    "SymbolIndicators",
    "Timeframe",
    "avg_pairwise_correlation",
    "ewma_alpha",
    "intraday_daily_sigmas",
    "lvi",
    "minute_returns",
    "new_portfolio_indicators",
    "new_symbol_indicators",
    "ols_slope",
    "on_bar",
    "on_depth",
    "on_margin_rate",
    "on_minute_returns",
    "on_quote",
    "portfolio_sigma",
    "prepare_portfolio",
    "prepare_symbol",
    "seed_vol_window",
    "stress_margin",
    "wilder_atr",
]
