"""The book of one snapshot: per-symbol gross and net lots, the account-currency value of one
lot, position value (gross, account currency), the net notional and the floating P/L."""

from __future__ import annotations

from dataclasses import dataclass

from controller.quick_init import quick_init
from controller.snapshot import Position, Snapshot

__all__ = ["Book", "read_book", "value_weights"]


@quick_init
@dataclass(frozen=True, slots=True)
class Book:
    """Per-symbol aggregates of the open positions (lots; account currency for values)."""

    positions: dict[str, list[Position]]
    gross: dict[str, float]
    net: dict[str, float]
    unit: dict[str, float]
    pv: dict[str, float]
    total_pv: float
    net_notional: float
    floating: float
    all_open: bool = True
    """No position of 0 lots: `positions`, `gross` and `net` are the planner's `held_lots`."""


def read_book(snapshot: Snapshot) -> Book:
    """The positions of `snapshot` per symbol: gross and net lots, the account-currency value of
    one lot (by calculation mode), position value, net notional and floating P/L (account
    currency)."""
    positions: dict[str, list[Position]] = {}
    gross: dict[str, float] = {}
    net: dict[str, float] = {}
    floating = 0.0
    all_open = True
    for p in snapshot.positions:
        sym, volume = p.symbol, p.volume
        if volume <= 0.0:
            all_open = False
        held = positions.get(sym)
        if held is None:
            positions[sym] = [p]
            gross[sym] = volume
            net[sym] = volume if p.type == 0 else -volume
        else:
            held.append(p)
            gross[sym] += volume
            net[sym] += volume if p.type == 0 else -volume
        floating += p.profit + p.swap
    unit: dict[str, float] = {}
    rates = snapshot.rates
    for sym, market in snapshot.market.items():
        spec = snapshot.symbols.get(sym)
        rate = rates.get(spec.currency_profit) if spec is not None else None
        if spec is not None and rate is not None:
            # account-currency value of one lot, by calculation mode
            unit[sym] = spec.lot_value(0.5 * (market.bid + market.ask), rate)
    pv = {sym: gross[sym] * unit[sym] for sym in positions}
    net_notional = 0.0
    for sym in positions:
        net_notional += abs(net[sym]) * unit[sym]
    return Book(positions, gross, net, unit, pv, sum(pv.values()), net_notional, floating,
                all_open)


def value_weights(book: Book, snapshot: Snapshot) -> dict[str, float]:
    """Value weights of the held symbols; equal weights over the quoted ones when flat."""
    if book.total_pv > 0.0:
        return {s: v / book.total_pv for s, v in book.pv.items()}
    quoted = [s for s in snapshot.market if s in book.unit]
    return {s: 1.0 / len(quoted) for s in quoted} if quoted else {}
