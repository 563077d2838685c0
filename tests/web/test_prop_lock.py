"""Lifting a prop lock from the dashboard (FastAPI's test client, a guard on the simulated
terminal with a daily-loss breach): refused and journaled before the prop day's reset, with the
time the rule allows it; with `prop.lock_release = "acknowledge"` the lock stays after the reset
until a person lifts it, journaled with who and why."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings, TerminalSettings
from bridge.web.app import create_app
from bridge.web.board import LiveBoard
from bridge.web.control import Controls
from controller import TradingState
from controller.settings import LockRelease, PropSettings
from tests.web.test_dashboard import AUTH, SCENARIO, TOKEN, _while_stepping

RESET = datetime(2016, 10, 6, 23, 5, tzinfo=UTC).timestamp()  # 5 minutes into the replay
LIFT = {"who": "anna", "why": "the firm's day is over", "confirm": "LIFT"}


def _guard(tmp_path: Path, release: LockRelease):
    # a tiny daily allowance (5 % of 100): the book's opening loss breaches it at once
    prop = PropSettings(enabled=True, initial_balance=100.0, daily_loss_fraction=0.05,
                        max_drawdown_fraction=None, reset_time="23:05", reset_timezone="UTC",
                        lock_release=release)
    config = AppConfig(terminal=TerminalSettings(scenario=str(SCENARIO)), prop=prop,
                       run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                                       compare_unguarded=False))
    guard = build_guard(config)
    sim = guard.replay
    board, controls = LiveBoard(), Controls()
    guard.observers.extend([board, controls])
    guard.start()
    guard.cycle()
    assert guard.memory.locked
    assert guard.memory.lock_until == RESET
    return guard, sim, TestClient(create_app(board, TOKEN, controls=controls))


@pytest.fixture
def acknowledge(tmp_path):
    guard, sim, client = _guard(tmp_path, LockRelease.ACKNOWLEDGE)
    yield guard, sim, client
    client.close()


def _lift(guard, sim, client, body=LIFT):
    return _while_stepping(guard, sim, lambda: client.post(
        "/api/control/lift_prop_lock", headers=AUTH, json=body))


def test_a_lift_needs_the_confirmation(acknowledge):
    guard, _, client = acknowledge
    r = client.post("/api/control/lift_prop_lock", headers=AUTH,
                    json={"who": "anna", "why": "x"})
    assert r.status_code == 400
    assert 'confirm = "LIFT"' in r.json()["detail"]
    assert guard.journal.rows("control") == []


def test_a_lift_before_the_reset_is_refused_and_journaled_with_the_time_the_rule_allows_it(
    acknowledge,
):
    guard, sim, client = acknowledge
    r = _lift(guard, sim, client)
    assert r.status_code == 409
    assert "holds the lock until 2016-10-06 23:05:00 UTC" in r.json()["detail"]
    row = guard.journal.last("control").payload
    assert (row["action"], row["who"], row["why"], row["ok"]) == \
        ("lift_prop_lock", "anna", "the firm's day is over", False)
    assert row["allowed_from"] == RESET
    assert row["result"].startswith("refused: the prop rule holds the lock until")
    assert guard.memory.locked
    guard.fast_guard()
    assert guard.decision.limits.prop_lock


def test_with_acknowledge_the_lock_stays_after_the_reset_until_lifted(acknowledge):
    guard, sim, client = acknowledge
    sim.advance_to(RESET + 10)
    guard.fast_guard()
    guard.cycle()
    assert guard.memory.locked  # "auto" would have ended it at the reset
    assert guard.decision.state is TradingState.HALTED
    lock = client.get("/api/state", headers=AUTH).json()["prop_lock"]
    assert lock["locked"]
    assert lock["liftable"]
    assert lock["release"] == "acknowledge"
    assert lock["lock_until"] == RESET
    r = _lift(guard, sim, client)
    assert r.status_code == 200, r.text
    row = guard.journal.last("control").payload
    assert (row["who"], row["ok"], row["allowed_from"]) == ("anna", True, RESET)
    assert row["result"].startswith("prop lock lifted (after the reset; it was: daily loss")
    assert row["result"].endswith("(by anna: the firm's day is over)")
    assert guard.journal.last("memory").payload["locked"] is False  # a restart keeps it lifted
    guard.cycle()
    assert not guard.decision.limits.prop_lock
    assert guard.decision.state is not TradingState.HALTED
    assert not client.get("/api/state", headers=AUTH).json()["prop_lock"]["locked"]


def test_with_auto_the_reset_ends_the_lock_and_there_is_nothing_to_lift(tmp_path):
    guard, sim, client = _guard(tmp_path, LockRelease.AUTO)
    sim.advance_to(RESET + 10)
    guard.cycle()
    assert not guard.memory.locked
    r = _lift(guard, sim, client)
    assert r.status_code == 409
    assert r.json()["detail"] == "refused: no prop lock is on"
    client.close()
