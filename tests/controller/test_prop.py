"""Prop-firm rules (DESIGN §3.6): anchors, warning, staged reduction, breach and lock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from controller import Settings, TradingState, Urgency, decide
from controller.memory import ControllerMemory
from controller.prop import day_start, evaluate_prop, next_day_start
from controller.settings import PropSettings
from tests.controller.builders import account, fx, pos, snapshot

FTMO = PropSettings(enabled=True, preset="ftmo-2step", initial_balance=100_000.0)


def _utc(*args):
    return datetime(*args, tzinfo=UTC).timestamp()


def test_day_start_in_prague_across_dst():
    # winter: midnight Prague = 23:00 UTC; summer: 22:00 UTC
    assert day_start(_utc(2024, 1, 10, 12), FTMO) == _utc(2024, 1, 9, 23)
    assert day_start(_utc(2024, 7, 10, 12), FTMO) == _utc(2024, 7, 9, 22)
    assert day_start(_utc(2024, 7, 9, 21, 59), FTMO) == _utc(2024, 7, 8, 22)
    # the day of the switch to summer time (31 March 2024) has 23 hours
    start = day_start(_utc(2024, 3, 31, 12), FTMO)
    assert next_day_start(_utc(2024, 3, 31, 12), FTMO) - start == 23 * 3600


def test_the5ers_resets_at_5pm_new_york():
    s = PropSettings(enabled=True, preset="the5ers-high-stakes")
    local = datetime.fromtimestamp(day_start(_utc(2024, 7, 10, 12), s),
                                   tz=ZoneInfo("America/New_York"))
    assert (local.day, local.hour) == (9, 17)


def test_daily_loss_against_the_balance_anchor():
    mem = ControllerMemory()
    view = evaluate_prop(_utc(2024, 7, 10, 9), 101_000.0, 99_000.0, FTMO, mem)
    daily = next(x for x in view.limits if x.name == "daily_loss")
    # anchor: balance 101 000 at the reset; allowance 5 % of the initial 100 000
    assert view.memory.day_anchor == 101_000.0
    assert daily.floor == 96_000.0
    assert daily.used == pytest.approx(2_000 / 5_000)
    dd = next(x for x in view.limits if x.name == "max_drawdown")
    assert dd.floor == 90_000.0
    assert dd.used == pytest.approx(1_000 / 10_000)


def test_trailing_eod_balance_floor_rises_and_stops_at_initial():
    """DESIGN §3.6's trailing end-of-day floor (the default of the mode): it stops rising at the
    initial balance."""
    s = PropSettings(enabled=True, initial_balance=100_000.0, daily_loss_fraction=0.03,
                     max_drawdown_fraction=0.10, drawdown_mode="trailing_eod_balance")
    mem = ControllerMemory()
    mem = evaluate_prop(_utc(2024, 7, 10, 9), 100_000.0, 100_000.0, s, mem).memory
    assert mem.dd_floor == 90_000.0
    mem = evaluate_prop(_utc(2024, 7, 11, 9), 105_000.0, 105_000.0, s, mem).memory
    assert mem.dd_floor == 95_000.0
    mem = evaluate_prop(_utc(2024, 7, 12, 9), 113_000.0, 113_000.0, s, mem).memory
    assert mem.dd_floor == 100_000.0  # stops at the initial balance
    mem = evaluate_prop(_utc(2024, 7, 13, 9), 104_000.0, 104_000.0, s, mem).memory
    assert mem.dd_floor == 100_000.0  # only rises


def test_ftmo_1step_floor_trails_the_highest_end_of_day_balance_past_the_initial_capital():
    """FTMO's own rule (ftmo.com/au/?p=1671, 1-Step): the limit is the highest end-of-day
    balance (or the initial capital, if higher) minus 10 % of the initial capital, and only
    rises; FTMO names no stop at the initial capital. Its worked example, then a peak of 115 000:
    the firm's floor is 105 000, and a guard that stopped at 100 000 would let the account fail."""
    s = PropSettings(enabled=True, preset="ftmo-1step", initial_balance=100_000.0)
    mem = ControllerMemory()
    mem = evaluate_prop(_utc(2024, 7, 10, 9), 100_000.0, 100_000.0, s, mem).memory
    assert mem.dd_floor == 90_000.0  # day 1
    mem = evaluate_prop(_utc(2024, 7, 11, 9), 104_000.0, 104_000.0, s, mem).memory
    assert mem.dd_floor == 94_000.0  # day 2: 104 000 − 10 000
    mem = evaluate_prop(_utc(2024, 7, 12, 9), 103_000.0, 103_000.0, s, mem).memory
    assert mem.dd_floor == 94_000.0  # day 3: the higher 104 000 still counts
    mem = evaluate_prop(_utc(2024, 7, 13, 9), 115_000.0, 115_000.0, s, mem).memory
    assert mem.dd_floor == 105_000.0  # past the initial capital
    view = evaluate_prop(_utc(2024, 7, 14, 9), 110_000.0, 104_000.0, s, mem)
    dd = next(x for x in view.limits if x.name == "max_drawdown")
    assert dd.floor == 105_000.0
    assert dd.used >= 1.0  # equity 104 000 is below FTMO's floor: breached


