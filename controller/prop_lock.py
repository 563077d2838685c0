"""Lifting a prop lock by hand: allowed only when the firm's rule allows it. Pure.

A daily-loss lock holds until the prop day's reset (`lock_until`); with `prop.lock_release =
"auto"` the controller ends it there by itself, with "acknowledge" it stays until a person lifts
it, and the lift is refused before `lock_until` either way: the guard never ends a lock earlier
than the rule. A lock without `lock_until` (a maximum-drawdown breach: the evaluation is lost
until the firm resets the account) may be lifted at any time; the rules are evaluated again at
the next decision, so a breach that still holds locks again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from controller.memory import ControllerMemory
from controller.quick_init import quick_replace

__all__ = ["LiftVerdict", "lift_prop_lock"]


@dataclass(frozen=True, slots=True)
class LiftVerdict:
    """The answer to a lift: `allowed`, the `reason` in words, `allowed_from` the earliest time
    the rule allows it (UTC epoch seconds; None = any time), `memory` (unchanged when refused)."""

    allowed: bool
    reason: str
    allowed_from: float | None
    memory: ControllerMemory


def _utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def lift_prop_lock(mem: ControllerMemory, now: float) -> LiftVerdict:
    """Lift the prop lock of `mem` at `now` (UTC epoch seconds) if the rule allows it."""
    if not mem.locked:
        return LiftVerdict(False, "no prop lock is on", None, mem)
    until = mem.lock_until
    if until is not None and now < until:
        return LiftVerdict(
            False, f"the prop rule holds the lock until {_utc(until)} (the prop day's reset; "
            f"{until - now:,.0f} s from now): it cannot be lifted before ({mem.lock_reason})",
            until, mem)
    what = "after the reset" if until is not None else "a lock until a manual reset"
    return LiftVerdict(
        True, f"prop lock lifted ({what}; it was: {mem.lock_reason}); the rules are evaluated "
        "again at the next decision: a breach that still holds locks again at once",
        until, quick_replace(mem, locked=False, lock_until=None, lock_reason=""))
