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
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as _c
from bridge.mt5.records import (
    RATES_DTYPE,
    TICKS_DTYPE,
    TRADE_REQUEST_FIELDS,
    AccountInfo,
    BookInfo,
    OrderCheckResult,
    OrderSendResult,
    SymbolInfo,
    TerminalInfo,
    Tick,
    TradeRequest,
    symbol_info_defaults,
)
from bridge.sim.account import Account, Position, _Legs, weekend
from bridge.sim.broker import margin_per_lot, profit_factor
from bridge.sim.errors import ERROR_MESSAGES, RETCODE_COMMENTS
from bridge.sim.faults import TRADE_FAULT_RETCODES, FaultInjector
from bridge.sim.history import merge_rates
from bridge.sim.market import Market, build_market
from bridge.sim.scenario import BalanceOp, Scenario, load_scenario

__all__ = ["SimTerminal"]

_INT_FIELDS = {
    "action",
    "magic",
    "order",
    "deviation",
    "type",
    "type_filling",
    "type_time",
    "expiration",
    "position",
    "position_by",
}
_FLOAT_FIELDS = {"volume", "price", "stoplimit", "sl", "tp"}
_STR_FIELDS = {"symbol", "comment"}
_BUILD = 4755
_MAXBARS = 100_000


@lru_cache(maxsize=8)
def _cached_market(source: str, mtime: float, seed: int, data_dir: str | None) -> Market:
    s = load_scenario(source, data_dir=data_dir, seed=seed)
    return build_market(s)


def _period_seconds(timeframe: int) -> int | None:
    if 1 <= timeframe <= 30:
        return timeframe * 60
    if timeframe & 0xC000 == 0x4000:
        return (timeframe & 0xFF) * 3600
    if timeframe == _c.TIMEFRAME_W1:
        return 7 * 86400
    return None


def _epoch(v: Any) -> float | None:
    if isinstance(v, dt.datetime):
        return v.timestamp() if v.tzinfo else v.replace(tzinfo=dt.UTC).timestamp()
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return None


