"""Portfolio volatility and diversification (DESIGN §3.2 correlation spike, §3.3 σ = √(wᵀΣw)).

Two EWMA covariance matrices of 1-minute log returns across the book's symbols (zero mean,
bias-corrected weights, as σ_now): C_ij = S_ij / W_ij with S ← λS + r rᵀ and W ← λW + m mᵀ,
m_i = 1 when symbol i has a return that minute (pairwise weights).
- slow: half-life `vol_halflife_minutes`, scaled × 1440 to daily, for the portfolio σ;
- fast: half-life `corr_fast_halflife_minutes`, for the average pairwise correlation.
Each minute costs O(n²) for n symbols (fixed for a book): constant per sample.
A symbol with no return in a minute (no quote) is left out of that minute: no zero fill, so a
sparsely quoted symbol keeps its own variance (its next return spans the gap, normalised per
minute exactly as in its own σ_now); a pair never quoted in the same minute has covariance 0.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from controller.indicators._history import SymbolHistory
from controller.indicators._kernels import ewma_alpha
from controller.indicators._params import MINUTES_PER_DAY
from controller.indicators._settings import IndicatorSettings
from controller.indicators._volatility import minute_return

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
    """EWMA covariance state of the book's symbols (arrays are read-only).

    The daily covariance, σ and both correlation matrices are computed when a minute is folded,
    so the readers (`portfolio_sigma`, `avg_pairwise_correlation`) only do O(n²) arithmetic.
    """

    settings: IndicatorSettings
    symbols: tuple[str, ...]
    index: Mapping[str, int]
    """Position of each symbol in the matrices (read-only mapping)."""
    slow_decay: float
    fast_decay: float
    last_time: float | None
    n_minutes: int
    slow_sum: FloatArray
    """S of the slow covariance, (n, n), squared log returns."""
    slow_weight: FloatArray
    """W of the slow covariance, (n, n): decayed count of the minutes both symbols had a return."""
    fast_sum: FloatArray
    fast_weight: FloatArray
    cov_daily: FloatArray | None
    """Σ: slow covariance of daily log returns (1-minute EWMA × 1440); None before any minute."""
    sd_daily: FloatArray | None
    """√diag Σ: each symbol's daily σ, fraction per day."""
    corr_slow: FloatArray | None
    """Correlations of Σ; a symbol that never moved is uncorrelated (0 off the diagonal)."""
    corr_fast: FloatArray | None
    """Correlations of the fast covariance; NaN rows for a symbol that never moved."""
    sums: FloatArray
    """(2, 2, n, n): [slow, fast] × [S, W] stacked (the four arrays above are its views), so a
    minute is folded in one multiply-add."""
    decays: FloatArray
    """(2, 1, 1, 1): [slow_decay, fast_decay], shaped to scale `sums`."""

    def slow_covariance_daily(self) -> FloatArray | None:
        """Σ: covariance of daily log returns (1-minute EWMA × 1440); None before any minute."""
        return self.cov_daily

    def fast_correlation(self) -> FloatArray | None:
        """Correlation matrix of the fast EWMA covariance (NaN where a symbol never moved)."""
        return self.corr_fast


def _correlation(cov: FloatArray, sd: FloatArray, fill: float) -> FloatArray:
    moved = sd > 0.0
    if moved.all():  # every symbol moved: the same elementwise division, without the fill
        corr = cov / np.outer(sd, sd)
    else:
        corr = np.full_like(cov, fill)
        corr[np.ix_(moved, moved)] = cov[np.ix_(moved, moved)] / np.outer(sd[moved], sd[moved])
    if fill == 0.0:
        np.fill_diagonal(corr, 1.0)
    return _frozen(corr)


