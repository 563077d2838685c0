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

from typing import Any

__all__ = ["GuardObserver"]


class GuardObserver:
    """Base class of a guard observer: every hook does nothing."""

    def on_start(self, guard: Any) -> None:
        """The guard has started."""

    def on_decision(self, guard: Any, decision: Any) -> None:
        """`decision` (a `controller.Decision`) was adopted."""

    def on_order(self, guard: Any, row: dict[str, Any]) -> None:
        """A slice outcome: ticket, symbol, status, filled, remaining (lots), retcode, message."""

    def on_state(self, guard: Any, what: str, message: str) -> None:
        """A change of trading state (`what` = "state"), connection, staleness or mode."""

    def on_step(self, guard: Any, seconds: float) -> None:
        """One fast-guard step ended; it took `seconds` of wall-clock time."""

    def on_cycle(self, guard: Any, seconds: float) -> None:
        """One controller cycle ended; it took `seconds` of wall-clock time."""

    def on_alert(self, guard: Any, row: dict[str, Any]) -> None:
        """An alert row: title, severity, channel, ok, result (journaled just before)."""

    def on_control(self, guard: Any, row: dict[str, Any]) -> None:
        """A control row: action, who, why, result (journaled just before)."""

    def on_stop(self, guard: Any, reason: str) -> None:
        """The run ends, for `reason` (in words)."""

    def on_phase(self, guard: Any, text: str | None, fraction: float | None) -> None:
        """A phase outside the guard's steps began or moved on (`fraction` done, 0-1, or None);
        `text` None: it ended."""
