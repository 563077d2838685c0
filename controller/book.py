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
    """Every position has lots (> 0): `positions`, `gross` and `net` are the planner's
    `held_lots`."""


def _lots(held: list[Position]) -> tuple[float, float, bool]:
    """Σ lots and Σ signed lots (long +) of one symbol's positions, added in position order, and
    whether every one of them has lots (> 0)."""
    rest = iter(held)  # the first sets the sums, the rest add to them (no copy of the list)
    first = next(rest)
    lots = first.volume
    signed = lots if first.type == 0 else -lots
    all_open = lots > 0.0
    for p in rest:
        volume = p.volume
        lots += volume
        if p.type == 0:
            signed += volume
        else:  # x - v is x + (-v), the same float
            signed -= volume
        if not volume > 0.0:
            all_open = False
    return lots, signed, all_open


def read_book(snapshot: Snapshot) -> Book:
    """The positions of `snapshot` per symbol: gross and net lots, the account-currency value of
    one lot (by calculation mode), position value, net notional and floating P/L (account
    currency)."""
    positions: dict[str, list[Position]] = {}
    floating = 0.0
    for p in snapshot.positions:  # grouped by symbol, in position order
        held = positions.get(p.symbol)
        if held is None:
            positions[p.symbol] = [p]
        else:
            held.append(p)
        floating += p.profit + p.swap
    gross: dict[str, float] = {}
    net: dict[str, float] = {}
    all_open = True
    for sym, held in positions.items():
        gross[sym], net[sym], held_open = _lots(held)
        all_open = all_open and held_open
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
