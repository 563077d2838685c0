"""The terminal port: one adapter over any object shaped like the `MetaTrader5` module.

The real `MetaTrader5` package (Windows), an `mt5linux` client (Wine) and the simulated terminal
(`bridge.sim.SimTerminal`) are interchangeable behind it. Every call is checked: a `None` result
(or `False` from the bool functions) raises `TerminalError` with the terminal's `last_error()`.
Results are decoded at once into controller snapshot values (attribute access only: no `_fields`,
no pickling, so mt5linux netrefs and materialised records work alike); corrupt data raises
`controller.SnapshotError` naming the field.

Times: MT5 stamps ticks, bars and deals in the trade server's clock; the port converts them to UTC
with the configured server offset and DST rule.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from loguru import logger

from bridge.mt5 import constants as mt5c
from bridge.mt5.port import Mt5Module
from bridge.servertime import ServerClock
from controller import Account, BookLevel, MarketState, Position, Snapshot, SymbolSpec
from controller.bounds import check_bounds
from controller.indicators import SymbolHistory
from controller.settings import SymbolClass
from controller.snapshot import guess_symbol_class, make_snapshot

__all__ = ["Credentials", "TerminalError", "TerminalPort", "open_module"]

_BOOL_FUNCTIONS = frozenset({"initialize", "login", "symbol_select", "market_book_add",
                             "market_book_release"})
_CONNECTION_CODES = frozenset({mt5c.RES_E_INTERNAL_FAIL_SEND, mt5c.RES_E_INTERNAL_FAIL_RECEIVE,
                               mt5c.RES_E_INTERNAL_FAIL_INIT, mt5c.RES_E_INTERNAL_FAIL_CONNECT,
                               mt5c.RES_E_INTERNAL_FAIL_TIMEOUT})
_AUTH_FAILED = mt5c.RES_E_AUTH_FAILED  # mt5-api.md §0.3: never retried


class TerminalError(RuntimeError):
    """A terminal call failed: `function`, and the terminal's `code` and `message`."""

    def __init__(self, function: str, code: int, message: str) -> None:
        self.function = function
        self.code = code
        self.message = message
        super().__init__(f"{function}() failed: {message} ({code})")

    @property
    def connection_lost(self) -> bool:
        """True for the IPC errors that a reconnect may cure."""
        return self.code in _CONNECTION_CODES


@dataclass(frozen=True)
class Credentials:
    """Login, password and server, read from environment variables (never from a file), and
    the names of those variables (for messages)."""

    login: int | None
    password: str | None
    server: str | None
    login_var: str = "LCA_MT5_LOGIN"
    password_var: str = "LCA_MT5_PASSWORD"
    server_var: str = "LCA_MT5_SERVER"

    @classmethod
    def from_env(cls, login_var: str, password_var: str, server_var: str) -> Credentials:
        raw = os.environ.get(login_var)
        login = None
        if raw:
            try:
                login = int(raw)
            except ValueError:
                raise ValueError(f"environment variable {login_var} must be the account "
                                 f"number (digits), not {raw!r}") from None
        password = os.environ.get(password_var) or None
        if login is not None and password is None:
            raise ValueError(f"environment variable {password_var} is not set: it holds the "
                             f"password of account {login} ({login_var}); set it, or unset "
                             f"{login_var} to use the account the terminal is logged into")
        return cls(login, password, os.environ.get(server_var) or None, login_var, password_var,
                   server_var)

    def refused(self, error: TerminalError) -> TerminalError:
        """The authorization failure, naming the variables to fix (never the password)."""
        account = f"account {self.login} ({self.login_var})" if self.login is not None else \
            f"the account the terminal is logged into ({self.login_var} is not set)"
        server = f" on server {self.server!r} ({self.server_var})" if self.server else ""
        return TerminalError(error.function, error.code, (
            f"{error.message}: the terminal refused {account}{server}. Check {self.login_var}, "
            f"{self.password_var} and {self.server_var}, then start lca again; it does not "
            "retry a refused login (a broker locks an account after repeated wrong passwords)"))

    def __repr__(self) -> str:  # never show the password
        return f"Credentials(login={self.login}, password=***, server={self.server!r})"


