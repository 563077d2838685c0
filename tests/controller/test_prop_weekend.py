"""Weekend rules (issue 15 item 4): reduce or close before the Friday close, and a book held over
the weekend must survive a gap of G × σ_daily without reaching the daily-loss or drawdown floor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controller import Settings, Urgency, decide
from controller.prop_weekend import friday_close
from controller.settings import PropSettings
from tests.controller.builders import account, fx, pos, snapshot

BASE = {"enabled": True, "preset": "ftmo-2step", "initial_balance": 100_000.0}


def _utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def _reading(equity: float, t: float):
    # 1.5 lots EURUSD at 1.10: PV 165 000
    return snapshot(account(equity=equity, margin=5_500.0, balance=100_000.0), [fx()],
                    [pos(1, "EURUSD", 1.5, price=1.1)], {"EURUSD": (1.0999, 1.1001)}, time=t)


def test_the_friday_close_is_17_00_new_york_across_dst():
    s = PropSettings()
    # summer: 17:00 EDT = 21:00 UTC; winter: 17:00 EST = 22:00 UTC
    assert friday_close(_utc(2024, 7, 10, 12), s) == _utc(2024, 7, 12, 21)
    assert friday_close(_utc(2024, 1, 10, 12), s) == _utc(2024, 1, 12, 22)
    # after the close (Friday evening, Saturday): the next week's
    assert friday_close(_utc(2024, 7, 12, 21), s) == _utc(2024, 7, 19, 21)
    assert friday_close(_utc(2024, 7, 13, 9), s) == _utc(2024, 7, 19, 21)
    # a stated server clock instead: 23:55 on a UTC+3 (summer) server, Etc/GMT-3
    server = PropSettings(weekend_close_time="23:55", weekend_close_timezone="Etc/GMT-3")
    assert friday_close(_utc(2024, 7, 10, 12), server) == _utc(2024, 7, 12, 20, 55)


def test_weekend_close_closes_everything_in_the_lead_window_only():
    s = Settings(prop=PropSettings(**BASE, weekend_action="close", weekend_lead_minutes=60))
    early = decide(_reading(100_000.0, _utc(2024, 7, 12, 19, 30)), s)  # 90 min before
    assert not [c for c in early.caps if c.name == "weekend"]
    assert not early.actions
    d = decide(_reading(100_000.0, _utc(2024, 7, 12, 20, 30)), s)  # 30 min before
    assert d.binding_cap == "weekend"
    assert d.target_eff_lev == 0.0
    assert sum(a.volume for a in d.actions) == pytest.approx(1.5)
    # forced, not normal: every slice is due within minutes, long before the close at 21:00
    assert d.urgency is Urgency.FORCED
    assert max(a.not_before for a in d.actions) <= _utc(2024, 7, 12, 20, 36)
    assert not d.limits.new_exposure_allowed
    assert any(w.code == "cap_weekend" and "close everything" in w.message for w in d.warnings)
    assert not d.memory.locked  # a rule of the week, not a breach: no lock


def test_weekend_reduce_brings_eff_lev_to_the_weekend_cap():
    s = Settings(prop=PropSettings(**BASE, weekend_action="reduce", weekend_max_eff_lev=1.0))
    d = decide(_reading(100_000.0, _utc(2024, 7, 12, 20, 30)), s)
    assert d.binding_cap == "weekend"
    assert d.target_eff_lev == pytest.approx(1.0)
    # PV 165 000 → 100 000: 0.65 M of notional, 0.59 lots at 1.10 (down to the 0.01 step)
    assert sum(a.volume for a in d.actions) == pytest.approx(0.59, abs=0.011)


def test_a_book_held_over_the_weekend_must_survive_the_gap_before_the_floor():
    s = Settings(prop=PropSettings(**BASE))  # weekend_action none, G = 3
    # equity 97 000, daily floor 95 000 (5 % of 100 000 below the balance anchor); no σ:
    # σ = reference_move / 2 = 0.5 %, gap 1.5 %: EffLev ≤ 2 000 / (97 000 × 0.015) = 1.375
    d = decide(_reading(97_000.0, _utc(2024, 7, 12, 20, 30)), s)
    gap = next(c for c in d.caps if c.name == "weekend_gap" and "daily loss" in c.reason)
    assert gap.value == pytest.approx(2_000 / (97_000 * 0.015))
    assert gap.triggered
    assert d.binding_cap == "weekend_gap"
    assert d.actions
    assert any(w.code == "cap_weekend_gap" for w in d.warnings)
    # the same book on Wednesday: no weekend gap to survive
    mid = decide(_reading(97_000.0, _utc(2024, 7, 10, 20, 30)), s)
    assert not [c for c in mid.caps if c.name.startswith("weekend")]
    assert not mid.actions


def test_weekend_gap_sigmas_zero_switches_the_gap_rule_off():
    s = Settings(prop=PropSettings(**BASE, weekend_gap_sigmas=0.0))
    d = decide(_reading(97_000.0, _utc(2024, 7, 12, 20, 30)), s)
    assert not [c for c in d.caps if c.name.startswith("weekend")]
