"""No false alarms (issue 12 item 3) on the calm control: real EURUSD ticks of 4-5 Feb 2019."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.stress import RunSpec
from bridge.stress.runner import run_one
from controller.settings import Settings


@pytest.fixture(scope="module")
def calm_full(shared_data: Path) -> dict[str, Any]:
    return run_one(RunSpec("calm-2019", "esma", "full", str(shared_data)))


def _in_thin_hours(t: float) -> bool:
    minute = int(t // 60) % 1440
    for w in Settings().extras.thin_hours:
        start = int(w.start_utc[:2]) * 60 + int(w.start_utc[3:])
        end = int(w.end_utc[:2]) * 60 + int(w.end_utc[3:])
        if (start <= minute < end) if start <= end else (minute >= start or minute < end):
            return True
    return False


def test_calm_control_has_no_crash_flag_and_no_minimum(calm_full: dict[str, Any]):
    fa = calm_full["metrics"]["false_alarms"]
    assert fa["crash_flag_steps"] == 0
    assert fa["minimum_steps"] == 0
    assert calm_full["metrics"]["lead_seconds"] is None  # a calm window has no crash


def test_the_daily_rollover_alone_never_cuts_the_book_the_rules_allow(calm_full: dict[str, Any]):
    # the rules cut the 20:1 book to their target in the first minutes; after that the book is
    # what the rules allow, and the two rollovers (spread ×10-15 for minutes) must not cut it
    orders = calm_full["markers"]["orders"]
    assert orders, "the rules' opening cut is there"
    in_thin = [(t, lots) for t, lots in orders if _in_thin_hours(t)]
    assert in_thin == []
    assert calm_full["metrics"]["false_alarms"]["rollover_only_cuts"] == 0


def test_the_long_calm_window_reports_its_false_alarms_and_has_no_crash_flag_or_minimum(
        shared_data: Path):
    # 60 quiet days modelled from H4 bars, the guard every 5 minutes (about 17 000 steps)
    r = run_one(RunSpec("calm-long-2018", "esma", "full", str(shared_data)))
    m = r["metrics"]
    fa = m["false_alarms"]
    assert m["steps"] > 17_000
    assert m["regime_available_share"] >= 0.99
    assert fa["crash_flag_steps"] == 0
    assert fa["minimum_steps"] == 0
    assert fa["rollover_only_cuts"] == 0
    assert isinstance(fa["wait_steps"], int)
    assert isinstance(fa["unasked_cuts"], int)