def open_module(kind: str, *, scenario: str = "", data_dir: str | None = None,
                host: str = "localhost", port: int = 18812,
                allow_remote: bool = False, timeout_ms: int = 60_000) -> Any:
    """The module-shaped object for `kind`: "sim", "mt5" (the MetaTrader5 package, imported
    here and nowhere else) or "mt5linux" (the mt5linux RPyC server of a terminal under Wine,
    through `bridge.mt5remote.RemoteMT5`: one round trip per call)."""
    if kind == "sim":
        from bridge.sim import SimTerminal

        return SimTerminal.from_scenario(scenario, data_dir=data_dir)
    if kind == "mt5":
        try:
            import MetaTrader5
        except ImportError:
            raise TerminalError(
                "import", -1, "the MetaTrader5 package is not installed: it exists for Windows "
                "only; on Linux use kind = \"mt5linux\"") from None
        return MetaTrader5
    if kind == "mt5linux":
        try:
            import rpyc  # noqa: F401  (the transport; only its import is checked here)
        except ImportError:
            raise TerminalError("import", -1, "rpyc (the mt5linux transport) is not installed "
                                "in lca's Python: uv sync --extra mt5linux") from None
        from bridge.mt5remote import RemoteMT5

        # one call may last the terminal's own timeout, plus the round trip; an ImportError
        # raised by the server (no MetaTrader5 there) is RemoteMT5's own TerminalError
        return RemoteMT5(host, port, allow_remote=allow_remote,
                         timeout_s=timeout_ms / 1000.0 + 10.0)
    raise ValueError(f"terminal kind {kind!r} is unknown (allowed: sim, mt5, mt5linux)")


def _f(record: Any, name: str, default: Any = None) -> Any:
    return getattr(record, name, default)


