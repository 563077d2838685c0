"""The daily profit lock end to end on the simulated terminal (issue 15 item 5): the day's profit
reaches the threshold, the market gives it back, and the guard closes everything and locks."""

from __future__ import annotations

from pathlib import Path

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings
from controller.settings import ComponentSettings, PropSettings
from tests.runtime.test_phantom_halts import ACCOUNT, BOOK, _guard_deals
from tests.sim.helpers import flat_terminal


def test_a_given_back_day_profit_closes_everything_and_locks_until_the_reset(
        tmp_path: Path) -> None:
    # 0.15 lots EURUSD from 1.1: +225 at 1.115 (armed: 2 % of 10,000 is 200), then back to
    # 1.106 (+90): 135 of the best 225 given back, past the half (112.50) that may be
    moves = {"EURUSD": [("2019-02-05T10:05:00.000Z", 1.115, 1.1151),
                        ("2019-02-05T10:10:00.000Z", 1.106, 1.1061)]}
    sim = flat_terminal(tmp_path, {"EURUSD": (1.1, 1.1001)}, account=ACCOUNT, book=BOOK,
                        moves=moves)
    prop = PropSettings(enabled=True, initial_balance=10000.0, profit_lock_at_fraction=0.02,
                        profit_lock_giveback_fraction=0.5)
    # the flat test market's one step of 1.4 % reads as a σ blow-out: L_safe, the regime and
    # the ATR multiplier are off so that the profit lock alone decides
    off = ComponentSettings(safe_leverage=False, regime=False, extras=False)
    config = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                                       compare_unguarded=False), prop=prop, components=off)
    guard = build_guard(config, module=sim)
    guard.start()
    guard.cycle()
    for _ in range(40):  # to 10:06:40: the profit is in, nothing closed
        sim.advance(10.0)
        guard.fast_guard()
    assert guard.memory.day_profit_peak is not None
    assert guard.memory.day_profit_peak > 200.0
    assert not _guard_deals(sim)
    for _ in range(30):  # past 10:10: the give-back
        sim.advance(10.0)
        guard.fast_guard()
    assert sim.positions_total() == 0
    assert guard.memory.locked
    assert "give-back" in guard.memory.lock_reason
    assert guard.decision is not None
    assert guard.decision.limits.new_exposure_allowed is False
