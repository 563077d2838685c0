"""The functional core: the risk model of DESIGN §3 as pure functions over frozen snapshots.

    snapshot = Snapshot(time, account, symbols, positions, market)   # checked, rates computed
    indicators, portfolio = prepare_indicators(histories, settings)  # from your own bars
    decision = decide(snapshot, settings, indicators, portfolio, memory)
    memory = decision.memory                                         # pass it to the next call

No I/O, no clock, no MetaTrader5: the same snapshot and memory always give the same decision.
The library API is the eight names of `__all__`; the value types they take and return are in
`controller.types`. A guide for bot authors: docs/library.md.
"""

# `__all__` is short on purpose: it names the library API. Every other name imported here stays
# importable as `from controller import X` (the bridge, the tests and existing bots use them);
# the `X as X` form marks each one as a deliberate re-export (for mypy and ruff). The full list
# of value types is controller.types.
from controller.decide import decide
from controller.decision_types import Action as Action
from controller.decision_types import Alert as Alert
from controller.decision_types import Cap as Cap
from controller.decision_types import CrashSign as CrashSign
from controller.decision_types import Decision
from controller.decision_types import Distance as Distance
from controller.decision_types import Limits as Limits
from controller.decision_types import Metrics as Metrics
from controller.decision_types import Signal as Signal
from controller.decision_types import SymbolLimit as SymbolLimit
from controller.decision_types import SymbolMetrics as SymbolMetrics
from controller.decision_types import Urgency as Urgency
from controller.errors import SnapshotError
from controller.memory import ControllerMemory
from controller.memory import Regime as Regime
from controller.memory import TradingState as TradingState
from controller.parse import ParsedSnapshot as ParsedSnapshot
from controller.parse import parse_snapshot as parse_snapshot
from controller.prepare import prepare_indicators
from controller.serialize import decision_to_dict as decision_to_dict
from controller.settings import Settings
from controller.snapshot import Account as Account
from controller.snapshot import BookLevel as BookLevel
from controller.snapshot import Event as Event
from controller.snapshot import MarketState as MarketState
from controller.snapshot import Position as Position
from controller.snapshot import Snapshot, make_snapshot
from controller.snapshot import SymbolSpec as SymbolSpec

__all__ = [
    "ControllerMemory",
    "Decision",
    "Settings",
    "Snapshot",
    "SnapshotError",
    "decide",
    "make_snapshot",
    "prepare_indicators",
]
