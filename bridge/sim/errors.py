"""`last_error()` codes and the messages the real terminal gives (shared/reference/mt5-api.md §0.3).

Also the trade-server retcode comments used in `OrderSendResult.comment` (mt5-api.md §2.4).
"""

from __future__ import annotations

from bridge.mt5 import constants as c

__all__ = [
    "ERROR_MESSAGES",
    "RETCODE_COMMENTS",
    "ScenarioError",
]

ERROR_MESSAGES: dict[int, str] = {
    c.RES_S_OK: "Success",
    c.RES_E_FAIL: "Terminal: Call failed",
    c.RES_E_INVALID_PARAMS: "Terminal: Invalid params",
    c.RES_E_NO_MEMORY: "Terminal: No memory",
    c.RES_E_NOT_FOUND: "Terminal: Not found",
    c.RES_E_INVALID_VERSION: "Terminal: Invalid version",
    c.RES_E_AUTH_FAILED: "Terminal: Authorization failed",
    c.RES_E_UNSUPPORTED: "Terminal: Unsupported method",
    c.RES_E_AUTO_TRADING_DISABLED: "Terminal: Auto-trading disabled",
    c.RES_E_INTERNAL_FAIL: "Internal IPC general error",
    c.RES_E_INTERNAL_FAIL_SEND: "Internal IPC send failed",
    c.RES_E_INTERNAL_FAIL_RECEIVE: "Internal IPC receive failed",
    c.RES_E_INTERNAL_FAIL_INIT: "IPC initialize failed, MetaTrader 5 x64 not found",
    c.RES_E_INTERNAL_FAIL_CONNECT: "No IPC connection",
    c.RES_E_INTERNAL_FAIL_TIMEOUT: "IPC timeout",
}
"""`last_error()` description per code; the texts seen in the wild where one is known."""

RETCODE_COMMENTS: dict[int, str] = {
    c.TRADE_RETCODE_REQUOTE: "Requote",
    c.TRADE_RETCODE_REJECT: "Request rejected",
    c.TRADE_RETCODE_CANCEL: "Request canceled by trader",
    c.TRADE_RETCODE_PLACED: "Order placed",
    c.TRADE_RETCODE_DONE: "Request executed",
    c.TRADE_RETCODE_DONE_PARTIAL: "Request executed partially",
    c.TRADE_RETCODE_ERROR: "Request processing error",
    c.TRADE_RETCODE_TIMEOUT: "Request timed out",
    c.TRADE_RETCODE_INVALID: "Invalid request",
    c.TRADE_RETCODE_INVALID_VOLUME: "Invalid volume",
    c.TRADE_RETCODE_INVALID_PRICE: "Invalid price",
    c.TRADE_RETCODE_INVALID_STOPS: "Invalid stops",
    c.TRADE_RETCODE_TRADE_DISABLED: "Trade disabled",
    c.TRADE_RETCODE_MARKET_CLOSED: "Market closed",
    c.TRADE_RETCODE_NO_MONEY: "No money",
    c.TRADE_RETCODE_PRICE_CHANGED: "Prices changed",
    c.TRADE_RETCODE_PRICE_OFF: "No prices",
    c.TRADE_RETCODE_INVALID_EXPIRATION: "Invalid expiration",
    c.TRADE_RETCODE_ORDER_CHANGED: "Order state changed",
    c.TRADE_RETCODE_TOO_MANY_REQUESTS: "Too frequent requests",
    c.TRADE_RETCODE_NO_CHANGES: "No changes in request",
    c.TRADE_RETCODE_SERVER_DISABLES_AT: "Autotrading disabled by server",
    c.TRADE_RETCODE_CLIENT_DISABLES_AT: "AutoTrading disabled by client",
    c.TRADE_RETCODE_LOCKED: "Request locked for processing",
    c.TRADE_RETCODE_FROZEN: "Order or position frozen",
    c.TRADE_RETCODE_INVALID_FILL: "Unsupported filling mode",
    c.TRADE_RETCODE_CONNECTION: "No connection with the trade server",
    c.TRADE_RETCODE_ONLY_REAL: "Operation allowed only for live accounts",
    c.TRADE_RETCODE_LIMIT_ORDERS: "Limit on pending orders reached",
    c.TRADE_RETCODE_LIMIT_VOLUME: "Limit on volume reached",
    c.TRADE_RETCODE_INVALID_ORDER: "Invalid or prohibited order type",
    c.TRADE_RETCODE_POSITION_CLOSED: "Position already closed",
    c.TRADE_RETCODE_INVALID_CLOSE_VOLUME: "Close volume exceeds the position volume",
    c.TRADE_RETCODE_CLOSE_ORDER_EXIST: "Close order already exists",
    c.TRADE_RETCODE_LIMIT_POSITIONS: "Limit on open positions reached",
    c.TRADE_RETCODE_REJECT_CANCEL: "Pending order activation rejected",
    c.TRADE_RETCODE_LONG_ONLY: "Only long positions allowed",
    c.TRADE_RETCODE_SHORT_ONLY: "Only short positions allowed",
    c.TRADE_RETCODE_CLOSE_ONLY: "Only position closing allowed",
    c.TRADE_RETCODE_FIFO_CLOSE: "Position closing allowed only by FIFO rule",
    c.TRADE_RETCODE_HEDGE_PROHIBITED: "Opposite positions prohibited",
}
"""`OrderSendResult.comment` per trade-server retcode."""


class ScenarioError(ValueError):
    """A scenario file or value is invalid.

    The message names the key, the value and what is allowed."""