def _book(equity, balance=100_000.0, volume=20.0):
    # 20 lots EURUSD at 1.10: PV 2.2 M
    return snapshot(account(equity=equity, margin=73_333.0, balance=balance), [fx()],
                    [pos(1, "EURUSD", volume, price=1.1)], {"EURUSD": (1.0999, 1.1001)},
                    time=_utc(2024, 7, 10, 9))


def test_warning_and_staged_reduction_before_the_breach():
    s = Settings(prop=FTMO)
    d = decide(_book(equity=95_900.0), s)  # 4 100 of 5 000 lost: 82 %
    assert any(w.code == "prop_daily_loss" and "82%" in w.message for w in d.warnings)
    prop_cap = next(c for c in d.caps if c.name == "prop")
    # survive a 1 % move: (95 900 − 95 000) / (95 900 × 0.01) = 0.9385
    assert prop_cap.value == pytest.approx(900 / 959)
    assert d.binding_cap == "prop"
    assert d.state is TradingState.REDUCING
    assert 0 < sum(a.volume for a in d.actions) < 20.0  # staged, not a close-all
    assert not d.limits.new_exposure_allowed


def test_breach_closes_everything_and_locks_until_the_next_reset():
    s = Settings(prop=FTMO)
    d = decide(_book(equity=94_900.0), s)
    assert d.state is TradingState.HALTED
    assert d.urgency is Urgency.EMERGENCY
    assert sum(a.volume for a in d.actions) == pytest.approx(20.0)
    assert d.limits.prop_lock
    assert all(x.max_volume == 0.0 for x in d.limits.symbols)
    assert d.memory.lock_until == _utc(2024, 7, 10, 22)  # next midnight in Prague
    # still locked later that day, even flat and with equity back
    flat = snapshot(account(equity=96_000.0, margin=0.0, balance=96_000.0), [fx()], [],
                    {"EURUSD": (1.0999, 1.1001)}, time=_utc(2024, 7, 10, 15))
    d2 = decide(flat, s, memory=d.memory)
    assert d2.state is TradingState.HALTED
    assert not d2.actions
    # after the reset the lock is gone
    next_day = snapshot(account(equity=96_000.0, margin=0.0, balance=96_000.0), [fx()], [],
                        {"EURUSD": (1.0999, 1.1001)}, time=_utc(2024, 7, 11, 9))
    d3 = decide(next_day, s, memory=d2.memory)
    assert d3.state is TradingState.ACTIVE
    assert d3.limits.new_exposure_allowed


def test_max_lots_and_max_positions():
    s = Settings(prop=PropSettings(enabled=True, max_lots_per_symbol=5.0, max_positions=2,
                                   daily_loss_fraction=None, max_drawdown_fraction=None))
    positions = [pos(1, "EURUSD", 3.0, opened=100), pos(2, "EURUSD", 3.0, opened=200),
                 pos(3, "EURUSD", 1.0, opened=300)]
    snap = snapshot(account(equity=1_000_000.0, margin=10_000.0), [fx()], positions,
                    {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, s)
    closed = {}
    for a in d.actions:
        closed[a.ticket] = closed.get(a.ticket, 0.0) + a.volume
    assert closed[3] == 1.0  # the newest position beyond the maximum of 2
    assert sum(closed.values()) == pytest.approx(2.0)  # then 6 lots cut down to the 5-lot cap
    assert {x.symbol: x.max_volume for x in d.limits.symbols}["EURUSD"] <= 5.0
