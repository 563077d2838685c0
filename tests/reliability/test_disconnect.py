"""Issue 7 §3, disconnects: the terminal is gone for N minutes in the middle of a staged plan.

The fast guard sees the terminal unreachable at once (a `connection` state row, the console's
TERMINAL UNREACHABLE), flags the data stale once `run.stale_after_seconds` has passed without a
fresh snapshot (a `stale` state row: no new exposure), sends nothing while it is gone, and on
reconnection records it, resumes the plan and completes it, closing nothing twice. While lca
is blind, the guard EA's fail-safe protects the account (tests/mql5: fail-safe exactly when the
heartbeat is stale); that is not re-tested here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.commands.status import collect
from bridge.sim import SimTerminal
from tests.kit import (
    Fault,
    ScriptedTerminal,
    closed_twice,
    completed,
    guard_deals,
    sim_config,
    sim_guard,
)
from tests.reliability.harness import FIGURES


def gone_terminal(sim: SimTerminal, start: float, seconds: float) -> ScriptedTerminal:
    """The simulated terminal, gone (process closed, every call fails with RES_E_INTERNAL_FAIL_
    CONNECT, mt5-api.md §0.3) from `start` for `seconds` of simulated time."""
    terminal = ScriptedTerminal(sim)
    terminal.arm(Fault(-10004, function="*", count=-1, message="No IPC connection",
                       when=lambda: start <= sim.now() < start + seconds))
    return terminal


@pytest.mark.parametrize(("minutes", "stale_after"),
                         [(1, 30.0), (5, 30.0), (5, 120.0), (30, 600.0)])
def test_the_terminal_gone_for_minutes(tmp_path: Path, minutes: int, stale_after: float) -> None:
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    gone_at = sim.start_time + 1.0
    terminal = gone_terminal(sim, gone_at, minutes * 60.0)
    guard, _ = sim_guard(sim_config(tmp_path, stale_after_seconds=stale_after), terminal)
    guard.start()
    guard.cycle()  # the first slices go out
    sent = len(guard_deals(sim))
    assert sent > 0
    assert guard.plan
    FIGURES["faults injected"] += 1
    seen: list[tuple[float, bool, bool]] = []
    while sim.now() < gone_at + minutes * 60.0 - 5.0:
        sim.advance(5.0)
        guard.fast_guard()
        seen.append((sim.now(), guard.connection_ok, guard.stale))
    gone = [t for t, ok, _ in seen if not ok]
    assert gone
    assert gone[0] - gone_at <= 5.0
    assert all(not ok for _, ok, _ in seen)
    assert len(guard_deals(sim)) == sent  # nothing sent while it was gone
    assert terminal.injected > 0
    stale = [t for t, _, is_stale in seen if is_stale]
    if minutes * 60 > stale_after + 5:
        assert stale
        assert stale[0] - gone_at >= stale_after - 5.0
    else:
        assert not stale
    states = [(s["what"], s["message"]) for s in collect(guard.journal)["states"]]
    assert "connection" in {w for w, _ in states}
    assert bool(stale) == any(w == "stale" for w, _ in states)
    for _ in range(40):  # back: the plan resumes
        sim.advance(15.0)
        guard.fast_guard()
        if not guard.plan:
            break
    assert guard.connection_ok
    assert not guard.stale
    assert any(m == "terminal reachable again" for _, m in
               [(s["what"], s["message"]) for s in collect(guard.journal)["states"]])
    assert closed_twice(sim, guard.journal) == []
    assert completed(sim, guard.journal)
    FIGURES["plans completed"] += 1
