"""The guard's observer interface: what alerts, metrics and the dashboard hear from the guard.

`Guard.observers` holds objects with these methods (each a no-op here; subclass and override
what you need). The guard calls them on its own thread, right after the event, so an observer must
return fast: slow work (sending an alert, serving a page) belongs on another thread. An observer
that raises is logged and skipped; it never stops the guard.

| hook                               | when                                                      |
|------------------------------------|-----------------------------------------------------------|
| `on_start(guard)`                  | the guard started (connected, resumed, journaled `run`)   |
| `on_decision(guard, decision)`     | a decision was adopted (a cycle, or an escalation)        |
| `on_order(guard, row)`             | a slice outcome was journaled (`row` = the slice payload) |
| `on_state(guard, what, message)`   | a `state` row: trading state, connection, stale, mode     |
| `on_step(guard, seconds)`          | the end of one fast-guard step (its wall-clock duration)  |
| `on_cycle(guard, seconds)`         | the end of one controller cycle (its wall-clock duration) |
| `on_alert(guard, row)`             | an alert's delivery result was journaled (`row` = payload)|
| `on_control(guard, row)`           | an operator's control action was journaled                |
| `on_stop(guard, reason)`           | the run ends (replay over, Ctrl-C, an error)              |
| `on_phase(guard, text, fraction)`  | a phase outside the guard's steps (the unguarded replay)  |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bridge.config import AppConfig, Mode
    from bridge.ealink import EaLink
    from bridge.journal import Journal
    from bridge.permissions import TradePermissions
    from bridge.runtime.records import GuardStats
    from bridge.shadow import ShadowBook
    from bridge.terminal import TerminalPort
    from controller import Action, ControllerMemory, Decision, Snapshot
    from controller.indicators import SymbolIndicators

__all__ = ["GuardObserver", "GuardView"]


class GuardView(Protocol):
    """What an observer may read of the guard (`bridge.runtime.Guard`) it is told about, and
    the few things it may set (`paused`, `mode`, `plan`, `memory`: the operator's controls)."""

    config: AppConfig
    journal: Journal
    port: TerminalPort
    now: Callable[[], float]
    """the guard's clock: UTC epoch seconds (the replay's in a simulation)"""
    mode: Mode
    paused: bool
    decision: Decision | None
    snapshot: Snapshot | None
    plan: list[Action]
    memory: ControllerMemory
    stats: GuardStats
    watch: list[str]
    shadow: ShadowBook
    permissions: TradePermissions
    decide_seconds: float
    """wall-clock seconds the last controller cycle took"""
    observers: list[GuardObserver]

    @property
    def indicators(self) -> dict[str, SymbolIndicators]:
        """The indicators of each watched symbol (read-only)."""

    @property
    def ea_link(self) -> EaLink | None:
        """The link to the guard EA, None when it is off (read-only for observers)."""

    @property
    def connection_ok(self) -> bool:
        """Whether the terminal answered at the last step."""

    @property
    def stale(self) -> bool:
        """Whether the quotes are older than the staleness limit."""

    def notify(self, hook: str, *args: object) -> None:
        """Call `hook` on every observer."""


class GuardObserver:
    """Base class of a guard observer: every hook does nothing."""

    def on_start(self, guard: GuardView) -> None:
        """The guard has started."""

    def on_decision(self, guard: GuardView, decision: Decision) -> None:
        """`decision` was adopted."""

    def on_order(self, guard: GuardView, row: dict[str, Any]) -> None:
        """A slice outcome: ticket, symbol, status, filled, remaining (lots), retcode, message."""

    def on_state(self, guard: GuardView, what: str, message: str) -> None:
        """A change of trading state (`what` = "state"), connection, staleness or mode."""

    def on_step(self, guard: GuardView, seconds: float) -> None:
        """One fast-guard step ended; it took `seconds` of wall-clock time."""

    def on_cycle(self, guard: GuardView, seconds: float) -> None:
        """One controller cycle ended; it took `seconds` of wall-clock time."""

    def on_alert(self, guard: GuardView, row: dict[str, Any]) -> None:
        """An alert row: title, severity, channel, ok, result (journaled just before)."""

    def on_control(self, guard: GuardView, row: dict[str, Any]) -> None:
        """A control row: action, who, why, result (journaled just before)."""

    def on_stop(self, guard: GuardView, reason: str) -> None:
        """The run ends, for `reason` (in words)."""

    def on_phase(self, guard: GuardView, text: str | None, fraction: float | None) -> None:
        """A phase outside the guard's steps began or moved on (`fraction` done, 0-1, or None);
        `text` None: it ended."""
