"""Result records shaped like the MetaTrader5 module's: namedtuples with the real type names and
field order (shared/reference/mt5-api.md §1–2, checked against metatrader5-stubs), and the numpy
dtypes of `copy_rates_*` and `copy_ticks_*`.

The real objects are C namedtuples without `_fields`; these have it. Bridge code must use only
attribute access, indexing and `_asdict()`.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

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

TERMINAL_INFO_FIELDS = (
    "community_account community_connection connected dlls_allowed trade_allowed "
    "tradeapi_disabled email_enabled ftp_enabled notifications_enabled mqid build maxbars "
    "codepage ping_last community_balance retransmission company name language path data_path "
    "commondata_path"
).split()
ACCOUNT_INFO_FIELDS = (
    "login trade_mode leverage limit_orders margin_so_mode trade_allowed trade_expert margin_mode "
    "currency_digits fifo_close balance credit profit equity margin margin_free margin_level "
    "margin_so_call margin_so_so margin_initial margin_maintenance assets liabilities "
    "commission_blocked name server currency company"
).split()
SYMBOL_INFO_FIELDS = (
    "custom chart_mode select visible session_deals session_buy_orders session_sell_orders volume "
    "volumehigh volumelow time digits spread spread_float ticks_bookdepth trade_calc_mode "
    "trade_mode start_time expiration_time trade_stops_level trade_freeze_level trade_exemode "
    "swap_mode swap_rollover3days margin_hedged_use_leg expiration_mode filling_mode order_mode "
    "order_gtc_mode option_mode option_right bid bidhigh bidlow ask askhigh asklow last lasthigh "
    "lastlow volume_real volumehigh_real volumelow_real option_strike point trade_tick_value "
    "trade_tick_value_profit trade_tick_value_loss trade_tick_size trade_contract_size "
    "trade_accrued_interest trade_face_value trade_liquidity_rate volume_min volume_max "
    "volume_step volume_limit swap_long swap_short margin_initial margin_maintenance "
    "session_volume session_turnover session_interest session_buy_orders_volume "
    "session_sell_orders_volume session_open session_close session_aw session_price_settlement "
    "session_price_limit_min session_price_limit_max margin_hedged price_change price_volatility "
    "price_theoretical price_greeks_delta price_greeks_theta price_greeks_gamma price_greeks_vega "
    "price_greeks_rho price_greeks_omega price_sensitivity basis category currency_base "
    "currency_profit currency_margin bank description exchange formula isin name page path"
).split()
TICK_FIELDS = "time bid ask last volume time_msc flags volume_real".split()
BOOK_INFO_FIELDS = "type price volume volume_dbl".split()
TRADE_REQUEST_FIELDS = (
    "action magic order symbol volume price stoplimit sl tp deviation type type_filling "
    "type_time expiration comment position position_by"
).split()
ORDER_CHECK_RESULT_FIELDS = (
    "retcode balance equity profit margin margin_free margin_level comment request"
).split()
ORDER_SEND_RESULT_FIELDS = (
    "retcode deal order volume price bid ask comment request_id retcode_external request"
).split()
TRADE_ORDER_FIELDS = (
    "ticket time_setup time_setup_msc time_done time_done_msc time_expiration type type_time "
    "type_filling state magic position_id position_by_id reason volume_initial volume_current "
    "price_open sl tp price_current price_stoplimit symbol comment external_id"
).split()
TRADE_POSITION_FIELDS = (
    "ticket time time_msc time_update time_update_msc type magic identifier reason volume "
    "price_open sl tp price_current swap profit symbol comment external_id"
).split()
TRADE_DEAL_FIELDS = (
    "ticket order time time_msc type entry magic position_id reason volume price commission swap "
    "profit fee symbol comment external_id"
).split()

TerminalInfo = namedtuple("TerminalInfo", TERMINAL_INFO_FIELDS)  # type: ignore[misc]  # noqa: PYI024
AccountInfo = namedtuple("AccountInfo", ACCOUNT_INFO_FIELDS)  # type: ignore[misc]  # noqa: PYI024
SymbolInfo = namedtuple("SymbolInfo", SYMBOL_INFO_FIELDS)  # type: ignore[misc]  # noqa: PYI024
Tick = namedtuple("Tick", TICK_FIELDS)  # type: ignore[misc]  # noqa: PYI024
BookInfo = namedtuple("BookInfo", BOOK_INFO_FIELDS)  # type: ignore[misc]  # noqa: PYI024
TradeRequest = namedtuple("TradeRequest", TRADE_REQUEST_FIELDS)  # type: ignore[misc]  # noqa: PYI024
OrderCheckResult = namedtuple("OrderCheckResult", ORDER_CHECK_RESULT_FIELDS)  # type: ignore[misc]  # noqa: PYI024
OrderSendResult = namedtuple("OrderSendResult", ORDER_SEND_RESULT_FIELDS)  # type: ignore[misc]  # noqa: PYI024
TradeOrder = namedtuple("TradeOrder", TRADE_ORDER_FIELDS)  # type: ignore[misc]  # noqa: PYI024
TradePosition = namedtuple("TradePosition", TRADE_POSITION_FIELDS)  # type: ignore[misc]  # noqa: PYI024
TradeDeal = namedtuple("TradeDeal", TRADE_DEAL_FIELDS)  # type: ignore[misc]  # noqa: PYI024

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
"""`copy_rates_*` rows: bar open time (server clock, epoch seconds), bid OHLC, ticks, spread in points."""

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

_STR_FIELDS = {
    "basis", "category", "currency_base", "currency_profit", "currency_margin", "bank",
    "description", "exchange", "formula", "isin", "name", "page", "path",
}
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
