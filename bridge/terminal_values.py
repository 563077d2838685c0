"""The terminal port's decoded trade values: a deal, an order-send answer, a symbol's trading rules,
a held position, a book's levels. Volumes in lots, prices in the symbol's quote currency, times
in UTC epoch seconds.

Decoded by attribute access only (C namedtuples, the simulator's records and mt5linux netrefs
alike), so a reader never touches a raw terminal record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from controller import BookLevel
from controller.indicators import Bars

__all__ = ["BookLevels", "Deal", "HeldPosition", "OrderCheck", "OrderResult", "TradeRules",
           "decode_bars", "decode_deal", "decode_order_check", "decode_order_result",
           "decode_trade_rules"]


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


class BookLevels:
    """Decodes `market_book_get` rows into `BookLevel` records (`type`, `price`, `volume` in
    lots from `volume_dbl`), keeping the records it built for the next read.

    A record is a pure function of its three decoded values and is immutable, so one kept per
    (type, price, volume) key cannot go stale: a book read again (the same quote, or levels
    the price returns to) takes its records from the dictionary instead of building them. Dict
    equality is number equality, which does not see the sign of a zero: a key with a zero price
    or volume is therefore never kept (-0.0 and 0.0 stay as the terminal gave them). At most
    `keep` records are kept; past that the dictionary starts again.
    """

    def __init__(self, keep: int = 65_536) -> None:
        self._kept: dict[tuple[int, float, float], BookLevel] = {}
        self._keep = keep

    def decode(self, rows: Any) -> tuple[BookLevel, ...]:
        """The records of `rows`, in their order (the same values as building each one)."""
        kept = self._kept
        if len(kept) > self._keep:
            kept.clear()
        levels = []
        for r in rows:
            key = (int(r.type), float(r.price), float(r.volume_dbl))
            level = kept.get(key)
            if level is None:
                level = BookLevel(*key)
                if key[1] and key[2]:  # no zero: its sign is not seen by the key's equality
                    kept[key] = level
            levels.append(level)
        return tuple(levels)
