"""Result records shaped like the MetaTrader5 module's: namedtuples with the real type names and
field order (shared/reference/mt5-api.md §1–2, checked against metatrader5-stubs), and the numpy
dtypes of `copy_rates_*` and `copy_ticks_*`.

The real objects are C namedtuples without `_fields`; these have it. Bridge code must use only
attribute access, indexing and `_asdict()`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from bridge.mt5.trade_records import (
    ORDER_CHECK_RESULT_FIELDS,
    ORDER_SEND_RESULT_FIELDS,
    TRADE_DEAL_FIELDS,
    TRADE_ORDER_FIELDS,
    TRADE_POSITION_FIELDS,
    TRADE_REQUEST_FIELDS,
    OrderCheckResult,
    OrderSendResult,
    TradeDeal,
    TradeOrder,
    TradePosition,
    TradeRequest,
)

__all__ = [
    "ACCOUNT_INFO_FIELDS",
    "BOOK_INFO_FIELDS",
    "ORDER_CHECK_RESULT_FIELDS",
    "ORDER_SEND_RESULT_FIELDS",
    "RATES_DTYPE",
    "SYMBOL_INFO_FIELDS",
    "TERMINAL_INFO_FIELDS",
    "TICKS_DTYPE",
    "TICK_FIELDS",
    "TRADE_DEAL_FIELDS",
    "TRADE_ORDER_FIELDS",
    "TRADE_POSITION_FIELDS",
    "TRADE_REQUEST_FIELDS",
    "AccountInfo",
    "BookInfo",
    "OrderCheckResult",
    "OrderSendResult",
    "SymbolInfo",
    "TerminalInfo",
    "Tick",
    "TradeDeal",
    "TradeOrder",
    "TradePosition",
    "TradeRequest",
    "symbol_info_defaults",
]

SYMBOL_INFO_FIELDS = [
    "custom",
    "chart_mode",
    "select",
    "visible",
    "session_deals",
    "session_buy_orders",
    "session_sell_orders",
    "volume",
    "volumehigh",
    "volumelow",
    "time",
    "digits",
    "spread",
    "spread_float",
    "ticks_bookdepth",
    "trade_calc_mode",
    "trade_mode",
    "start_time",
    "expiration_time",
    "trade_stops_level",
    "trade_freeze_level",
    "trade_exemode",
    "swap_mode",
    "swap_rollover3days",
    "margin_hedged_use_leg",
    "expiration_mode",
    "filling_mode",
    "order_mode",
    "order_gtc_mode",
    "option_mode",
    "option_right",
    "bid",
    "bidhigh",
    "bidlow",
    "ask",
    "askhigh",
    "asklow",
    "last",
    "lasthigh",
    "lastlow",
    "volume_real",
    "volumehigh_real",
    "volumelow_real",
    "option_strike",
    "point",
    "trade_tick_value",
    "trade_tick_value_profit",
    "trade_tick_value_loss",
    "trade_tick_size",
    "trade_contract_size",
    "trade_accrued_interest",
    "trade_face_value",
    "trade_liquidity_rate",
    "volume_min",
    "volume_max",
    "volume_step",
    "volume_limit",
    "swap_long",
    "swap_short",
    "margin_initial",
    "margin_maintenance",
    "session_volume",
    "session_turnover",
    "session_interest",
    "session_buy_orders_volume",
    "session_sell_orders_volume",
    "session_open",
    "session_close",
    "session_aw",
    "session_price_settlement",
    "session_price_limit_min",
    "session_price_limit_max",
    "margin_hedged",
    "price_change",
    "price_volatility",
    "price_theoretical",
    "price_greeks_delta",
    "price_greeks_theta",
    "price_greeks_gamma",
    "price_greeks_vega",
    "price_greeks_rho",
    "price_greeks_omega",
    "price_sensitivity",
    "basis",
    "category",
    "currency_base",
    "currency_profit",
    "currency_margin",
    "bank",
    "description",
    "exchange",
    "formula",
    "isin",
    "name",
    "page",
    "path",
]


class TerminalInfo(NamedTuple):
    """terminal_info()"""

    community_account: bool
    community_connection: bool
    connected: bool
    dlls_allowed: bool
    trade_allowed: bool
    tradeapi_disabled: bool
    email_enabled: bool
    ftp_enabled: bool
    notifications_enabled: bool
    mqid: bool
    build: int
    maxbars: int
    codepage: int
    ping_last: int
    community_balance: float
    retransmission: float
    company: str
    name: str
    language: str
    path: str
    data_path: str
    commondata_path: str


class AccountInfo(NamedTuple):
    """account_info()"""

    login: int
    trade_mode: int
    leverage: int
    limit_orders: int
    margin_so_mode: int
    trade_allowed: bool
    trade_expert: bool
    margin_mode: int
    currency_digits: int
    fifo_close: bool
    balance: float
    credit: float
    profit: float
    equity: float
    margin: float
    margin_free: float
    margin_level: float
    margin_so_call: float
    margin_so_so: float
    margin_initial: float
    margin_maintenance: float
    assets: float
    liabilities: float
    commission_blocked: float
    name: str
    server: str
    currency: str
    company: str


class SymbolInfo(NamedTuple):
    """symbol_info() / symbols_get()"""

    custom: bool
    chart_mode: int
    select: bool
    visible: bool
    session_deals: int
    session_buy_orders: int
    session_sell_orders: int
    volume: int
    volumehigh: int
    volumelow: int
    time: int
    digits: int
    spread: int
    spread_float: bool
    ticks_bookdepth: int
    trade_calc_mode: int
    trade_mode: int
    start_time: int
    expiration_time: int
    trade_stops_level: int
    trade_freeze_level: int
    trade_exemode: int
    swap_mode: int
    swap_rollover3days: int
    margin_hedged_use_leg: bool
    expiration_mode: int
    filling_mode: int
    order_mode: int
    order_gtc_mode: int
    option_mode: int
    option_right: int
    bid: float
    bidhigh: float
    bidlow: float
    ask: float
    askhigh: float
    asklow: float
    last: float
    lasthigh: float
    lastlow: float
    volume_real: float
    volumehigh_real: float
    volumelow_real: float
    option_strike: float
    point: float
    trade_tick_value: float
    trade_tick_value_profit: float
    trade_tick_value_loss: float
    trade_tick_size: float
    trade_contract_size: float
    trade_accrued_interest: float
    trade_face_value: float
    trade_liquidity_rate: float
    volume_min: float
    volume_max: float
    volume_step: float
    volume_limit: float
    swap_long: float
    swap_short: float
    margin_initial: float
    margin_maintenance: float
    session_volume: float
    session_turnover: float
    session_interest: float
    session_buy_orders_volume: float
    session_sell_orders_volume: float
    session_open: float
    session_close: float
    session_aw: float
    session_price_settlement: float
    session_price_limit_min: float
    session_price_limit_max: float
    margin_hedged: float
    price_change: float
    price_volatility: float
    price_theoretical: float
    price_greeks_delta: float
    price_greeks_theta: float
    price_greeks_gamma: float
    price_greeks_vega: float
    price_greeks_rho: float
    price_greeks_omega: float
    price_sensitivity: float
    basis: str
    category: str
    currency_base: str
    currency_profit: str
    currency_margin: str
    bank: str
    description: str
    exchange: str
    formula: str
    isin: str
    name: str
    page: str
    path: str


class Tick(NamedTuple):
    """symbol_info_tick()"""

    time: int
    bid: float
    ask: float
    last: float
    volume: int
    time_msc: int
    flags: int
    volume_real: float


class BookInfo(NamedTuple):
    """market_book_get()"""

    type: int
    price: float
    volume: int
    volume_dbl: float


TERMINAL_INFO_FIELDS = TerminalInfo._fields
ACCOUNT_INFO_FIELDS = AccountInfo._fields
TICK_FIELDS = Tick._fields
BOOK_INFO_FIELDS = BookInfo._fields

RATES_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("open", "<f8"),
        ("high", "<f8"),
        ("low", "<f8"),
        ("close", "<f8"),
        ("tick_volume", "<u8"),
        ("spread", "<i4"),
        ("real_volume", "<u8"),
    ]
)
"""`copy_rates_*` rows: bar open time (server clock, epoch s), bid OHLC, ticks, spread (points)."""

TICKS_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("bid", "<f8"),
        ("ask", "<f8"),
        ("last", "<f8"),
        ("volume", "<u8"),
        ("time_msc", "<i8"),
        ("flags", "<u4"),
        ("volume_real", "<f8"),
    ]
)
"""`copy_ticks_*` rows: server-clock time in seconds and milliseconds, bid, ask, flags."""

_STR_FIELDS = set(SYMBOL_INFO_FIELDS[SYMBOL_INFO_FIELDS.index("basis"):])  # the text fields, last
_BOOL_FIELDS = {"custom", "select", "visible", "spread_float", "margin_hedged_use_leg"}
_FLOAT_START = SYMBOL_INFO_FIELDS.index("bid")


def symbol_info_defaults() -> dict[str, Any]:
    """Zero values of the right type for every SymbolInfo field (str '', bool False, int 0, 0.0)."""
    out: dict[str, Any] = {}
    for i, name in enumerate(SYMBOL_INFO_FIELDS):
        if name in _STR_FIELDS:
            out[name] = ""
        elif name in _BOOL_FIELDS:
            out[name] = False
        elif i >= _FLOAT_START:
            out[name] = 0.0
        else:
            out[name] = 0
    return out
