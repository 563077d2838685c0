"""§3.3 over the book: σ, LR, L_safe, the stress margin and the cash buffer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from controller.book import Book
from controller.book_liquidity import BookLiquidity
from controller.extras import thin_hours_spread_multiple
from controller.indicators import (
    PortfolioIndicators,
    SymbolIndicators,
    portfolio_sigma,
    stress_margin,
)
from controller.quick_init import quick_init
from controller.regime import RegimeInputs
from controller.safe_leverage import (
    buffer_cap,
    harmonic_l_max,
    liquidity_risk,
    safe_leverage,
    sigma_upper_bound,
)
from controller.settings import Settings
from controller.snapshot import Snapshot

__all__ = ["Structure", "assess_structure", "book_sigma", "regime_inputs"]


def _own_sigmas(ind: Mapping[str, SymbolIndicators]) -> dict[str, float]:
    """Each symbol's own daily σ: the larger of σ_now and the long-run σ (symbols with neither
    left out)."""
    out: dict[str, float] = {}
    for s, si in ind.items():
        now, long = si.sigma_now, si.sigma_long
        if now is None:
            if long is not None:
                out[s] = long
        else:
            out[s] = now if long is None else max(now, long)
    return out


def book_sigma(book: Book, weights: Mapping[str, float], ind: Mapping[str, SymbolIndicators],
           portfolio: PortfolioIndicators | None) -> float | None:
    """Daily σ of the book per unit notional; each symbol's σ floored at its own σ (the larger
    of σ_now and the long-run σ), so the covariance never says less than the symbol itself. A
    held symbol with no σ at all (never quoted) makes σ unknown (None), never 0."""
    floor = _own_sigmas(ind)
    if portfolio is not None and book.total_pv > 0.0:
        signed = {s: book.net[s] * book.unit[s] / book.total_pv for s in book.positions}
        sd = portfolio.sd_daily

        def known(symbol: str) -> bool:  # its own σ, or returns in the covariance (a bool,
            # not numpy's: compiled by mypyc, a `-> bool` refuses numpy.bool)
            i = portfolio.index.get(symbol)
            return symbol in floor or (sd is not None and i is not None and bool(sd[i] > 0.0))

        if all(known(k) for k, w in signed.items() if w != 0.0):
            value = portfolio_sigma(portfolio, signed, floor)
            if value is not None:
                return value
    return sigma_upper_bound(weights, floor)


@quick_init
@dataclass(frozen=True, slots=True)
class Structure:
    """σ (daily), LR, L_max, L_safe, stress margin (account currency), margin growth (per day),
    the cash buffer required (account currency) and its EffLev cap."""

    sigma: float | None
    lr: float | None
    l_max: float | None
    l_safe: float | None
    stress_margin: float | None
    growth: float
    buffer_required: float
    buffer_cap: float | None


def assess_structure(snapshot: Snapshot, book: Book, weights: Mapping[str, float],
               ind: Mapping[str, SymbolIndicators], portfolio: PortfolioIndicators | None,
               liq: BookLiquidity, s: Settings) -> Structure:
    """σ of the book, LR, L_max and L_safe, the stress margin (controller.indicators.stress_margin)
    and the cash buffer, for one snapshot."""
    sigma = book_sigma(book, weights, ind, portfolio)
    # a proxy DepthRatio is the spread ratio inverted: count the spread once in LR
    depth_ratios = {k: v.ratio for k, v in liq.depth.items() if v.source == "book"}
    # inside a thin-hours window the spread is compared with the window's usual widening (the
    # rollover's spread is ×10-15 its day median every day): only the widening beyond it counts
    usual = thin_hours_spread_multiple(snapshot.time, s.extras)
    # a held symbol's spread ratio is in its row already (the same `si.spread_ratio`)
    rows = {m.symbol: m.spread_ratio for m in liq.symbol_metrics}
    spread_ratios = {k: sr / usual if (sr := rows[k] if k in rows else
                                       ind[k].spread_ratio if k in ind else None)
                     is not None else None for k in weights}
    if not s.components.liquidity:
        depth_ratios, spread_ratios = {}, {}
    lr = liquidity_risk(weights, depth_ratios, spread_ratios) if weights else None
    for_class, specs = s.safe_leverage.l_max.for_class, snapshot.symbols
    classes = {k: for_class(specs[k].symbol_class) for k in weights}
    l_max = harmonic_l_max(weights, classes)
    l_safe = safe_leverage(s.safe_leverage.k_daily_equity_vol, sigma, lr or 1.0, l_max)
    margin = snapshot.account.margin
    stress = None
    mpg_growth = 0.0
    if margin > 0.0:
        # the same function the unit tests check: each symbol's term floored at 0
        mpg = {k: ind[k].mpg for k in book.positions if k in ind}
        shock = {k: s.buffer.stress_vol_shock * sn for k in book.positions
                 if k in ind and (sn := ind[k].sigma_now) is not None}
        stress = stress_margin(margin, mpg, shock, book.pv)
        mpg_growth = (stress - margin) / margin
    observed = max((ind[k].margin_growth_max or 0.0 for k in book.positions if k in ind),
                   default=0.0)
    growth = max(s.buffer.growth_floor, observed, mpg_growth)
    return Structure(
        sigma=sigma, lr=lr, l_max=l_max, l_safe=l_safe, stress_margin=stress, growth=growth,
        buffer_required=margin * growth * s.buffer.stress_days,
        buffer_cap=buffer_cap(book.total_pv, margin, growth, s.buffer.stress_days),
    )


def regime_inputs(book: Book, weights: Mapping[str, float], ind: Mapping[str, SymbolIndicators],
                  liq: BookLiquidity) -> RegimeInputs:
    """What the regime step reads: the book's value-weighted σ now and its enter / exit levels
    (daily; None without σ), the DepthRatio (when flat: the mean of the quoted symbols' spread
    median / spread) and the crash flag."""
    now_sum = enter_sum = exit_sum = 0.0
    known = False
    for sym, w in weights.items():
        si = ind.get(sym)
        if si is None:
            continue
        now, enter, leave = si.sigma_now, si.sigma_enter, si.sigma_exit  # each read once
        if now is None or enter is None or leave is None:
            continue
        known = True
        now_sum += w * now
        enter_sum += w * enter
        exit_sum += w * leave
    depth_ratio = liq.depth_ratio
    if not book.positions:
        ratios = [si.spread_median / si.spread for si in ind.values()
                  if si.spread and si.spread_median]
        depth_ratio = sum(ratios) / len(ratios) if ratios else None
    return RegimeInputs(
        sigma_now=now_sum if known else None, sigma_enter=enter_sum if known else None,
        sigma_exit=exit_sum if known else None, depth_ratio=depth_ratio,
        crash_flag=liq.crash_flag,
    )
