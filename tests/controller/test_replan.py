"""The re-plan rule (controller.replan): properties over any plan and any decision."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from controller import Action, Urgency
from controller.replan import (
    TARGET_TOLERANCE,
    URGENCY_RANK,
    PlanInProgress,
    Replan,
    escalates,
    replan,
)


@dataclass(frozen=True)
class Proposed:
    """A decision as the rule reads it: its slices, urgency and target."""

    actions: tuple[Action, ...]
    urgency: Urgency | None
    target_eff_lev: float


def _slice(i: int, urgency: Urgency) -> Action:
    return Action(plan_id="P1", ticket=100 + i, symbol="EURUSD", side="sell", volume=0.1,
                  urgency=urgency, not_before=0.0, slice_index=i, slices=3,
                  close_by_ticket=True, full_close=False, reason="test")


urgencies = st.sampled_from(list(Urgency))
targets = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
slice_urgencies = st.lists(urgencies, min_size=1, max_size=5)


def _actions(us: list[Urgency]) -> tuple[Action, ...]:
    return tuple(_slice(i, u) for i, u in enumerate(us))


@st.composite
def plans(draw: st.DrawFn) -> PlanInProgress:
    us = draw(st.lists(urgencies, max_size=5))
    return PlanInProgress(_actions(us), draw(targets))


@st.composite
def decisions(draw: st.DrawFn) -> Proposed:
    """A decision whose urgency is its most urgent slice's (as decide() makes them)."""
    us = draw(st.lists(urgencies, max_size=5))
    urgency = max(us, key=lambda u: URGENCY_RANK[u]) if us else None
    return Proposed(_actions(us), urgency, draw(targets))


@given(plans(), targets)
def test_a_decision_with_no_slices_always_clears(plan: PlanInProgress, target: float) -> None:
    assert replan(plan, Proposed((), None, target)) is Replan.CLEAR


@given(decisions())
def test_any_decision_with_slices_replaces_an_empty_plan(d: Proposed) -> None:
    expected = Replan.REPLACE if d.actions else Replan.CLEAR
    assert replan(PlanInProgress((), 5.0), d) is expected


@given(slice_urgencies, targets)
def test_an_equal_decision_keeps(us: list[Urgency], target: float) -> None:
    plan = PlanInProgress(_actions(us), target)
    assert replan(plan, Proposed(plan.actions, plan.urgency, target)) is Replan.KEEP


@given(decisions())
def test_replan_is_idempotent_the_adopted_plan_keeps_for_the_same_decision(d: Proposed) -> None:
    first = replan(PlanInProgress((), d.target_eff_lev), d)
    adopted = PlanInProgress(tuple(d.actions) if first is Replan.REPLACE else (),
                             d.target_eff_lev)
    assert replan(adopted, d) is (Replan.KEEP if d.actions else Replan.CLEAR)


@given(plans(), decisions())
def test_a_higher_urgency_never_keeps(plan: PlanInProgress, d: Proposed) -> None:
    if d.actions and URGENCY_RANK[d.urgency] > URGENCY_RANK[plan.urgency]:
        assert replan(plan, d) is Replan.REPLACE


@given(plans(), decisions())
def test_a_target_more_than_2_percent_stricter_never_keeps(plan: PlanInProgress,
                                                           d: Proposed) -> None:
    if d.actions and d.target_eff_lev < plan.target_eff_lev * TARGET_TOLERANCE:
        assert replan(plan, d) is Replan.REPLACE


@given(slice_urgencies, st.floats(min_value=0.1, max_value=100.0),
       st.floats(min_value=TARGET_TOLERANCE, max_value=10.0))
def test_a_target_within_2_percent_or_looser_at_the_same_urgency_keeps(
        us: list[Urgency], target: float, ratio: float) -> None:
    plan = PlanInProgress(_actions(us), target)
    assert replan(plan, Proposed(plan.actions, plan.urgency, target * ratio)) is Replan.KEEP


def test_the_2_percent_band_edges() -> None:
    plan = PlanInProgress(_actions([Urgency.NORMAL]), 10.0)
    keep = Proposed(plan.actions, Urgency.NORMAL, 9.8)
    tighter = Proposed(plan.actions, Urgency.NORMAL, 9.79)
    assert replan(plan, keep) is Replan.KEEP
    assert replan(plan, tighter) is Replan.REPLACE


@given(plans(), decisions())
def test_escalates_exactly_when_more_urgent_or_replacing(plan: PlanInProgress,
                                                         d: Proposed) -> None:
    more_urgent = URGENCY_RANK[d.urgency] > URGENCY_RANK[plan.urgency]
    assert escalates(plan, d) is (more_urgent or replan(plan, d) is Replan.REPLACE)
    if replan(plan, d) is Replan.KEEP:
        assert not escalates(plan, d)