class SimTerminal:
    """The simulated MetaTrader 5 terminal (see the module docstring)."""

    def __init__(self, scenario: Scenario, market: Market) -> None:
        self.scenario = scenario
        self._m = market
        self._initialized = False
        self._error: tuple[int, str] = (_c.RES_S_OK, ERROR_MESSAGES[_c.RES_S_OK])
        self._selected = {s.name: True for s in market.symbols}
        self._books: set[str] = set()
        self._request_id = 0
        self.faults = FaultInjector(scenario.faults)
        self._tmp = Path(tempfile.mkdtemp(prefix="lca-sim-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        for sub in ("Terminal/SIMULATED/MQL5/Files", "Terminal/Common/Files"):
            (self._tmp / sub).mkdir(parents=True, exist_ok=True)
        self._now = scenario.start
        clock = scenario.clock
        self.account = Account(
            spec=scenario.account,
            broker=scenario.broker,
            market=market,
            to_server_ms=lambda t_ms: t_ms + int(clock.offset_seconds(t_ms / 1000.0)) * 1000,
        )
        self.account.cursor = market.start_index
        t0 = int(scenario.start * 1000)
        history = [o for o in scenario.balance_ops if o.time <= scenario.start]
        self._pending_ops = [o for o in scenario.balance_ops if o.time > scenario.start]
        if not history:
            self.account.balance_deal(scenario.account.balance, t0, _c.DEAL_TYPE_BALANCE,
                                      "deposit")
        for op in history:
            self._balance_op(op)
        if scenario.account.credit:
            self.account.balance_deal(scenario.account.credit, t0, _c.DEAL_TYPE_CREDIT, "credit")
            self.account.balance -= scenario.account.credit
            self.account.credit = scenario.account.credit
        for b in scenario.book:
            k = scenario.symbol_index(b.symbol)
            bid, ask = self.account.quote(k)
            existing = None
            if scenario.account.margin_mode == _c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING:
                existing = next((p for p in self.account.positions if p.sym == k), None)
            self.account.deal(
                k=k,
                side=b.type,
                volume=b.volume,
                price=ask if b.type == _c.ORDER_TYPE_BUY else bid,
                t_ms=t0,
                reason=_c.DEAL_REASON_CLIENT,
                magic=b.magic,
                comment=b.comment,
                position=existing,
            )

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
        at = dt.datetime.fromtimestamp(self._now, dt.UTC).isoformat(timespec="seconds")
        return f"<SimTerminal {self.scenario.name!r} at {at}, {self.ticks_played} ticks played>"

    # ------------------------------------------------------------------ replay API
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
        return self._now >= self.scenario.end

    @property
    def crash_time(self) -> float | None:
        return self.scenario.crash_time

    @property
    def ticks_played(self) -> int:
        """Merged ticks played since the start."""
        return self.account.cursor - self._m.start_index

    @property
    def stop_outs(self) -> int:
        """Positions the broker has closed by stop-out so far."""
        return self.account.stop_outs

    def now(self) -> float:
        """Current simulated time, UTC epoch seconds."""
        return self._now

    def to_server_time(self, t_utc: float) -> float:
        return self.scenario.clock.to_server(t_utc)

    def advance_to(self, t_utc: float) -> None:
        """Play every tick with time ≤ t_utc (capped at the end); never goes back."""
        t = min(max(float(t_utc), self._now), self.scenario.end)
        while self._pending_ops and self._pending_ops[0].time <= t:
            op = self._pending_ops.pop(0)
            self.account.run_to(int(np.searchsorted(
                self._m.time_msc, math.floor(op.time * 1000), side="right")))
            self._now = max(self._now, op.time)
            self._balance_op(op)
        j = int(np.searchsorted(self._m.time_msc, math.floor(t * 1000), side="right"))
        self.account.run_to(j)
        self._now = t

    def _balance_op(self, op: BalanceOp) -> None:
        """Book one `[[balance_ops]]` entry: a balance deal; credit goes to the credit, not the
        balance; a "trade" is a sell deal closing elsewhere (entry OUT) with that profit."""
        comment = op.comment or ("deposit" if op.amount >= 0 else "withdrawal")
        self.account.balance_deal(op.amount, int(op.time * 1000), op.type, comment)
        if op.type == _c.DEAL_TYPE_CREDIT:
            self.account.balance = round(self.account.balance - op.amount, 2)
            self.account.credit = round(self.account.credit + op.amount, 2)
        elif op.type == _c.DEAL_TYPE_SELL:
            self.account.deals[-1] = self.account.deals[-1]._replace(
                entry=_c.DEAL_ENTRY_OUT, symbol=op.symbol, comment=op.comment)

    def advance(self, seconds: float) -> None:
        self.advance_to(self._now + seconds)

    def symbol_index(self, symbol: str) -> int | None:
        for i, s in enumerate(self._m.symbols):
            if s.name == symbol:
                return i
        return None

    def depth_multiplier(self, symbol: str) -> float:
        """The scenario's depth multiplier D(t) for `symbol` now (1 = normal)."""
        k = self.symbol_index(symbol)
        return 1.0 if k is None else float(self._m.streams[k].depth.at(self._now))

    # ------------------------------------------------------------------ plumbing
    def _ok(self) -> None:
        self._error = (_c.RES_S_OK, ERROR_MESSAGES[_c.RES_S_OK])

    def _fail(self, code: int, message: str | None = None) -> None:
        self._error = (code, message or ERROR_MESSAGES[code])

    def _gate(self, function: str) -> bool:
        """Connection state and IPC faults; False (with last_error set) if the call fails."""
        f = self.faults.take(function, self._now, ipc=True)
        if f is not None:
            self._fail(
                _c.RES_E_INTERNAL_FAIL_TIMEOUT
                if f.kind == "ipc_timeout"
                else _c.RES_E_INTERNAL_FAIL_CONNECT
            )
            return False
        if not self._initialized:
            self._fail(_c.RES_E_INTERNAL_FAIL_CONNECT)
            return False
        self._ok()
        return True

    def _server_s(self) -> int:
        return int(self.scenario.clock.to_server(self._now))

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
        f = self.faults.take("initialize", self._now, ipc=True)
        if f is not None:
            self._fail(
                _c.RES_E_INTERNAL_FAIL_TIMEOUT
                if f.kind == "ipc_timeout"
                else _c.RES_E_INTERNAL_FAIL_CONNECT
            )
            return False
        if path is not None and not Path(path).exists():
            self._fail(_c.RES_E_INTERNAL_FAIL_INIT)
            return False
        if login is not None and not self._auth(login, password, server):
            return False
        self._initialized = True
        self._ok()
        return True

    def _auth(self, login: int, password: str | None, server: str | None) -> bool:
        a = self.scenario.account
        if (
            login != a.login
            or (a.password and password not in (None, a.password))
            or (server is not None and server != a.server)
        ):
            self._fail(_c.RES_E_AUTH_FAILED)
            return False
        return True

    def login(
        self,
        login: int,
        password: str | None = None,
        server: str | None = None,
        timeout: int = 60000,
    ) -> bool:
        if not self._gate("login"):
            return False
        if not self._auth(login, password, server):
            return False
        self._ok()
        return True

    def shutdown(self) -> None:
        self._initialized = False

    def version(self) -> tuple[int, int, str] | None:
        if not self._gate("version"):
            return None
        return (500, _BUILD, "16 Jan 2025")

    def last_error(self) -> tuple[int, str]:
        return self._error

    # ------------------------------------------------------------------ account / terminal
    def account_info(self) -> AccountInfo | None:
        if not self._gate("account_info"):
            return None
        a = self.scenario.account
        acc = self.account
        profit, equity, margin, free, level = acc.state()
        if self.faults.bad_reading("account_info", self._now) is not None:  # zero_equity
            profit, equity, free, level = -acc.balance - acc.credit, 0.0, -margin, 0.0
        return AccountInfo(
            a.login,
            _c.ACCOUNT_TRADE_MODE_DEMO,
            a.leverage,
            a.limit_orders,
            a.margin_so_mode,
            self.scenario.trade_allowed,
            not self.faults.active("expert_disabled", self._now),
            a.margin_mode,
            2,
            False,
            acc.balance,
            acc.credit,
            profit,
            equity,
            margin,
            free,
            level,
            a.margin_so_call,
            a.margin_so_so,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            a.name,
            a.server,
            a.currency,
            a.company,
        )

    def terminal_info(self) -> TerminalInfo | None:
        if not self._gate("terminal_info"):
            return None
        connected = not self.faults.disconnected(self._now)
        data = self._tmp / "Terminal" / "SIMULATED"
        return TerminalInfo(
            False,
            False,
            connected,
            False,
            self.scenario.trade_allowed and not self.faults.active("algo_trading_off", self._now),
            False,
            False,
            False,
            False,
            False,
            _BUILD,
            _MAXBARS,
            0,
            0,
            0.0,
            0.0,
            self.scenario.account.company,
            "MetaTrader 5 (lca simulated)",
            "English",
            str(self._tmp),
            str(data),
            str(self._tmp / "Terminal" / "Common"),
        )

    # ------------------------------------------------------------------ symbols
    def symbols_total(self) -> int:
        if not self._gate("symbols_total"):
            return 0
        return len(self._m.symbols)

    def _group(self, names: list[str], group: str) -> list[str]:
        out: list[str] = []
        for cond in (x.strip() for x in group.split(",")):
            if not cond:
                continue
            if cond.startswith("!"):
                out = [n for n in out if not fnmatch.fnmatchcase(n, cond[1:])]
            else:
                out += [n for n in names if fnmatch.fnmatchcase(n, cond) and n not in out]
        return out

    def symbols_get(self, group: str | None = None) -> tuple[SymbolInfo, ...] | None:
        if not self._gate("symbols_get"):
            return None
        names = [s.name for s in self._m.symbols]
        if group is not None:
            names = self._group(names, group)
        return tuple(self._symbol_info(self.symbol_index(n)) for n in names)  # type: ignore[arg-type]

    def symbol_info(self, symbol: str) -> SymbolInfo | None:
        if not self._gate("symbol_info"):
            return None
        k = self.symbol_index(symbol)
        if k is None:
            self._fail(_c.RES_E_FAIL)
            return None
        return self._symbol_info(k)

    def _symbol_info(self, k: int) -> SymbolInfo:
        spec = self._m.symbols[k]
        bid, ask = self.account.quote(k)
        st = self._m.streams[k]
        j = int(self._m.pos[k, self.account.tick_index()])
        server_t = int(self.account.to_server_ms(int(st.time_msc[j]))) // 1000
        tv = self.account.convert(spec.tick * profit_factor(spec), spec.currency_profit, "profit")
        tv_loss = self.account.convert(
            -spec.tick * profit_factor(spec), spec.currency_profit, "profit"
        )
        d = symbol_info_defaults()
        d.update(
            select=self._selected[spec.name],
            visible=self._selected[spec.name],
            time=server_t,
            digits=spec.digits,
            spread=round((ask - bid) / spec.point),
            spread_float=True,
            ticks_bookdepth=spec.book_depth,
            trade_calc_mode=spec.calc_mode,
            trade_mode=spec.trade_mode,
            trade_stops_level=spec.trade_stops_level,
            trade_freeze_level=spec.trade_freeze_level,
            trade_exemode=spec.trade_exemode,
            swap_mode=_c.SYMBOL_SWAP_MODE_DISABLED,
            swap_rollover3days=_c.DAY_OF_WEEK_WEDNESDAY,
            margin_hedged_use_leg=spec.margin_hedged_use_leg,
            expiration_mode=_c.SYMBOL_EXPIRATION_GTC,
            filling_mode=spec.filling_mode,
            order_mode=_c.SYMBOL_ORDER_MARKET | _c.SYMBOL_ORDER_SL | _c.SYMBOL_ORDER_TP,
            order_gtc_mode=_c.SYMBOL_ORDERS_GTC,
            bid=bid,
            bidhigh=bid,
            bidlow=bid,
            ask=ask,
            askhigh=ask,
            asklow=ask,
            point=spec.point,
            trade_tick_value=tv,
            trade_tick_value_profit=tv,
            trade_tick_value_loss=-tv_loss,
            trade_tick_size=spec.tick,
            trade_contract_size=spec.contract_size,
            volume_min=spec.volume_min,
            volume_max=spec.volume_max,
            volume_step=spec.volume_step,
            volume_limit=spec.volume_limit,
            margin_initial=spec.margin_initial,
            margin_maintenance=spec.margin_maintenance,
            margin_hedged=spec.margin_hedged,
            currency_base=spec.currency_base,
            currency_profit=spec.currency_profit,
            currency_margin=spec.currency_margin,
            description=spec.description,
            name=spec.name,
            path=spec.path,
        )
        return SymbolInfo(**d)

    def symbol_info_tick(self, symbol: str) -> Tick | None:
        if not self._gate("symbol_info_tick"):
            return None
        k = self.symbol_index(symbol)
        if k is None or not self._selected[symbol]:
            self._fail(_c.RES_E_FAIL)
            return None
        st = self._m.streams[k]
        j = int(self._m.pos[k, self.account.tick_index()])
        ms = int(self.account.to_server_ms(int(st.time_msc[j])))
        bid = 0.0 if self.faults.bad_reading("symbol_info_tick", self._now) else float(st.bid[j])
        return Tick(ms // 1000, bid, float(st.ask[j]), 0.0, 0, ms, int(st.flags[j]), 0.0)

    def symbol_select(self, symbol: str, enable: bool = True) -> bool:
        if not self._gate("symbol_select"):
            return False
        k = self.symbol_index(symbol)
        if k is None:
            self._fail(_c.RES_E_FAIL)
            return False
        if not enable and any(p.sym == k for p in self.account.positions):
            self._fail(_c.RES_E_FAIL)
            return False
        self._selected[symbol] = bool(enable)
        return True

    # ------------------------------------------------------------------ market depth
    def market_book_add(self, symbol: str) -> bool:
        if not self._gate("market_book_add"):
            return False
        if self.symbol_index(symbol) is None:
            self._fail(_c.RES_E_FAIL)
            return False
        self._books.add(symbol)
        return True

    def market_book_release(self, symbol: str) -> bool:
        if not self._gate("market_book_release"):
            return False
        if symbol not in self._books:
            self._fail(_c.RES_E_FAIL)
            return False
        self._books.discard(symbol)
        return True

    def market_book_get(self, symbol: str) -> tuple[BookInfo, ...] | None:
        if not self._gate("market_book_get"):
            return None
        k = self.symbol_index(symbol)
        if k is None or symbol not in self._books:
            self._fail(_c.RES_E_FAIL)
            return None
        spec = self._m.symbols[k]
        if spec.book_depth <= 0 or not self.account.quoted(k, self._now):
            return ()
        from bridge.sim.broker import book_offsets

        bid, ask = self.account.quote(k)
        d = max(float(self._m.streams[k].depth.at(self._now)), 1e-4)
        lots = spec.book_level_lots * d
        offs = book_offsets(
            spec.book_depth,
            level_lots=lots,
            coef=max(self.scenario.broker.impact_coefficient, 1e-3),
            sigma_d=self.account.sigma(k),
            price=bid,
            daily_volume_lots=spec.daily_volume_lots * d,
        )
        step = spec.point
        asks = [round(ask + max(o, i * step), spec.digits) for i, o in enumerate(offs)]
        bids = [round(bid - max(o, i * step), spec.digits) for i, o in enumerate(offs)]
        vol = round(lots, 2)
        book = [BookInfo(_c.BOOK_TYPE_SELL, p, max(round(vol), 0), vol) for p in reversed(asks)]
        book += [BookInfo(_c.BOOK_TYPE_BUY, p, max(round(vol), 0), vol) for p in bids]
        return tuple(book)

    # ------------------------------------------------------------------ positions / orders
    def positions_total(self) -> int:
        if not self._gate("positions_total"):
            return 0
        return len(self.account.positions)

    def positions_get(
        self, *, symbol: str | None = None, group: str | None = None, ticket: int | None = None
    ) -> tuple[Any, ...] | None:
        if not self._gate("positions_get"):
            return None
        ps = list(self.account.positions)
        if symbol is not None:
            ps = [p for p in ps if self._m.symbols[p.sym].name == symbol]
        elif group is not None:
            keep = set(self._group([s.name for s in self._m.symbols], group))
            ps = [p for p in ps if self._m.symbols[p.sym].name in keep]
        elif ticket is not None:
            ps = [p for p in ps if p.ticket == ticket]
        return tuple(self.account.position_record(p) for p in sorted(ps, key=lambda p: p.ticket))

    def orders_total(self) -> int:
        if not self._gate("orders_total"):
            return 0
        return 0

    def orders_get(
        self, *, symbol: str | None = None, group: str | None = None, ticket: int | None = None
    ) -> tuple[Any, ...] | None:
        if not self._gate("orders_get"):
            return None
        return ()

    def _history_window(
        self,
        records: Sequence[Any],
        date_from: Any,
        date_to: Any,
        group: str | None,
        ticket: int | None,
        position: int | None,
        order_field: str,
    ) -> tuple[Any, ...] | None:
        if ticket is not None:
            return tuple(r for r in records if getattr(r, order_field) == ticket)
        if position is not None:
            return tuple(r for r in records if r.position_id == position)
        a, b = _epoch(date_from), _epoch(date_to)
        if a is None or b is None:
            self._fail(_c.RES_E_INVALID_PARAMS, "Terminal: Invalid params")
            return None
        tf = "time" if order_field == "order" else "time_setup"
        out = [r for r in records if a <= getattr(r, tf) <= b]
        if group is not None:
            keep = set(self._group([s.name for s in self._m.symbols], group))
            out = [r for r in out if r.symbol in keep]
        return tuple(out)

    def history_deals_get(
        self,
        date_from: Any = None,
        date_to: Any = None,
        *,
        group: str | None = None,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[Any, ...] | None:
        if not self._gate("history_deals_get"):
            return None
        return self._history_window(
            self.account.deals, date_from, date_to, group, ticket, position, "order"
        )

    def history_deals_total(self, date_from: Any, date_to: Any) -> int | None:
        r = self.history_deals_get(date_from, date_to)
        return None if r is None else len(r)

    def history_orders_get(
        self,
        date_from: Any = None,
        date_to: Any = None,
        *,
        group: str | None = None,
        ticket: int | None = None,
        position: int | None = None,
    ) -> tuple[Any, ...] | None:
        if not self._gate("history_orders_get"):
            return None
        return self._history_window(
            self.account.orders, date_from, date_to, group, ticket, position, "ticket"
        )

    def history_orders_total(self, date_from: Any, date_to: Any) -> int | None:
        r = self.history_orders_get(date_from, date_to)
        return None if r is None else len(r)

    # ------------------------------------------------------------------ calculations
    def order_calc_margin(
        self,
        action: int,
        symbol: str,
        volume: float,
        price: float,
        /,
    ) -> float | None:
        if not self._gate("order_calc_margin"):
            return None
        k = self.symbol_index(symbol)
        if k is None or action not in range(0, 8) or volume < 0 or price < 0:
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        spec = self._m.symbols[k]
        buy = action in (
            _c.ORDER_TYPE_BUY,
            _c.ORDER_TYPE_BUY_LIMIT,
            _c.ORDER_TYPE_BUY_STOP,
            _c.ORDER_TYPE_BUY_STOP_LIMIT,
        )
        m = float(margin_per_lot(spec, price, float(self.scenario.account.leverage))) * volume
        m *= spec.margin_rate * self.account.margin_mult(k)
        return round(self.account.convert(m, spec.currency_margin, "buy" if buy else "sell"), 2)

    def order_calc_profit(
        self, action: int, symbol: str, volume: float, price_open: float, price_close: float, /
    ) -> float | None:
        if not self._gate("order_calc_profit"):
            return None
        k = self.symbol_index(symbol)
        if k is None or action not in (_c.ORDER_TYPE_BUY, _c.ORDER_TYPE_SELL):
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        spec = self._m.symbols[k]
        move = price_close - price_open if action == _c.ORDER_TYPE_BUY else price_open - price_close
        raw = move * profit_factor(spec) * volume
        if (
            spec.currency_profit != self.scenario.account.currency
            and spec.currency_base == self.scenario.account.currency
        ):
            return round(raw / price_close, 2)  # DEP/XXX: divided by the closing price itself
        return round(self.account.convert(raw, spec.currency_profit, "profit"), 2)

    # ------------------------------------------------------------------ trading
    def _parse_request(self, request: Any, fields: dict[str, Any]) -> dict[str, Any] | None:
        if request is not None and fields:
            self._fail(_c.RES_E_INVALID_PARAMS, "Unnamed arguments not allowed")
            return None
        req = dict(request) if request is not None else dict(fields)
        if not isinstance(request, dict | type(None)):
            self._fail(_c.RES_E_INVALID_PARAMS, "Invalid request argument")
            return None
        for key, v in req.items():
            ok = (
                (key in _INT_FIELDS and isinstance(v, int))
                or (key in _FLOAT_FIELDS and isinstance(v, float))
                or (key in _STR_FIELDS and isinstance(v, str))
            )
            if not ok:
                what = "argument" if key in TRADE_REQUEST_FIELDS else "field"
                self._fail(_c.RES_E_INVALID_PARAMS, f"Invalid '{key}' {what}")
                return None
        return req

    @staticmethod
    def _echo(req: dict[str, Any]) -> TradeRequest:
        vals = []
        for f in TRADE_REQUEST_FIELDS:
            dflt: Any = 0.0 if f in _FLOAT_FIELDS else ("" if f in _STR_FIELDS else 0)
            vals.append(req.get(f, dflt))
        return TradeRequest(*vals)

    def _result(
        self,
        code: int,
        req: dict[str, Any],
        *,
        deal: int = 0,
        order: int = 0,
        volume: float = 0.0,
        price: float = 0.0,
        quotes: bool = False,
    ) -> OrderSendResult:
        bid = ask = 0.0
        if quotes or code in (
            _c.TRADE_RETCODE_DONE,
            _c.TRADE_RETCODE_DONE_PARTIAL,
            _c.TRADE_RETCODE_REQUOTE,
            _c.TRADE_RETCODE_PRICE_CHANGED,
        ):
            k = self.symbol_index(str(req.get("symbol", "")))
            if k is not None:
                bid, ask = self.account.quote(k)
        rid = 0
        if code in (_c.TRADE_RETCODE_DONE, _c.TRADE_RETCODE_DONE_PARTIAL, _c.TRADE_RETCODE_REQUOTE):
            self._request_id += 1
            rid = self._request_id
        return OrderSendResult(
            code,
            deal,
            order,
            volume,
            price,
            bid,
            ask,
            RETCODE_COMMENTS.get(code, ""),
            rid,
            0,
            self._echo(req),
        )

    def _volume_ok(self, spec: Any, v: float) -> bool:
        if v < spec.volume_min - 1e-9 or v > spec.volume_max + 1e-9:
            return False
        steps = (v - spec.volume_min) / spec.volume_step
        return bool(abs(steps - round(steps)) * spec.volume_step < 5e-9)

    def _validate(self, req: dict[str, Any]) -> tuple[int, Position | None, int]:
        """(retcode or 0, the target position, symbol index) for a DEAL or SLTP request."""
        action = req.get("action", 0)
        if action in (
            _c.TRADE_ACTION_PENDING,
            _c.TRADE_ACTION_MODIFY,
            _c.TRADE_ACTION_REMOVE,
            _c.TRADE_ACTION_CLOSE_BY,
        ):
            return _c.TRADE_RETCODE_INVALID_ORDER, None, -1
        if action not in (_c.TRADE_ACTION_DEAL, _c.TRADE_ACTION_SLTP):
            return _c.TRADE_RETCODE_INVALID, None, -1
        acc = self.account
        pos_ticket = req.get("position", 0)
        pos = (
            next((p for p in acc.positions if p.ticket == pos_ticket), None) if pos_ticket else None
        )
        if pos_ticket and pos is None:
            known = any(d.position_id == pos_ticket for d in acc.deals)
            return (
                (_c.TRADE_RETCODE_POSITION_CLOSED if known else _c.TRADE_RETCODE_INVALID),
                None,
                -1,
            )
        sym = req.get("symbol", "") or (self._m.symbols[pos.sym].name if pos else "")
        k = self.symbol_index(sym)
        if k is None or (pos is not None and pos.sym != k):
            return _c.TRADE_RETCODE_INVALID, None, -1
        if not self.scenario.trade_allowed or self.faults.active("algo_trading_off", self._now):
            return _c.TRADE_RETCODE_CLIENT_DISABLES_AT, pos, k
        if self.faults.active("expert_disabled", self._now):
            return _c.TRADE_RETCODE_SERVER_DISABLES_AT, pos, k
        if self.faults.disconnected(self._now):
            return _c.TRADE_RETCODE_CONNECTION, pos, k
        if action == _c.TRADE_ACTION_SLTP:
            return (0 if pos is not None else _c.TRADE_RETCODE_INVALID), pos, k
        return self._check_deal(req, pos, k)

    def _check_deal(
        self, req: dict[str, Any], pos: Position | None, k: int
    ) -> tuple[int, Position | None, int]:
        """Trade-server checks of a market deal, in the reference's order (mt5-api.md §2.4)."""
        spec = self._m.symbols[k]
        side = req.get("type", -1)
        if side not in (_c.ORDER_TYPE_BUY, _c.ORDER_TYPE_SELL):
            bad = side in range(2, 9)
            code = _c.TRADE_RETCODE_INVALID_ORDER if bad else _c.TRADE_RETCODE_INVALID
            return code, pos, k
        pos_ticket = req.get("position", 0)
        netting = self.scenario.account.margin_mode == _c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING
        if netting and pos is None:
            pos = next((p for p in self.account.positions if p.sym == k), None)
        if pos is not None and pos_ticket and pos.type == side:
            return _c.TRADE_RETCODE_INVALID, pos, k
        closing = pos is not None and pos.type != side
        code = self._check_market(spec, k, closing)
        if code:
            return code, pos, k
        vol = req.get("volume", 0.0)
        if not self._volume_ok(spec, vol):
            return _c.TRADE_RETCODE_INVALID_VOLUME, pos, k
        if pos_ticket and pos is not None and vol > pos.volume + 1e-9:
            return _c.TRADE_RETCODE_INVALID_CLOSE_VOLUME, pos, k
        return self._check_fill_and_price(req, spec, k, side), pos, k

    def _check_market(self, spec: Any, k: int, closing: bool) -> int:
        if spec.trade_mode == _c.SYMBOL_TRADE_MODE_DISABLED:
            return _c.TRADE_RETCODE_TRADE_DISABLED
        if spec.trade_mode == _c.SYMBOL_TRADE_MODE_CLOSEONLY and not closing:
            return _c.TRADE_RETCODE_CLOSE_ONLY
        if self.scenario.broker.weekend_close and weekend(self._now):
            return _c.TRADE_RETCODE_MARKET_CLOSED
        if not self.account.quoted(k, self._now):
            return _c.TRADE_RETCODE_PRICE_OFF
        return 0

    def _check_fill_and_price(self, req: dict[str, Any], spec: Any, k: int, side: int) -> int:
        fill = req.get("type_filling", _c.ORDER_FILLING_FOK)
        allowed = {
            _c.ORDER_FILLING_FOK: spec.filling_mode & _c.SYMBOL_FILLING_FOK,
            _c.ORDER_FILLING_IOC: spec.filling_mode & _c.SYMBOL_FILLING_IOC,
            _c.ORDER_FILLING_BOC: spec.filling_mode & _c.SYMBOL_FILLING_BOC,
            _c.ORDER_FILLING_RETURN: spec.trade_exemode != _c.SYMBOL_TRADE_EXECUTION_MARKET,
        }
        if not allowed.get(fill):
            return _c.TRADE_RETCODE_INVALID_FILL
        if spec.trade_exemode in (
            _c.SYMBOL_TRADE_EXECUTION_INSTANT,
            _c.SYMBOL_TRADE_EXECUTION_REQUEST,
        ):
            price = req.get("price", 0.0)
            if price <= 0:
                return _c.TRADE_RETCODE_INVALID_PRICE
            bid, ask = self.account.quote(k)
            market = ask if side == _c.ORDER_TYPE_BUY else bid
            if abs(market - price) > req.get("deviation", 0) * spec.point + 1e-12:
                return _c.TRADE_RETCODE_REQUOTE
        return 0

    def _margin_after(self, k: int, side: int, vol: float, pos: Position | None) -> float:
        legs = self.account.legs()
        lg = legs.setdefault(k, _Legs())
        bid, ask = self.account.quote(k)
        price = ask if side == _c.ORDER_TYPE_BUY else bid
        netting = self.scenario.account.margin_mode == _c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING
        close = min(vol, pos.volume) if pos is not None and pos.type != side else 0.0
        if close > 0 and pos is not None:
            if pos.type == _c.POSITION_TYPE_BUY:
                lg.vl -= close
                lg.al -= close * pos.price_open
            else:
                lg.vs -= close
                lg.as_ -= close * pos.price_open
        add = vol - close if (netting or pos is not None) else vol
        if add > 1e-9:
            if side == _c.ORDER_TYPE_BUY:
                lg.vl += add
                lg.al += add * price
            else:
                lg.vs += add
                lg.as_ += add * price
        legs = {kk: v for kk, v in legs.items() if v.vl > 1e-9 or v.vs > 1e-9}
        return self.account.margin(legs)

    def order_check(
        self,
        request: dict[str, Any] | None = None,
        **fields: Any,
    ) -> OrderCheckResult | None:
        if not self._gate("order_check"):
            return None
        req = self._parse_request(request, fields)
        if req is None:
            return None
        code, pos, k = self._validate(req)
        profit, equity, margin, free, level = self.account.state()
        bal = self.account.balance
        if code == 0 and req.get("action") == _c.TRADE_ACTION_DEAL:
            margin = self._margin_after(k, req["type"], req["volume"], pos)
            free = round(equity - margin, 2)
            level = equity / margin * 100.0 if margin > 0 else 0.0
            if free < 0 and margin > self.account.margin():
                code = _c.TRADE_RETCODE_NO_MONEY
        comment = "Done" if code == 0 else RETCODE_COMMENTS.get(code, "")
        return OrderCheckResult(
            code, bal, equity, profit, margin, free, level, comment, self._echo(req)
        )

    def order_send(
        self,
        request: dict[str, Any] | None = None,
        **fields: Any,
    ) -> OrderSendResult | None:
        if not self._gate("order_send"):
            return None
        req = self._parse_request(request, fields)
        if req is None:
            return None
        code, pos, k = self._validate(req)
        if code:
            return self._result(code, req, quotes=code == _c.TRADE_RETCODE_REQUOTE)
        if req["action"] == _c.TRADE_ACTION_SLTP and pos is not None:  # _validate: pos exists
            sl, tp = req.get("sl", 0.0), req.get("tp", 0.0)
            if sl == pos.sl and tp == pos.tp:
                return self._result(_c.TRADE_RETCODE_NO_CHANGES, req)
            pos.sl, pos.tp = sl, tp
            return self._result(_c.TRADE_RETCODE_DONE, req)
        fault = self.faults.take("order_send", self._now, ipc=False)
        vol = req["volume"]
        spec = self._m.symbols[k]
        if fault is not None and fault.kind not in ("request_timeout", "partial_fill"):
            return self._result(
                TRADE_FAULT_RETCODES[fault.kind],
                req,
                quotes=fault.kind in ("requote", "price_changed"),
            )
        if fault is not None and fault.kind == "request_timeout" and not fault.executed:
            return self._result(_c.TRADE_RETCODE_TIMEOUT, req)
        if fault is not None and fault.kind == "partial_fill":
            steps = math.floor((vol * fault.fraction - spec.volume_min) / spec.volume_step + 1e-9)
            vol = round(spec.volume_min + max(steps, 0) * spec.volume_step, 8)
        return self._execute(req, pos, k, vol, fault)

    def _execute(
        self, req: dict[str, Any], pos: Position | None, k: int, vol: float, fault: Any
    ) -> OrderSendResult:
        """Margin check, fill walking the book, book-keeping, the result."""
        side = req["type"]
        opening = pos is None or pos.type == side or vol > pos.volume + 1e-9
        if opening:
            _, equity, margin_now, _, _ = self.account.state()
            after = self._margin_after(k, side, vol, pos)
            if after > margin_now and equity - after < 0:
                return self._result(_c.TRADE_RETCODE_NO_MONEY, req)
        t_ms = int(self._m.time_msc[self.account.tick_index()])
        t_ms = max(t_ms, int(self._now * 1000))
        price = self.account.fill_price(k, side, vol, self._now)
        deal, order, _ = self.account.deal(
            k=k,
            side=side,
            volume=vol,
            price=price,
            t_ms=t_ms,
            reason=_c.DEAL_REASON_EXPERT,
            magic=req.get("magic", 0),
            comment=req.get("comment", ""),
            position=pos,
            type_filling=req.get("type_filling", 0),
        )
        if self.account.positions:
            self.account.act(self.account.tick_index())  # a deal can itself trigger a stop-out
        if fault is not None and fault.kind == "request_timeout":
            return self._result(_c.TRADE_RETCODE_TIMEOUT, req)
        code = _c.TRADE_RETCODE_DONE_PARTIAL if fault is not None else _c.TRADE_RETCODE_DONE
        return self._result(code, req, deal=deal, order=order, volume=vol, price=price)

    # ------------------------------------------------------------------ bars and ticks
    def _played(self, k: int) -> tuple[npt.NDArray[np.int64], Any]:
        st = self._m.streams[k]
        n = int(self._m.pos[k, self.account.tick_index()]) + 1
        if self.account.cursor == 0:
            n = 0
        ms = st.time_msc[:n]
        server_ms = ms + self.scenario.clock.offset_seconds(ms // 1000) * 1000
        return server_ms, st

    def _rates(self, symbol: str, timeframe: int) -> npt.NDArray[Any] | None:
        k = self.symbol_index(symbol)
        if k is None:
            self._fail(_c.RES_E_INVALID_PARAMS, "Terminal: Invalid params")
            return None
        period = _period_seconds(timeframe)
        if period is None and timeframe != _c.TIMEFRAME_MN1:
            self._fail(_c.RES_E_INVALID_PARAMS, "Terminal: Invalid params")
            return None
        server_ms, st = self._played(k)
        n = len(server_ms)
        t = server_ms // 1000
        if period is None:
            months = t.astype("datetime64[s]").astype("datetime64[M]")
            bucket = months.astype("datetime64[s]").astype(np.int64)
        elif timeframe == _c.TIMEFRAME_W1:
            bucket = (t - 3 * 86400) // period * period + 3 * 86400
        else:
            bucket = t // period * period
        out = np.zeros(0, dtype=RATES_DTYPE)
        if n == 0:
            return self._with_history(k, period, timeframe, out)
        starts = np.flatnonzero(np.diff(bucket, prepend=bucket[0] - 1))
        bid = st.bid[:n]
        spread_pts = np.round((st.ask[:n] - bid) / st.spec.point).astype(np.int64)
        out = np.zeros(len(starts), dtype=RATES_DTYPE)
        out["time"] = bucket[starts]
        out["open"] = bid[starts]
        out["high"] = np.maximum.reduceat(bid, starts)
        out["low"] = np.minimum.reduceat(bid, starts)
        ends = np.append(starts[1:], n) - 1
        out["close"] = bid[ends]
        out["tick_volume"] = np.diff(np.append(starts, n))
        out["spread"] = np.minimum.reduceat(spread_pts, starts)
        return self._with_history(k, period, timeframe, out)

    def _with_history(self, k: int, period: int | None, timeframe: int,
                      out: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The stored bars before the first tick in front of the tick-built ones (sim.history)."""
        hist = self._m.history[k] if k < len(self._m.history) else ()
        if not hist:
            return out
        first_ms = int(self._m.streams[k].time_msc[0])
        first = first_ms // 1000 + int(self.scenario.clock.offset_seconds(first_ms // 1000))
        if timeframe == _c.TIMEFRAME_W1:
            def bucket(t: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
                return (t - 3 * 86400) // 604800 * 604800 + 3 * 86400
        else:
            p = period or 0

            def bucket(t: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
                return t // p * p
        return merge_rates(hist, out, period, bucket, first, self._server_s())

    def copy_rates_from_pos(
        self,
        symbol: str,
        timeframe: int,
        start_pos: int,
        count: int,
        /,
    ) -> npt.NDArray[Any] | None:
        if not self._gate("copy_rates_from_pos"):
            return None
        r = self._rates(symbol, timeframe)
        if r is None:
            return None
        if start_pos < 0 or count <= 0 or start_pos >= len(r) or start_pos + count > _MAXBARS:
            self._fail(_c.RES_E_FAIL)
            return None
        hi = len(r) - start_pos
        return r[max(hi - count, 0) : hi].copy()

    def copy_rates_from(
        self,
        symbol: str,
        timeframe: int,
        date_from: Any,
        count: int,
        /,
    ) -> npt.NDArray[Any] | None:
        if not self._gate("copy_rates_from"):
            return None
        r = self._rates(symbol, timeframe)
        t = _epoch(date_from)
        if r is None or t is None:
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        hi = int(np.searchsorted(r["time"], t, side="right"))
        return r[max(hi - count, 0) : hi].copy()

    def copy_rates_range(
        self,
        symbol: str,
        timeframe: int,
        date_from: Any,
        date_to: Any,
        /,
    ) -> npt.NDArray[Any] | None:
        if not self._gate("copy_rates_range"):
            return None
        r = self._rates(symbol, timeframe)
        a, b = _epoch(date_from), _epoch(date_to)
        if r is None or a is None or b is None:
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        return r[(r["time"] >= a) & (r["time"] <= b)].copy()

    def _ticks(self, symbol: str, flags: int) -> tuple[npt.NDArray[np.int64], Any, int] | None:
        k = self.symbol_index(symbol)
        if k is None or flags not in (_c.COPY_TICKS_ALL, _c.COPY_TICKS_INFO, _c.COPY_TICKS_TRADE):
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        server_ms, st = self._played(k)
        return server_ms, st, flags

    @staticmethod
    def _tick_array(
        server_ms: npt.NDArray[np.int64],
        st: Any,
        sel: slice,
        flags: int,
    ) -> npt.NDArray[Any]:
        if flags == _c.COPY_TICKS_TRADE:
            return np.zeros(0, dtype=TICKS_DTYPE)
        ms = server_ms[sel]
        out = np.zeros(len(ms), dtype=TICKS_DTYPE)
        out["time"] = ms // 1000
        out["time_msc"] = ms
        out["bid"] = st.bid[: len(server_ms)][sel]
        out["ask"] = st.ask[: len(server_ms)][sel]
        out["flags"] = st.flags[: len(server_ms)][sel]
        return out

    def copy_ticks_range(
        self,
        symbol: str,
        date_from: Any,
        date_to: Any,
        flags: int,
        /,
    ) -> npt.NDArray[Any] | None:
        if not self._gate("copy_ticks_range"):
            return None
        got = self._ticks(symbol, flags)
        a, b = _epoch(date_from), _epoch(date_to)
        if got is None or a is None or b is None:
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        server_ms, st, fl = got
        lo = int(np.searchsorted(server_ms, int(a * 1000), side="left"))
        hi = int(np.searchsorted(server_ms, int(b * 1000), side="right"))
        return self._tick_array(server_ms, st, slice(lo, hi), fl)

    def copy_ticks_from(
        self,
        symbol: str,
        date_from: Any,
        count: int,
        flags: int,
        /,
    ) -> npt.NDArray[Any] | None:
        if not self._gate("copy_ticks_from"):
            return None
        got = self._ticks(symbol, flags)
        a = _epoch(date_from)
        if got is None or a is None:
            self._fail(_c.RES_E_INVALID_PARAMS)
            return None
        server_ms, st, fl = got
        lo = int(np.searchsorted(server_ms, int(a * 1000), side="left"))
        return self._tick_array(server_ms, st, slice(lo, lo + max(count, 0)), fl)


for _name in _c.__all__:
    if _name != "MT5_CONSTANT_NAMES":  # the module's constants are attributes, as on mt5linux
        setattr(SimTerminal, _name, getattr(_c, _name))
