"""`SimTerminal`: an object shaped like the `MetaTrader5` module, on a market replay and a broker.

MT5-shaped functions (names, positional-only and keyword-only arguments, namedtuple results,
numpy arrays, `last_error()` codes) sit beside an explicit replay API for the runtime:

- ``SimTerminal.from_scenario(name_or_path, *, data_dir=None, seed=None)``: a fresh, independent
  terminal (the market arrays of a scenario are built once per process and shared read-only);
- ``now()`` the simulated UTC time (epoch seconds, float); ``advance_to(t_utc)`` and
  ``advance(seconds)`` play every tick up to that time, revaluing the account and running the
  stop-out and SL/TP on each; ``finished``; ``start_time`` / ``end_time``; ``scenario`` (name,
  description, crash time, the initial book, …); ``faults`` (the fault injector);
  ``to_server_time(t_utc)``.

Times the MT5 functions return (tick, bar, deal and position times) are in the broker's server
clock, as a real terminal does. Date arguments (`datetime` or epoch seconds) are compared with
those server-clock stamps; a naive `datetime` is read as UTC (the simulator has no local zone).
Not modelled: pending orders (TRADE_ACTION_PENDING/MODIFY/REMOVE give
10035), close-by, swaps, commissions, `history_*` windows beyond the replay.

This class is the facade: each MT5 function checks the connection (`SimState.gate`) and hands
over to the module with that job — bridge.sim.info (account, terminal, order_calc_*),
bridge.sim.symbols (symbols, ticks, market depth), bridge.sim.queries (positions, orders, deal
history), bridge.sim.rates (copy_rates_*, copy_ticks_*), bridge.sim.trading (order_check,
order_send). The books are bridge.sim.ledger; margin and stop-out bridge.sim.risk_engine.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as _c
from bridge.mt5.records import (
    AccountInfo,
    BookInfo,
    OrderCheckResult,
    OrderSendResult,
    SymbolInfo,
    TerminalInfo,
    Tick,
    TradeDeal,
    TradeOrder,
    TradePosition,
)
from bridge.sim import info, queries, rates, symbols, trading
from bridge.sim.faults import FaultInjector
from bridge.sim.ledger import Ledger
from bridge.sim.market import Market, build_market
from bridge.sim.opening import book_balance_op, open_account
from bridge.sim.risk_engine import RiskEngine
from bridge.sim.scenario import Scenario, load_scenario
from bridge.sim.state import DateArg, SimState

__all__ = ["SimTerminal"]

Records = npt.NDArray[np.void]


@lru_cache(maxsize=8)
def _cached_market(source: str, mtime: float, seed: int, data_dir: str | None) -> Market:
    s = load_scenario(source, data_dir=data_dir, seed=seed)
    return build_market(s)


class SimTerminal:
    """The simulated MetaTrader 5 terminal (see the module docstring)."""

    def __init__(self, scenario: Scenario, market: Market) -> None:
        self.faults = FaultInjector(scenario.faults)
        self._tmp = Path(tempfile.mkdtemp(prefix="lca-sim-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        for sub in ("Terminal/SIMULATED/MQL5/Files", "Terminal/Common/Files"):
            (self._tmp / sub).mkdir(parents=True, exist_ok=True)
        ledger, risk, self._pending_ops = open_account(scenario, market)
        self._st = SimState(scenario, market, ledger.quotes, ledger, risk, self.faults,
                            scenario.start, selected={s.name: True for s in market.symbols})

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_scenario(
        cls,
        name_or_path: str | Path,
        *,
        data_dir: str | Path | None = None,
        seed: int | None = None,
    ) -> SimTerminal:
        """A fresh terminal on a built-in scenario name or a scenario TOML path."""
        s = load_scenario(name_or_path, data_dir=data_dir, seed=seed)
        src = Path(s.source)
        market = _cached_market(
            str(src), src.stat().st_mtime, s.seed, None if data_dir is None else str(data_dir)
        )
        return cls(s, market)

    def __repr__(self) -> str:
        at = dt.datetime.fromtimestamp(self._st.now, dt.UTC).isoformat(timespec="seconds")
        return f"<SimTerminal {self.scenario.name!r} at {at}, {self.ticks_played} ticks played>"

    # ------------------------------------------------------------------ replay API
    @property
    def scenario(self) -> Scenario:
        """The scenario played (a test may replace it, e.g. with trading not allowed)."""
        return self._st.scenario

    @scenario.setter
    def scenario(self, scenario: Scenario) -> None:
        self._st.scenario = scenario

    @property
    def market(self) -> Market:
        """The replayed market (read-only arrays shared between terminals of one scenario)."""
        return self._st.market

    @property
    def ledger(self) -> Ledger:
        """The account's books: positions, orders, deals, balance and credit."""
        return self._st.ledger

    @property
    def risk(self) -> RiskEngine:
        """The account's margin and stop-out engine."""
        return self._st.risk

    @property
    def start_time(self) -> float:
        """Replay start, UTC epoch seconds."""
        return self.scenario.start

    @property
    def end_time(self) -> float:
        """Replay end, UTC epoch seconds."""
        return self.scenario.end

    @property
    def finished(self) -> bool:
        return self._st.now >= self.scenario.end

    @property
    def crash_time(self) -> float | None:
        return self.scenario.crash_time

    @property
    def ticks_played(self) -> int:
        """Merged ticks played since the start."""
        return self._st.quotes.cursor - self._st.market.start_index

    @property
    def stop_outs(self) -> int:
        """Positions the broker has closed by stop-out so far."""
        return self._st.risk.stop_outs

    def now(self) -> float:
        """Current simulated time, UTC epoch seconds."""
        return self._st.now

    def to_server_time(self, t_utc: float) -> float:
        return self.scenario.clock.to_server(t_utc)

    def advance_to(self, t_utc: float) -> None:
        """Play every tick with time ≤ t_utc (capped at the end); never goes back."""
        st = self._st
        t = min(max(float(t_utc), st.now), st.scenario.end)
        times = st.market.time_msc
        while self._pending_ops and self._pending_ops[0].time <= t:
            op = self._pending_ops.pop(0)
            st.risk.run_to(int(times.searchsorted(math.floor(op.time * 1000), side="right")))
            st.now = max(st.now, op.time)
            book_balance_op(st.ledger, op)
        st.risk.run_to(int(times.searchsorted(math.floor(t * 1000), side="right")))
        st.now = t

    def advance(self, seconds: float) -> None:
        self.advance_to(self._st.now + seconds)

    def symbol_index(self, symbol: str) -> int | None:
        return self._st.symbol_index(symbol)

    def depth_multiplier(self, symbol: str) -> float:
        """The scenario's depth multiplier D(t) for `symbol` now (1 = normal)."""
        k = self.symbol_index(symbol)
        return 1.0 if k is None else float(self._st.market.streams[k].depth.at(self._st.now))

    # ------------------------------------------------------------------ connection
    def initialize(
        self,
        path: str | None = None,
        *,
        login: int | None = None,
        password: str | None = None,
        server: str | None = None,
        timeout: int = 60000,
        portable: bool = False,
    ) -> bool:
        st = self._st
        if st.ipc_fault("initialize"):
            return False
        if path is not None and not Path(path).exists():
            st.fail(_c.RES_E_INTERNAL_FAIL_INIT)
            return False
        if login is not None and not st.auth(login, password, server):
            return False
        st.initialized = True
        st.ok()
        return True

    def login(
        self,
        login: int,
        password: str | None = None,
        server: str | None = None,
        timeout: int = 60000,
    ) -> bool:
        if not self._st.gate("login") or not self._st.auth(login, password, server):
            return False
        self._st.ok()
        return True

    def shutdown(self) -> None:
        self._st.initialized = False

    def version(self) -> tuple[int, int, str] | None:
        return (500, info.BUILD, "16 Jan 2025") if self._st.gate("version") else None

    def last_error(self) -> tuple[int, str]:
        return self._st.error

    # ------------------------------------------------------------------ account / terminal
    def account_info(self) -> AccountInfo | None:
        return info.account_info(self._st) if self._st.gate("account_info") else None

    def terminal_info(self) -> TerminalInfo | None:
        return info.terminal_info(self._st, self._tmp) if self._st.gate("terminal_info") else None

    # ------------------------------------------------------------------ symbols, depth
    def symbols_total(self) -> int:
        return len(self._st.market.symbols) if self._st.gate("symbols_total") else 0

    def symbols_get(self, group: str | None = None) -> tuple[SymbolInfo, ...] | None:
        return symbols.symbols_get(self._st, group) if self._st.gate("symbols_get") else None

    def symbol_info(self, symbol: str) -> SymbolInfo | None:
        return symbols.symbol_info(self._st, symbol) if self._st.gate("symbol_info") else None

    def symbol_info_tick(self, symbol: str) -> Tick | None:
        if not self._st.gate("symbol_info_tick"):
            return None
        return symbols.symbol_info_tick(self._st, symbol)

    def symbol_select(self, symbol: str, enable: bool = True) -> bool:
        return self._st.gate("symbol_select") and symbols.symbol_select(self._st, symbol, enable)

    def market_book_add(self, symbol: str) -> bool:
        return self._st.gate("market_book_add") and symbols.market_book_add(self._st, symbol)

    def market_book_release(self, symbol: str) -> bool:
        return self._st.gate("market_book_release") and symbols.market_book_release(
            self._st, symbol)

    def market_book_get(self, symbol: str) -> tuple[BookInfo, ...] | None:
        if not self._st.gate("market_book_get"):
            return None
        return symbols.market_book_get(self._st, symbol)

    # ------------------------------------------------------------------ positions / orders
    def positions_total(self) -> int:
        return len(self._st.ledger.positions) if self._st.gate("positions_total") else 0

    def positions_get(
        self, *, symbol: str | None = None, group: str | None = None, ticket: int | None = None
    ) -> tuple[TradePosition, ...] | None:
        if not self._st.gate("positions_get"):
            return None
        return queries.positions(self._st, symbol, group, ticket)

    def orders_total(self) -> int:
        self._st.gate("orders_total")
        return 0

    def orders_get(
        self, *, symbol: str | None = None, group: str | None = None, ticket: int | None = None
    ) -> tuple[TradeOrder, ...] | None:
        return () if self._st.gate("orders_get") else None

    def history_deals_get(
        self,
        date_from: DateArg | None = None,
        date_to: DateArg | None = None,
        *,
        group: str | None = None,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeDeal, ...] | None:
        if not self._st.gate("history_deals_get"):
            return None
        return queries.history_deals(self._st, (date_from, date_to), group, ticket, position)

    def history_deals_total(self, date_from: DateArg, date_to: DateArg) -> int | None:
        return None if (r := self.history_deals_get(date_from, date_to)) is None else len(r)

    def history_orders_get(
        self,
        date_from: DateArg | None = None,
        date_to: DateArg | None = None,
        *,
        group: str | None = None,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[TradeOrder, ...] | None:
        if not self._st.gate("history_orders_get"):
            return None
        return queries.history_orders(self._st, (date_from, date_to), group, ticket, position)

    def history_orders_total(self, date_from: DateArg, date_to: DateArg) -> int | None:
        return None if (r := self.history_orders_get(date_from, date_to)) is None else len(r)

    # ------------------------------------------------------------------ calculations, trading
    def order_calc_margin(
        self, action: int, symbol: str, volume: float, price: float, /
    ) -> float | None:
        if not self._st.gate("order_calc_margin"):
            return None
        return info.order_calc_margin(self._st, action, symbol, volume, price)

    def order_calc_profit(
        self, action: int, symbol: str, volume: float, price_open: float, price_close: float, /
    ) -> float | None:
        if not self._st.gate("order_calc_profit"):
            return None
        return info.order_calc_profit(self._st, action, symbol, volume, price_open, price_close)

    def order_check(
        self, request: Mapping[str, object] | None = None, **fields: object
    ) -> OrderCheckResult | None:
        if not self._st.gate("order_check"):
            return None
        return trading.order_check(self._st, request, fields)

    def order_send(
        self, request: Mapping[str, object] | None = None, **fields: object
    ) -> OrderSendResult | None:
        if not self._st.gate("order_send"):
            return None
        return trading.order_send(self._st, request, fields)

    # ------------------------------------------------------------------ bars and ticks
    def copy_rates_from_pos(
        self, symbol: str, timeframe: int, start_pos: int, count: int, /
    ) -> Records | None:
        if not self._st.gate("copy_rates_from_pos"):
            return None
        return rates.copy_rates_from_pos(self._st, symbol, timeframe, start_pos, count)

    def copy_rates_from(
        self, symbol: str, timeframe: int, date_from: DateArg, count: int, /
    ) -> Records | None:
        if not self._st.gate("copy_rates_from"):
            return None
        return rates.copy_rates_from(self._st, symbol, timeframe, date_from, count)

    def copy_rates_range(
        self, symbol: str, timeframe: int, date_from: DateArg, date_to: DateArg, /
    ) -> Records | None:
        if not self._st.gate("copy_rates_range"):
            return None
        return rates.copy_rates_range(self._st, symbol, timeframe, date_from, date_to)

    def copy_ticks_range(
        self, symbol: str, date_from: DateArg, date_to: DateArg, flags: int, /
    ) -> Records | None:
        if not self._st.gate("copy_ticks_range"):
            return None
        return rates.copy_ticks_range(self._st, symbol, date_from, date_to, flags)

    def copy_ticks_from(
        self, symbol: str, date_from: DateArg, count: int, flags: int, /
    ) -> Records | None:
        if not self._st.gate("copy_ticks_from"):
            return None
        return rates.copy_ticks_from(self._st, symbol, date_from, count, flags)


for _name in _c.__all__:
    if _name != "MT5_CONSTANT_NAMES":  # the module's constants are attributes, as on mt5linux
        setattr(SimTerminal, _name, getattr(_c, _name))
