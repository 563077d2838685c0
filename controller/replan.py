"""The re-plan rule: does a new decision keep, replace or clear the reduction plan in progress?

The guard holds the plan it is executing (its slices and the target it was made for) and gets a
new decision every guard run and every cycle. Re-planning on every decision would restart the
slice schedule (new plan id, new `not_before` times) each time the target wobbles, so the plan
in progress is KEPT unless the new decision is stricter: more urgent, or a target leverage more
than `TARGET_TOLERANCE` below the plan's.

Why 2 %: the target effective leverage is recomputed from prices, equity and σ estimates that
move every tick; a band of 2 % of the target keeps that noise from re-planning while any real
tightening (a new cap, a regime step, a σ jump) is many times larger. It is the factor the guard
has always used, not tuned against any run.

Pure functions over plain values: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from controller.decision_types import Action, Urgency

__all__ = [
    "TARGET_TOLERANCE",
    "URGENCY_RANK",
    "PlanInProgress",
    "Proposal",
    "Replan",
    "escalates",
    "more_urgent",
    "plan_urgency",
    "replan",
]

TARGET_TOLERANCE = 0.98
"""A new target below `plan target × 0.98` (2 % lower, in effective leverage) replaces the plan."""

URGENCY_RANK: dict[Urgency | None, int] = {
    None: 0, Urgency.NORMAL: 1, Urgency.FORCED: 2, Urgency.EMERGENCY: 3,
}
"""Urgency order: no reduction < normal < forced < emergency."""


class Replan(Enum):
    """What a new decision does to the plan in progress."""

    KEEP = "keep"
    """Carry on with the plan in progress (its remaining slices and schedule)."""
    REPLACE = "replace"
    """Adopt the decision's slices as the new plan (journal it)."""
    CLEAR = "clear"
    """Nothing to cut any more: drop the plan (the target is reached)."""


class Proposal(Protocol):
    """A decision as the rule sees it (`controller.Decision` is one)."""

    @property
    def actions(self) -> Sequence[Action]:
        """The slices the decision proposes (empty: nothing to cut)."""
        ...

    @property
    def urgency(self) -> Urgency | None:
        """How fast the decision wants to cut (None: no reduction)."""
        ...

    @property
    def target_eff_lev(self) -> float:
        """The decision's target effective leverage (position value / equity, a multiple)."""
        ...


@dataclass(frozen=True, slots=True)
class PlanInProgress:
    """The plan the guard is executing: its remaining slices and the target leverage it was made
    for (effective leverage, a multiple of equity; compared with a new decision's target)."""

    actions: tuple[Action, ...]
    target_eff_lev: float

    @property
    def urgency(self) -> Urgency | None:
        """The most urgent remaining slice's urgency (None for an empty plan)."""
        return plan_urgency(self.actions)


def plan_urgency(actions: Sequence[Action]) -> Urgency | None:
    """The highest urgency among `actions`, None when there are none."""
    return max((a.urgency for a in actions), key=lambda u: URGENCY_RANK[u], default=None)


def more_urgent(urgency: Urgency | None, than: Urgency | None) -> bool:
    """True when `urgency` ranks strictly above `than` (None ranks lowest)."""
    return URGENCY_RANK[urgency] > URGENCY_RANK[than]


def replan(plan: PlanInProgress, decision: Proposal,
           tolerance: float = TARGET_TOLERANCE) -> Replan:
    """KEEP, REPLACE or CLEAR the plan in progress for a new decision.

    CLEAR when the decision proposes no slices; REPLACE when there is no plan yet, when the
    decision is more urgent than the plan's most urgent slice, or when its target leverage is
    below `plan.target_eff_lev × tolerance` (`tolerance` a fraction, 0.98 = a 2 % band); KEEP
    otherwise.
    """
    if not decision.actions:
        return Replan.CLEAR
    if not plan.actions or more_urgent(decision.urgency, plan.urgency):
        return Replan.REPLACE
    if decision.target_eff_lev >= plan.target_eff_lev * tolerance:
        return Replan.KEEP
    return Replan.REPLACE  # stricter by more than the band (or a target that is not a number)


def escalates(plan: PlanInProgress, decision: Proposal,
              tolerance: float = TARGET_TOLERANCE) -> bool:
    """True when the decision is stricter than the plan and must be acted on at once (not at the
    next cycle): more urgent than the plan, or it REPLACEs the plan."""
    return more_urgent(decision.urgency, plan.urgency) or \
        replan(plan, decision, tolerance) is Replan.REPLACE
