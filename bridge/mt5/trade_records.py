"""Trade records shaped like the MetaTrader5 module's (orders, positions, deals, the request
echo and the check/send results): namedtuples with the real type names and field order
(shared/reference/mt5-api.md §2, checked against metatrader5-stubs). `bridge.mt5.records`
re-exports them beside the account, symbol and market records.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ORDER_CHECK_RESULT_FIELDS",
    "ORDER_SEND_RESULT_FIELDS",
    "TRADE_DEAL_FIELDS",
    "TRADE_ORDER_FIELDS",
    "TRADE_POSITION_FIELDS",
    "TRADE_REQUEST_FIELDS",
    "OrderCheckResult",
    "OrderSendResult",
    "TradeDeal",
    "TradeOrder",
    "TradePosition",
    "TradeRequest",
]


class TradeRequest(NamedTuple):
    """the request echo in OrderSendResult / OrderCheckResult"""

    action: int
    magic: int
    order: int
    symbol: str
    volume: float
    price: float
    stoplimit: float
    sl: float
    tp: float
    deviation: int
    type: int
    type_filling: int
    type_time: int
    expiration: int
    comment: str
    position: int
    position_by: int


class OrderCheckResult(NamedTuple):
    """order_check()"""

    retcode: int
    balance: float
    equity: float
    profit: float
    margin: float
    margin_free: float
    margin_level: float
    comment: str
    request: TradeRequest


class OrderSendResult(NamedTuple):
    """order_send()"""

    retcode: int
    deal: int
    order: int
    volume: float
    price: float
    bid: float
    ask: float
    comment: str
    request_id: int
    retcode_external: int
    request: TradeRequest


class TradeOrder(NamedTuple):
    """orders_get() / history_orders_get()"""

    ticket: int
    time_setup: int
    time_setup_msc: int
    time_done: int
    time_done_msc: int
    time_expiration: int
    type: int
    type_time: int
    type_filling: int
    state: int
    magic: int
    position_id: int
    position_by_id: int
    reason: int
    volume_initial: float
    volume_current: float
    price_open: float
    sl: float
    tp: float
    price_current: float
    price_stoplimit: float
    symbol: str
    comment: str
    external_id: str


class TradePosition(NamedTuple):
    """positions_get()"""

    ticket: int
    time: int
    time_msc: int
    time_update: int
    time_update_msc: int
    type: int
    magic: int
    identifier: int
    reason: int
    volume: float
    price_open: float
    sl: float
    tp: float
    price_current: float
    swap: float
    profit: float
    symbol: str
    comment: str
    external_id: str


class TradeDeal(NamedTuple):
    """history_deals_get()"""

    ticket: int
    order: int
    time: int
    time_msc: int
    type: int
    entry: int
    magic: int
    position_id: int
    reason: int
    volume: float
    price: float
    commission: float
    swap: float
    profit: float
    fee: float
    symbol: str
    comment: str
    external_id: str


TRADE_REQUEST_FIELDS = TradeRequest._fields
ORDER_CHECK_RESULT_FIELDS = OrderCheckResult._fields
ORDER_SEND_RESULT_FIELDS = OrderSendResult._fields
TRADE_ORDER_FIELDS = TradeOrder._fields
TRADE_POSITION_FIELDS = TradePosition._fields
TRADE_DEAL_FIELDS = TradeDeal._fields
