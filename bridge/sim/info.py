"""`account_info`, `terminal_info` and the two `order_calc_*` of the simulated terminal. Money in
the account currency; margin levels in percent; paths are a private temporary folder per terminal.
Functions are called after `gate`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bridge.mt5 import constants as c
from bridge.mt5.records import AccountInfo, TerminalInfo
from bridge.sim.broker import margin_per_lot, profit_factor
from bridge.sim.state import SimState

__all__ = ["BUILD", "MAXBARS", "account_info", "order_calc_margin", "order_calc_profit",
           "terminal_info"]

_new = tuple.__new__
BUILD = 4755
MAXBARS = 100_000
_BUY_TYPES = (c.ORDER_TYPE_BUY, c.ORDER_TYPE_BUY_LIMIT, c.ORDER_TYPE_BUY_STOP,
              c.ORDER_TYPE_BUY_STOP_LIMIT)


def account_info(st: SimState) -> AccountInfo:
    """The account now (a `zero_equity` fault reports equity 0 once)."""
    a = st.scenario.account
    ledger = st.ledger
    profit, equity, margin, free, level = st.risk.state()
    if st.faults.bad_reading("account_info", st.now) is not None:  # zero_equity
        profit, equity, free, level = -ledger.balance - ledger.credit, 0.0, -margin, 0.0
    # tuple.__new__ is what the namedtuple's own __new__ calls: the same record, one call less
    return _new(AccountInfo, (
        a.login, c.ACCOUNT_TRADE_MODE_DEMO, a.leverage, a.limit_orders, a.margin_so_mode,
        st.scenario.trade_allowed, not st.faults.active("expert_disabled", st.now), a.margin_mode,
        2, False, ledger.balance, ledger.credit, profit, equity, margin, free, level,
        a.margin_so_call, a.margin_so_so, 0.0, 0.0, 0.0, 0.0, 0.0, a.name, a.server, a.currency,
        a.company,
    ))


@lru_cache(maxsize=64)
def _paths(root: Path) -> tuple[str, str, str]:
    """The terminal's path, data path and common data path below its private folder `root`."""
    return str(root), str(root / "Terminal" / "SIMULATED"), str(root / "Terminal" / "Common")


def terminal_info(st: SimState, root: Path) -> TerminalInfo:
    """The terminal now; `root` is its private folder (data and common paths below it)."""
    connected = not st.faults.disconnected(st.now)
    trade_allowed = st.scenario.trade_allowed and not st.faults.active("algo_trading_off", st.now)
    return TerminalInfo(
        False, False, connected, False, trade_allowed, False, False, False, False, False, BUILD,
        MAXBARS, 0, 0, 0.0, 0.0, st.scenario.account.company, "MetaTrader 5 (lca simulated)",
        "English", *_paths(root),
    )


def order_calc_margin(st: SimState, action: int, symbol: str, volume: float,
                      price: float) -> float | None:
    """Margin of `volume` lots at `price` now, account currency (None on a bad argument)."""
    k = st.symbol_index(symbol)
    if k is None or action not in range(0, 8) or volume < 0 or price < 0:
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    spec = st.market.symbols[k]
    m = float(margin_per_lot(spec, price, float(st.scenario.account.leverage))) * volume
    m *= spec.margin_rate * st.quotes.margin_mult(k)
    side = "buy" if action in _BUY_TYPES else "sell"
    return round(st.quotes.convert(m, spec.currency_margin, side), 2)


def order_calc_profit(st: SimState, action: int, symbol: str, volume: float, price_open: float,
                      price_close: float) -> float | None:
    """Profit of a buy or sell of `volume` lots from `price_open` to `price_close`, account
    currency (None on a bad argument)."""
    k = st.symbol_index(symbol)
    if k is None or action not in (c.ORDER_TYPE_BUY, c.ORDER_TYPE_SELL):
        st.fail(c.RES_E_INVALID_PARAMS)
        return None
    spec = st.market.symbols[k]
    move = price_close - price_open if action == c.ORDER_TYPE_BUY else price_open - price_close
    raw = move * profit_factor(spec) * volume
    account_ccy = st.scenario.account.currency
    if spec.currency_profit != account_ccy and spec.currency_base == account_ccy:
        return round(raw / price_close, 2)  # DEP/XXX: divided by the closing price itself
    return round(st.quotes.convert(raw, spec.currency_profit, "profit"), 2)
