"""Portfolio volatility and diversification (DESIGN §3.2 correlation spike, §3.3 σ = √(wᵀΣw)).

Two EWMA covariance matrices of 1-minute log returns across the book's symbols (zero mean,
bias-corrected weights, as σ_now): C = S / W with S ← λS + r rᵀ, W ← λW + 1.
- slow: half-life `vol_halflife_minutes`, scaled × 1440 to daily, for the portfolio σ;
- fast: half-life `corr_fast_halflife_minutes`, for the average pairwise correlation.
Each minute costs O(n²) for n symbols (fixed for a book): constant per sample.
A symbol with no return in a minute (no quote) counts with return 0 that minute; its next return
spans the gap, exactly as in its own σ_now.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from controller.indicators._history import SymbolHistory
from controller.indicators._kernels import ewma_alpha
from controller.indicators._params import MINUTES_PER_DAY
from controller.indicators._settings import IndicatorSettings

__all__ = [
    "PortfolioIndicators",
    "avg_pairwise_correlation",
    "minute_returns",
    "new_portfolio_indicators",
    "on_minute_returns",
    "portfolio_sigma",
    "prepare_portfolio",
]

FloatArray = npt.NDArray[np.float64]


def _frozen(a: FloatArray) -> FloatArray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, slots=True, eq=False)
class PortfolioIndicators:
    """EWMA covariance state of the book's symbols (arrays are read-only)."""

    settings: IndicatorSettings
    symbols: tuple[str, ...]
    slow_decay: float
    fast_decay: float
    last_time: float | None
    n_minutes: int
    slow_sum: FloatArray
    """S of the slow covariance, (n, n), squared log returns."""
    slow_weight: float
    fast_sum: FloatArray
    fast_weight: float

    def slow_covariance_daily(self) -> FloatArray | None:
        """Σ: covariance of daily log returns (1-minute EWMA × 1440); None before any minute."""
        if self.slow_weight <= 0.0:
            return None
        return self.slow_sum / self.slow_weight * MINUTES_PER_DAY

    def fast_correlation(self) -> FloatArray | None:
        """Correlation matrix of the fast EWMA covariance (NaN where a symbol never moved)."""
        if self.fast_weight <= 0.0:
            return None
        c = self.fast_sum / self.fast_weight
        sd = np.sqrt(np.diag(c))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr: FloatArray = c / np.outer(sd, sd)
        return corr


def new_portfolio_indicators(
    symbols: Iterable[str], settings: IndicatorSettings
) -> PortfolioIndicators:
    """Empty covariance state over `symbols` (order kept, duplicates rejected)."""
    names = tuple(symbols)
    if len(set(names)) != len(names):
        dup = next(s for s in names if names.count(s) > 1)
        raise ValueError(f"symbols: {dup!r} appears twice; list each symbol once")
    n = len(names)
    return PortfolioIndicators(
        settings=settings,
        symbols=names,
        slow_decay=1.0 - ewma_alpha(settings.vol_halflife_minutes),
        fast_decay=1.0 - ewma_alpha(settings.corr_fast_halflife_minutes),
        last_time=None,
        n_minutes=0,
        slow_sum=_frozen(np.zeros((n, n))),
        slow_weight=0.0,
        fast_sum=_frozen(np.zeros((n, n))),
        fast_weight=0.0,
    )


def on_minute_returns(
    state: PortfolioIndicators, time_s: float, returns: Mapping[str, float]
) -> PortfolioIndicators:
    """Fold the 1-minute log returns of the minute starting at `time_s` (UTC epoch s).

    Symbols absent from `returns` count with 0; a symbol not in the state raises. O(n²).
    """
    if not math.isfinite(time_s):
        raise ValueError(f"on_minute_returns: time_s={time_s!r} must be finite UTC epoch seconds")
    if state.last_time is not None and time_s <= state.last_time:
        raise ValueError(
            f"on_minute_returns: time_s={time_s} is not after the last minute {state.last_time}:"
            " feed each minute once, in time order"
        )
    r = np.zeros(len(state.symbols))
    for symbol, value in returns.items():
        try:
            i = state.symbols.index(symbol)
        except ValueError:
            raise ValueError(
                f"returns[{symbol!r}]: symbol not in the portfolio indicators "
                f"{list(state.symbols)}; build them with new_portfolio_indicators including it"
            ) from None
        if not math.isfinite(value):
            raise ValueError(f"returns[{symbol!r}]={value!r}: a log return must be finite")
        r[i] = value
    rr = np.outer(r, r)
    return PortfolioIndicators(
        settings=state.settings,
        symbols=state.symbols,
        slow_decay=state.slow_decay,
        fast_decay=state.fast_decay,
        last_time=time_s,
        n_minutes=state.n_minutes + 1,
        slow_sum=_frozen(state.slow_decay * state.slow_sum + rr),
        slow_weight=state.slow_decay * state.slow_weight + 1.0,
        fast_sum=_frozen(state.fast_decay * state.fast_sum + rr),
        fast_weight=state.fast_decay * state.fast_weight + 1.0,
    )


