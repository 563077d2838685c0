"""Scenario files (TOML): market sources, symbols, account, broker policy, overlays, faults, seed.

`load_scenario(name_or_path)` reads a built-in name (`bridge/sim/scenarios/<name>.toml`) or a path
and validates every key: an unknown key or a bad value raises `ScenarioError` naming the key, the
value and what is allowed. The format is documented in docs/scenarios.md.

Times are TOML datetimes or ISO strings with a zone (``2016-10-06T23:07:03Z``), or numbers of
seconds relative to the scenario's `crash_time` (relative to `start` when it has none).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bridge.mt5 import constants as c
from bridge.sim.broker import SymbolSpec
from bridge.sim.errors import ScenarioError
from bridge.sim.replay.clock import DST_RULES, ServerClock
from bridge.sim.replay.readers import FORMATS

__all__ = [
    "BUILTIN_DIR",
    "FAULT_KINDS",
    "OVERLAY_KINDS",
    "AccountSpec",
    "BookEntry",
    "BrokerPolicy",
    "DataSource",
    "FaultSpec",
    "GeneratorSpec",
    "GeneratorSymbol",
    "NoQuoteSpec",
    "Overlay",
    "Scenario",
    "builtin_scenarios",
    "data_scenarios",
    "load_scenario",
]

BUILTIN_DIR = Path(__file__).resolve().parent / "scenarios"
OVERLAY_KINDS = ("spread", "depth", "margin", "volatility")
FAULT_KINDS = (
    "ipc_timeout",
    "no_connection",
    "disconnect",
    "requote",
    "price_changed",
    "off_quotes",
    "market_closed",
    "invalid_filling",
    "too_many_requests",
    "request_timeout",
    "partial_fill",
    "reject",
    "algo_trading_off",
    "expert_disabled",
    "zero_bid",
    "zero_equity",
)
CALC_MODES = {
    "forex": c.SYMBOL_CALC_MODE_FOREX,
    "forex_no_leverage": c.SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE,
    "futures": c.SYMBOL_CALC_MODE_FUTURES,
    "cfd": c.SYMBOL_CALC_MODE_CFD,
    "cfd_index": c.SYMBOL_CALC_MODE_CFDINDEX,
    "cfd_leverage": c.SYMBOL_CALC_MODE_CFDLEVERAGE,
    "exch_stocks": c.SYMBOL_CALC_MODE_EXCH_STOCKS,
    "exch_futures": c.SYMBOL_CALC_MODE_EXCH_FUTURES,
}
EXEC_MODES = {
    "request": c.SYMBOL_TRADE_EXECUTION_REQUEST,
    "instant": c.SYMBOL_TRADE_EXECUTION_INSTANT,
    "market": c.SYMBOL_TRADE_EXECUTION_MARKET,
    "exchange": c.SYMBOL_TRADE_EXECUTION_EXCHANGE,
}
TRADE_MODES = {
    "disabled": c.SYMBOL_TRADE_MODE_DISABLED,
    "long_only": c.SYMBOL_TRADE_MODE_LONGONLY,
    "short_only": c.SYMBOL_TRADE_MODE_SHORTONLY,
    "close_only": c.SYMBOL_TRADE_MODE_CLOSEONLY,
    "full": c.SYMBOL_TRADE_MODE_FULL,
}
FILLINGS = {"fok": c.SYMBOL_FILLING_FOK, "ioc": c.SYMBOL_FILLING_IOC, "boc": c.SYMBOL_FILLING_BOC}
MARGIN_MODES = {
    "netting": c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING,
    "hedging": c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING,
}
SO_MODES = {"percent": c.ACCOUNT_STOPOUT_MODE_PERCENT, "money": c.ACCOUNT_STOPOUT_MODE_MONEY}


@dataclass(frozen=True)
class AccountSpec:
    """The trading account. Money in the account currency; so levels in % (percent) or money."""

    login: int = 10_000_001
    password: str = ""
    name: str = "Simulated trader"
    server: str = "LCA-Simulated"
    company: str = "lca simulated broker"
    currency: str = "USD"
    leverage: int = 100
    balance: float = 10_000.0
    credit: float = 0.0
    margin_mode: int = c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING
    margin_so_mode: int = c.ACCOUNT_STOPOUT_MODE_PERCENT
    margin_so_call: float = 100.0
    margin_so_so: float = 50.0
    negative_balance_protection: bool = True
    money_stop_out_on: str = "equity"
    limit_orders: int = 200


@dataclass(frozen=True)
class BrokerPolicy:
    """Execution and risk policy.

    `impact_coefficient`: Y of the square-root law (crash-events.md §4.4, default 0.7).
    `volatility_margin`: c of m = max(m_reg, c·σ̂·√h) (0 = off); `volatility_horizon_days`: h;
    `volatility_window_s`: trailing window of the realised volatility σ̂ of the bid (daily units);
    `volatility_review_s`: the broker reviews the rate at these intervals and holds it in between
    (so a flash move raises margin at the next review, not within the second);
    `volatility_margin_cap`: the largest multiplier the rule applies (IG: ×10 after the SNB).
    `quote_timeout_s`: a symbol without a quote for this long is off quotes (retcode 10021).
    `weekend_close`: no trading Fri 21:00 – Sun 21:00 UTC (retcode 10018).
    """

    impact_coefficient: float = 0.7
    volatility_margin: float = 0.0
    volatility_horizon_days: float = 1.0
    volatility_window_s: float = 86400.0
    volatility_review_s: float = 3600.0
    volatility_margin_cap: float = 10.0
    quote_timeout_s: float = 600.0
    weekend_close: bool = True


@dataclass(frozen=True)
class DataSource:
    symbol: str
    path: Path
    format: str = "auto"
    time_zone: str = "auto"
    price_scale: float = 1e5
    ticks_per_bar: int = 0


@dataclass(frozen=True)
class GeneratorSymbol:
    """How a generated symbol follows the preset: `price` at the crash, `beta` scales the preset's
    path (negative: the symbol's price moves the other way), `stress` ∈ [0, 1] the exponent on the
    preset's spread, depth and volatility multipliers (1 = the crash symbol, 0 = unaffected)."""

    price: float
    beta: float = 1.0
    stress: float = 1.0


@dataclass(frozen=True)
class GeneratorSpec:
    preset: str
    symbols: Mapping[str, GeneratorSymbol]
    tick_seconds: float = 2.0
    crash_tick_seconds: float = 0.5
    warmup_tick_seconds: float = 60.0
    history_days: int = 0
    """Days of calm D1/H4 history (modelled, seeded) served before the first tick (0 = none)."""


@dataclass(frozen=True)
class Overlay:
    kind: str
    symbols: tuple[str, ...]
    times: tuple[float, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class NoQuoteSpec:
    symbols: tuple[str, ...]
    start: float
    end: float


@dataclass(frozen=True)
class FaultSpec:
    """A fault armed from `at` (UTC epoch s; None = from the start) for `count` calls, or for
    `duration_s` seconds (disconnect, algo_trading_off, expert_disabled). `function`: the API
    call it hits ('*' = any)."""

    kind: str
    at: float | None = None
    count: int = 1
    duration_s: float = 0.0
    function: str = ""
    executed: bool = True
    fraction: float = 0.5


@dataclass(frozen=True)
class BalanceOp:
    """Money moved at `time` (UTC): `amount` > 0 a deposit, < 0 a withdrawal (type "balance"),
    or credit, bonus, charge, correction, commission, or "trade": a trade closed elsewhere with
    that profit (a sell deal, entry OUT). Before `start` it is the account's history."""

    time: float
    type: int
    amount: float
    comment: str = ""
    symbol: str = ""


BALANCE_OP_TYPES = {
    "balance": c.DEAL_TYPE_BALANCE, "credit": c.DEAL_TYPE_CREDIT, "bonus": c.DEAL_TYPE_BONUS,
    "charge": c.DEAL_TYPE_CHARGE, "correction": c.DEAL_TYPE_CORRECTION,
    "commission": c.DEAL_TYPE_COMMISSION, "trade": c.DEAL_TYPE_SELL,
}


@dataclass(frozen=True)
class BookEntry:
    """A position of the initial book, opened at the first quote at `start` (reason CLIENT)."""

    symbol: str
    type: int
    volume: float
    magic: int = 0
    comment: str = "initial book"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    seed: int
    start: float
    end: float
    crash_time: float | None
    warmup_s: float
    clock: ServerClock
    account: AccountSpec
    broker: BrokerPolicy
    symbols: tuple[SymbolSpec, ...]
    data: tuple[DataSource, ...] = ()
    history: tuple[DataSource, ...] = ()
    """Bar files (D1, H4, ...) that `copy_rates_*` serves before the first tick (sim.history)."""
    generator: GeneratorSpec | None = None
    overlays: tuple[Overlay, ...] = ()
    no_quotes: tuple[NoQuoteSpec, ...] = ()
    faults: tuple[FaultSpec, ...] = ()
    book: tuple[BookEntry, ...] = ()
    balance_ops: tuple[BalanceOp, ...] = ()
    """Deposits, withdrawals, credit and closed trades (`[[balance_ops]]`), in time order."""
    trade_allowed: bool = True
    source: str = ""

    def symbol_index(self, name: str) -> int:
        for i, s in enumerate(self.symbols):
            if s.name == name:
                return i
        raise KeyError(name)


T = TypeVar("T")


class _Table:
    """A TOML table read key by key; `done()` rejects keys nobody read."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{where} must be a table, got {data!r}")
        self.data, self.where, self.seen = data, where, set[str]()

    def key(self, k: str) -> str:
        return f"{self.where}.{k}" if self.where else k

    def get(
        self, k: str, kind: type[T] | tuple[type, ...], default: Any = ..., *, allowed: str = ""
    ) -> Any:
        self.seen.add(k)
        if k not in self.data:
            if default is ...:
                raise ScenarioError(f"{self.key(k)} is missing; it is required ({allowed or kind})")
            return default
        v = self.data[k]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kinds) or (isinstance(v, bool) and bool not in kinds):
            names = " or ".join(t.__name__ for t in kinds)
            raise ScenarioError(f"{self.key(k)} = {v!r} has the wrong type; expected {names}")
        return v

    def choice(self, k: str, options: Mapping[str, T], default: str) -> T:
        v = self.get(k, str, default)
        if v not in options:
            raise ScenarioError(f"{self.key(k)} = {v!r} is not allowed; use one of {list(options)}")
        return options[v]

    def positive(self, k: str, default: Any = ..., *, zero_ok: bool = False) -> float:
        v = self.get(k, float, default)
        if v < 0 or (v == 0 and not zero_ok):
            raise ScenarioError(f"{self.key(k)} = {v!r} must be {'≥' if zero_ok else '>'} 0")
        return float(v)

    def done(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise ScenarioError(
                f"{self.key(extra[0])} is not a known key; allowed here: {sorted(self.seen)}"
            )


def _parse_time(v: Any, key: str, anchor: float | None) -> float:
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            raise ScenarioError(f"{key} = {v!r} has no time zone; write it with Z or an offset")
        return v.timestamp()
    if isinstance(v, str):
        try:
            d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ScenarioError(f"{key} = {v!r} is not an ISO date-time") from exc
        return _parse_time(d, key, anchor)
    if isinstance(v, int | float) and not isinstance(v, bool):
        if anchor is None:
            raise ScenarioError(f"{key} = {v!r} is relative, but the scenario has no start")
        return anchor + float(v)
    raise ScenarioError(f"{key} = {v!r} must be an ISO date-time or seconds from the crash")


def _symbols_list(t: _Table, k: str, known: set[str]) -> tuple[str, ...]:
    v = t.get(k, (list, str), "*")
    names = list(known) if v == "*" else ([v] if isinstance(v, str) else v)
    for n in names:
        if n not in known:
            raise ScenarioError(
                f"{t.key(k)} = {n!r} is not a scenario symbol; known: {sorted(known)}"
            )
    return tuple(sorted(names))


def _symbol(raw: Mapping[str, Any], where: str, dflt_currency: str) -> SymbolSpec:
    t = _Table(raw, where)
    name = t.get("name", str)
    mode = t.choice("calc_mode", CALC_MODES, "forex")
    fx = mode in (c.SYMBOL_CALC_MODE_FOREX, c.SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE)
    pair = len(name) >= 6 and name[:6].isalpha() and name[:6].isupper()
    base = t.get("currency_base", str, name[:3] if fx or pair else "")
    profit = t.get("currency_profit", str, name[3:6] if fx or pair else dflt_currency)
    margin = t.get("currency_margin", str, base if fx else profit)
    cs = t.positive("contract_size", 100_000.0 if fx else 1.0)
    fill = t.get("filling", list, ["fok", "ioc"])
    bits = 0
    for f in fill:
        if f not in FILLINGS:
            raise ScenarioError(f"{where}.filling = {f!r} is not allowed; use {list(FILLINGS)}")
        bits |= FILLINGS[f]
    digits = t.get("digits", int, 3 if profit == "JPY" else 5)
    if not 0 <= digits <= 8:
        raise ScenarioError(f"{where}.digits = {digits} must be within 0..8")
    vmin = t.positive("volume_min", 0.01)
    vstep = t.positive("volume_step", 0.01)
    vmax = t.positive("volume_max", 100.0)
    if vmax < vmin:
        raise ScenarioError(f"{where}.volume_max = {vmax} is below volume_min = {vmin}")
    spec = SymbolSpec(
        name=name,
        currency_base=base,
        currency_profit=profit,
        currency_margin=margin,
        calc_mode=mode,
        digits=digits,
        contract_size=cs,
        tick_size=t.positive("tick_size", 0.0, zero_ok=True),
        tick_value=t.positive("tick_value", 0.0, zero_ok=True),
        margin_initial=t.positive("margin_initial", 0.0, zero_ok=True),
        margin_maintenance=t.positive("margin_maintenance", 0.0, zero_ok=True),
        margin_rate=t.positive("margin_rate", 1.0),
        margin_hedged=t.positive("margin_hedged", cs, zero_ok=True),
        margin_hedged_use_leg=t.get("margin_hedged_use_leg", bool, False),
        volume_min=vmin,
        volume_max=vmax,
        volume_step=vstep,
        volume_limit=t.positive("volume_limit", 0.0, zero_ok=True),
        spread_points=t.positive("spread_points", 10.0),
        trade_mode=t.choice("trade_mode", TRADE_MODES, "full"),
        trade_exemode=t.choice("execution", EXEC_MODES, "market"),
        filling_mode=bits,
        trade_stops_level=t.get("stops_level", int, 0),
        trade_freeze_level=t.get("freeze_level", int, 0),
        book_depth=t.get("book_depth", int, 0),
        book_level_lots=t.positive("book_level_lots", 10.0),
        daily_volume_lots=t.positive("daily_volume_lots", 100_000.0),
        daily_volatility=t.positive("daily_volatility", 0.006),
        description=t.get("description", str, name),
        path=t.get("path", str, ("Forex\\" if fx else "CFD\\") + name),
    )
    if (
        mode
        in (
            c.SYMBOL_CALC_MODE_CFDINDEX,
            c.SYMBOL_CALC_MODE_FUTURES,
            c.SYMBOL_CALC_MODE_EXCH_FUTURES,
        )
        and spec.tick_value <= 0
    ):
        raise ScenarioError(f"{where}.tick_value must be > 0 for calc_mode {mode}")
    t.done()
    return spec


def _account(raw: Mapping[str, Any]) -> AccountSpec:
    t = _Table(raw, "account")
    lev = t.get("leverage", int, 100)
    if lev < 1:
        raise ScenarioError(f"account.leverage = {lev} must be ≥ 1 (100 means 1:100)")
    a = AccountSpec(
        login=t.get("login", int, 10_000_001),
        password=t.get("password", str, ""),
        name=t.get("name", str, "Simulated trader"),
        server=t.get("server", str, "LCA-Simulated"),
        company=t.get("company", str, "lca simulated broker"),
        currency=t.get("currency", str, "USD"),
        leverage=lev,
        balance=t.positive("balance", 10_000.0),
        credit=t.positive("credit", 0.0, zero_ok=True),
        margin_mode=t.choice("margin_mode", MARGIN_MODES, "hedging"),
        margin_so_mode=t.choice("stop_out_mode", SO_MODES, "percent"),
        margin_so_call=t.positive("margin_call", 100.0, zero_ok=True),
        margin_so_so=t.positive("stop_out", 50.0, zero_ok=True),
        negative_balance_protection=t.get("negative_balance_protection", bool, True),
        money_stop_out_on=t.choice(
            "money_stop_out_on", {"equity": "equity", "margin_free": "margin_free"}, "equity"
        ),
        limit_orders=t.get("limit_orders", int, 200),
    )
    if a.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT and a.margin_so_call < a.margin_so_so:
        raise ScenarioError(
            f"account.margin_call = {a.margin_so_call} is below account.stop_out = "
            f"{a.margin_so_so}; a margin call warns before the stop-out"
        )
    t.done()
    return a


def _broker(raw: Mapping[str, Any]) -> BrokerPolicy:
    t = _Table(raw, "broker")
    b = BrokerPolicy(
        impact_coefficient=t.positive("impact_coefficient", 0.7, zero_ok=True),
        volatility_margin=t.positive("volatility_margin", 0.0, zero_ok=True),
        volatility_horizon_days=t.positive("volatility_horizon_days", 1.0),
        volatility_window_s=t.positive("volatility_window_s", 86400.0),
        volatility_review_s=t.positive("volatility_review_s", 3600.0),
        volatility_margin_cap=t.positive("volatility_margin_cap", 10.0),
        quote_timeout_s=t.positive("quote_timeout_s", 600.0),
        weekend_close=t.get("weekend_close", bool, True),
    )
    t.done()
    return b


def _generator(raw: Mapping[str, Any], known: set[str]) -> GeneratorSpec:
    from bridge.sim.generator import PRESETS  # local: generator imports this module

    t = _Table(raw, "generator")
    preset = t.get("preset", str)
    if preset not in PRESETS:
        raise ScenarioError(
            f"generator.preset = {preset!r} is not known; use one of {list(PRESETS)}"
        )
    syms: dict[str, GeneratorSymbol] = {}
    for name, sraw in t.get("symbols", dict).items():
        if name not in known:
            raise ScenarioError(
                f"generator.symbols.{name} is not a scenario symbol; known: {sorted(known)}"
            )
        st = _Table(sraw, f"generator.symbols.{name}")
        stress = st.get("stress", float, 1.0)
        if not 0 <= stress <= 1:
            raise ScenarioError(f"generator.symbols.{name}.stress = {stress} must be within 0..1")
        syms[name] = GeneratorSymbol(st.positive("price"), st.get("beta", float, 1.0), stress)
        st.done()
    missing = known - set(syms)
    if missing:
        raise ScenarioError(
            f"generator.symbols has no entry for {sorted(missing)}; every symbol needs a price"
        )
    g = GeneratorSpec(
        preset=preset,
        symbols=syms,
        tick_seconds=t.positive("tick_seconds", 2.0),
        crash_tick_seconds=t.positive("crash_tick_seconds", 0.5),
        warmup_tick_seconds=t.positive("warmup_tick_seconds", 60.0),
        history_days=int(t.positive("history_days", 0, zero_ok=True)),
    )
    t.done()
    return g


def _parse_data(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None,
    key: str = "data",
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get(key, list, [])):
        t = _Table(raw, f"{key}[{i}]")
        sym = t.get("symbol", str)
        if sym not in known:
            raise ScenarioError(f"{key}[{i}].symbol = {sym!r} is not a scenario symbol")
        rel = Path(t.get("path", str))
        path = rel if rel.is_absolute() else (data_dir or base) / rel
        if data_dir is not None and not path.exists() and (base / rel).exists():
            path = base / rel  # a file beside the scenario (a recording) is not shared data
        fmt = t.get("format", str, "auto")
        if fmt not in FORMATS:
            raise ScenarioError(f"{key}[{i}].format = {fmt!r} is not allowed; use one of {FORMATS}")
        items.append(
            DataSource(
                sym,
                path,
                fmt,
                t.get("time_zone", str, "auto"),
                t.positive("price_scale", 1e5),
                t.get("ticks_per_bar", int, 0),
            )
        )
        t.done()
    return items


def _parse_overlays(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("overlays", list, [])):
        t = _Table(raw, f"overlays[{i}]")
        kind = t.choice("kind", {k: k for k in OVERLAY_KINDS}, "spread")
        pts = t.get("points", list)
        times, values = [], []
        for j, p in enumerate(pts):
            if not (isinstance(p, list) and len(p) == 2):
                raise ScenarioError(f"overlays[{i}].points[{j}] = {p!r} must be [time, multiplier]")
            times.append(_parse_time(p[0], f"overlays[{i}].points[{j}]", anchor))
            if not (isinstance(p[1], int | float) and p[1] > 0):
                raise ScenarioError(f"overlays[{i}].points[{j}] multiplier {p[1]!r} must be > 0")
            values.append(float(p[1]))
        if any(b < a for a, b in itertools.pairwise(times)):
            raise ScenarioError(f"overlays[{i}].points must be in time order")
        items.append(Overlay(kind, _symbols_list(t, "symbols", known), tuple(times), tuple(values)))
        t.done()
    return items


def _parse_no_quotes(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("no_quotes", list, [])):
        t = _Table(raw, f"no_quotes[{i}]")
        s = _parse_time(t.get("start", (str, float, dt.datetime)), f"no_quotes[{i}].start", anchor)
        e = _parse_time(t.get("end", (str, float, dt.datetime)), f"no_quotes[{i}].end", anchor)
        if not e > s:
            raise ScenarioError(f"no_quotes[{i}].end must be after its start")
        items.append(NoQuoteSpec(_symbols_list(t, "symbols", known), s, e))
        t.done()
    return items


def _parse_faults(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("faults", list, [])):
        t = _Table(raw, f"faults[{i}]")
        kind = t.choice("kind", {k: k for k in FAULT_KINDS}, "requote")
        at_raw = t.get("at", (str, float, dt.datetime), None)
        items.append(
            FaultSpec(
                kind=kind,
                at=None if at_raw is None else _parse_time(at_raw, f"faults[{i}].at", anchor),
                count=t.get("count", int, 1),
                duration_s=t.positive("duration_s", 0.0, zero_ok=True),
                function=t.get("function", str, ""),
                executed=t.get("executed", bool, True),
                fraction=t.positive("fraction", 0.5),
            )
        )
        t.done()
    return items


def _parse_book(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("book", list, [])):
        t = _Table(raw, f"book[{i}]")
        sym = t.get("symbol", str)
        if sym not in known:
            raise ScenarioError(f"book[{i}].symbol = {sym!r} is not a scenario symbol")
        typ = t.choice("type", {"buy": c.ORDER_TYPE_BUY, "sell": c.ORDER_TYPE_SELL}, "buy")
        items.append(
            BookEntry(
                sym,
                typ,
                t.positive("volume"),
                t.get("magic", int, 0),
                t.get("comment", str, "initial book"),
            )
        )
        t.done()
    return items


def _parse_balance_ops(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[BalanceOp]:
    items: list[BalanceOp] = []
    for i, raw in enumerate(root.get("balance_ops", list, [])):
        t = _Table(raw, f"balance_ops[{i}]")
        when = _parse_time(t.get("time", (str, dt.datetime, int, float)), t.key("time"), anchor)
        kind = t.choice("type", BALANCE_OP_TYPES, "balance")
        symbol = t.get("symbol", str, sorted(known)[0] if kind == c.DEAL_TYPE_SELL else "")
        if symbol and symbol not in known:
            raise ScenarioError(f"balance_ops[{i}].symbol = {symbol!r} is not a scenario symbol")
        items.append(BalanceOp(when, kind, t.get("amount", float), t.get("comment", str, ""),
                               symbol))
        t.done()
    return sorted(items, key=lambda o: o.time)


def _sections(
    root: _Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> dict[str, Any]:
    parsers: dict[str, Callable[[_Table, set[str], float, Path, Path | None], Any]] = {
        "data": _parse_data,
        "history": functools.partial(_parse_data, key="history"),
        "overlays": _parse_overlays,
        "no_quotes": _parse_no_quotes,
        "faults": _parse_faults,
        "book": _parse_book,
        "balance_ops": _parse_balance_ops,
    }
    return {name: fn(root, known, anchor, base, data_dir) for name, fn in parsers.items()}


def builtin_scenarios() -> tuple[str, ...]:
    """Names of the generated scenarios shipped in bridge/sim/scenarios (no data needed)."""
    return tuple(sorted(p.stem for p in BUILTIN_DIR.glob("*.toml")))


def data_scenarios() -> tuple[str, ...]:
    """Names of the shipped real-data windows (`data/<name>`); they read ../shared/data files,
    found through `data_dir` or LCA_SHARED_DATA."""
    return tuple(sorted(f"data/{p.stem}" for p in (BUILTIN_DIR / "data").glob("*.toml")))


def load_scenario(
    name_or_path: str | Path, *, data_dir: str | Path | None = None, seed: int | None = None
) -> Scenario:
    """Read and validate a scenario: a built-in name or a TOML path.

    `data_dir` resolves relative `[[data]].path` entries (default: the environment variable
    LCA_SHARED_DATA, else the scenario file's folder; a file only beside the scenario, such as
    a recording's, is read from there); `seed` overrides the file's seed. Built-in
    names: `builtin_scenarios()` (generated) and `data_scenarios()` (real windows, need data)."""
    if data_dir is None and os.environ.get("LCA_SHARED_DATA"):
        data_dir = os.environ["LCA_SHARED_DATA"]
    from bridge.sim.names import canonical, folder_scenario

    p = Path(name_or_path)
    if p.is_dir():
        p = folder_scenario(p)
    elif not p.suffix and not p.exists():
        p = BUILTIN_DIR / f"{canonical(str(name_or_path))}.toml"
        if not p.is_file():
            raise ScenarioError(
                f"scenario {str(name_or_path)!r} is neither a file nor a built-in; built-ins: "
                f"{', '.join(builtin_scenarios())}; real windows (need --data-dir): "
                f"{', '.join(data_scenarios())}; or a path to a scenario .toml file"
            )
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from exc
    except FileNotFoundError:
        raise ScenarioError(f"scenario file {p} not found; give a scenario .toml file, a "
                            "recorded scenario folder or a built-in name "
                            f"({', '.join(builtin_scenarios())})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"scenario file {p} cannot be read: {exc}") from None
    return parse_scenario(
        raw,
        base=p.parent,
        data_dir=None if data_dir is None else Path(data_dir),
        seed=seed,
        source=str(p),
    )


def parse_scenario(
    raw: Mapping[str, Any],
    *,
    base: Path,
    data_dir: Path | None = None,
    seed: int | None = None,
    source: str = "",
) -> Scenario:
    """Validate a scenario already read from TOML (see `load_scenario`)."""
    root = _Table(raw, "")
    name = root.get("name", str)
    start = _parse_time(root.get("start", (str, dt.datetime)), "start", None)
    end = _parse_time(root.get("end", (str, dt.datetime)), "end", None)
    if not end > start:
        raise ScenarioError(f"end = {raw['end']!r} must be after start = {raw['start']!r}")
    crash_raw = root.get("crash_time", (str, dt.datetime), None)
    crash = None if crash_raw is None else _parse_time(crash_raw, "crash_time", None)
    st = _Table(root.get("server_time", dict, {}), "server_time")
    dst = st.get("dst", str, "us")
    if dst not in DST_RULES:
        raise ScenarioError(f"server_time.dst = {dst!r} is not allowed; use one of {DST_RULES}")
    clock = ServerClock(st.get("utc_offset_hours", float, 2.0), dst)
    st.done()
    account = _account(root.get("account", dict, {}))
    broker = _broker(root.get("broker", dict, {}))
    sym_raw = root.get("symbols", list)
    if not sym_raw:
        raise ScenarioError("symbols is empty; a scenario needs at least one [[symbols]] table")
    symbols = tuple(_symbol(s, f"symbols[{i}]", account.currency) for i, s in enumerate(sym_raw))
    known = {s.name for s in symbols}
    if len(known) != len(symbols):
        raise ScenarioError("symbols: two [[symbols]] tables have the same name")
    anchor = crash if crash is not None else start
    sec = _sections(root, known, anchor, base, data_dir)
    if any(o.time <= start for o in sec["balance_ops"]) and "balance" in raw.get("account", {}):
        raise ScenarioError(
            "account.balance and [[balance_ops]] before start both set the starting balance: "
            "keep one (with balance_ops, the balance at start is their sum)")
    gen_raw = root.get("generator", dict, None)
    generator = None if gen_raw is None else _generator(gen_raw, known)
    if generator is None:
        missing = known - {d.symbol for d in sec["data"]}
        if missing:
            raise ScenarioError(
                f"symbols {sorted(missing)} have no [[data]] and there is no [generator]"
            )
    term = _Table(root.get("terminal", dict, {}), "terminal")
    trade_allowed = term.get("trade_allowed", bool, True)
    term.done()
    seed_file = root.get("seed", int, 0)
    seed_v = seed_file if seed is None else seed
    scenario = Scenario(
        name=name,
        description=root.get("description", str, ""),
        seed=seed_v,
        start=start,
        end=end,
        crash_time=crash,
        warmup_s=root.get("warmup_hours", float, 24.0) * 3600.0,
        clock=clock,
        account=account,
        broker=broker,
        symbols=symbols,
        data=tuple(sec["data"]),
        history=tuple(sec["history"]),
        generator=generator,
        overlays=tuple(sec["overlays"]),
        no_quotes=tuple(sec["no_quotes"]),
        faults=tuple(sec["faults"]),
        book=tuple(sec["book"]),
        balance_ops=tuple(sec["balance_ops"]),
        trade_allowed=trade_allowed,
        source=source,
    )
    root.done()
    _check_conversions(scenario)
    return scenario


def _check_conversions(s: Scenario) -> None:
    from bridge.sim.broker import Converter

    conv = Converter(s.symbols)
    for spec in s.symbols:
        for ccy, what in (
            (spec.currency_profit, "currency_profit"),
            (spec.currency_margin, "currency_margin"),
        ):
            try:
                conv.plan(ccy, s.account.currency)
            except ValueError as exc:
                raise ScenarioError(f"symbols[{spec.name}].{what} = {ccy!r}: {exc}") from exc
