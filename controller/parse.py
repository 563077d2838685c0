"""Plain data (a parsed JSON document) → a checked `Snapshot`, its histories and a memory.

The document uses the MetaTrader5 namedtuple field names (docs/snapshot.md has the schema):
`account` (AccountInfo), `symbols` (name → SymbolInfo), `positions` (TradePosition list),
`market` (name → bid, ask, optional `book` of BookInfo rows, optional EA depth, and optional
`history`), optional `events`, optional `memory` (what a previous run knew: prop-firm anchors,
the regime). Times are UTC epoch seconds or ISO-8601 strings with a zone ("2024-03-12T14:00:00Z").
Every problem raises `SnapshotError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

import numpy as np

from controller.bounds import check_bounds, check_time
from controller.errors import MISSING, SnapshotError
from controller.indicators import Bars, SymbolHistory
from controller.memory import ControllerMemory, Regime, TradingState
from controller.settings import Settings
from controller.snapshot import (
    Account,
    BookLevel,
    Event,
    MarketState,
    Position,
    Snapshot,
    SymbolSpec,
    guess_symbol_class,
    make_snapshot,
)

__all__ = ["ParsedSnapshot", "parse_snapshot", "parse_time"]


def parse_time(value: object, path: str) -> float:
    """UTC epoch seconds from a number or an ISO-8601 string with a time zone, between 1970
    and 2100 (controller/bounds.py)."""
    if isinstance(value, bool):
        raise SnapshotError(path, value, "a time is epoch seconds (UTC) or an ISO-8601 string")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise SnapshotError(path, value, "must be a finite number of seconds")
        return check_time(path, float(value))
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise SnapshotError(path, value, "not an ISO-8601 time (2024-03-12T14:00:00Z)") from exc
        if parsed.tzinfo is None:
            raise SnapshotError(path, value, "give the time zone, e.g. 2024-03-12T14:00:00Z")
        return check_time(path, parsed.timestamp())
    raise SnapshotError(path, value, "a time is epoch seconds (UTC) or an ISO-8601 string")


def _get(data: Mapping[str, Any], key: str, path: str, default: object = MISSING) -> Any:
    if key in data:
        return data[key]
    if default is MISSING:
        raise SnapshotError(f"{path}.{key}" if path else key, MISSING, "required field is missing")
    return default


def _number(data: Mapping[str, Any], key: str, path: str, default: object = MISSING) -> float:
    value = _get(data, key, path, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SnapshotError(f"{path}.{key}", value, "must be a number")
    return float(value)


def _integer(data: Mapping[str, Any], key: str, path: str, default: object = MISSING) -> int:
    value = _get(data, key, path, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SnapshotError(f"{path}.{key}", value, "must be an integer")
    return value


def _text(data: Mapping[str, Any], key: str, path: str, default: object = MISSING) -> str:
    value = _get(data, key, path, default)
    if not isinstance(value, str):
        raise SnapshotError(f"{path}.{key}", value, "must be a string")
    return value


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SnapshotError(path, value, "must be an object (a JSON {...})")
    return value


def _sequence(value: object, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise SnapshotError(path, value, "must be a list (a JSON [...])")
    return value


def _account(data: Mapping[str, Any]) -> Account:
    a = _mapping(data, "account")
    balance = _number(a, "balance", "account")
    equity = _number(a, "equity", "account")
    credit = _number(a, "credit", "account", 0.0)
    return Account(
        login=_integer(a, "login", "account", 0),
        currency=_text(a, "currency", "account"),
        balance=balance,
        equity=equity,
        margin=_number(a, "margin", "account"),
        margin_so_call=_number(a, "margin_so_call", "account"),
        margin_so_so=_number(a, "margin_so_so", "account"),
        margin_so_mode=_integer(a, "margin_so_mode", "account", 0),
        margin_mode=_integer(a, "margin_mode", "account", 2),
        leverage=_number(a, "leverage", "account", 100),
        trade_mode=_integer(a, "trade_mode", "account", 0),
        credit=credit,
        profit=_number(a, "profit", "account", equity - balance - credit),
    )


def _fx_currencies(name: str) -> tuple[str, str]:
    core = name[:6].upper()
    if len(core) == 6 and core.isalpha():
        return core[:3], core[3:]
    return "", ""


def _symbol(name: str, data: object, settings: Settings) -> SymbolSpec:
    path = f"symbols.{name}"
    d = _mapping(data, path)
    guess_base, guess_profit = _fx_currencies(name)
    base = _text(d, "currency_base", path, guess_base)
    profit = _text(d, "currency_profit", path, guess_profit)
    if not base or not profit:
        raise SnapshotError(f"{path}.currency_profit", MISSING,
                            "give currency_base and currency_profit (not a six-letter FX name)")
    calc_mode = _integer(d, "trade_calc_mode", path, 0)
    sym_path = _text(d, "path", path, "")
    klass = settings.safe_leverage.symbol_classes.get(name) or guess_symbol_class(
        name, sym_path, base, profit, calc_mode)
    return SymbolSpec(
        name=name,
        trade_contract_size=_number(d, "trade_contract_size", path),
        volume_min=_number(d, "volume_min", path),
        volume_step=_number(d, "volume_step", path),
        volume_max=_number(d, "volume_max", path),
        currency_base=base,
        currency_profit=profit,
        currency_margin=_text(d, "currency_margin", path, base),
        trade_calc_mode=calc_mode,
        path=sym_path,
        symbol_class=klass,
        trade_tick_value=_number(d, "trade_tick_value", path, 0.0),
        trade_tick_size=_number(d, "trade_tick_size", path, 0.0),
    )


def _book(value: object, path: str) -> tuple[BookLevel, ...]:
    rows = []
    for i, row in enumerate(_sequence(value, path)):
        r = _mapping(row, f"{path}[{i}]")
        volume = _number(r, "volume_dbl", f"{path}[{i}]", r.get("volume", MISSING))
        rows.append(BookLevel(type=_integer(r, "type", f"{path}[{i}]"),
                              price=_number(r, "price", f"{path}[{i}]"), volume=volume))
    return tuple(rows)


def _optional_number(d: Mapping[str, Any], key: str, path: str) -> float | None:
    return None if d.get(key) is None else _number(d, key, path)


def _market(name: str, data: object) -> MarketState:
    path = f"market.{name}"
    d = _mapping(data, path)
    book = d.get("book")
    return MarketState(
        bid=_number(d, "bid", path),
        ask=_number(d, "ask", path),
        time=parse_time(d["time"], f"{path}.time") if "time" in d else 0.0,
        book=_book(book, f"{path}.book") if book else None,
        bid_depth=_optional_number(d, "bid_depth", path),
        ask_depth=_optional_number(d, "ask_depth", path),
        margin_rate=_optional_number(d, "margin_rate", path),
        slippage_ratio=_optional_number(d, "slippage_ratio", path),
    )


def _columns(value: object, names: Sequence[str], path: str) -> dict[str, np.ndarray]:
    """Columns from either {name: [..]} or [{name: ..}, ..]; `time` may be ISO strings."""
    if isinstance(value, Mapping):
        cols = {n: _get(value, n, path) for n in names}
        for n, col in cols.items():
            _sequence(col, f"{path}.{n}")
    else:
        rows = _sequence(value, path)
        cols = {n: [_get(_mapping(r, f"{path}[{i}]"), n, f"{path}[{i}]")
                    for i, r in enumerate(rows)] for n in names}
    out: dict[str, np.ndarray] = {}
    for n, col in cols.items():
        if n == "time":
            out[n] = np.array([parse_time(t, f"{path}.time[{i}]") for i, t in enumerate(col)],
                              dtype=np.float64)
        else:
            for i, x in enumerate(col):
                if isinstance(x, bool) or not isinstance(x, int | float):
                    raise SnapshotError(f"{path}.{n}[{i}]", x, "must be a number")
            out[n] = np.asarray(col, dtype=np.float64)
    return out


_OHLC = ("time", "open", "high", "low", "close")


def _bars(value: object, path: str) -> Bars:
    c = _columns(value, _OHLC, path)
    return Bars(time=c["time"], open=c["open"], high=c["high"], low=c["low"], close=c["close"])


def _intraday(h1: Bars | None, h4: Bars | None) -> dict[str, Any]:
    """The intraday series that seeds the daily σ samples of the percentiles before the first
    quote, chosen as the guard's warm-up chooses it (bridge/warmup.py): the H1 or H4 series
    reaching further back (H1 on a tie, two bars at least); none without either."""
    best: dict[str, Any] = {}
    start = math.inf
    for bars, seconds in ((h1, 3600.0), (h4, 14_400.0)):
        if bars is not None and len(bars.time) >= 2 and float(bars.time[0]) < start:
            best, start = {"intraday": bars, "intraday_seconds": seconds}, float(bars.time[0])
    return best


def _history(name: str, data: object) -> SymbolHistory:
    path = f"market.{name}.history"
    h = _mapping(data, path)
    kwargs: dict[str, Any] = {}
    if "ticks" in h:
        c = _columns(h["ticks"], ("time", "bid", "ask"), f"{path}.ticks")
        kwargs.update(quote_time=c["time"], bid=c["bid"], ask=c["ask"])
    for key, field_name in (("rates_m1", "m1"), ("rates_h1", "h1"), ("rates_d1", "d1")):
        if key in h:
            kwargs[field_name] = _bars(h[key], f"{path}.{key}")
    h4 = _bars(h["rates_h4"], f"{path}.rates_h4") if "rates_h4" in h else None
    kwargs.update(_intraday(kwargs.get("h1"), h4))  # as the guard's warm-up seeds σ
    if "depth" in h:
        c = _columns(h["depth"], ("time", "bid_depth", "ask_depth"), f"{path}.depth")
        kwargs.update(depth_time=c["time"], bid_depth_lots=c["bid_depth"],
                      ask_depth_lots=c["ask_depth"])
    if "margin_rates" in h:
        c = _columns(h["margin_rates"], ("time", "margin_rate"), f"{path}.margin_rates")
        kwargs.update(margin_time=c["time"], margin_rate=c["margin_rate"])
    unknown = set(h) - {"ticks", "rates_m1", "rates_h1", "rates_h4", "rates_d1", "depth",
                        "margin_rates"}
    if unknown:
        raise SnapshotError(f"{path}.{sorted(unknown)[0]}", h[sorted(unknown)[0]],
                            "unknown history (allowed: ticks, rates_m1, rates_h1, rates_h4, "
                            "rates_d1, depth, margin_rates)")
    try:
        return SymbolHistory(**kwargs)
    except ValueError as exc:
        raise SnapshotError(path, "…", str(exc)) from exc


def _position(i: int, data: object, market: Mapping[str, MarketState]) -> Position:
    path = f"positions[{i}]"
    d = _mapping(data, path)
    symbol = _text(d, "symbol", path)
    kind = _integer(d, "type", path)
    quote = market.get(symbol)
    current_default: object = MISSING
    if quote is not None:
        current_default = quote.bid if kind == 0 else quote.ask
    return Position(
        ticket=_integer(d, "ticket", path),
        symbol=symbol,
        type=kind,
        volume=_number(d, "volume", path),
        price_open=_number(d, "price_open", path),
        price_current=_number(d, "price_current", path, current_default),
        profit=_number(d, "profit", path, 0.0),
        swap=_number(d, "swap", path, 0.0),
        time=_integer(d, "time", path, 0),
        magic=_integer(d, "magic", path, 0),
    )


def _event(i: int, data: object) -> Event:
    path = f"events[{i}]"
    d = _mapping(data, path)
    currencies = _sequence(_get(d, "currencies", path), f"{path}.currencies")
    factor = _number(d, "cap_factor", path)
    if not 0.0 <= factor <= 1.0:
        raise SnapshotError(f"{path}.cap_factor", factor, "must be between 0 and 1")
    return Event(
        time=parse_time(_get(d, "time", path), f"{path}.time"),
        currencies=tuple(str(c).upper() for c in currencies),
        cap_factor=factor,
        lead_minutes=_number(d, "lead_minutes", path, 1440.0),
        after_minutes=_number(d, "after_minutes", path, 60.0),
        label=_text(d, "label", path, ""),
    )


def _memory(data: object) -> ControllerMemory:
    d = _mapping(data, "memory")
    known = {f.name for f in fields(ControllerMemory)}
    unknown = set(d) - known
    if unknown:
        key = sorted(unknown)[0]
        raise SnapshotError(f"memory.{key}", d[key],
                            f"unknown memory field (allowed: {', '.join(sorted(known))})")
    values: dict[str, Any] = dict(d)
    if "regime" in values:
        values["regime"] = Regime(values["regime"])
    if "state" in values:
        values["state"] = TradingState(values["state"])
    return ControllerMemory(**values)


class ParsedSnapshot:
    """A checked snapshot, the histories it carried (symbol → SymbolHistory) and its memory."""

    __slots__ = ("histories", "memory", "snapshot")

    def __init__(self, snapshot: Snapshot, histories: dict[str, SymbolHistory],
                 memory: ControllerMemory | None) -> None:
        """Hold the parsed parts as they are (the snapshot is already checked)."""
        self.snapshot = snapshot
        self.histories = histories
        self.memory = memory


def parse_snapshot(data: object, settings: Settings) -> ParsedSnapshot:
    """Check and convert a snapshot document (see the module docstring)."""
    doc = _mapping(data, "snapshot")
    time = parse_time(_get(doc, "time", ""), "time")
    account = _account(_get(doc, "account", ""))
    symbols = {name: _symbol(name, spec, settings)
               for name, spec in _mapping(_get(doc, "symbols", ""), "symbols").items()}
    market_doc = _mapping(_get(doc, "market", ""), "market")
    market = {name: _market(name, m) for name, m in market_doc.items()}
    histories = {name: _history(name, m["history"]) for name, m in market_doc.items()
                 if isinstance(m, Mapping) and m.get("history")}
    positions = [_position(i, p, market)
                 for i, p in enumerate(_sequence(_get(doc, "positions", "", []), "positions"))]
    events = [_event(i, e) for i, e in enumerate(_sequence(doc.get("events", []), "events"))]
    memory = _memory(doc["memory"]) if doc.get("memory") else None
    snapshot = make_snapshot(time, account, symbols, positions, market, events)
    check_bounds(snapshot)
    return ParsedSnapshot(snapshot, histories, memory)
