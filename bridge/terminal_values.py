"""The terminal port's decoded trade values: a deal, an order-send answer, a symbol's trading rules,
a held position. Volumes in lots, prices in the symbol's quote currency, times in UTC epoch seconds.

Decoded by attribute access only (C namedtuples, the simulator's records and mt5linux netrefs
alike), so a reader never touches a raw terminal record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from controller.indicators import Bars

__all__ = ["Deal", "HeldPosition", "OrderCheck", "OrderResult", "TradeRules", "decode_bars",
           "decode_deal", "decode_order_check", "decode_order_result", "decode_trade_rules"]


@dataclass(frozen=True, slots=True)
class Deal:
    """One deal of the history: `time` in UTC epoch seconds, `position` its position's ticket,
    `entry` (in/out/inout), `reason` (client, expert, stop-out…) and `type` as MT5 codes."""

    ticket: int
    position: int
    symbol: str
    time: float
    type: int
    entry: int
    reason: int
    volume: float
    price: float
    profit: float
    magic: int
    comment: str


@dataclass(frozen=True, slots=True)
class OrderResult:
    """The trade server's answer to `order_send`/`order_check`: its `retcode`, the `deal` and
    `order` tickets, the `volume` (lots) and `price` it executed at, and its `comment`."""

    retcode: int
    deal: int
    order: int
    volume: float
    price: float
    comment: str


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """The server's verdict on a request without trading (`order_check`): its retcode (0 =
    it would be accepted), the comment, and the account after it (money in the account
    currency, margin level in %)."""

    retcode: int
    comment: str
    margin: float
    margin_free: float
    margin_level: float


@dataclass(frozen=True, slots=True)
class TradeRules:
    """How a symbol trades: lot `volume_min`/`volume_step`/`volume_max`, the allowed filling
    modes (`filling_mode` bits) and the execution mode (`trade_exemode`)."""

    volume_min: float
    volume_step: float
    volume_max: float
    filling_mode: int
    trade_exemode: int


@dataclass(frozen=True, slots=True)
class HeldPosition:
    """An open position as the executor needs it: ticket, symbol, type (buy/sell) and lots."""

    ticket: int
    symbol: str
    type: int
    volume: float


def decode_deal(d: Any, to_utc: Callable[[float], float]) -> Deal:
    """A terminal deal record as a `Deal`, its server time converted by `to_utc`."""
    return Deal(ticket=int(d.ticket), position=int(d.position_id), symbol=str(d.symbol),
                time=to_utc(float(d.time)), type=int(d.type), entry=int(d.entry),
                reason=int(d.reason), volume=float(d.volume), price=float(d.price),
                profit=float(d.profit), magic=int(d.magic), comment=str(d.comment))


def decode_order_result(r: Any) -> OrderResult:
    """An `OrderSendResult`-shaped answer as an `OrderResult`."""
    return OrderResult(retcode=int(r.retcode), deal=int(r.deal), order=int(r.order),
                       volume=float(r.volume), price=float(r.price), comment=str(r.comment))


def decode_order_check(r: Any) -> OrderCheck:
    """An `OrderCheckResult`-shaped answer as an `OrderCheck`."""
    return OrderCheck(retcode=int(r.retcode), comment=str(r.comment), margin=float(r.margin),
                      margin_free=float(r.margin_free), margin_level=float(r.margin_level))


def decode_trade_rules(s: Any) -> TradeRules:
    """A `symbol_info` record's trading rules."""
    return TradeRules(volume_min=float(s.volume_min), volume_step=float(s.volume_step),
                      volume_max=float(s.volume_max), filling_mode=int(s.filling_mode),
                      trade_exemode=int(s.trade_exemode))


def decode_bars(rates: Any, to_utc_array: Callable[[Any], Any]) -> Bars:
    """A `copy_rates_*` record array as `Bars`, its server times converted by `to_utc_array`."""
    t = to_utc_array(rates["time"]).astype(np.float64)
    return Bars(time=t, open=rates["open"].astype(np.float64),
                high=rates["high"].astype(np.float64), low=rates["low"].astype(np.float64),
                close=rates["close"].astype(np.float64))
