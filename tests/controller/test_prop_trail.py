"""The daily profit lock and the equity trailing stop (issue 15 item 5): warnings and the staged
cap from prop.warning_fraction, then close everything and lock; off by default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controller import Settings, TradingState, decide
from controller.prop import next_day_start
from controller.prop_lock import lift_prop_lock
from controller.settings import PropSettings
from tests.controller.builders import account, fx, pos, snapshot

BASE = {"enabled": True, "preset": "ftmo-2step", "initial_balance": 100_000.0}


def _t(day: int, hour: int, minute: int = 0) -> float:
    return datetime(2024, 7, day, hour, minute, tzinfo=UTC).timestamp()


def _reading(equity: float, t: float, balance: float = 100_000.0):
    # 1.5 lots EURUSD at 1.10: PV 165 000, EffLev about 1.6 (below the 2.0 rule)
    return snapshot(account(equity=equity, margin=5_500.0, balance=balance), [fx()],
                    [pos(1, "EURUSD", 1.5, price=1.1)], {"EURUSD": (1.0999, 1.1001)}, time=t)


def _run(settings: Settings, readings: list[tuple[float, float]]):
    out, mem = [], None
    for equity, t in readings:
        d = decide(_reading(equity, t), settings, memory=mem)
        out.append(d)
        mem = d.memory
    return out


def _limit(d, name):
    return next((x for x in d.warnings if x.code == f"prop_{name}"), None)


def test_profit_lock_and_trailing_stop_are_off_by_default():
    (d,) = _run(Settings(prop=PropSettings(**BASE)), [(103_000.0, _t(10, 9))])
    assert not [c for c in d.caps if c.name == "prop"]
    assert d.memory.day_profit_peak is None
    assert PropSettings().profit_lock_at_fraction is None
    assert PropSettings().equity_trail_fraction is None


def test_profit_lock_arms_at_the_threshold_warns_and_flattens_after_the_give_back():
    # armed once the day's profit reaches 2 % of the anchor (2 000); give back half of the best
    s = Settings(prop=PropSettings(**BASE, profit_lock_at_fraction=0.02,
                                   profit_lock_giveback_fraction=0.5))
    ds = _run(s, [(101_000.0, _t(10, 9, 0)), (102_500.0, _t(10, 9, 1)),
                  (101_600.0, _t(10, 9, 2)), (101_400.0, _t(10, 9, 3)),
                  (101_200.0, _t(10, 9, 4))])
    assert _limit(ds[0], "profit_lock") is None  # 1 000: not armed
    assert ds[0].memory.day_profit_peak == 1_000.0
    # best 2 500, allowance 1 250, floor 101 250; 900 given back = 72 %: below the 80 % warning
    assert _limit(ds[2], "profit_lock") is None
    assert ds[2].state is TradingState.ACTIVE
    warn = _limit(ds[3], "profit_lock")  # 1 100 of 1 250 = 88 %: warning and the staged cap
    assert warn is not None
    assert warn.observed == pytest.approx(1_100.0)
    assert warn.limit == pytest.approx(1_250.0)
    cap = next(c for c in ds[3].caps if c.name == "prop")
    assert cap.value == pytest.approx((101_400 - 101_250) / (101_400 * 0.01))
    assert ds[3].binding_cap == "prop"
    last = ds[4]  # 1 300 given back: past the give-back; close everything, lock to the reset
    assert last.memory.locked
    assert last.state is TradingState.HALTED
    assert sum(a.volume for a in last.actions) == 1.5
    assert last.memory.lock_until == next_day_start(_t(10, 9, 4), s.prop)
    assert "give-back" in last.memory.lock_reason


def test_the_profit_lock_starts_again_at_the_next_reset():
    s = Settings(prop=PropSettings(**BASE, profit_lock_at_fraction=0.02))
    ds = _run(s, [(102_500.0, _t(10, 9)), (101_200.0, _t(10, 10)),
                  (101_200.0, _t(11, 9))])  # the next day (reset 22:00 UTC in summer)
    assert ds[1].memory.locked
    assert not ds[2].memory.locked
    assert ds[2].memory.day_profit_peak == pytest.approx(1_200.0)  # anchor: balance 100 000
    assert _limit(ds[2], "profit_lock") is None


def test_equity_trailing_stop_since_the_reset_warns_then_flattens():
    s = Settings(prop=PropSettings(**BASE, equity_trail_fraction=0.03))
    ds = _run(s, [(100_000.0, _t(10, 9, 0)), (101_500.0, _t(10, 9, 1)),
                  (103_000.0, _t(10, 9, 2)), (100_500.0, _t(10, 9, 3)),
                  (99_900.0, _t(10, 9, 4))])
    # high 103 000, stop 3 % = 3 090, floor 99 910; 2 500 below = 81 %: warning
    warn = _limit(ds[3], "equity_trail")
    assert warn is not None
    assert warn.limit == pytest.approx(3_090.0)
    assert not ds[3].memory.locked
    last = ds[4]  # 3 100 below the high: the stop
    assert last.memory.locked
    assert sum(a.volume for a in last.actions) == 1.5
    assert last.memory.lock_until == next_day_start(_t(10, 9, 4), s.prop)


def test_equity_trailing_stop_since_the_start_locks_until_lifted_and_restarts_its_mark():
    s = Settings(prop=PropSettings(**BASE, equity_trail_fraction=0.03,
                                   equity_trail_since="start"))
    ds = _run(s, [(103_000.0, _t(10, 9)), (103_000.0, _t(11, 9)),
                  (100_400.0, _t(11, 9, 1)), (99_900.0, _t(11, 9, 2))])
    assert ds[1].memory.trail_peak == 103_000.0  # kept over the reset
    assert not ds[2].memory.locked
    stop = ds[3]
    assert stop.memory.locked
    assert stop.memory.lock_until is None  # a manual lift
    lifted = lift_prop_lock(stop.memory, _t(11, 9, 3))
    assert lifted.allowed
    after = decide(_reading(99_900.0, _t(11, 9, 4)), s, memory=lifted.memory)
    assert not after.memory.locked  # the mark restarted at 99 900: no second stop at once
    assert after.memory.trail_peak == 99_900.0
