"""Lifting a prop lock by hand (controller.prop_lock) and `prop.lock_release`: never before the
rule allows it."""

from __future__ import annotations

from datetime import UTC, datetime

from controller import Settings, TradingState, decide
from controller.memory import ControllerMemory
from controller.prop_lock import lift_prop_lock
from controller.settings import LockRelease, PropSettings
from tests.controller.builders import account, fx, snapshot
from tests.controller.test_prop import FTMO, _book


def _utc(*args):
    return datetime(*args, tzinfo=UTC).timestamp()


def _flat(t: float):
    return snapshot(account(equity=96_000.0, margin=0.0, balance=96_000.0), [fx()], [],
                    {"EURUSD": (1.0999, 1.1001)}, time=t)


def test_a_lift_before_the_reset_is_refused_with_the_time_the_rule_allows_it():
    mem = ControllerMemory(locked=True, lock_until=_utc(2024, 7, 10, 22), lock_reason="daily")
    verdict = lift_prop_lock(mem, _utc(2024, 7, 10, 15))
    assert not verdict.allowed
    assert verdict.allowed_from == _utc(2024, 7, 10, 22)
    assert verdict.memory is mem
    assert "until 2024-07-10 22:00:00 UTC" in verdict.reason
    assert "cannot be lifted before (daily)" in verdict.reason


def test_a_lift_at_or_after_the_reset_is_allowed_and_clears_the_lock():
    mem = ControllerMemory(locked=True, lock_until=_utc(2024, 7, 10, 22), lock_reason="daily")
    verdict = lift_prop_lock(mem, _utc(2024, 7, 10, 22))
    assert verdict.allowed
    assert (verdict.memory.locked, verdict.memory.lock_until, verdict.memory.lock_reason) == \
        (False, None, "")
    assert verdict.reason.startswith("prop lock lifted (after the reset; it was: daily)")


def test_no_lock_is_refused_and_a_lock_until_a_manual_reset_may_be_lifted():
    assert lift_prop_lock(ControllerMemory(), 0.0).reason == "no prop lock is on"
    manual = lift_prop_lock(ControllerMemory(locked=True, lock_reason="drawdown"), 0.0)
    assert manual.allowed
    assert manual.allowed_from is None


def test_acknowledge_keeps_the_daily_lock_after_the_reset_until_lifted():
    s = Settings(prop=FTMO.model_copy(update={"lock_release": LockRelease.ACKNOWLEDGE}))
    d = decide(_book(equity=94_900.0), s)
    assert d.limits.prop_lock
    next_day = decide(_flat(_utc(2024, 7, 11, 9)), s, memory=d.memory)
    assert next_day.state is TradingState.HALTED  # "auto" would be ACTIVE here
    assert next_day.limits.prop_lock
    assert next_day.memory.lock_until == _utc(2024, 7, 10, 22)  # when the rule allowed it
    lifted = lift_prop_lock(next_day.memory, _utc(2024, 7, 11, 9))
    assert lifted.allowed
    after = decide(_flat(_utc(2024, 7, 11, 9, 1)), s, memory=lifted.memory)
    assert after.state is TradingState.ACTIVE
    assert after.limits.new_exposure_allowed


def test_a_lifted_lock_whose_breach_still_holds_locks_again_at_once():
    s = Settings(prop=PropSettings(enabled=True, initial_balance=100_000.0,
                                   daily_loss_fraction=None, max_drawdown_fraction=0.05))
    d = decide(_book(equity=94_000.0), s)
    assert d.limits.prop_lock
    assert d.memory.lock_until is None  # a drawdown breach: until a manual reset
    lifted = lift_prop_lock(d.memory, d.time)
    assert lifted.allowed
    again = decide(_book(equity=94_000.0), s, memory=lifted.memory)
    assert again.limits.prop_lock
