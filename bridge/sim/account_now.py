"""The account's floating profit and margin at one tick, from a plan made once per set of open
positions: what `RiskEngine.state` serves to `account_info`.

The per-tick arithmetic is the one of `Ledger.position_profit`, `MarketCursor.convert` and
`RiskEngine.margin` (the same operations on the same floats in the same order: a position's
profit ``round(convert(move × profit factor × volume), 2)``, the margin Σ ``convert(margin ×
multiplier)`` rounded once), with the symbol specs, profit factors and conversion steps looked up
once per set of positions instead of once per position per tick. Money in the account currency.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.mt5 import constants as c
from bridge.sim.broker import profit_factor
from bridge.sim.ledger import Ledger
from bridge.sim.market import Market
from bridge.sim.risk_series import Prepared

__all__ = ["AccountPlan", "account_plan", "profit_and_margin"]

_ProfitKey = tuple[int, int, float, float]


@dataclass(frozen=True)
class AccountPlan:
    """What the account's value reads, for one `Prepared` set of positions on one market.

    `need`: the symbols quoted; `rates`: per currency, its conversion steps (symbol, inverse)
    to the account currency; `profits`: per position, its `Ledger` profit key, symbol, whether
    a buy, open price, profit factor, volume and profit currency; `margins`: per symbol row with
    a margin, its index, margin in the margin currency, margin currency and whether a buy sets
    the rate."""

    prep: Prepared
    market: Market
    currency: str
    need: tuple[int, ...]
    rates: tuple[tuple[str, tuple[tuple[int, bool], ...]], ...]
    profits: tuple[tuple[_ProfitKey, int, bool, float, float, float, str], ...]
    margins: tuple[tuple[int, float, str, bool], ...]


def account_plan(prep: Prepared, ledger: Ledger, market: Market, currency: str) -> AccountPlan:
    """The plan of `ledger`'s open positions (those `prep` was prepared from) on `market`."""
    conv = market.converter
    profits = []
    for p in ledger.positions:
        spec = market.symbols[p.sym]
        key = (p.sym, p.type, p.price_open, p.volume)
        profits.append((key, p.sym, p.type == c.POSITION_TYPE_BUY, p.price_open,
                        profit_factor(spec), p.volume, spec.currency_profit))
    margins = [(r.k, r.margin_ccy, r.currency_margin, r.buy) for r in prep.rows if r.margin_ccy > 0]
    ccys = dict.fromkeys([t[6] for t in profits] + [t[2] for t in margins])
    rates = tuple((ccy, tuple((s.symbol, s.inverse) for s in conv.plan(ccy, currency)))
                  for ccy in ccys)
    need = sorted({t[1] for t in profits} | {s for _, steps in rates for s, _ in steps})
    return AccountPlan(prep, market, currency, tuple(need), rates, tuple(profits),
                       tuple(margins))


def _rates(plan: AccountPlan,
           quotes: dict[int, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """(low, high) rate of each currency to the account's: `Converter.quote_rates`' steps."""
    out: dict[str, tuple[float, float]] = {}
    for ccy, steps in plan.rates:
        lo = hi = 1.0
        for k, inverse in steps:
            b, a = quotes[k]
            if inverse:
                lo, hi = lo / a, hi / b
            else:
                lo, hi = lo * b, hi * a
        out[ccy] = (lo, hi)
    return out


def profit_and_margin(plan: AccountPlan, ledger: Ledger, i: int) -> tuple[float, float]:
    """(floating profit, margin) of the planned positions at merged tick i, account currency,
    2 decimals; each position's profit is kept in `ledger` as `position_profit` keeps it."""
    market = plan.market
    pos, streams = market.pos, market.streams
    quotes = ledger.quotes.quotes_at(plan.need, i)
    rates = _rates(plan, quotes)
    kept = ledger.kept_profits(i)
    values: list[float] = []
    for key, k, buy, price_open, pf, volume, ccy in plan.profits:
        v = kept.get(key)
        if v is None:
            bid, ask = quotes[k]
            raw = ((bid - price_open) if buy else (price_open - ask)) * pf * volume
            lo, hi = rates[ccy]
            v = round(float(raw * (lo if raw >= 0 else hi)), 2)
            kept[key] = v
        values.append(v)
    total = 0.0
    for k, m, ccy, buy in plan.margins:
        s = streams[k]
        lo, hi = rates[ccy]
        total += float(m * float(s.margin_mult[int(pos[k, i])]) * (hi if buy else lo))
    return round(sum(values), 2), round(total, 2)