def portfolio_sigma(
    state: PortfolioIndicators,
    weights: Mapping[str, float],
    sigma_floor: Mapping[str, float] | None = None,
) -> float | None:
    """Daily σ of the book per unit of notional: σ = √(wᵀ Σ w), a fraction per day.

    `weights` w_s = PV_s / PV, signed (+ long, − short) so that hedges offset. With `sigma_floor`
    (per-symbol long-run daily σ), each symbol's σ is raised to at least its floor while the
    correlations are kept: Σ'_ij = ρ_ij max(σ_i, f_i) max(σ_j, f_j) (the counter-cyclical floor of
    §3.3; a symbol that never moved is uncorrelated). None before `min_vol_minutes` minutes, or
    when a weighted symbol is not tracked by the state (its σ is unknown).
    """
    cov = state.slow_covariance_daily()
    if cov is None or state.n_minutes < state.settings.min_vol_minutes:
        return None
    w = np.zeros(len(state.symbols))
    for symbol, weight in weights.items():
        if not math.isfinite(weight):
            raise ValueError(f"weights[{symbol!r}]={weight!r}: a weight must be finite")
        if symbol not in state.symbols:
            if weight == 0.0:
                continue
            return None
        w[state.symbols.index(symbol)] = weight
    if sigma_floor is not None:
        sd = np.sqrt(np.diag(cov))
        floor = np.array([sigma_floor.get(s, 0.0) for s in state.symbols], dtype=np.float64)
        if not np.all(np.isfinite(floor) & (floor >= 0.0)):
            bad = state.symbols[int(np.flatnonzero(~(np.isfinite(floor) & (floor >= 0.0)))[0])]
            raise ValueError(
                f"sigma_floor[{bad!r}]={sigma_floor[bad]!r}: a σ floor must be finite and >= 0"
            )
        moved = sd > 0.0
        corr = np.zeros_like(cov)
        corr[np.ix_(moved, moved)] = cov[np.ix_(moved, moved)] / np.outer(sd[moved], sd[moved])
        np.fill_diagonal(corr, 1.0)
        sd_floored = np.maximum(sd, floor)
        cov = corr * np.outer(sd_floored, sd_floored)
    var = float(w @ cov @ w)
    return math.sqrt(max(var, 0.0))


def avg_pairwise_correlation(state: PortfolioIndicators, symbols: Iterable[str]) -> float | None:
    """Mean of ρ_ij over the pairs i < j of `symbols`, from the fast EWMA covariance.

    Symbols not tracked or that never moved are left out; None with fewer than two left or before
    `min_vol_minutes` minutes. Toward 1: diversification is failing (a liquidity-crash sign).
    """
    corr = state.fast_correlation()
    if corr is None or state.n_minutes < state.settings.min_vol_minutes:
        return None
    diag = np.diag(state.fast_sum)
    idx = sorted(
        {state.symbols.index(s) for s in symbols if s in state.symbols}
        - {int(i) for i in np.flatnonzero(diag <= 0.0)}
    )
    if len(idx) < 2:
        return None
    sub = corr[np.ix_(idx, idx)]
    upper = sub[np.triu_indices(len(idx), k=1)]
    return float(np.mean(upper))


def minute_returns(history: SymbolHistory) -> tuple[list[int], list[float]]:
    """(epoch minute, log return) of every closed minute, as `on_quote` / `on_bar("M1")` see them.

    From quotes: a minute's close is its last mid; the last minute of the quotes is still open
    (no later quote closed it) and gives no return. From M1 bars (when no quotes): each close.
    """
    minutes: list[int]
    closes: list[float]
    t = history.quote_time
    if t is not None and t.size and history.bid is not None and history.ask is not None:
        minute = np.floor_divide(t, 60.0).astype(np.int64)
        last = np.flatnonzero(minute[1:] != minute[:-1])
        minutes = minute[last].tolist()
        closes = (0.5 * (history.bid[last] + history.ask[last])).tolist()
    elif history.m1 is not None:
        minutes = np.floor_divide(history.m1.time, 60.0).astype(np.int64).tolist()
        closes = history.m1.close.tolist()
    else:
        return [], []
    rets = [math.log(c / p) for p, c in itertools.pairwise(closes)]
    return minutes[1:], rets


def prepare_portfolio(
    histories: Mapping[str, SymbolHistory], settings: IndicatorSettings
) -> PortfolioIndicators:
    """Covariance state of the symbols of `histories`, equal to folding `on_minute_returns` over
    every minute in which at least one symbol has a return (minute start as `time_s`)."""
    state = new_portfolio_indicators(histories.keys(), settings)
    by_minute: dict[int, dict[str, float]] = {}
    for symbol, history in histories.items():
        minutes, rets = minute_returns(history)
        for m, r in zip(minutes, rets, strict=True):
            by_minute.setdefault(m, {})[symbol] = r
    for m in sorted(by_minute):
        state = on_minute_returns(state, float(m * 60), by_minute[m])
    return state
