"""The functional core: the risk model of DESIGN §3 as pure functions over frozen snapshots.

    parsed = parse_snapshot(document, settings)        # or make_snapshot(...) from the bridge
    indicators = {s: prepare_symbol(h, settings.indicators) for s, h in parsed.histories.items()}
    decision = decide(parsed.snapshot, settings, indicators, memory=parsed.memory)

No I/O, no clock, no MetaTrader5: the same snapshot and memory always give the same decision.
"""

from controller.decide import decide
from controller.decision_types import (
    Action,
    Cap,
    CrashSign,
    Decision,
    Distance,
    Limits,
    Metrics,
    Signal,
    SymbolLimit,
    SymbolMetrics,
    Urgency,
    Warning,
)
from controller.errors import SnapshotError
from controller.memory import ControllerMemory, Regime, TradingState
from controller.parse import ParsedSnapshot, parse_snapshot
from controller.prepare import prepare_indicators
from controller.serialize import decision_to_dict
from controller.settings import Settings
from controller.snapshot import (
    Account,
    BookLevel,
    Event,
    MarketState,
    Position,
    Snapshot,
    SymbolSpec,
    make_snapshot,
)

__all__ = [
    "Account",
    "Action",
    "BookLevel",
    "Cap",
    "ControllerMemory",
    "CrashSign",
    "Decision",
    "Distance",
    "Event",
    "Limits",
    "MarketState",
    "Metrics",
    "ParsedSnapshot",
    "Position",
    "Regime",
    "Settings",
    "Signal",
    "Snapshot",
    "SnapshotError",
    "SymbolLimit",
    "SymbolMetrics",
    "SymbolSpec",
    "TradingState",
    "Urgency",
    "Warning",
    "decide",
    "decision_to_dict",
    "make_snapshot",
    "parse_snapshot",
    "prepare_indicators",
]
