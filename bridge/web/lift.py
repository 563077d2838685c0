"""The `lift_prop_lock` control action: on the guard's thread, only when the prop rule allows.

`controller.prop_lock.lift_prop_lock` decides (refused before the lock's `lock_until`, the prop
day's reset); a lift replaces the guard's controller memory and journals it as a `memory` row,
so a restarted guard does not bring the lock back. The control row (bridge.web.control) carries
`allowed_from` (UTC epoch seconds the rule allows the lift, null = any time) and `lock_reason`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from controller.prop_lock import lift_prop_lock

if TYPE_CHECKING:
    from bridge.observe import GuardView

__all__ = ["lift_lock", "prop_lock_state"]


def prop_lock_state(guard: GuardView) -> dict[str, Any]:
    """The prop lock as the dashboard shows it: on, until when the rule holds it, why, how it
    ends (`auto` at the reset, `acknowledge` = lifted here)."""
    mem = guard.memory
    return {"locked": mem.locked, "lock_until": mem.lock_until, "reason": mem.lock_reason,
            "release": guard.config.prop.lock_release.value,
            "liftable": mem.locked and (mem.lock_until is None or guard.now() >= mem.lock_until)}


def lift_lock(guard: GuardView, who: str, why: str) -> tuple[bool, str, dict[str, object]]:
    """Lift the guard's prop lock if the rule allows it now: (done, result in words, the extra
    fields of the control row)."""
    mem = guard.memory
    now = guard.now()
    verdict = lift_prop_lock(mem, now)
    extra: dict[str, object] = {"allowed_from": verdict.allowed_from,
                                "lock_reason": mem.lock_reason}
    if not verdict.allowed:
        return False, f"refused: {verdict.reason}", extra
    guard.memory = verdict.memory
    guard.journal.append("memory", now, {k: getattr(v, "value", v)
                                         for k, v in asdict(verdict.memory).items()})
    return True, f"{verdict.reason} (by {who}: {why})", extra
