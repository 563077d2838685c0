"""Early warning (DESIGN §3.2): depth on the side a reduction hits, DepthRatio, LVI and the
liquidity-crash flag.

Depth `D_s` is the volume on the side a reduction would hit (bids to close a net long, asks to close
a net short), summed over the published book levels, in lots and in account-currency notional.
`DepthRatio_s = D_s / its rolling median` (the median comes from the prepared indicators).
Where the broker publishes no book (most FX symbols), a proxy is used: `DepthRatio = median spread
/ spread` (quoted depth thins as the spread widens), with `D_s = ` the class's normal depth
(`[plan.proxy_depth_notional]`, in USD, converted to the account currency) × that ratio; every
output names its `depth_source`.

    LVI = Σ_s (PV_s / E) / DepthRatio_s        (a symbol without a ratio counts with 1; an
                                               empty hit side has ratio 0: infinite LVI)
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.decision_types import CrashSign
from controller.indicators import SymbolIndicators
from controller.quick_init import quick_init
from controller.settings import PlanSettings, RegimeSettings, SymbolClass
from controller.snapshot import BOOK_TYPE_BUY, BOOK_TYPE_SELL, MarketState

__all__ = ["DepthReading", "crash_signs", "hit_side_depth", "read_depth"]


@quick_init
@dataclass(frozen=True, slots=True)
class DepthReading:
    """Depth on the hit side: `lots`, `notional` (account currency), `ratio` to its rolling median
    (None without history) and `source` ("book", "proxy" or None when nothing is known)."""

    lots: float | None
    notional: float | None
    ratio: float | None
    source: str | None


def hit_side_depth(market: MarketState, net_volume: float) -> float | None:
    """Lots on the side a reduction of `net_volume` hits: bids for a net long, asks for a net
    short, the thinner side for a flat (hedged) symbol. None when no book is known."""
    if market.book:
        bids = asks = 0.0
        for level in market.book:
            if level.type == BOOK_TYPE_BUY:
                bids += level.volume
            elif level.type == BOOK_TYPE_SELL:
                asks += level.volume
    elif market.bid_depth is not None and market.ask_depth is not None:
        bids, asks = market.bid_depth, market.ask_depth
    else:
        return None
    if net_volume > 0.0:
        return bids
    if net_volume < 0.0:
        return asks
    return min(bids, asks)


def read_depth(
    market: MarketState,
    ind: SymbolIndicators | None,
    net_volume: float,
    unit_notional: float,
    symbol_class: SymbolClass,
    plan: PlanSettings,
    usd_rate: float | None = None,
) -> DepthReading:
    """Depth of one symbol, from the book where there is one, else the spread proxy. While the
    book's rolling median is still warming (MT5 keeps no history of the book), the DepthRatio
    comes from the spread proxy and the reading says "proxy".

    `unit_notional` is the account-currency value of one lot; `usd_rate` the value of one USD in
    the account currency (the proxy's class depths are in USD; None: taken as 1).
    """
    lots = hit_side_depth(market, net_volume)
    if lots is not None:
        if lots <= 0.0:  # an empty side is empty whatever its median
            return DepthReading(lots, 0.0, 0.0, "book")
        median = _median_for_side(ind, net_volume) if ind is not None else None
        if median is not None and median > 0.0:
            return DepthReading(lots, lots * unit_notional, lots / median, "book")
        proxy = _spread_proxy_ratio(market, ind)
        if proxy is not None:  # the book's median is still warming (no book history): proxy
            return DepthReading(lots, lots * unit_notional, proxy, "proxy")
        return DepthReading(lots, lots * unit_notional, None, "book")
    proxy = _spread_proxy_ratio(market, ind)
    if proxy is not None:
        usd = usd_rate if usd_rate is not None and usd_rate > 0.0 else 1.0
        notional = plan.proxy_depth_notional[symbol_class] * usd * min(proxy, 1.0)
        return DepthReading(notional / unit_notional, notional, proxy, "proxy")
    return DepthReading(None, None, None, None)


def _spread_proxy_ratio(market: MarketState, ind: SymbolIndicators | None) -> float | None:
    """The spread proxy of DepthRatio: median spread ÷ spread (1 with no spread)."""
    if ind is None or ind.spread_median is None or ind.spread_median <= 0.0:
        return None
    spread = market.ask - market.bid
    return ind.spread_median / spread if spread > 0.0 else 1.0


def _median_for_side(ind: SymbolIndicators, net_volume: float) -> float | None:
    bid, ask = ind.depth_median_bid_lots, ind.depth_median_ask_lots
    if net_volume > 0.0:
        return bid
    if net_volume < 0.0:
        return ask
    if bid is None or ask is None:
        return bid if ask is None else ask
    return min(bid, ask)


def crash_signs(
    depth_ratio: float | None,
    max_spread_ratio: float | None,
    max_slippage_ratio: float | None,
    avg_correlation: float | None,
    regime: RegimeSettings,
    depth_source: str = "book",
    proxy_depth_ratio: float | None = None,
) -> tuple[bool, tuple[str, ...], tuple[CrashSign, ...]]:
    """The liquidity-crash flag (seed 000 §1), the signs that showed and the evidence.

    Four signs: depth collapsing, spread blowing out, reductions moving the price (observed
    slippage against the model) and diversification failing (average pairwise correlation
    toward 1). `depth_ratio` is measured depth only (the broker's book or the EA's telemetry,
    named by `depth_source`); `proxy_depth_ratio`, inferred from the spread, is reported but
    never counts, since it is the spread blow-out restated. The flag is raised when the spread
    blows out, at least one independent sign (measured depth, own slippage, correlation) is
    observed, and every observed independent sign shows at once; a sign that cannot be observed
    (no recent reductions, a single symbol) does not hold the flag down.
    """
    evidence: list[CrashSign] = []
    if depth_ratio is not None:
        evidence.append(CrashSign("depth_collapsing", depth_source, depth_ratio,
                                  regime.crash_depth_ratio,
                                  depth_ratio <= regime.crash_depth_ratio))
    elif proxy_depth_ratio is not None:
        evidence.append(CrashSign("depth_collapsing", "proxy", proxy_depth_ratio,
                                  regime.crash_depth_ratio,
                                  proxy_depth_ratio <= regime.crash_depth_ratio,
                                  independent=False))
    if max_spread_ratio is not None:
        evidence.append(CrashSign("spread_blowout", "spread", max_spread_ratio,
                                  regime.crash_spread_ratio,
                                  max_spread_ratio >= regime.crash_spread_ratio))
    if max_slippage_ratio is not None:
        evidence.append(CrashSign("slippage", "slippage", max_slippage_ratio,
                                  regime.crash_slippage_ratio,
                                  max_slippage_ratio >= regime.crash_slippage_ratio))
    if avg_correlation is not None:
        evidence.append(CrashSign("correlation_spike", "correlation", avg_correlation,
                                  regime.crash_correlation,
                                  avg_correlation >= regime.crash_correlation))
    spread = next((x for x in evidence if x.sign == "spread_blowout"), None)
    independent = [x for x in evidence if x.independent and x.sign != "spread_blowout"]
    flag = spread is not None and spread.shown and bool(independent) and \
        all(x.shown for x in independent)
    return flag, tuple(x.sign for x in evidence if x.shown), tuple(evidence)
