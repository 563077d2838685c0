"""The tables of a scenario file, read key by key: `Table` (unknown keys refused, each error naming
the key, the value and what is allowed), times, and one reader per section ([account],
[broker], [[symbols]], [generator], [[data]], [[overlays]], [[no_quotes]], [[faults]], [[book]],
[[balance_ops]]). bridge.sim.scenario.parse puts them together."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bridge.mt5 import constants as c
from bridge.sim.broker import BrokerSymbol
from bridge.sim.errors import ScenarioError
from bridge.sim.replay.readers import FORMATS
from bridge.sim.scenario.model import (
    BALANCE_OP_TYPES,
    CALC_MODES,
    EXEC_MODES,
    FAULT_KINDS,
    FILLINGS,
    MARGIN_MODES,
    OVERLAY_KINDS,
    SO_MODES,
    TRADE_MODES,
    AccountSpec,
    BalanceOp,
    BookEntry,
    BrokerPolicy,
    DataSource,
    FaultSpec,
    GeneratorSpec,
    GeneratorSymbol,
    NoQuoteSpec,
    Overlay,
)

T = TypeVar("T")


class Table:
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


def parse_time(v: Any, key: str, anchor: float | None) -> float:
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            raise ScenarioError(f"{key} = {v!r} has no time zone; write it with Z or an offset")
        return v.timestamp()
    if isinstance(v, str):
        try:
            d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ScenarioError(f"{key} = {v!r} is not an ISO date-time") from exc
        return parse_time(d, key, anchor)
    if isinstance(v, int | float) and not isinstance(v, bool):
        if anchor is None:
            raise ScenarioError(f"{key} = {v!r} is relative, but the scenario has no start")
        return anchor + float(v)
    raise ScenarioError(f"{key} = {v!r} must be an ISO date-time or seconds from the crash")


def symbols_list(t: Table, k: str, known: set[str]) -> tuple[str, ...]:
    v = t.get(k, (list, str), "*")
    names = list(known) if v == "*" else ([v] if isinstance(v, str) else v)
    for n in names:
        if n not in known:
            raise ScenarioError(
                f"{t.key(k)} = {n!r} is not a scenario symbol; known: {sorted(known)}"
            )
    return tuple(sorted(names))


def read_symbol(raw: Mapping[str, Any], where: str, dflt_currency: str) -> BrokerSymbol:
    t = Table(raw, where)
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
    spec = BrokerSymbol(
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


def read_account(raw: Mapping[str, Any]) -> AccountSpec:
    t = Table(raw, "account")
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


def read_broker(raw: Mapping[str, Any]) -> BrokerPolicy:
    t = Table(raw, "broker")
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


def read_generator(raw: Mapping[str, Any], known: set[str]) -> GeneratorSpec:
    from bridge.sim.generator import PRESETS  # local: generator imports this module

    t = Table(raw, "generator")
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
        st = Table(sraw, f"generator.symbols.{name}")
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


def parse_data(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None,
    key: str = "data",
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get(key, list, [])):
        t = Table(raw, f"{key}[{i}]")
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


def parse_overlays(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("overlays", list, [])):
        t = Table(raw, f"overlays[{i}]")
        kind = t.choice("kind", {k: k for k in OVERLAY_KINDS}, "spread")
        pts = t.get("points", list)
        times, values = [], []
        for j, p in enumerate(pts):
            if not (isinstance(p, list) and len(p) == 2):
                raise ScenarioError(f"overlays[{i}].points[{j}] = {p!r} must be [time, multiplier]")
            times.append(parse_time(p[0], f"overlays[{i}].points[{j}]", anchor))
            if not (isinstance(p[1], int | float) and p[1] > 0):
                raise ScenarioError(f"overlays[{i}].points[{j}] multiplier {p[1]!r} must be > 0")
            values.append(float(p[1]))
        if any(b < a for a, b in itertools.pairwise(times)):
            raise ScenarioError(f"overlays[{i}].points must be in time order")
        items.append(Overlay(kind, symbols_list(t, "symbols", known), tuple(times), tuple(values)))
        t.done()
    return items


def parse_no_quotes(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("no_quotes", list, [])):
        t = Table(raw, f"no_quotes[{i}]")
        s = parse_time(t.get("start", (str, float, dt.datetime)), f"no_quotes[{i}].start", anchor)
        e = parse_time(t.get("end", (str, float, dt.datetime)), f"no_quotes[{i}].end", anchor)
        if not e > s:
            raise ScenarioError(f"no_quotes[{i}].end must be after its start")
        items.append(NoQuoteSpec(symbols_list(t, "symbols", known), s, e))
        t.done()
    return items


def parse_faults(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("faults", list, [])):
        t = Table(raw, f"faults[{i}]")
        kind = t.choice("kind", {k: k for k in FAULT_KINDS}, "requote")
        at_raw = t.get("at", (str, float, dt.datetime), None)
        items.append(
            FaultSpec(
                kind=kind,
                at=None if at_raw is None else parse_time(at_raw, f"faults[{i}].at", anchor),
                count=t.get("count", int, 1),
                duration_s=t.positive("duration_s", 0.0, zero_ok=True),
                function=t.get("function", str, ""),
                executed=t.get("executed", bool, True),
                fraction=t.positive("fraction", 0.5),
            )
        )
        t.done()
    return items


def parse_book(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[Any]:
    items: list[Any] = []
    for i, raw in enumerate(root.get("book", list, [])):
        t = Table(raw, f"book[{i}]")
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


def parse_balance_ops(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> list[BalanceOp]:
    items: list[BalanceOp] = []
    for i, raw in enumerate(root.get("balance_ops", list, [])):
        t = Table(raw, f"balance_ops[{i}]")
        when = parse_time(t.get("time", (str, dt.datetime, int, float)), t.key("time"), anchor)
        kind = t.choice("type", BALANCE_OP_TYPES, "balance")
        symbol = t.get("symbol", str, sorted(known)[0] if kind == c.DEAL_TYPE_SELL else "")
        if symbol and symbol not in known:
            raise ScenarioError(f"balance_ops[{i}].symbol = {symbol!r} is not a scenario symbol")
        items.append(BalanceOp(when, kind, t.get("amount", float), t.get("comment", str, ""),
                               symbol))
        t.done()
    return sorted(items, key=lambda o: o.time)


def sections(
    root: Table, known: set[str], anchor: float, base: Path, data_dir: Path | None
) -> dict[str, Any]:
    parsers: dict[str, Callable[[Table, set[str], float, Path, Path | None], Any]] = {
        "data": parse_data,
        "history": functools.partial(parse_data, key="history"),
        "overlays": parse_overlays,
        "no_quotes": parse_no_quotes,
        "faults": parse_faults,
        "book": parse_book,
        "balance_ops": parse_balance_ops,
    }
    return {name: fn(root, known, anchor, base, data_dir) for name, fn in parsers.items()}
