"""The simulated terminal's record queries: open positions (valued at the current quotes), open
orders (none: pending orders are not modelled), and the order and deal history, filtered by
ticket, position, date window (server clock) or symbol group. Called after `gate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bridge.mt5 import constants as c
from bridge.mt5.records import TradeDeal, TradeOrder, TradePosition
from bridge.sim.state import DateArg, SimState, epoch

__all__ = ["history_deals", "history_orders", "positions"]

R = TypeVar("R", TradeDeal, TradeOrder)


def positions(st: SimState, symbol: str | None, group: str | None,
              ticket: int | None) -> tuple[TradePosition, ...]:
    """Open positions by ticket, filtered by `symbol`, else `group`, else `ticket`."""
    names = st.market.symbols
    ps = list(st.ledger.positions)
    if symbol is not None:
        ps = [p for p in ps if names[p.sym].name == symbol]
    elif group is not None:
        keep = set(st.group(group))
        ps = [p for p in ps if names[p.sym].name in keep]
    elif ticket is not None:
        ps = [p for p in ps if p.ticket == ticket]
    return tuple(st.ledger.position_record(p) for p in sorted(ps, key=lambda p: p.ticket))


def _window(st: SimState, records: Sequence[R], ticket: int | None, position: int | None,
            dates: tuple[DateArg | None, DateArg | None], group: str | None,
            ticket_of: str, time_of: str) -> tuple[R, ...] | None:
    if ticket is not None:
        return tuple(r for r in records if getattr(r, ticket_of) == ticket)
    if position is not None:
        return tuple(r for r in records if r.position_id == position)
    a, b = epoch(dates[0]), epoch(dates[1])
    if a is None or b is None:
        st.fail(c.RES_E_INVALID_PARAMS, "Terminal: Invalid params")
        return None
    out = [r for r in records if a <= getattr(r, time_of) <= b]
    if group is not None:
        keep = set(st.group(group))
        out = [r for r in out if r.symbol in keep]
    return tuple(out)


def history_deals(st: SimState, dates: tuple[DateArg | None, DateArg | None], group: str | None,
                  ticket: int | None, position: int | None) -> tuple[TradeDeal, ...] | None:
    """Deals by the `ticket` of their order, by `position`, or within the date window."""
    return _window(st, st.ledger.deals, ticket, position, dates, group, "order", "time")


def history_orders(st: SimState, dates: tuple[DateArg | None, DateArg | None],
                   group: str | None, ticket: int | None,
                   position: int | None) -> tuple[TradeOrder, ...] | None:
    """Orders by `ticket`, by `position`, or set up within the date window."""
    return _window(st, st.ledger.orders, ticket, position, dates, group, "ticket", "time_setup")