class TerminalPort:
    """Connection, checked calls and decoding into controller values."""

    def __init__(self, mt5: Mt5Module, credentials: Credentials | None = None, *,
                 path: str | None = None, timeout_ms: int = 60_000,
                 server_clock: ServerClock | None = None,
                 sleep: Callable[[float], None] | None = None,
                 symbol_classes: Mapping[str, SymbolClass] | None = None) -> None:
        self.mt5: Mt5Module = mt5
        # [safe_leverage.symbol_classes]: the user's class for a symbol, else the guess
        self.symbol_classes = dict(symbol_classes or {})
        self.credentials = credentials or Credentials(None, None, None)
        self.path = path
        self.timeout_ms = timeout_ms
        self.clock = server_clock or ServerClock()
        self._sleep = sleep
        self._specs: dict[str, SymbolSpec] = {}
        self._all_symbols: dict[str, tuple[str, str]] | None = None
        self._books: dict[str, bool] = {}
        self.connected = False
        self.refused: TerminalError | None = None  # an authorization failure: never retried

    # -- calls ----------------------------------------------------------------------------
    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call `function` on the module; `None` (or False from a bool function) raises."""
        result = getattr(self.mt5, function)(*args, **kwargs)
        if result is None or (function in _BOOL_FUNCTIONS and result is False):
            code, message = self.mt5.last_error()
            if code in _CONNECTION_CODES:
                self.connected = False
            raise TerminalError(function, int(code), str(message))
        return result

    def connect(self, attempts: int = 5, backoff_s: float = 1.0) -> None:
        """initialize (+ login when credentials are set), with exponential back-off. An
        authorization failure stops at once and is kept: later calls raise it without trying
        the credentials again."""
        if self.refused is not None:  # a fresh error each time (no growing traceback)
            r = self.refused
            raise TerminalError(r.function, r.code, r.message)
        c = self.credentials
        kwargs: dict[str, Any] = {"timeout": self.timeout_ms}
        if c.login is not None:
            kwargs["login"] = c.login
            if c.password is not None:
                kwargs["password"] = c.password
            if c.server is not None:
                kwargs["server"] = c.server
        last: TerminalError | None = None
        for attempt in range(attempts):
            try:
                if self.path:
                    self.call("initialize", self.path, **kwargs)
                else:
                    self.call("initialize", **kwargs)
                self.connected = True
                self._books.clear()
                return
            except TerminalError as exc:
                if exc.code == _AUTH_FAILED:
                    self.refused = c.refused(exc)
                    logger.error("{}", self.refused)
                    raise self.refused from None
                last = exc
                logger.warning("connect attempt {} failed: {}", attempt + 1, exc)
                if self._sleep is not None and attempt + 1 < attempts:
                    self._sleep(backoff_s * 2**attempt)
        raise last if last is not None else TerminalError("initialize", -1, "no attempt made")

    def ensure_connected(self) -> None:
        if not self.connected:
            self.connect()

    # -- decoding -------------------------------------------------------------------------
    def account(self) -> Account:
        a = self.call("account_info")
        return Account(
            login=int(a.login), currency=str(a.currency), balance=float(a.balance),
            equity=float(a.equity), margin=float(a.margin),
            margin_so_call=float(a.margin_so_call), margin_so_so=float(a.margin_so_so),
            margin_so_mode=int(a.margin_so_mode), margin_mode=int(a.margin_mode),
            leverage=float(a.leverage), trade_mode=int(a.trade_mode), credit=float(a.credit),
            profit=float(a.profit),
        )

    def symbol(self, name: str) -> SymbolSpec:
        spec = self._specs.get(name)
        if spec is not None:
            return spec
        s = self.call("symbol_info", name)
        base, profit = str(s.currency_base), str(s.currency_profit)
        calc = int(s.trade_calc_mode)
        path = str(_f(s, "path", ""))
        spec = SymbolSpec(
            name=name, trade_contract_size=float(s.trade_contract_size),
            volume_min=float(s.volume_min), volume_step=float(s.volume_step),
            volume_max=float(s.volume_max), currency_base=base, currency_profit=profit,
            currency_margin=str(_f(s, "currency_margin", base)), trade_calc_mode=calc,
            path=path, symbol_class=self.symbol_classes.get(name)
            or guess_symbol_class(name, path, base, profit, calc),
            trade_tick_value=float(_f(s, "trade_tick_value", 0.0)),
            trade_tick_size=float(_f(s, "trade_tick_size", 0.0)),
        )
        self._specs[name] = spec
        if int(_f(s, "ticks_bookdepth", 0)) > 0 and name not in self._books:
            try:
                self.call("market_book_add", name)
                self._books[name] = True
            except TerminalError:
                self._books[name] = False
        return spec

    def positions(self) -> tuple[Position, ...]:
        rows = self.call("positions_get")
        return tuple(
            Position(ticket=int(p.ticket), symbol=str(p.symbol), type=int(p.type),
                     volume=float(p.volume), price_open=float(p.price_open),
                     price_current=float(p.price_current), profit=float(p.profit),
                     swap=float(p.swap), time=int(p.time), magic=int(p.magic))
            for p in rows
        )

    def market(self, name: str, server_offset: float | None = None) -> MarketState:
        """Quote (and book) of `name`; `server_offset` (server − UTC, seconds) saves a lookup."""
        tick = self.call("symbol_info_tick", name)
        book = None
        if self._books.get(name):
            rows = self.mt5.market_book_get(name)
            if rows:
                book = tuple(BookLevel(int(r.type), float(r.price), float(r.volume_dbl))
                             for r in rows)
        server_time = float(tick.time_msc) / 1000.0
        time = server_time - server_offset if server_offset is not None else \
            self.clock.to_utc(server_time)
        return MarketState(bid=float(tick.bid), ask=float(tick.ask), time=time, book=book)

    def conversion_symbols(self, account_currency: str, currencies: Iterable[str]) -> list[str]:
        """Symbols that convert each currency to the account currency (direct or inverse, else
        through USD), from the terminal's symbol list (read once)."""
        if self._all_symbols is None:
            rows = self.call("symbols_get")
            self._all_symbols = {str(s.name): (str(s.currency_base), str(s.currency_profit))
                                 for s in rows}
        wanted: list[str] = []
        for ccy in currencies:
            if ccy == account_currency:
                continue
            found = self._pair(ccy, account_currency)
            if found is None and "USD" not in (ccy, account_currency):
                found = self._pair(ccy, "USD")
                via = self._pair("USD", account_currency)
                if via is not None:
                    wanted.append(via)
            if found is not None:
                wanted.append(found)
        return wanted

    def _pair(self, a: str, b: str) -> str | None:
        assert self._all_symbols is not None
        for name, (base, profit) in self._all_symbols.items():
            if {base, profit} == {a, b}:
                return name
        return None

    def snapshot(self, now: float, watch: Sequence[str] = (),
                 depth: dict[str, tuple[float, float]] | None = None) -> Snapshot:
        """One checked snapshot: account, positions, and the market of the held and watched
        symbols plus the pairs that convert them to the account currency. `depth` (lots per
        side, from the EA's telemetry) is used where the broker publishes no book."""
        account = self.account()
        positions = self.positions()
        names = list(dict.fromkeys([*(p.symbol for p in positions), *watch]))
        specs = {n: self.symbol(n) for n in names}
        currencies = {s.currency_profit for s in specs.values()}
        for extra in self.conversion_symbols(account.currency, currencies):
            if extra not in specs:
                specs[extra] = self.symbol(extra)
        market = {}
        offset = self.clock.to_server(now) - now
        for name in specs:
            m = self.market(name, offset)
            if m.book is None and depth and name in depth:
                bid_lots, ask_lots = depth[name]
                m = MarketState(bid=m.bid, ask=m.ask, time=m.time, bid_depth=bid_lots,
                                ask_depth=ask_lots)
            market[name] = m
        snap = make_snapshot(now, account, specs, positions, market)
        check_bounds(snap)  # 1e308 lots, a ticket twice, a time of 1e20: named, not used
        return snap

    def history(self, name: str, start_utc: float, end_utc: float) -> SymbolHistory:
        """Ticks (bid/ask) and H1/D1 bars of `name` between two UTC times, for the indicators."""
        a, b = int(self.clock.to_server(start_utc)), int(self.clock.to_server(end_utc))
        ticks = self.call("copy_ticks_range", name, a, b, mt5c.COPY_TICKS_INFO)
        kwargs: dict[str, Any] = {}
        if len(ticks):
            t = self.clock.to_utc_array(ticks["time_msc"] // 1000).astype(np.float64)
            t += (ticks["time_msc"] % 1000) / 1000.0
            keep = (ticks["bid"] > 0) & (ticks["ask"] >= ticks["bid"])
            kwargs.update(quote_time=t[keep], bid=ticks["bid"][keep].astype(np.float64),
                          ask=ticks["ask"][keep].astype(np.float64))
        from controller.indicators import Bars

        for key, tf in (("h1", mt5c.TIMEFRAME_H1), ("d1", mt5c.TIMEFRAME_D1)):
            rates = self.call("copy_rates_range", name, tf, a - 90 * 86_400, b)
            if len(rates):
                t = self.clock.to_utc_array(rates["time"]).astype(np.float64)
                kwargs[key] = Bars(time=t, open=rates["open"].astype(np.float64),
                                   high=rates["high"].astype(np.float64),
                                   low=rates["low"].astype(np.float64),
                                   close=rates["close"].astype(np.float64))
        return SymbolHistory(**kwargs)
