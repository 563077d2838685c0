"""A scenario file's tables as pydantic models: every key with its type, default and range, in
the units of docs/scenarios.md (money in the account currency, times as TOML date-times, ISO
strings or seconds from the crash, durations in seconds). Strict types, unknown keys refused
(bridge.sim.scenario.checks); what needs the whole file — known symbols, times relative to the
crash, defaults that follow other keys — is checked where bridge.sim.scenario.tables turns the
models into the frozen values of bridge.sim.scenario.model. Fields are in the order the file's
keys were always checked, so the first problem reported stays the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from bridge.sim.replay.clock import DST_RULES
from bridge.sim.replay.readers import FORMATS
from bridge.sim.scenario.checks import (
    NonNegative,
    Positive,
    TableModel,
    at_least,
    choice,
    kinds,
    within,
)
from bridge.sim.scenario.model import (
    BALANCE_OP_TYPES,
    CALC_MODES,
    EXEC_MODES,
    FAULT_KINDS,
    MARGIN_MODES,
    OVERLAY_KINDS,
    SO_MODES,
    TRADE_MODES,
)

__all__ = [
    "AccountTable",
    "BalanceOpTable",
    "BookTable",
    "BrokerTable",
    "DataTable",
    "FaultTable",
    "GeneratorSymbolTable",
    "GeneratorTable",
    "NoQuoteTable",
    "OverlayTable",
    "ScenarioFile",
    "ServerTimeTable",
    "SymbolTable",
    "TerminalTable",
]

Time = Annotated[object, kinds(str, dt.datetime)]
"""A date-time: a TOML date-time or an ISO string, with a zone."""
TimeOrSeconds = Annotated[object, kinds(str, float, dt.datetime)]
"""A date-time, or seconds from the crash (from the start without one)."""
Symbols = Annotated[object, kinds(list, str)]
"""Symbol names: a list, one name, or "*" (every symbol)."""


class SymbolTable(TableModel):
    """`[[symbols]]`: a symbol's contract. None: the default follows other keys."""

    name: str
    calc_mode: Annotated[str, choice(CALC_MODES)] = "forex"
    currency_base: str | None = None
    currency_profit: str | None = None
    currency_margin: str | None = None
    contract_size: Positive | None = None
    filling: list[object] = Field(default_factory=lambda: list[object](["fok", "ioc"]))
    digits: Annotated[int, within(0, 8)] | None = None
    volume_min: Positive = 0.01
    volume_step: Positive = 0.01
    volume_max: Positive = 100.0
    tick_size: NonNegative = 0.0
    tick_value: NonNegative = 0.0
    margin_initial: NonNegative = 0.0
    margin_maintenance: NonNegative = 0.0
    margin_rate: Positive = 1.0
    margin_hedged: NonNegative | None = None
    margin_hedged_use_leg: bool = False
    volume_limit: NonNegative = 0.0
    spread_points: Positive = 10.0
    trade_mode: Annotated[str, choice(TRADE_MODES)] = "full"
    execution: Annotated[str, choice(EXEC_MODES)] = "market"
    stops_level: int = 0
    freeze_level: int = 0
    book_depth: int = 0
    book_level_lots: Positive = 10.0
    daily_volume_lots: Positive = 100_000.0
    daily_volatility: Positive = 0.006
    description: str | None = None
    path: str | None = None


class AccountTable(TableModel):
    """`[account]`: the trading account (levels in % in percent mode, else money)."""

    leverage: Annotated[int, at_least(1, " (100 means 1:100)")] = 100
    login: int = 10_000_001
    password: str = ""
    name: str = "Simulated trader"
    server: str = "LCA-Simulated"
    company: str = "lca simulated broker"
    currency: str = "USD"
    balance: Positive = 10_000.0
    credit: NonNegative = 0.0
    margin_mode: Annotated[str, choice(MARGIN_MODES)] = "hedging"
    stop_out_mode: Annotated[str, choice(SO_MODES)] = "percent"
    margin_call: NonNegative = 100.0
    stop_out: NonNegative = 50.0
    negative_balance_protection: bool = True
    money_stop_out_on: Annotated[str, choice(["equity", "margin_free"])] = "equity"
    limit_orders: int = 200


