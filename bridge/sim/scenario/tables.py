"""The validated tables of a scenario file (bridge.sim.scenario.schema) made into the frozen values
of bridge.sim.scenario.model, with the checks that need more than one key: defaults that follow
other keys (a symbol's currencies from its name), names that must be scenario symbols, times
relative to the crash, ranges across keys. Each error names the key, the value and what is
allowed. bridge.sim.scenario.parse puts them together."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path

from bridge.mt5 import constants as c
from bridge.sim.broker import BrokerSymbol
from bridge.sim.errors import ScenarioError
from bridge.sim.scenario import schema as f
from bridge.sim.scenario.model import (
    BALANCE_OP_TYPES,
    CALC_MODES,
    EXEC_MODES,
    FILLINGS,
    MARGIN_MODES,
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

__all__ = [
    "data_sources",
    "parse_time",
    "read_account",
    "read_balance_ops",
    "read_book",
    "read_broker",
    "read_faults",
    "read_generator",
    "read_no_quotes",
    "read_overlays",
    "read_symbol",
]

_TICK_VALUE_MODES = (c.SYMBOL_CALC_MODE_CFDINDEX, c.SYMBOL_CALC_MODE_FUTURES,
                     c.SYMBOL_CALC_MODE_EXCH_FUTURES)


def parse_time(v: object, key: str, anchor: float | None) -> float:
    """A time value as UTC epoch seconds (a number: seconds from `anchor`)."""
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


def _symbols(v: object, key: str, known: set[str]) -> tuple[str, ...]:
    if v == "*":
        names = list(known)
    else:
        names = [v] if isinstance(v, str) else list(v) if isinstance(v, list) else []
    for n in names:
        if n not in known:
            raise ScenarioError(f"{key} = {n!r} is not a scenario symbol; known: {sorted(known)}")
    return tuple(sorted(names))


def _filling(t: f.SymbolTable, where: str) -> int:
    bits = 0
    for fill in t.filling:
        if not isinstance(fill, str) or fill not in FILLINGS:
            raise ScenarioError(f"{where}.filling = {fill!r} is not allowed; use {list(FILLINGS)}")
        bits |= FILLINGS[fill]
    return bits


def read_symbol(t: f.SymbolTable, where: str, dflt_currency: str) -> BrokerSymbol:
    """A `[[symbols]]` table; currencies, contract size and digits default from the name (an FX
    pair: EURUSD → EUR, USD, 100,000) and the calculation mode."""
    name, mode = t.name, CALC_MODES[t.calc_mode]
    fx = mode in (c.SYMBOL_CALC_MODE_FOREX, c.SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE)
    pair = len(name) >= 6 and name[:6].isalpha() and name[:6].isupper()
    base = t.currency_base if t.currency_base is not None else (name[:3] if fx or pair else "")
    profit = t.currency_profit if t.currency_profit is not None else (
        name[3:6] if fx or pair else dflt_currency)
    cs = t.contract_size if t.contract_size is not None else (100_000.0 if fx else 1.0)
    if t.volume_max < t.volume_min:
        raise ScenarioError(
            f"{where}.volume_max = {t.volume_max} is below volume_min = {t.volume_min}")
    if mode in _TICK_VALUE_MODES and t.tick_value <= 0:
        raise ScenarioError(f"{where}.tick_value must be > 0 for calc_mode {mode}")
    return BrokerSymbol(
        name=name, currency_base=base, currency_profit=profit,
        currency_margin=t.currency_margin if t.currency_margin is not None else (
            base if fx else profit),
        calc_mode=mode, digits=t.digits if t.digits is not None else (3 if profit == "JPY" else 5),
        contract_size=cs, tick_size=t.tick_size, tick_value=t.tick_value,
        margin_initial=t.margin_initial, margin_maintenance=t.margin_maintenance,
        margin_rate=t.margin_rate, margin_hedged=cs if t.margin_hedged is None else t.margin_hedged,
        margin_hedged_use_leg=t.margin_hedged_use_leg, volume_min=t.volume_min,
        volume_max=t.volume_max, volume_step=t.volume_step, volume_limit=t.volume_limit,
        spread_points=t.spread_points, trade_mode=TRADE_MODES[t.trade_mode],
        trade_exemode=EXEC_MODES[t.execution], filling_mode=_filling(t, where),
        trade_stops_level=t.stops_level, trade_freeze_level=t.freeze_level,
        book_depth=t.book_depth, book_level_lots=t.book_level_lots,
        daily_volume_lots=t.daily_volume_lots, daily_volatility=t.daily_volatility,
        description=t.description if t.description is not None else name,
        path=t.path if t.path is not None else ("Forex\\" if fx else "CFD\\") + name,
    )


def read_account(t: f.AccountTable) -> AccountSpec:
    """The `[account]` table (a margin call must not be below the stop-out in percent mode)."""
    a = AccountSpec(
        login=t.login, password=t.password, name=t.name, server=t.server, company=t.company,
        currency=t.currency, leverage=t.leverage, balance=t.balance, credit=t.credit,
        margin_mode=MARGIN_MODES[t.margin_mode], margin_so_mode=SO_MODES[t.stop_out_mode],
        margin_so_call=t.margin_call, margin_so_so=t.stop_out,
        negative_balance_protection=t.negative_balance_protection,
        money_stop_out_on=t.money_stop_out_on, limit_orders=t.limit_orders,
    )
    if a.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT and a.margin_so_call < a.margin_so_so:
        raise ScenarioError(
            f"account.margin_call = {a.margin_so_call} is below account.stop_out = "
            f"{a.margin_so_so}; a margin call warns before the stop-out"
        )
    return a


def read_broker(t: f.BrokerTable) -> BrokerPolicy:
    """The `[broker]` table."""
    return BrokerPolicy(**t.model_dump())


def read_generator(t: f.GeneratorTable, known: set[str]) -> GeneratorSpec:
    """The `[generator]` table: a known preset and an entry for every scenario symbol."""
    from bridge.sim.generator import PRESETS  # local: generator imports this package

    if t.preset not in PRESETS:
        raise ScenarioError(
            f"generator.preset = {t.preset!r} is not known; use one of {list(PRESETS)}"
        )
    syms: dict[str, GeneratorSymbol] = {}
    for name, s in t.symbols.items():
        if name not in known:
            raise ScenarioError(
                f"generator.symbols.{name} is not a scenario symbol; known: {sorted(known)}"
            )
        syms[name] = GeneratorSymbol(s.price, s.beta, s.stress)
    missing = known - set(syms)
    if missing:
        raise ScenarioError(
            f"generator.symbols has no entry for {sorted(missing)}; every symbol needs a price"
        )
    return GeneratorSpec(preset=t.preset, symbols=syms, tick_seconds=t.tick_seconds,
                         crash_tick_seconds=t.crash_tick_seconds,
                         warmup_tick_seconds=t.warmup_tick_seconds,
                         history_days=int(t.history_days))


def _known(symbol: str, key: str, known: set[str]) -> str:
    if symbol not in known:
        raise ScenarioError(f"{key} = {symbol!r} is not a scenario symbol")
    return symbol


def data_sources(tables: Sequence[f.DataTable], key: str, known: set[str], base: Path,
                 data_dir: Path | None) -> list[DataSource]:
    """`[[data]]` or `[[history]]` (`key`): a relative path is read from `data_dir` (else the
    scenario's folder); a file only beside the scenario (a recording's) from there."""
    items = []
    for i, t in enumerate(tables):
        sym = _known(t.symbol, f"{key}[{i}].symbol", known)
        rel = Path(t.path)
        path = rel if rel.is_absolute() else (data_dir or base) / rel
        if data_dir is not None and not path.exists() and (base / rel).exists():
            path = base / rel  # a file beside the scenario (a recording) is not shared data
        items.append(DataSource(sym, path, t.format, t.time_zone, t.price_scale, t.ticks_per_bar))
    return items


def _points(t: f.OverlayTable, i: int, anchor: float) -> tuple[tuple[float, ...],
                                                                tuple[float, ...]]:
    times, values = [], []
    for j, p in enumerate(t.points):
        if not (isinstance(p, list) and len(p) == 2):
            raise ScenarioError(f"overlays[{i}].points[{j}] = {p!r} must be [time, multiplier]")
        times.append(parse_time(p[0], f"overlays[{i}].points[{j}]", anchor))
        if not (isinstance(p[1], int | float) and p[1] > 0):
            raise ScenarioError(f"overlays[{i}].points[{j}] multiplier {p[1]!r} must be > 0")
        values.append(float(p[1]))
    if any(b < a for a, b in itertools.pairwise(times)):
        raise ScenarioError(f"overlays[{i}].points must be in time order")
    return tuple(times), tuple(values)


def read_overlays(tables: Sequence[f.OverlayTable], known: set[str],
                  anchor: float) -> list[Overlay]:
    """`[[overlays]]`: multiplier paths in time order, multipliers > 0."""
    items = []
    for i, t in enumerate(tables):
        times, values = _points(t, i, anchor)
        items.append(Overlay(t.kind, _symbols(t.symbols, f"overlays[{i}].symbols", known),
                             times, values))
    return items


def read_no_quotes(tables: Sequence[f.NoQuoteTable], known: set[str],
                   anchor: float) -> list[NoQuoteSpec]:
    """`[[no_quotes]]`: windows that end after they start."""
    items = []
    for i, t in enumerate(tables):
        s = parse_time(t.start, f"no_quotes[{i}].start", anchor)
        e = parse_time(t.end, f"no_quotes[{i}].end", anchor)
        if not e > s:
            raise ScenarioError(f"no_quotes[{i}].end must be after its start")
        items.append(NoQuoteSpec(_symbols(t.symbols, f"no_quotes[{i}].symbols", known), s, e))
    return items


def read_faults(tables: Sequence[f.FaultTable], anchor: float) -> list[FaultSpec]:
    """`[[faults]]`, their times made absolute."""
    return [
        FaultSpec(kind=t.kind,
                  at=None if t.at is None else parse_time(t.at, f"faults[{i}].at", anchor),
                  count=t.count, duration_s=t.duration_s, function=t.function,
                  executed=t.executed, fraction=t.fraction)
        for i, t in enumerate(tables)
    ]


def read_book(tables: Sequence[f.BookTable], known: set[str]) -> list[BookEntry]:
    """`[[book]]`: positions on scenario symbols."""
    side = {"buy": c.ORDER_TYPE_BUY, "sell": c.ORDER_TYPE_SELL}
    return [BookEntry(_known(t.symbol, f"book[{i}].symbol", known), side[t.type], t.volume,
                      t.magic, t.comment) for i, t in enumerate(tables)]


def read_balance_ops(tables: Sequence[f.BalanceOpTable], known: set[str],
                     anchor: float) -> list[BalanceOp]:
    """`[[balance_ops]]` in time order (a "trade" is on the first symbol unless named)."""
    items = []
    for i, t in enumerate(tables):
        when = parse_time(t.time, f"balance_ops[{i}].time", anchor)
        kind = BALANCE_OP_TYPES[t.type]
        symbol = t.symbol if t.symbol is not None else (
            sorted(known)[0] if kind == c.DEAL_TYPE_SELL else "")
        if symbol and symbol not in known:
            raise ScenarioError(f"balance_ops[{i}].symbol = {symbol!r} is not a scenario symbol")
        items.append(BalanceOp(when, kind, t.amount, t.comment, symbol))
    return sorted(items, key=lambda o: o.time)
