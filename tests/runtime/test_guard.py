"""The guard's jobs on the simulated terminal: resume from the journal, observe mode, the
real-account refusal, the EA limits file."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.app import build_guard
from bridge.config import AppConfig, EaSettings, Mode, RunSettings
from bridge.driver import run_replay
from bridge.ealink import LIMITS_FILE, parse_limits
from controller.settings import PlanSettings


def _config(tmp_path, slice_depth_fraction: float = 0.2, **run: Any) -> AppConfig:
    return AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db",
                                     log_file="", compare_unguarded=False, **run),
                     plan=PlanSettings(slice_depth_fraction=slice_depth_fraction))


def _step(guard, sim, seconds: float) -> None:
    sim.advance(seconds)
    guard.fast_guard()


def _guard_deals(sim) -> list:
    deals = sim.history_deals_get(0, 2**31 - 1)
    return [d for d in deals if d.magic == 770077]


def test_a_restarted_guard_resumes_the_plan_without_closing_twice(tmp_path):
    config = _config(tmp_path, slice_depth_fraction=0.01)  # thin slices: a staged plan
    guard = build_guard(config)
    sim = guard.replay
    guard.start()
    guard.cycle()  # the forced reduction: slices over 5 minutes; sends what is due now
    plan_row = guard.journal.last("plan")
    planned = plan_row.payload["actions"]
    assert len(planned) >= 3
    sent_before = len(_guard_deals(sim))
    pending = len(guard.plan)
    assert sent_before >= 1
    assert 0 < pending < len(planned)
    assert sent_before + pending == len(planned)
    # the process dies here; a new one starts on the same terminal and journal

    restarted = build_guard(config, module=sim)
    restarted.start()
    assert len(restarted.plan) == pending  # the unfinished plan came back from the journal
    assert restarted.memory == guard.memory
    for _ in range(40):
        _step(restarted, sim, 15.0)
    deals = _guard_deals(sim)
    # every slice of every plan was sent once: (position, plan tag, slice) never repeats
    keys = [(d.position_id, d.comment) for d in deals]
    assert len(keys) == len(set(keys))
    # the resumed plan's slices all went out, each once
    tag = deals[0].comment.split()[1]
    resumed = [d for d in deals if d.comment.split()[1] == tag]
    assert len(resumed) == len(planned)
    planned_volume: dict[int, float] = {}
    for a in planned:
        planned_volume[a["ticket"]] = planned_volume.get(a["ticket"], 0.0) + a["volume"]
    closed_volume = {t: sum(d.volume for d in resumed if d.position_id == t)
                     for t in planned_volume}
    assert closed_volume == pytest.approx(planned_volume)
    opened = {p.ticket: p.volume for p in guard.snapshot.positions}
    for ticket, volume in opened.items():  # nothing closed beyond what was open
        assert sum(d.volume for d in deals if d.position_id == ticket) <= volume + 1e-9


def test_observe_mode_journals_decisions_and_sends_nothing(tmp_path):
    config = _config(tmp_path, mode=Mode.OBSERVE)
    guard = build_guard(config)
    sim = guard.replay
    guard.start()
    guard.cycle()
    for _ in range(30):
        _step(guard, sim, 20.0)
    assert guard.decision is not None
    assert guard.decision.actions
    assert _guard_deals(sim) == []
    assert guard.journal.rows("decision")
    assert not guard.journal.rows("intent")


class _RealAccount:
    """The simulated terminal, reporting a REAL account (trade_mode 2)."""

    def __init__(self, sim) -> None:
        self._sim = sim

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)

    def account_info(self):
        return self._sim.account_info()._replace(trade_mode=2)


def test_orders_on_a_real_account_are_refused_without_allow_real_account(tmp_path):
    config = _config(tmp_path)
    sim = build_guard(config).replay
    guard = build_guard(config, module=_RealAccount(sim))
    guard.start()
    assert guard.mode is Mode.OBSERVE
    guard.cycle()
    guard.fast_guard()
    assert _guard_deals(sim) == []
    assert any("real account" in r.payload["message"] for r in guard.journal.rows("state"))

    allowed = _config(tmp_path / "b", allow_real_account=True)
    (tmp_path / "b").mkdir()
    guard2 = build_guard(allowed, module=_RealAccount(sim))
    guard2.start()
    assert guard2.mode is Mode.ENFORCE


def test_the_guard_writes_the_ea_limits_with_a_heartbeat(tmp_path):
    base = _config(tmp_path)
    config = base.model_copy(update={"ea": EaSettings(enabled=True)})
    guard = build_guard(config)
    sim = guard.replay
    guard.start()
    guard.cycle()
    guard.fast_guard()
    path = guard.ea_link.writer.folder / LIMITS_FILE
    limits = parse_limits(path.read_text())
    assert limits.heartbeat_utc == int(sim.now())
    assert set(limits.symbols) >= {"GBPUSD", "EURUSD", "USDJPY"}
    assert limits.new_exposure_allowed is guard.decision.limits.new_exposure_allowed
    first = limits.sequence
    for _ in range(3):
        _step(guard, sim, 5.0)
    assert parse_limits(path.read_text()).sequence > first  # heartbeats keep coming


def test_replay_driver_runs_jobs_in_time_order(tmp_path):
    config = _config(tmp_path, guard_seconds=30.0)
    guard = build_guard(config)
    sim = guard.replay
    guard.start()
    times = []
    guard.listeners.append(lambda g: times.append(g.now()))
    run_replay(guard, sim)
    assert sim.finished
    assert times == sorted(times)
    assert guard.stats.cycles >= (sim.end_time - sim.start_time) / 300 - 1


class _FrozenQuotes:
    """The simulated terminal answering with quotes stuck at one instant (a terminal that is up
    but lost its trade server, or a closed market)."""

    def __init__(self, sim) -> None:
        self._sim = sim
        self.frozen_ms: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)

    def symbol_info_tick(self, symbol):
        tick = self._sim.symbol_info_tick(symbol)
        if tick is None or self.frozen_ms is None:
            return tick
        return tick._replace(time_msc=self.frozen_ms, time=self.frozen_ms // 1000)


def test_frozen_quotes_are_flagged_stale_and_block_new_exposure_at_the_ea(tmp_path):
    base = _config(tmp_path, stale_after_seconds=30.0)
    config = base.model_copy(update={"ea": EaSettings(enabled=True)})
    sim = build_guard(config).replay
    frozen = _FrozenQuotes(sim)
    guard = build_guard(config, module=frozen)
    guard.start()
    guard.cycle()
    _step(guard, sim, 5.0)
    assert not guard.stale
    frozen.frozen_ms = int(sim.symbol_info_tick("GBPUSD").time_msc)
    for _ in range(10):
        _step(guard, sim, 5.0)
    assert guard.stale
    path = guard.ea_link.writer.folder / LIMITS_FILE
    assert parse_limits(path.read_text()).new_exposure_allowed is False
    frozen.frozen_ms = None
    _step(guard, sim, 5.0)
    assert not guard.stale
    messages = [r.payload["message"] for r in guard.journal.rows("state")]
    assert any(m.startswith("quotes frozen") for m in messages)
    assert "quotes fresh again" in messages
