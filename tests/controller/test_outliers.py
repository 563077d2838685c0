"""One outlier reading is held for confirmation before a breach action (issue 15 item 6).

An equity reading that jumps by more than `readings.max_equity_jump_fraction` from the last
confirmed one with no deal between them (same balance, same positions), or an equity of 0 with a
positive balance, is held: no flatten, no lock, no new exposure; the next reading confirms it (the
breach action then) or clears it."""

from __future__ import annotations

from datetime import UTC, datetime

from controller import Settings, TradingState, decide
from controller.settings import PropSettings
from tests.controller.builders import account, fx, pos, snapshot

FTMO = PropSettings(enabled=True, preset="ftmo-2step", initial_balance=100_000.0)
S = Settings(prop=FTMO)


def _t(minute: int, second: int = 0) -> float:
    return datetime(2024, 7, 10, 9, minute, second, tzinfo=UTC).timestamp()


def _reading(equity: float, t: float, balance: float = 100_000.0, volume: float = 1.5):
    # 1.5 lots EURUSD at 1.10: PV 165 000, EffLev 1.65 at equity 100 000 (below the 2.0 rule)
    return snapshot(account(equity=equity, margin=7_333.0, balance=balance), [fx()],
                    [pos(1, "EURUSD", volume, price=1.1)], {"EURUSD": (1.0999, 1.1001)}, time=t)


def test_one_equity_jump_without_a_deal_is_held_not_flattened_nor_locked():
    d1 = decide(_reading(100_000.0, _t(0)), S)
    d2 = decide(_reading(60_000.0, _t(0, 2)), S, memory=d1.memory)  # −40 % in 2 s, no deal
    assert not d2.actions, "a single outlier reading flattened the book (a phantom halt)"
    assert not d2.memory.locked
    assert d2.state is not TradingState.HALTED
    assert not d2.limits.new_exposure_allowed  # held: nothing new until it is confirmed
    assert any(w.code == "reading_held" for w in d2.warnings)
    d3 = decide(_reading(100_010.0, _t(0, 4)), S, memory=d2.memory)  # the next reading: back
    assert not d3.actions
    assert not d3.memory.locked
    assert d3.state is TradingState.ACTIVE


def test_an_equity_jump_confirmed_by_the_next_reading_flattens_and_locks():
    d1 = decide(_reading(100_000.0, _t(0)), S)
    d2 = decide(_reading(60_000.0, _t(0, 2)), S, memory=d1.memory)
    d3 = decide(_reading(60_100.0, _t(0, 4)), S, memory=d2.memory)  # confirmed
    assert d3.memory.locked
    assert d3.state is TradingState.HALTED
    assert sum(a.volume for a in d3.actions) == 1.5


def test_one_zero_equity_reading_is_held_not_closed_as_insolvent():
    d1 = decide(_reading(100_000.0, _t(0)), Settings())
    d2 = decide(_reading(0.0, _t(0, 2)), Settings(), memory=d1.memory)
    assert not d2.actions
    assert d2.state is not TradingState.INSOLVENT
    d3 = decide(_reading(0.0, _t(0, 4)), Settings(), memory=d2.memory)  # confirmed: close all
    assert d3.state is TradingState.INSOLVENT
    assert sum(a.volume for a in d3.actions) == 1.5


def test_an_equity_jump_with_a_deal_is_acted_on_at_once():
    d1 = decide(_reading(100_000.0, _t(0)), S)
    # the balance moved (a deal closed at a loss of 40 000): no outlier, the breach is real
    d2 = decide(_reading(60_000.0, _t(0, 2), balance=60_000.0), S, memory=d1.memory)
    assert d2.memory.locked
    assert d2.actions
