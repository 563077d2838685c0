"""Account-level formulas of DESIGN §3.2 built on the indicators: LVI and the stress margin."""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["lvi", "stress_margin"]


def lvi(
    pv_by_symbol: Mapping[str, float],
    equity: float,
    depth_ratio_by_symbol: Mapping[str, float | None],
) -> float:
    """Leverage vulnerability index: LVI = Σ_s (|PV_s| / E) / DepthRatio_s (dimensionless).

    `pv_by_symbol` is the position value per symbol in account currency (its sign is ignored:
    a short is as exposed to a thin book as a long), `equity` is E in account currency and must be
    > 0 (E ≤ 0 is the insolvent state, handled before any ratio), `depth_ratio_by_symbol` is
    DepthRatio_s = D_s / its rolling median on the side a reduction hits. A symbol whose depth
    ratio is unknown (absent or None: no book, no proxy yet) counts with ratio 1, i.e. its plain
    leverage; a ratio of 0 (the book is empty) gives an infinite LVI.
    With every ratio 1, LVI equals the effective leverage PV / E.
    """
    if not (math.isfinite(equity) and equity > 0.0):
        raise ValueError(
            f"equity={equity!r}: LVI needs equity > 0 in account currency; E ≤ 0 is the "
            "insolvent state and must be handled before LVI"
        )
    total = 0.0
    for symbol, pv in pv_by_symbol.items():
        if not math.isfinite(pv):
            raise ValueError(f"pv_by_symbol[{symbol!r}]={pv!r}: position value must be finite")
        ratio = depth_ratio_by_symbol.get(symbol)
        if ratio is None:
            ratio = 1.0
        elif not (math.isfinite(ratio) and ratio >= 0.0):
            raise ValueError(
                f"depth_ratio_by_symbol[{symbol!r}]={ratio!r}: a depth ratio must be finite and "
                ">= 0 (pass None when unknown)"
            )
        share = abs(pv) / equity
        if share == 0.0:
            continue
        total += math.inf if ratio == 0.0 else share / ratio
    return total


def stress_margin(
    margin: float,
    mpg_by_symbol: Mapping[str, float | None],
    dsigma_by_symbol: Mapping[str, float],
    notional_by_symbol: Mapping[str, float],
) -> float:
    """Required margin after a volatility shock, in account currency:
    M_stress = M + Σ_s max(0, MPG_s × Δσ_s) × |notional_s|.

    `margin` is the terminal's required margin M (account currency, ≥ 0); `mpg_by_symbol` the
    slope of the margin rate (fraction of notional) per unit of daily σ; `dsigma_by_symbol` the
    stated shock of daily σ (a fraction per day, e.g. 0.01 = +1 percentage point);
    `notional_by_symbol` the notional in account currency (sign ignored).
    A symbol with no MPG (absent or None: too little history) or no shock adds nothing. Each
    symbol's term is floored at 0: a volatility shock is never assumed to lower a margin (a
    negative fitted slope is noise for a stress test, and the stress must stay conservative).
    """
    if not (math.isfinite(margin) and margin >= 0.0):
        raise ValueError(f"margin={margin!r}: required margin must be finite and >= 0")
    extra = 0.0
    for symbol, notional in notional_by_symbol.items():
        if not math.isfinite(notional):
            raise ValueError(f"notional_by_symbol[{symbol!r}]={notional!r}: must be finite")
        mpg = mpg_by_symbol.get(symbol)
        dsigma = dsigma_by_symbol.get(symbol)
        if mpg is None or dsigma is None:
            continue
        if not (math.isfinite(mpg) and math.isfinite(dsigma)):
            raise ValueError(f"symbol {symbol!r}: mpg={mpg!r} and dsigma={dsigma!r} must be finite")
        extra += max(0.0, mpg * dsigma) * abs(notional)
    return margin + extra
