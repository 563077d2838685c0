"""Balances from the terminal's own history (issue 15 item 2), the pure part: the initial balance
is the first deposit, the day's anchor is the balance at the firm's reset rebuilt from the deals
after it, the trailing end-of-day floor from the balance at every reset since the first deposit,
and deposits and withdrawals are never profit or loss (they shift the floors by their amount)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controller.memory import ControllerMemory
from controller.prop import day_start, evaluate_prop
from controller.prop_history import (
    DEAL_BALANCE,
    DEAL_CREDIT,
    DEAL_SELL,
    LedgerEntry,
    read_prop_history,
)
from controller.settings import PropSettings

ONE_STEP = PropSettings(enabled=True, preset="ftmo-1step")
TWO_STEP = PropSettings(enabled=True, preset="ftmo-2step")


def _utc(*args):
    return datetime(*args, tzinfo=UTC).timestamp()


# a challenge that began on Monday 2 Nov 2026 (Prague is on CET, UTC+1: midnight = 23:00 UTC)
LEDGER = (
    LedgerEntry(_utc(2026, 11, 2, 8), DEAL_BALANCE, 100_000.0),   # the first deposit
    LedgerEntry(_utc(2026, 11, 3, 14), DEAL_SELL, 4_000.0),      # day 2: +4 000
    LedgerEntry(_utc(2026, 11, 4, 14), DEAL_SELL, -1_000.0),     # day 3: −1 000
    LedgerEntry(_utc(2026, 11, 5, 9), DEAL_SELL, -700.0),        # today (Thursday): −700
)
NOW = _utc(2026, 11, 5, 12)  # the day began at 4 Nov 23:00 UTC


def test_the_initial_balance_is_the_first_deposit_and_the_anchor_the_balance_at_the_reset():
    h = read_prop_history(LEDGER, NOW, 102_300.0, TWO_STEP)
    assert h is not None
    assert h.initial_balance == 100_000.0
    assert h.day_key == day_start(NOW, TWO_STEP) == _utc(2026, 11, 4, 23)
    assert h.balance_at_reset == 103_000.0  # the −700 of today is after the reset
    assert h.peak_eod_balance == 104_000.0  # the balance at midnight between day 2 and day 3
    assert h.funding == 0.0


def test_a_guard_started_mid_challenge_knows_the_firms_floors():
    h = read_prop_history(LEDGER, NOW, 102_300.0, ONE_STEP)
    view = evaluate_prop(NOW, 102_300.0, 102_300.0, ONE_STEP, ControllerMemory(), h)
    floors = {x.name: x.floor for x in view.limits}
    # daily: the balance at midnight (103 000) − 3 % of the initial 100 000
    assert floors["daily_loss"] == pytest.approx(100_000.0)
    # 1-Step maximum loss: the highest end-of-day balance (104 000) − 10 000
    assert floors["max_drawdown"] == pytest.approx(94_000.0)
    assert view.memory.initial_balance == 100_000.0


def test_on_the_first_day_the_anchor_is_the_initial_balance():
    first = (LedgerEntry(_utc(2026, 11, 2, 8), DEAL_BALANCE, 100_000.0),
             LedgerEntry(_utc(2026, 11, 2, 9), DEAL_SELL, -500.0))
    now = _utc(2026, 11, 2, 12)
    h = read_prop_history(first, now, 99_500.0, TWO_STEP)
    assert h is not None
    assert h.balance_at_reset == 100_000.0
    assert h.peak_eod_balance is None
    view = evaluate_prop(now, 99_500.0, 99_500.0, TWO_STEP, ControllerMemory(), h)
    assert {x.name: x.floor for x in view.limits} == {"daily_loss": 95_000.0,
                                                     "max_drawdown": 90_000.0}


def test_a_deposit_during_the_day_is_not_profit_it_shifts_the_floors():
    deposit = (*LEDGER, LedgerEntry(_utc(2026, 11, 5, 10), DEAL_BALANCE, 5_000.0))
    h = read_prop_history(deposit, NOW, 107_300.0, TWO_STEP)
    assert h is not None
    assert (h.balance_at_reset, h.funding, h.initial_balance) == (103_000.0, 5_000.0, 100_000.0)
    view = evaluate_prop(NOW, 107_300.0, 107_300.0, TWO_STEP, ControllerMemory(), h)
    daily = next(x for x in view.limits if x.name == "daily_loss")
    assert daily.floor == pytest.approx(103_000.0 - 5_000.0 + 5_000.0)
    assert daily.used == pytest.approx(700.0 / 5_000.0)  # the day's loss is still −700
    dd = next(x for x in view.limits if x.name == "max_drawdown")
    assert dd.floor == pytest.approx(95_000.0)  # 90 000 moved up by the 5 000 deposited


def test_a_withdrawal_during_the_day_is_not_a_loss():
    out = (*LEDGER, LedgerEntry(_utc(2026, 11, 5, 10), DEAL_BALANCE, -4_000.0))
    h = read_prop_history(out, NOW, 98_300.0, TWO_STEP)
    assert h is not None
    view = evaluate_prop(NOW, 98_300.0, 98_300.0, TWO_STEP, ControllerMemory(), h)
    daily = next(x for x in view.limits if x.name == "daily_loss")
    assert daily.used == pytest.approx(700.0 / 5_000.0)
    assert view.breached is None
    assert daily.floor == pytest.approx(98_000.0 - 4_000.0)


def test_a_credit_moves_equity_not_the_balance_and_is_not_profit():
    credit = (*LEDGER, LedgerEntry(_utc(2026, 11, 5, 10), DEAL_CREDIT, 2_000.0))
    h = read_prop_history(credit, NOW, 102_300.0, TWO_STEP)  # credit is not in the balance
    assert h is not None
    assert (h.balance_at_reset, h.funding) == (103_000.0, 2_000.0)
    view = evaluate_prop(NOW, 102_300.0, 104_300.0, TWO_STEP, ControllerMemory(), h)
    daily = next(x for x in view.limits if x.name == "daily_loss")
    assert daily.used == pytest.approx(700.0 / 5_000.0)


def test_initial_balance_in_the_config_overrides_the_history():
    s = PropSettings(enabled=True, preset="ftmo-2step", initial_balance=50_000.0)
    h = read_prop_history(LEDGER, NOW, 102_300.0, s)
    view = evaluate_prop(NOW, 102_300.0, 102_300.0, s, ControllerMemory(), h)
    assert view.memory.initial_balance == 50_000.0


def test_without_a_deposit_in_the_history_there_is_nothing_to_read():
    assert read_prop_history((), NOW, 100_000.0, TWO_STEP) is None
    trades_only = (LedgerEntry(_utc(2026, 11, 5, 9), DEAL_SELL, -700.0),)
    assert read_prop_history(trades_only, NOW, 100_000.0, TWO_STEP) is None
