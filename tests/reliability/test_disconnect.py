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
from typing import Any

import pytest

from bridge.app import build_guard
from bridge.commands.status import collect
from bridge.sim import SimTerminal
from tests.bridge.helpers import MT5_FUNCTIONS
from tests.reliability.harness import FIGURES, completed, config, duplicates, guard_deals


class GoneTerminal:
    """The simulated terminal, gone (process closed, every call fails with RES_E_INTERNAL_FAIL_
    CONNECT, mt5-api.md §0.3) from `start` for `seconds` of simulated time."""

    def __init__(self, sim: SimTerminal, start: float, seconds: float) -> None:
        self._sim, self._start, self._end = sim, start, start + seconds
        self.failed_calls = 0

    def _gone(self) -> bool:
        return self._start <= self._sim.now() < self._end

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._sim, name)
        if name not in MT5_FUNCTIONS:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if name == "last_error" and self._gone():
                return (-10004, "No IPC connection")
            if self._gone():
                self.failed_calls += 1
                return False if name in ("initialize", "login", "symbol_select") else None
            return attr(*args, **kwargs)

        return call


@pytest.mark.parametrize(("minutes", "stale_after"),
                         [(1, 30.0), (5, 30.0), (5, 120.0), (30, 600.0)])
def test_the_terminal_gone_for_minutes(tmp_path: Path, minutes: int, stale_after: float) -> None:
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    gone_at = sim.start_time + 1.0
    terminal = GoneTerminal(sim, gone_at, minutes * 60.0)
    guard = build_guard(config(tmp_path, stale_after_seconds=stale_after), module=terminal)
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
    assert terminal.failed_calls > 0
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
    assert duplicates(sim, guard.journal) == []
    assert completed(sim, guard.journal)
    FIGURES["plans completed"] += 1
