"""The scenario model: what a scenario file describes, as frozen values (bridge.sim.scenario.parse
validates the files; bridge.sim.scenario.tables reads their tables; docs/scenarios.md is the
format). Money in the account currency; times UTC epoch seconds, read from TOML datetimes or
ISO strings with a zone (``2016-10-06T23:07:03Z``), or seconds relative to the scenario's
`crash_time` (relative to `start` when it has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bridge.mt5 import constants as c
from bridge.sim.broker import BrokerSymbol
from bridge.sim.replay.clock import ServerClock

__all__ = [
    "BALANCE_OP_TYPES",
    "BUILTIN_DIR",
    "CALC_MODES",
    "EXEC_MODES",
    "FAULT_KINDS",
    "FILLINGS",
    "MARGIN_MODES",
    "OVERLAY_KINDS",
    "SO_MODES",
    "TRADE_MODES",
    "AccountSpec",
    "BalanceOp",
    "BookEntry",
    "BrokerPolicy",
    "DataSource",
    "FaultSpec",
    "GeneratorSpec",
    "GeneratorSymbol",
    "NoQuoteSpec",
    "Overlay",
    "Scenario",
]

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "scenarios"
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
    symbols: tuple[BrokerSymbol, ...]
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
