"""Every value type a caller of the controller meets, in one place.

The library's entry points are in `controller` itself (`decide`, `make_snapshot`,
`prepare_indicators`, `Settings`, `Snapshot`, `Decision`, `ControllerMemory`, `SnapshotError`);
the records those take and return are here:

- what goes in: `Account`, `SymbolSpec`, `Position`, `MarketState`, `BookLevel`, `Event` (the
  fields of a `Snapshot`, named like the MetaTrader5 namedtuples), `SymbolClass` (a symbol's
  ESMA class), `SymbolHistory` and `Bars` (the history `prepare_indicators` reads);
- what is prepared: `SymbolIndicators`, `PortfolioIndicators`;
- what comes out: `Decision`'s parts `Metrics`, `SymbolMetrics`, `Cap`, `Action`, `Limits`,
  `SymbolLimit`, `Distance`, `Signal`, `CrashSign`, `Alert`, and the enums `Regime`,
  `TradingState`, `Urgency`, `CapName` (a cap's name) and `Side` (an order side);
- `ParsedSnapshot`, what `parse_snapshot` returns for a JSON snapshot document.

Units are in each type's docstring: money in the account currency, volumes in lots, prices in the
symbol's quote currency, times in UTC epoch seconds.
"""

from __future__ import annotations

from controller.decision_types import (
    Action,
    Alert,
    Cap,
    CapName,
    CrashSign,
    Decision,
    Distance,
    Limits,
    Metrics,
    Side,
    Signal,
    SymbolLimit,
    SymbolMetrics,
    Urgency,
)
from controller.indicators import Bars, PortfolioIndicators, SymbolHistory, SymbolIndicators
from controller.memory import ControllerMemory, Regime, TradingState
from controller.parse import ParsedSnapshot
from controller.prop_history import PropHistory
from controller.settings import SymbolClass
from controller.snapshot import (
    Account,
    BookLevel,
    Event,
    MarketState,
    Position,
    Snapshot,
    SymbolSpec,
)

__all__ = [
    "Account",
    "Action",
    "Alert",
    "Bars",
    "BookLevel",
    "Cap",
    "CapName",
    "ControllerMemory",
    "CrashSign",
    "Decision",
    "Distance",
    "Event",
    "Limits",
    "MarketState",
    "Metrics",
    "ParsedSnapshot",
    "PortfolioIndicators",
    "Position",
    "PropHistory",
    "Regime",
    "Side",
    "Signal",
    "Snapshot",
    "SymbolClass",
    "SymbolHistory",
    "SymbolIndicators",
    "SymbolLimit",
    "SymbolMetrics",
    "SymbolSpec",
    "TradingState",
    "Urgency",
]