def _derived(sums: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Σ (daily), its σ, the slow and the fast correlations, from the stacked sums.

    C = S / W elementwise (0 where no minute was shared, W = 0), the slow one × 1440, σ = √diag,
    ρ_ij = C_ij / (σ_i σ_j): each element divided, scaled and rooted as one matrix at a time
    would, the slow and fast halves in one numpy call each."""
    weight = sums[:, 1]
    ratio = np.zeros_like(weight)
    np.divide(sums[:, 0], weight, out=ratio, where=weight > 0.0)
    ratio[0] *= MINUTES_PER_DAY
    sd = np.sqrt(np.diagonal(ratio, axis1=1, axis2=2))
    if not (sd > 0.0).all():  # a symbol that never moved: the masked form
        cov = _frozen(ratio[0])
        return cov, _frozen(sd[0]), _correlation(cov, sd[0], 0.0), \
            _correlation(ratio[1], sd[1], math.nan)
    corr = ratio / (sd[:, :, None] * sd[:, None, :])
    np.fill_diagonal(corr[0], 1.0)
    return _frozen(ratio[0]), _frozen(sd[0]), _frozen(corr[0]), _frozen(corr[1])


def _decays(slow: float, fast: float) -> FloatArray:
    """[slow, fast] shaped (2, 1, 1, 1) to scale the stacked sums."""
    return _frozen(np.array([slow, fast], dtype=np.float64).reshape(2, 1, 1, 1))


def _build(
    state: PortfolioIndicators | None,
    settings: IndicatorSettings,
    symbols: tuple[str, ...],
    last_time: float | None,
    n_minutes: int,
    sums: FloatArray,
) -> PortfolioIndicators:
    cov = sd = corr_slow = corr_fast = None
    if sums.size and sums[0, 1].max() > 0.0:
        cov, sd, corr_slow, corr_fast = _derived(sums)
    slow_decay = state.slow_decay if state else 1.0 - ewma_alpha(settings.vol_halflife_minutes)
    fast_decay = (
        state.fast_decay if state else 1.0 - ewma_alpha(settings.corr_fast_halflife_minutes)
    )
    _frozen(sums)
    return PortfolioIndicators(
        settings=settings,
        symbols=symbols,
        index=state.index if state else MappingProxyType({s: i for i, s in enumerate(symbols)}),
        slow_decay=slow_decay,
        fast_decay=fast_decay,
        last_time=last_time,
        n_minutes=n_minutes,
        slow_sum=sums[0, 0],
        slow_weight=sums[0, 1],
        fast_sum=sums[1, 0],
        fast_weight=sums[1, 1],
        cov_daily=cov,
        sd_daily=sd,
        corr_slow=corr_slow,
        corr_fast=corr_fast,
        sums=sums,
        decays=state.decays if state else _decays(slow_decay, fast_decay),
    )


def new_portfolio_indicators(
    symbols: Iterable[str], settings: IndicatorSettings
) -> PortfolioIndicators:
    """Empty covariance state over `symbols` (order kept, duplicates rejected)."""
    names = tuple(symbols)
    if len(set(names)) != len(names):
        dup = next(s for s in names if names.count(s) > 1)
        raise ValueError(f"symbols: {dup!r} appears twice; list each symbol once")
    n = len(names)
    return _build(None, settings, names, None, 0, np.zeros((2, 2, n, n)))


def on_minute_returns(
    state: PortfolioIndicators, time_s: float, returns: Mapping[str, float]
) -> PortfolioIndicators:
    """Fold the 1-minute log returns of the minute starting at `time_s` (UTC epoch s).

    Symbols absent from `returns` are left out of this minute (no zero fill); a symbol not in
    the state raises. O(n²).
    """
    if not math.isfinite(time_s):
        raise ValueError(f"on_minute_returns: time_s={time_s!r} must be finite UTC epoch seconds")
    if state.last_time is not None and time_s <= state.last_time:
        raise ValueError(
            f"on_minute_returns: time_s={time_s} is not after the last minute {state.last_time}:"
            " feed each minute once, in time order"
        )
    sums = _fold_sums(state, state.sums, returns)
    return _build(state, state.settings, state.symbols, time_s, state.n_minutes + 1, sums)


def _fold_sums(state: PortfolioIndicators, sums: FloatArray,
               returns: Mapping[str, float]) -> FloatArray:
    """S ← λS + r rᵀ and W ← λW + m mᵀ for both half-lives (the arithmetic of one minute), on
    the stacked sums: elementwise the same products and sums as one matrix at a time."""
    rm = np.zeros((2, len(state.symbols)))
    for symbol, value in returns.items():
        i = state.index.get(symbol)
        if i is None:
            raise ValueError(
                f"returns[{symbol!r}]: symbol not in the portfolio indicators "
                f"{list(state.symbols)}; build them with new_portfolio_indicators including it"
            )
        if not math.isfinite(value):
            raise ValueError(f"returns[{symbol!r}]={value!r}: a log return must be finite")
        rm[0, i] = value
        rm[1, i] = 1.0
    outer: FloatArray = rm[:, :, None] * rm[:, None, :]  # [r rᵀ, m mᵀ]
    folded: FloatArray = state.decays * sums + outer
    return folded


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
    when a weighted symbol is not tracked by the state (its σ is unknown). O(n²).
    """
    cov, sd, corr = state.cov_daily, state.sd_daily, state.corr_slow
    if cov is None or sd is None or corr is None:
        return None
    if state.n_minutes < state.settings.min_vol_minutes:
        return None
    w = _weight_vector(state, weights)
    if w is None:
        return None
    if sigma_floor is None:
        var = float(w @ cov @ w)
    else:
        u = w * np.maximum(sd, _floor_vector(state, sigma_floor))
        var = float(u @ corr @ u)
    return math.sqrt(max(var, 0.0))


def _weight_vector(state: PortfolioIndicators,
                   weights: Mapping[str, float]) -> npt.NDArray[np.float64] | None:
    """The signed weights in the state's symbol order; None when a weighted symbol is not
    tracked (a zero weight on one is ignored). A weight that is not finite is refused."""
    w = np.zeros(len(state.symbols))
    for symbol, weight in weights.items():
        if not math.isfinite(weight):
            raise ValueError(f"weights[{symbol!r}]={weight!r}: a weight must be finite")
        i = state.index.get(symbol)
        if i is None:
            if weight == 0.0:
                continue
            return None
        w[i] = weight
    return w


def _floor_vector(state: PortfolioIndicators,
                  sigma_floor: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """The per-symbol σ floors (daily) in the state's symbol order, 0 where none is given."""
    floor = np.zeros(len(state.symbols))
    for symbol, f in sigma_floor.items():
        if not (math.isfinite(f) and f >= 0.0):
            raise ValueError(
                f"sigma_floor[{symbol!r}]={f!r}: a σ floor must be finite and >= 0"
            )
        i = state.index.get(symbol)
        if i is not None:
            floor[i] = f
    return floor


def avg_pairwise_correlation(state: PortfolioIndicators, symbols: Iterable[str]) -> float | None:
    """Mean of ρ_ij over the pairs i < j of `symbols`, from the fast EWMA covariance.

    Symbols not tracked or that never moved are left out; None with fewer than two left or before
    `min_vol_minutes` minutes. Toward 1: diversification is failing (a liquidity-crash sign).
    """
    corr = state.corr_fast
    if corr is None or state.n_minutes < state.settings.min_vol_minutes:
        return None
    diag = state.fast_sum.diagonal().tolist()
    idx = sorted({i for s in symbols if (i := state.index.get(s)) is not None and diag[i] > 0.0})
    k = len(idx)
    if k < 2:
        return None
    # every tracked symbol: the matrix itself (C-ordered like the selection, summed alike)
    sub = corr if k == len(diag) else corr[np.ix_(idx, idx)]
    return float((sub.sum() - np.trace(sub)) / (k * (k - 1)))


def minute_returns(history: SymbolHistory) -> tuple[list[int], list[float]]:
    """(epoch minute, per-minute log return) of every closed minute, as `on_quote` and
    `on_bar("M1")` see them (a return over k minutes is divided by √k, see `minute_return`).

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
    rets = [
        minute_return(p, c, m1 - m0)
        for (m0, p), (m1, c) in itertools.pairwise(zip(minutes, closes, strict=True))
    ]
    return minutes[1:], rets


def prepare_portfolio(
    histories: Mapping[str, SymbolHistory], settings: IndicatorSettings
) -> PortfolioIndicators:
    """Covariance state of the symbols of `histories`, equal to folding `on_minute_returns` over
    every minute in which at least one symbol has a return (minute start as `time_s`), in time
    order. Symbols keep the order of `histories`."""
    state = new_portfolio_indicators(histories.keys(), settings)
    by_minute: dict[int, dict[str, float]] = {}
    for symbol, history in histories.items():
        minutes, rets = minute_returns(history)
        for m, r in zip(minutes, rets, strict=True):
            by_minute.setdefault(m, {})[symbol] = r
    sums = state.sums
    for m in sorted(by_minute):  # the sums only: the derived matrices are built once at the end
        sums = _fold_sums(state, sums, by_minute[m])
    if not by_minute:
        return state
    last = float(max(by_minute) * 60)
    return _build(state, settings, state.symbols, last, len(by_minute), sums)
