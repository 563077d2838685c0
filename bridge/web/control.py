"""The operator's control actions, applied on the guard's own thread and journaled.

The web thread calls `request(...)`; the action waits in a queue until the guard's next step
(`on_step`), where it is applied between two guard steps, journaled as a row of kind `control`
(action, who, why, from where, result) and answered. Actions:

- `pause` / `resume`: while paused the guard goes on reading, deciding and alerting, and sends
  no slice (`Guard.paused`);
- `mode` observe / shadow / enforce: the same switch as `[run] mode`; enforce on a REAL account
  still needs `run.allow_real_account`; shadow (no orders, a virtual book: bridge.shadow) is
  allowed on any account;
- `flatten`: close every open position now (one emergency slice each), in enforce mode only,
  paused or not. The web layer asks for the confirmation first;
- `lift_prop_lock`: end the prop lock, refused before the rule allows it (bridge.web.lift). The
  web layer asks for the confirmation first.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Protocol, cast

from bridge.config import Mode
from bridge.mt5 import constants as mt5c
from bridge.observe import GuardObserver, GuardView
from bridge.web.lift import lift_lock
from controller import Action, Urgency
from controller.types import Side

__all__ = ["ACTIONS", "ControlError", "Controls"]

ACTIONS = ("pause", "resume", "mode", "flatten", "lift_prop_lock")


class ControlError(ValueError):
    """A control request that cannot be applied; the message says why and what to do."""


@dataclass
class _Request:
    action: str
    who: str
    why: str
    origin: str
    mode: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    result: dict[str, object] | None = None
    extra: dict[str, object] = field(default_factory=dict)


class ControlledGuard(GuardView, Protocol):
    """The guard as a flatten drives it (`bridge.runtime.Guard`), called on the guard's own
    thread between two steps."""

    def flatten(self, actions: list[Action], why: str) -> None:
        """Make `actions` the plan (journaled with `why`) and send them now."""


class Controls(GuardObserver):
    """The control queue of one guard."""

    def __init__(self) -> None:
        self._queue: queue.Queue[_Request] = queue.Queue(64)

    def request(self, action: str, who: str, why: str, origin: str, *, mode: str | None = None,
                timeout: float = 5.0) -> dict[str, object]:
        """Queue an action and wait for the guard to apply it (the journaled row), or return
        {"result": "queued"} after `timeout` seconds."""
        if action not in ACTIONS:
            raise ControlError(f"action = {action!r}: use one of {', '.join(ACTIONS)}")
        if not who.strip() or not why.strip():
            raise ControlError("who and why are both required: the journal keeps them")
        if action == "mode" and mode not in {m.value for m in Mode}:
            raise ControlError(f"mode = {mode!r}: use observe, shadow or enforce")
        req = _Request(action, who.strip(), why.strip(), origin, mode)
        try:
            self._queue.put_nowait(req)
        except queue.Full as exc:
            raise ControlError("too many control requests waiting: try again in a moment") \
                from exc
        if req.done.wait(timeout) and req.result is not None:
            return req.result
        return {"action": action, "who": req.who, "why": req.why, "result": "queued"}

    def on_step(self, guard: GuardView, seconds: float) -> None:
        while True:
            try:
                req = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                ok, result = True, self._apply(guard, req)
            except ControlError as exc:
                ok, result = False, str(exc)
            row = {"action": req.action, "mode": req.mode, "who": req.who, "why": req.why,
                   "origin": req.origin, "ok": ok, "result": result, "time": guard.now(),
                   **req.extra}
            guard.journal.append("control", guard.now(), row)
            guard.notify("on_control", row)
            req.result = row
            req.done.set()

    def _apply(self, guard: GuardView, req: _Request) -> str:
        if req.action == "pause":
            guard.paused = True
            return "paused: the guard reads, decides and alerts; it sends no slice"
        if req.action == "resume":
            guard.paused = False
            return "resumed: due slices are sent again"
        if req.action == "mode":
            return self._mode(guard, Mode(req.mode or ""))
        if req.action == "lift_prop_lock":
            ok, result, req.extra = lift_lock(guard, req.who, req.why)
            if not ok:
                raise ControlError(result)
            return result
        return self._flatten(cast("ControlledGuard", guard), req)  # bridge.runtime.Guard is one

    def _mode(self, guard: GuardView, mode: Mode) -> str:
        if mode is Mode.ENFORCE and not guard.config.run.allow_real_account and \
                guard.port.account().trade_mode == mt5c.ACCOUNT_TRADE_MODE_REAL:
            raise ControlError("REAL account: enforce needs run.allow_real_account = true in "
                               "the configuration (and a restart)")
        guard.mode = mode
        if mode is Mode.SHADOW:
            return "mode shadow: nothing is sent; the guard keeps a virtual book of what it " \
                   "would have closed (lca status shows its ledger)"
        return f"mode {mode.value}"

    def _flatten(self, guard: ControlledGuard, req: _Request) -> str:
        if guard.mode is not Mode.ENFORCE:
            raise ControlError("flatten sends orders: switch the mode to enforce first")
        snap = guard.snapshot
        if snap is None or not snap.positions:
            return "nothing to flatten: no open position"
        now = guard.now()
        plan_id = f"flatten-{int(now)}"
        actions = [Action(plan_id=plan_id, ticket=p.ticket, symbol=p.symbol,
                          side=Side.SELL if p.sign > 0 else Side.BUY, volume=p.volume,
                          urgency=Urgency.EMERGENCY, not_before=now, slice_index=1, slices=1,
                          close_by_ticket=snap.account.hedging, full_close=True,
                          reason=f"flatten now by {req.who}: {req.why}")
                   for p in snap.positions]
        guard.flatten(actions, f"flatten now by {req.who}: {req.why}")
        left = sum(a.volume for a in guard.plan if a.plan_id == plan_id)
        return (f"flatten: {len(actions)} position(s) sent to close"
                + (f"; {left:g} lots still open, retried by the guard" if left else ""))
