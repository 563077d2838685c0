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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NoReturn

import numpy as np
from loguru import logger

from bridge.credentials import Credentials
from bridge.mt5 import constants as mt5c
from bridge.mt5.port import Mt5Module
from bridge.servertime import ServerClock
from bridge.terminal_errors import AUTH_FAILED, CONNECTION_CODES, TerminalError
from bridge.terminal_values import (
    Deal,
    HeldPosition,
    OrderCheck,
    OrderResult,
    TradeRules,
    decode_bars,
    decode_deal,
    decode_order_check,
    decode_order_result,
    decode_trade_rules,
)
from controller import Account, BookLevel, MarketState, Position, Snapshot, SymbolSpec
from controller.bounds import check_bounds
from controller.indicators import Bars, SymbolHistory
from controller.settings import SymbolClass
from controller.snapshot import guess_symbol_class, make_snapshot

__all__ = ["Credentials", "Deal", "HeldPosition", "OrderResult", "TerminalError", "TerminalPort",
           "TradeRules"]

_BOOL_FUNCTIONS = frozenset({"initialize", "login", "symbol_select", "market_book_add",
                             "market_book_release"})


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
        self._conversions: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        self._books: dict[str, bool] = {}
        self.connected = False
        self.refused: TerminalError | None = None  # an authorization failure: never retried
        # the raw record of the last `account()` read (the permission check reads its
        # trade_expert in the same guard step instead of asking the terminal a second time)
        self.account_record: Any = None

    # -- calls ----------------------------------------------------------------------------
    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call `function` on the module; `None` (or False from a bool function) raises."""
        return self._call(function, args, kwargs)

    def _call(self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], *,
              trade: bool = False) -> Any:
        """One checked call. A `trade` call (the executor's) leaves `connected` alone and counts
        a transport that raises instead of answering None (mt5linux/RPyC: "result expired", a
        dropped connection; mt5-api.md §5.3) as a lost answer: `TerminalError` with
        RES_E_INTERNAL_FAIL and the exception's text."""
        if not trade:
            result = getattr(self.mt5, function)(*args, **kwargs)
        else:
            try:
                result = getattr(self.mt5, function)(*args, **kwargs)
            except Exception as exc:
                raise TerminalError(function, mt5c.RES_E_INTERNAL_FAIL,
                                    f"{function}() raised {type(exc).__name__}: {exc}") from None
        if result is None or (function in _BOOL_FUNCTIONS and result is False):
            if not trade:
                self._refuse(function)
            code, message = self._last_error()
            raise TerminalError(function, int(code), str(message))
        return result

    def _read(self, function: str, *args: Any) -> Any:
        """A snapshot's read (`account_info`, `positions_get`, `symbol_info_tick`): `call`
        without its keyword and bool-function handling (none of them has either), the same
        checks: `None` raises `TerminalError`, a transport that raises propagates."""
        result = getattr(self.mt5, function)(*args)
        if result is None:
            self._refuse(function)
        return result

    def _refuse(self, function: str) -> NoReturn:
        """The `TerminalError` of a failed read: the terminal's `last_error()`; a connection
        code marks the port disconnected."""
        code, message = self.mt5.last_error()
        if code in CONNECTION_CODES:
            self.connected = False
        raise TerminalError(function, int(code), str(message))

    def _last_error(self) -> tuple[int, str]:
        try:
            err = self.mt5.last_error()
            return int(err[0]), str(err[1])
        except Exception as exc:
            return mt5c.RES_E_INTERNAL_FAIL, f"last_error() raised {type(exc).__name__}: {exc}"

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
                if exc.code == AUTH_FAILED:
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
        a = self._read("account_info")
        self.account_record = a
        return Account(
            login=int(a.login), currency=str(a.currency), balance=float(a.balance),
            equity=float(a.equity), margin=float(a.margin),
            margin_so_call=float(a.margin_so_call), margin_so_so=float(a.margin_so_so),
            margin_so_mode=int(a.margin_so_mode), margin_mode=int(a.margin_mode),
            leverage=float(a.leverage), trade_mode=int(a.trade_mode), credit=float(a.credit),
            profit=float(a.profit),
        )

    def server_name(self) -> str:
        """The trade server's name (`account_info().server`; "" when the terminal has none)."""
        return str(getattr(self.call("account_info"), "server", "") or "")

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
        rows = self._read("positions_get")
        # a list, then one tuple: no generator frame per position (a snapshot's largest read)
        return tuple([
            Position(int(p.ticket), str(p.symbol), int(p.type), float(p.volume),
                     float(p.price_open), float(p.price_current), float(p.profit),
                     float(p.swap), int(p.time), int(p.magic))
            for p in rows
        ])

    def market(self, name: str, server_offset: float | None = None) -> MarketState:
        """Quote (and book) of `name`; `server_offset` (server − UTC, seconds) saves a lookup."""
        tick = self._read("symbol_info_tick", name)
        book = None
        if self._books.get(name):
            rows = self.mt5.market_book_get(name)
            if rows:
                book = tuple([BookLevel(int(r.type), float(r.price), float(r.volume_dbl))
                              for r in rows])
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
        # the answer is a function of the symbol list, read once above, and of the arguments in
        # their order: kept per arguments, it cannot go stale (a snapshot asks the same each
        # time; `_pair` scans every symbol of the terminal, thousands at some brokers)
        key = (account_currency, tuple(currencies))
        found = self._conversions.get(key)
        if found is None:
            found = self._conversions[key] = self._conversion_symbols(*key)
        return list(found)

    def _conversion_symbols(self, account_currency: str, currencies: Iterable[str]
                            ) -> tuple[str, ...]:
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
        return tuple(wanted)

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
        for key, tf in (("h1", mt5c.TIMEFRAME_H1), ("d1", mt5c.TIMEFRAME_D1)):
            rates = self.call("copy_rates_range", name, tf, a - 90 * 86_400, b)
            if len(rates):
                kwargs[key] = decode_bars(rates, self.clock.to_utc_array)
        return SymbolHistory(**kwargs)

    def bars(self, name: str, timeframe: str, count: int, start_pos: int = 1) -> Bars | None:
        """`count` bars of `name` on `timeframe` ("M1", "H1", "H4", "D1"…) from `start_pos` bars
        back (1 skips the forming bar), times in UTC; None when the terminal has none."""
        rates = self.call("copy_rates_from_pos", name, getattr(mt5c, f"TIMEFRAME_{timeframe}"),
                          start_pos, count)
        return decode_bars(rates, self.clock.to_utc_array) if len(rates) else None

    def margin_rate(self, name: str, snap: Snapshot) -> float | None:
        """The margin rate of `name` now: the required margin of one lot at the ask ÷ its
        notional in the account currency (a fraction); None when the snapshot lacks the symbol
        or either figure is not positive. A failed call raises `TerminalError`."""
        market, spec = snap.market.get(name), snap.symbols.get(name)
        if market is None or spec is None:
            return None
        margin = float(self.call("order_calc_margin", mt5c.ORDER_TYPE_BUY, name, 1.0, market.ask))
        notional = spec.trade_contract_size * market.mid * snap.rates.get(spec.currency_profit, 0.0)
        if notional <= 0.0 or margin <= 0.0:
            return None
        return margin / notional

    # -- deals -----------------------------------------------------------------------------
    def deals(self, from_utc: float, to_utc: float) -> tuple[Deal, ...]:
        """The deals between two UTC times (whole server seconds), decoded, times in UTC."""
        rows = self.call("history_deals_get", int(self.clock.to_server(from_utc)),
                         int(self.clock.to_server(to_utc)))
        return tuple(decode_deal(d, self.clock.to_utc) for d in rows)

    def stop_out_deals(self, since_utc: float, until_utc: float) -> tuple[Deal, ...]:
        """The broker's stop-out deals (DEAL_REASON_SO) between two UTC times."""
        return tuple(d for d in self.deals(since_utc, until_utc)
                     if d.reason == mt5c.DEAL_REASON_SO)

    # -- trading (the executor's calls: see `_call`'s `trade`) ------------------------------
    def position_deals(self, ticket: int) -> tuple[Deal, ...]:
        """The deals on position `ticket`, decoded."""
        rows = self._call("history_deals_get", (), {"position": ticket}, trade=True)
        return tuple(decode_deal(d, self.clock.to_utc) for d in rows)

    def trade_rules(self, name: str) -> TradeRules:
        """The lot sizes and filling/execution modes of `name`, read fresh."""
        return decode_trade_rules(self._call("symbol_info", (name,), {}, trade=True))

    def quote(self, name: str) -> tuple[float, float]:
        """(bid, ask) of `name` now, from a fresh tick."""
        tick = self._call("symbol_info_tick", (name,), {}, trade=True)
        return float(tick.bid), float(tick.ask)

    def held(self, *, symbol: str | None = None, ticket: int | None = None
             ) -> tuple[HeldPosition, ...]:
        """The open positions of `symbol` or the one with `ticket`. None while `last_error()`
        says success is an empty answer (mt5-api.md §0.2)."""
        kwargs: dict[str, Any] = {"ticket": ticket} if ticket is not None else {"symbol": symbol}
        try:
            rows = self._call("positions_get", (), kwargs, trade=True)
        except TerminalError as exc:
            if exc.code == mt5c.RES_S_OK:
                return ()
            raise
        return tuple(HeldPosition(int(p.ticket), str(p.symbol), int(p.type), float(p.volume))
                     for p in rows)

    def send(self, request: dict[str, Any]) -> OrderResult:
        """`order_send(request)`: the server's answer; no answer raises `TerminalError` with
        the terminal's `last_error()` (e.g. -10005, an IPC timeout)."""
        return decode_order_result(self._call("order_send", (request,), {}, trade=True))

    def check(self, request: dict[str, Any]) -> OrderCheck:
        """`order_check(request)`: the server's verdict without trading (same errors as `send`)."""
        return decode_order_check(self._call("order_check", (request,), {}, trade=True))
