"""Warm on the first decision (issue 12 item 1): at start the guard reads the terminal's own
history (`bridge.warmup`) and its first decision already has σ, its 60-day percentiles, the
long-run σ floor, ATR and a regime; what the terminal cannot serve is said once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from bridge.config import AppConfig
from bridge.warmup import OFFSET_MARGIN_S
from controller import Regime
from tests.kit import sim_config, sim_guard

STRESS = Path(__file__).resolve().parents[2] / "bridge" / "stress" / "scenarios"


def _config(tmp_path: Path, scenario: str, data_dir: Path | None = None, **run: Any) -> AppConfig:
    return sim_config(tmp_path, scenario=scenario, data_dir=data_dir or "",
                      slice_depth_fraction=None, **run)


def _warm(guard: Any, names: list[str]) -> None:
    for name in names:
        ind = guard.indicators[name]
        assert ind.sigma_now is not None, name
        assert ind.sigma_enter is not None, name
        assert ind.sigma_exit is not None, name
        assert ind.sigma_long is not None, name
        assert ind.atr_d1 is not None, name
        assert ind.spread_median is not None, name


def test_first_decision_on_a_real_window_has_a_regime(tmp_path: Path, shared_data: Path):
    config = _config(tmp_path, str(STRESS / "gbp-flash-2016.toml"), shared_data,
                     warmup_hours=17.0, guard_seconds=5.0)
    guard, sim = sim_guard(config)
    guard.start()
    _warm(guard, ["GBPUSD"])
    sim.advance(5.0)
    guard.fast_guard()
    assert guard.decision is not None
    assert guard.decision.regime is not Regime.UNAVAILABLE
    assert guard.decision.metrics.l_safe is not None


def test_first_decision_on_the_default_generated_scenario_has_a_regime(tmp_path: Path):
    guard, sim = sim_guard(_config(tmp_path, "flash-gbp-2016"))
    guard.start()
    _warm(guard, ["GBPUSD", "EURUSD", "USDJPY"])
    sim.advance(5.0)
    guard.fast_guard()
    assert guard.decision is not None
    assert guard.decision.regime is not Regime.UNAVAILABLE


def test_what_the_terminal_cannot_serve_is_said_once(tmp_path: Path, shared_data: Path):
    config = _config(tmp_path, str(STRESS / "calm-2019.toml"), shared_data, warmup_hours=6.0)
    guard, sim = sim_guard(config)
    guard.start()
    said = [r.payload["message"] for r in guard.journal.rows("state")
            if r.payload["what"] == "warmup"]
    # six hours of ticks: 6 H1 bars, fewer than ATR's 14; MT5 keeps no book or margin history
    assert any(m.startswith("EURUSD: ATR H1 waits for 14 closed H1 bars") for m in said), said
    assert any("the depth medians wait for" in m and "no history of the book" in m
               for m in said), said
    assert any(m.startswith("EURUSD: MPG waits for 24 hourly margin-rate samples") for m in said)
    assert not any("percentiles" in m or "long-run" in m for m in said), said  # warm
    for _ in range(3):
        sim.advance(3600.0)
        guard.fast_guard()
        guard.recalibrate()
    again = [r.payload["message"] for r in guard.journal.rows("state")
             if r.payload["what"] == "warmup"]
    assert again == said


def test_recalibration_folds_every_bar_closed_since_the_last(tmp_path: Path, shared_data: Path):
    config = _config(tmp_path, str(STRESS / "calm-2019.toml"), shared_data, warmup_hours=6.0)
    guard, sim = sim_guard(config)
    guard.start()
    before = guard.indicators["EURUSD"].h1.n_bars
    sim.advance(5 * 3600.0)  # five H1 bars close; one recalibration catches up on all five
    guard.fast_guard()
    guard.recalibrate()
    assert guard.indicators["EURUSD"].h1.n_bars == before + 5
    guard.recalibrate()
    assert guard.indicators["EURUSD"].h1.n_bars == before + 5  # each bar once


def _counted_bar_reads(guard: Any) -> tuple[Any, list[str]]:
    """The port's real `bars` call, and the list each later call of it appends "SYMBOL TF" to."""
    port = guard.feed.warmup.port
    read = port.bars
    asked: list[str] = []

    def counted(name: str, timeframe: str, count: int, start_pos: int = 1) -> Any:
        asked.append(f"{name} {timeframe}")
        return read(name, timeframe, count, start_pos)

    port.bars = counted  # the real call, counted
    return read, asked


def test_recalibration_asks_for_d1_bars_only_when_one_can_have_closed(tmp_path: Path,
                                                                     shared_data: Path):
    config = _config(tmp_path, str(STRESS / "calm-2019.toml"), shared_data, warmup_hours=6.0)
    guard, sim = sim_guard(config)
    guard.start()
    read, asked = _counted_bar_reads(guard)
    folded_d1: list[float] = []
    for _ in range(30):  # 30 hourly recalibrations; one D1 bar closes among them
        sim.advance(3600.0)
        guard.fast_guard()
        guard.recalibrate()
        ind = guard.indicators["EURUSD"]
        closed_d1, closed_h1 = read("EURUSD", "D1", 1), read("EURUSD", "H1", 1)
        assert closed_d1 is not None
        assert closed_h1 is not None
        # never less than the design needs: every bar closed so far is folded at once
        assert ind.d1.atr.last_time == float(closed_d1.time[-1])
        assert ind.h1.last_time == float(closed_h1.time[-1])
        folded_d1.append(float(closed_d1.time[-1]))
    assert len(set(folded_d1)) == 2  # the window's D1 close happened in the loop
    assert asked.count("EURUSD H1") == 30  # every hour closes an H1 bar: asked every hour
    # D1: once at the first recalibration, then per forming bar seen (two: the one open at the
    # start and the one after the close) only from the margin's hours before it can close
    assert asked.count("EURUSD D1") <= 1 + 2 * (OFFSET_MARGIN_S // 3600 + 1)


def test_recalibration_asks_for_no_bars_while_no_tick_arrived(tmp_path: Path, shared_data: Path):
    config = _config(tmp_path, str(STRESS / "calm-2019.toml"), shared_data, warmup_hours=6.0)
    guard, sim = sim_guard(config)
    guard.start()
    sim.advance(3600.0)
    guard.fast_guard()
    guard.recalibrate()
    _, asked = _counted_bar_reads(guard)
    snap = guard.snapshot
    assert snap is not None
    # an hour later on the clock with the same last tick (a closed market): no bar can close
    guard.feed.recalibrate(replace(snap, time=snap.time + 3600.0))
    assert asked == []
    sim.advance(3600.0)  # the ticks of the next hour: its H1 bar is asked for and folded
    guard.fast_guard()
    before = guard.indicators["EURUSD"].h1.n_bars
    guard.recalibrate()
    assert "EURUSD H1" in asked
    assert guard.indicators["EURUSD"].h1.n_bars == before + 1
