"""The plan store: the guard's running plan (a list of `controller.Action` slices), its re-plan
by the core's rule (`controller.replan`), and the execution of the due slices (the executor
live, the shadow book in shadow mode). Every slice's progress goes to the journal through
`bridge.slice_journal`. Volumes in lots; times in UTC epoch seconds; EffLev as a multiple."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bridge.config import Mode
from bridge.executor import Executor, SliceOutcome
from bridge.journal import Journal
from bridge.journal_kinds import JournalKind, SliceStatus
from bridge.runtime.records import GuardStats, action_from, plan_payload
from bridge.shadow import ShadowBook
from bridge.slice_journal import SliceJournal
from controller import Action, ControllerMemory, Decision, Snapshot, TradingState
from controller.regime import severity
from controller.replan import PlanInProgress, Replan, escalates, replan

__all__ = ["PlanStore"]

_STATE_RANK = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2,
               TradingState.INSOLVENT: 3}
_RETRY_S = 60.0  # a slice with lots left and no retry time from the executor: again in a minute


class PlanStore:
    """The plan and its target EffLev; `notify(hook, *args)` tells the observers of each slice
    row (`on_order`)."""

    def __init__(self, journal: Journal, executor: Executor, shadow: ShadowBook,
                 stats: GuardStats, now: Callable[[], float],
                 notify: Callable[..., None]) -> None:
        self.journal = journal
        self.executor = executor
        self.shadow = shadow
        self.stats = stats
        self.now = now
        self.notify = notify
        self.slices = SliceJournal(journal, now)
        self.plan: list[Action] = []
        self.target = math.inf  # the EffLev the plan was made for

    def resume(self) -> None:
        """The unfinished slices of the journal's last plan, and its target."""
        plan_row = self.journal.last(JournalKind.PLAN)
        if plan_row is None or not plan_row.payload.get("actions"):
            return
        finished = self.slices.finished(plan_row.plan_id)
        self.plan = [action_from(a) for a in plan_row.payload["actions"]
                     if (a["ticket"], a["slice_index"]) not in finished]
        self.target = float(plan_row.payload.get("target", math.inf))

    def escalated(self, d: Decision, prev: Decision | None, memory: ControllerMemory) -> bool:
        """Act now (not at the next cycle) when `d` is more severe than the plan's decision."""
        if prev is None and self.plan:
            # the first decision after a restart: the resumed plan carries on unless this one
            # is more severe than the journaled state and plan (a milder one, e.g. the target
            # met by a slice whose answer was lost, leaves the plan to the next cycle)
            if _STATE_RANK[d.state] > _STATE_RANK[memory.state] or \
                    severity(d.regime) > severity(memory.regime):
                return True
            return escalates(PlanInProgress(tuple(self.plan), self.target), d)
        if prev is None or d.state is not prev.state or d.regime is not prev.regime:
            return True
        # the running plan against the previous decision's target (the plan's own target is the
        # one it was made for, possibly several decisions ago)
        return escalates(PlanInProgress(tuple(self.plan), prev.target_eff_lev), d)

    def adopt(self, d: Decision, now: float) -> None:
        """Keep, replace or clear the plan by `controller.replan`; journal a new or cleared plan."""
        verdict = replan(PlanInProgress(tuple(self.plan), self.target), d)
        if verdict is Replan.CLEAR:
            if self.plan:
                self.journal.append(JournalKind.PLAN, now, {"actions": [], "why": "target reached"},
                                    plan_id=self.plan[0].plan_id)
            self.plan = []
        elif verdict is Replan.REPLACE:
            self.replace(list(d.actions), d.target_eff_lev, d.binding_cap, now)

    def replace(self, actions: list[Action], target: float, binding_cap: str, now: float,
                **extra: object) -> None:
        """Run `actions` (one plan id) as the plan, made for EffLev `target`; journal it with
        the cap that binds it and any `extra` fields (the operator's `why` of a flatten)."""
        self.plan = actions
        self.target = target
        self.journal.append(JournalKind.PLAN, now, {"actions": plan_payload(actions),
                                                    "target": target, "binding_cap": binding_cap,
                                                    **extra},
                            plan_id=actions[0].plan_id)

    def execute_due(self, snapshot: Snapshot | None, mode: Mode, paused: bool,
                    before_order: Callable[[], None]) -> None:
        """Send the due slices (enforce mode, not paused; `before_order()` first, each time);
        in shadow mode fill them virtually; in observe mode do nothing."""
        if not self.plan:
            return
        now = self.now()
        if mode is not Mode.ENFORCE or paused:
            if mode is Mode.SHADOW and not paused:  # the virtual fills (bridge.shadow)
                self.plan = self.shadow.execute_due(self.plan, snapshot, now)
            return
        open_tickets = {p.ticket for p in snapshot.positions} if snapshot else set()
        remaining: list[Action] = []
        for action in self.plan:
            if action.not_before > now:
                remaining.append(action)
                continue
            if action.ticket not in open_tickets:
                self.record(action, SliceStatus.GONE, 0.0, 0.0, None, "position no longer open")
                continue
            before_order()
            outcome = self.executor.execute(action)
            self._count(outcome, now)
            self.record(action, outcome.status, outcome.filled, outcome.remaining,
                        outcome.retcode, outcome.message)
            left = _left_after(action, outcome, now)
            if left is not None:
                remaining.append(left)
        self.plan = remaining

    def _count(self, outcome: SliceOutcome, now: float) -> None:
        self.stats.orders += outcome.attempts
        if outcome.retcode is not None:
            key = str(outcome.retcode)
            self.stats.retcodes[key] = self.stats.retcodes.get(key, 0) + 1
        if outcome.filled > 0.0:
            self.stats.lots_closed += outcome.filled
            if self.stats.first_order_time is None:
                self.stats.first_order_time = now

    def record(self, action: Action, status: SliceStatus, filled: float, remaining: float,
               retcode: int | None, message: str) -> None:
        """The slice's `slice` row; the last orders for the console; the observers told."""
        row: dict[str, Any] = self.slices.outcome(action, status, filled, remaining, retcode,
                                                  message)
        self.stats.last_orders = ([row, *self.stats.last_orders])[:8]
        self.notify("on_order", row)


def _left_after(action: Action, outcome: SliceOutcome, now: float) -> Action | None:
    """What stays in the plan of `action` after `outcome` (None: nothing)."""
    if outcome.status.finished:
        return None
    if outcome.status is SliceStatus.NOT_DUE:
        return action
    if outcome.remaining > 0.0:
        retry = outcome.retry_at if outcome.retry_at is not None else now + _RETRY_S
        return replace(action, volume=outcome.remaining, not_before=retry)
    return None
