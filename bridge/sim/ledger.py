"""The simulated broker's books: open positions, the order and deal history, balance and credit.

`Ledger.deal` books one market deal (opening, adding to, closing or, on a netting account,
reversing a position) with its order and deal records; `balance_deal` books money moved without a
trade. Records carry server-clock times (ms in `*_msc`, seconds otherwise), as a real terminal
reports them. Money in the account currency, rounded to 2 decimals as MT5 shows it; volumes in
lots. Swaps and commissions are not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bridge.mt5 import constants as c
from bridge.mt5.records import TradeDeal, TradeOrder, TradePosition
from bridge.sim.broker import BrokerSymbol, profit_factor
from bridge.sim.quotes import MarketCursor

__all__ = ["Ledger", "SimPosition"]

_EPS = 1e-9


@dataclass
class SimPosition:
    """An open position on the simulated broker (mutable: deals change its volume and side).
    `sym` is the symbol's index in the market; times are server-clock ms."""

    ticket: int
    sym: int
    type: int
    volume: float
    price_open: float
    time_msc: int
    time_update_msc: int
    magic: int
    reason: int
    comment: str
    sl: float = 0.0
    tp: float = 0.0


@dataclass
class Ledger:
    """The books of one simulated account; `to_server_ms` maps UTC ms to the server clock."""

    quotes: MarketCursor
    to_server_ms: Callable[[int], int]
    balance: float = 0.0
    credit: float = 0.0
    positions: list[SimPosition] = field(default_factory=list)
    deals: list[TradeDeal] = field(default_factory=list)
    orders: list[TradeOrder] = field(default_factory=list)
    next_order: int = 50_000_001
    next_deal: int = 40_000_001
    _profit_tick: int = -1
    _profits: dict[tuple[int, int, float, float], float] = field(default_factory=dict)

    def position_profit(self, p: SimPosition, i: int | None = None) -> float:
        """Floating profit of `p` at tick i (default: now), account currency, 2 decimals.

        Kept for the other calls at the same tick (the account and each position record value
        the same positions): the value depends only on the key (tick, symbol, side, open price,
        volume) and the read-only market; another tick clears what was kept."""
        i = self.quotes.tick_index() if i is None else i
        if i != self._profit_tick:
            self._profits.clear()
            self._profit_tick = i
        key = (p.sym, p.type, p.price_open, p.volume)
        v = self._profits.get(key)
        if v is None:
            spec = self.quotes.market.symbols[p.sym]
            bid, ask = self.quotes.quote(p.sym, i)
            move = (bid - p.price_open) if p.type == c.POSITION_TYPE_BUY else (p.price_open - ask)
            raw = move * profit_factor(spec) * p.volume
            v = round(self.quotes.convert(raw, spec.currency_profit, "profit", i), 2)
            self._profits[key] = v
        return v

    def kept_profits(self, i: int) -> dict[tuple[int, int, float, float], float]:
        """The profits `position_profit` keeps for tick i by (symbol, side, open price, volume),
        account currency (emptied when i is another tick than the one they were kept for)."""
        if i != self._profit_tick:
            self._profits.clear()
            self._profit_tick = i
        return self._profits

    def deal(
        self,
        *,
        k: int,
        side: int,
        volume: float,
        price: float,
        t_ms: int,
        reason: int,
        magic: int,
        comment: str,
        position: SimPosition | None,
        type_filling: int = 0,
    ) -> tuple[int, int, SimPosition | None]:
        """Book one market deal; returns (deal ticket, order ticket, the resulting position)."""
        spec = self.quotes.market.symbols[k]
        order = self.next_order
        self.next_order += 1
        server_ms = int(self.to_server_ms(t_ms))
        entry, profit, pos_id = c.DEAL_ENTRY_IN, 0.0, order
        if position is not None and position.type != side:
            pos_id = position.ticket
            entry, profit, position = self._reduce(spec, position, side, volume, price, server_ms)
        elif position is not None:  # netting: add to the same side
            tot = position.volume + volume
            position.price_open = round(
                (position.price_open * position.volume + price * volume) / tot, spec.digits + 3
            )
            position.volume = round(tot, 8)
            position.time_update_msc = server_ms
            pos_id = position.ticket
        else:
            position = SimPosition(order, k, side, round(volume, 8), price, server_ms, server_ms,
                                   magic, min(reason, c.POSITION_REASON_EXPERT), comment)
            self.positions.append(position)
        self.balance = round(self.balance + profit, 2)
        ticket = self.next_deal
        self.next_deal += 1
        deal_type = c.DEAL_TYPE_BUY if side == c.ORDER_TYPE_BUY else c.DEAL_TYPE_SELL
        self.deals.append(TradeDeal(
            ticket, order, server_ms // 1000, server_ms, deal_type, entry, magic, pos_id, reason,
            volume, price, 0.0, 0.0, profit, 0.0, spec.name, comment, ""))
        self.orders.append(TradeOrder(
            order, server_ms // 1000, server_ms, server_ms // 1000, server_ms, 0, side,
            c.ORDER_TIME_GTC, type_filling, c.ORDER_STATE_FILLED, magic, pos_id, 0,
            min(reason, c.ORDER_REASON_SO), volume, 0.0, price, 0.0, 0.0, price, 0.0, spec.name,
            comment, ""))
        return ticket, order, position

    def _reduce(self, spec: BrokerSymbol, position: SimPosition, side: int, volume: float,
                price: float, server_ms: int) -> tuple[int, float, SimPosition | None]:
        """A deal against `position`: (deal entry, realised profit, what is left of it, None
        when closed). On a netting account the volume beyond it reverses the position."""
        closing = min(volume, position.volume)
        move = (
            (price - position.price_open)
            if position.type == c.POSITION_TYPE_BUY
            else (position.price_open - price)
        )
        profit = round(
            self.quotes.convert(move * profit_factor(spec) * closing, spec.currency_profit,
                                "profit"),
            2,
        )
        position.volume = round(position.volume - closing, 8)
        position.time_update_msc = server_ms
        rest = round(volume - closing, 8)
        if position.volume > _EPS:
            return c.DEAL_ENTRY_OUT, profit, position
        self.positions.remove(position)
        if rest <= _EPS:
            return c.DEAL_ENTRY_OUT, profit, None
        # netting reversal: the same position id, the other side
        position.volume, position.type, position.price_open = rest, side, price
        position.time_msc = server_ms
        self.positions.append(position)
        return c.DEAL_ENTRY_INOUT, profit, position

    def balance_deal(self, amount: float, t_ms: int, kind: int, comment: str) -> None:
        """Book money moved without a trade (deposit, withdrawal, credit, correction, ...)."""
        server_ms = int(self.to_server_ms(t_ms))
        self.balance = round(self.balance + amount, 2)
        self.deals.append(TradeDeal(
            self.next_deal, 0, server_ms // 1000, server_ms, kind, c.DEAL_ENTRY_IN, 0, 0, 0, 0.0,
            0.0, 0.0, 0.0, round(amount, 2), 0.0, "", comment, ""))
        self.next_deal += 1

    def position_record(self, p: SimPosition) -> TradePosition:
        """`p` as `positions_get` reports it, valued at the current quotes."""
        spec = self.quotes.market.symbols[p.sym]
        bid, ask = self.quotes.quote(p.sym)
        return TradePosition(
            p.ticket, p.time_msc // 1000, p.time_msc, p.time_update_msc // 1000,
            p.time_update_msc, p.type, p.magic, p.ticket, p.reason, p.volume, p.price_open, p.sl,
            p.tp, bid if p.type == c.POSITION_TYPE_BUY else ask, 0.0, self.position_profit(p),
            spec.name, p.comment, "")
