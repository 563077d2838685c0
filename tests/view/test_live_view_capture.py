"""Issue 14 item 6, "must show": the live view captured at 80 and 160 columns during a short
replay (rich's recorder) — positions with GBPUSD being closed, the replay's progress and ETA, the
binding cap's reason in words, the last orders with retcode sentences, the "replaying the
unguarded book" phase; nothing cut."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace

import pytest
from rich.console import Console

from bridge.app import build_guard, run
from bridge.console import guard_view
from bridge.view_state import LiveState
from controller import Signal, TradingState
from tests.view.conftest import short_config

WIDTHS = (80, 160)


def _text(renderable, width: int) -> str:
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    """Frames of a real replay of the short scenario, with the unguarded comparison on: at
    17:00:40 (the reduction done), during the unguarded phase, and at the end."""
    folder = tmp_path_factory.mktemp("live")
    config = short_config(folder, compare_unguarded=True)
    out: dict[str, dict[int, str]] = {"phase": {}, "mid": {}, "first": {}}
    holder: dict[str, object] = {}

    def refresh() -> None:
        if state.phase and not out["phase"]:
            out["phase"] = {w: _text(guard_view(holder["guard"], "lca · sim", state, w), w)
                            for w in WIDTHS}

    state = LiveState(refresh=refresh)

    def setup(guard):
        holder["guard"] = guard
        guard.observers.append(state)

    def on_step(guard) -> None:
        t = guard.now() - 1475773200.0
        key = "first" if t == 1.0 else "mid" if t == 40.0 else None
        if key:
            out[key] = {w: _text(guard_view(guard, "lca · sim", state, w), w) for w in WIDTHS}
        if key == "mid":  # the times of the orders sent so far, as the view writes them
            holder["order_times"] = {dt.datetime.fromtimestamp(r.time, dt.UTC).strftime(
                "%H:%M:%S") for r in guard.journal.rows("result")}

    run(config, on_step=on_step, setup=setup)
    out["order_times"] = {0: " ".join(sorted(holder["order_times"]))}  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_live_view_shows_positions_with_gbpusd_closed_and_the_replay_progress(frames, width):
    text = frames["mid"][width]
    assert "positions" in text
    gbp = next(line for line in text.splitlines() if line.strip().startswith("GBPUSD"))
    assert "long" in gbp
    assert "closed" in gbp
    assert "1.50" in gbp  # all 1.50 lots closed by the guard
    assert "replay 3% of 2016-10-06 17:00–17:20 UTC" in text
    assert "ETA" in text
    assert "sim time 2016-10-06 17:00:40 UTC" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_live_view_shows_the_last_orders_with_time_side_and_retcode_sentence(frames, width):
    text = frames["mid"][width]
    assert "last orders" in text
    times = frames["order_times"][0].split()
    assert times  # the guard sent its slices before 17:00:40
    order = next(line for line in text.splitlines()
                 if "GBPUSD" in line and any(t in line for t in times))
    assert "sell" in order
    assert "10009" in text
    assert "the request was executed" in " ".join(text.split())


@pytest.mark.parametrize("width", WIDTHS)
def test_live_view_says_the_binding_cap_in_words_and_the_next_slice(frames, width):
    first = " ".join(frames["first"][width].split())
    assert "(extras)" not in first
    # at 17:00 the multipliers bind (long sterling against its falling D1 trend): in words
    assert re.search(r"target 1\.\d\d: trend/ATR ×0\.\d\d \(GBPUSD against the D1 trend "
                     r"×0\.75\) on 2\.00", first), first
    assert "slice(s) pending" in first
    assert "next at 17:" in first or "next now" in first


@pytest.mark.parametrize("width", WIDTHS)
def test_live_view_shows_the_unguarded_replay_phase(frames, width):
    assert "replaying the unguarded book" in frames["phase"][width]


@pytest.mark.parametrize("key", ["first", "mid", "phase"])
@pytest.mark.parametrize("width", WIDTHS)
def test_live_view_cuts_nothing(frames, key, width):
    text = frames[key][width]
    assert "…" not in text.replace("book (the same book left to the broker's stop-out)…", "")
    assert max(len(line) for line in text.splitlines()) <= width


def test_live_view_puts_positions_and_orders_side_by_side_at_160(frames):
    wide = frames["mid"][160].splitlines()
    assert any("positions" in line and "last orders" in line for line in wide)
    narrow = frames["mid"][80].splitlines()
    assert not any("positions" in line and "last orders" in line for line in narrow)


def _started(tmp_path):
    guard = build_guard(short_config(tmp_path))
    sim = guard.replay
    guard.start()
    guard.cycle()
    return guard, sim


def test_thin_hours_target_is_said_with_its_factor_and_window(tmp_path):
    guard, _ = _started(tmp_path)
    d = guard.decision
    thin = Signal("thin_hours", None, 0.85, 1.0, "cap factor", "clock early Asia", False)
    guard.decision = replace(d, binding_cap="extras", target_eff_lev=1.70, signals=(thin,),
                             metrics=replace(d.metrics, multiplier=0.85))
    text = " ".join(_text(guard_view(guard, "lca"), 80).split())
    assert "target 1.70: thin-hours ×0.85 (early Asia) on 2.00" in text
    assert "(extras)" not in text
    guard.stop("test over")
    guard.journal.close()


def test_reducing_with_nothing_pending_says_why_and_when_the_next_cycle_is(tmp_path):
    state = LiveState()
    guard = build_guard(short_config(tmp_path))
    guard.observers.append(state)
    guard.start()
    guard.cycle()
    guard.plan = []  # every slice sent; the decision still reduces
    guard.decision = replace(guard.decision, state=TradingState.REDUCING)
    text = " ".join(_text(guard_view(guard, "lca", state), 80).split())
    assert "0 slice(s) pending" not in text
    assert "no slice pending (every slice of the plan has been sent)" in text
    assert "the next cycle at 17:05:00 UTC re-plans what is left" in text
    guard.stop("test over")
    guard.journal.close()