class BrokerTable(TableModel):
    """`[broker]`: execution and risk policy (bridge.sim.scenario.model.BrokerPolicy)."""

    impact_coefficient: NonNegative = 0.7
    volatility_margin: NonNegative = 0.0
    volatility_horizon_days: Positive = 1.0
    volatility_window_s: Positive = 86400.0
    volatility_review_s: Positive = 3600.0
    volatility_margin_cap: Positive = 10.0
    quote_timeout_s: Positive = 600.0
    weekend_close: bool = True


class GeneratorSymbolTable(TableModel):
    """`[generator.symbols.<name>]`: the price at the crash, beta and stress exponent."""

    stress: Annotated[float, within(0, 1)] = 1.0
    price: Positive
    beta: float = 1.0


class GeneratorTable(TableModel):
    """`[generator]`: a preset crash path and its tick spacing (seconds)."""

    preset: str
    symbols: dict[str, GeneratorSymbolTable]
    tick_seconds: Positive = 2.0
    crash_tick_seconds: Positive = 0.5
    warmup_tick_seconds: Positive = 60.0
    history_days: NonNegative = 0.0


class DataTable(TableModel):
    """`[[data]]` and `[[history]]`: a market-data file for one symbol."""

    symbol: str
    path: str
    format: Annotated[str, choice(FORMATS)] = "auto"
    time_zone: str = "auto"
    price_scale: Positive = 1e5
    ticks_per_bar: int = 0


class OverlayTable(TableModel):
    """`[[overlays]]`: a multiplier path, `points` = [[time, multiplier], ...]."""

    kind: Annotated[str, choice(list(OVERLAY_KINDS))] = "spread"
    points: list[object]
    symbols: Symbols = "*"


class NoQuoteTable(TableModel):
    """`[[no_quotes]]`: a window without quotes."""

    start: TimeOrSeconds
    end: TimeOrSeconds
    symbols: Symbols = "*"


class FaultTable(TableModel):
    """`[[faults]]`: a fault armed from `at` for `count` calls or `duration_s` seconds."""

    kind: Annotated[str, choice(list(FAULT_KINDS))] = "requote"
    at: TimeOrSeconds = None
    count: int = 1
    duration_s: NonNegative = 0.0
    function: str = ""
    executed: bool = True
    fraction: Positive = 0.5


class BookTable(TableModel):
    """`[[book]]`: a position of the initial book (lots)."""

    symbol: str
    type: Annotated[str, choice(["buy", "sell"])] = "buy"
    volume: Positive
    magic: int = 0
    comment: str = "initial book"


class BalanceOpTable(TableModel):
    """`[[balance_ops]]`: money moved at `time` (account currency)."""

    time: Annotated[object, kinds(str, dt.datetime, int, float)]
    type: Annotated[str, choice(BALANCE_OP_TYPES)] = "balance"
    symbol: str | None = None
    amount: float
    comment: str = ""


class ServerTimeTable(TableModel):
    """`[server_time]`: the broker's clock (hours east of UTC in winter, its DST rule)."""

    dst: Annotated[str, choice(DST_RULES)] = "us"
    utc_offset_hours: float = 2.0


class TerminalTable(TableModel):
    """`[terminal]`: whether algo trading is on."""

    trade_allowed: bool = True


class ScenarioFile(TableModel):
    """A whole scenario file."""

    name: str
    start: Time
    end: Time
    crash_time: Time = None
    server_time: ServerTimeTable = ServerTimeTable()
    account: AccountTable = AccountTable()
    broker: BrokerTable = BrokerTable()
    symbols: list[SymbolTable]
    data: list[DataTable] = Field(default_factory=list)
    history: list[DataTable] = Field(default_factory=list)
    overlays: list[OverlayTable] = Field(default_factory=list)
    no_quotes: list[NoQuoteTable] = Field(default_factory=list)
    faults: list[FaultTable] = Field(default_factory=list)
    book: list[BookTable] = Field(default_factory=list)
    balance_ops: list[BalanceOpTable] = Field(default_factory=list)
    generator: GeneratorTable | None = None
    terminal: TerminalTable = TerminalTable()
    seed: int = 0
    description: str = ""
    warmup_hours: float = 24.0
