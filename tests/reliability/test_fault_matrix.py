"""Issue 7 §1, the fault matrix: every `last_error()` code (mt5-api.md §0.3) and every trade
retcode (§2.4), injected into the simulated terminal while a staged deleveraging plan runs
(flash-gbp-2016, 9 slices over 5 minutes).

Three shapes per code:
- ``once``: the first send of the plan gets the code, nothing executes: the plan completes;
- ``once, executed``: for the codes whose outcome is unknown (read back: 10008, 10011, 10012,
  10031, the IPC errors and a None answer with success), the order executes all the same and
  the answer hides it: the plan completes and nothing is closed twice;
- ``always``: every send gets the code: the plan stops with the slice ``failed``/``partial``/
  ``postponed``/``gone``, and `lca status` and the console show it with the code.

Every case asserts on the terminal's deal history that no slice was closed more than planned.
The simulator's own fault kinds (bridge/sim/faults.py) run the same way.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from bridge.app import build_guard
from bridge.commands.status import collect
from bridge.console import guard_view
from bridge.retcodes import ERRORS, RETCODES, Handling
from bridge.runtime import Guard
from bridge.sim import SimTerminal
from tests.reliability.harness import (
    FIGURES,
    Fault,
    FaultyTerminal,
    completed,
    config,
    drive,
    duplicates,
    guard_deals,
)

_READ_BACK = sorted(c for c, r in {**RETCODES, **ERRORS}.items()
                    if r.handling is Handling.READ_BACK)
_FAULT_CODES = sorted(c for c in {**RETCODES, **ERRORS} if c not in (10009, 10010))
# a None answer with last_error() success is an inconsistency, read back; "always" would be
# the terminal never answering at all, same as the IPC codes
_CASES = ([(code, "once") for code in _FAULT_CODES]
          + [(code, "once, executed") for code in _READ_BACK]
          + [(code, "always") for code in _FAULT_CODES])


def _start(tmp_path: Path) -> tuple[Guard, SimTerminal, FaultyTerminal]:
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    faulty = FaultyTerminal(sim)
    guard = build_guard(config(tmp_path), module=faulty)
    guard.start()
    return guard, sim, faulty


def _console(guard: Guard) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=160, color_system=None).print(guard_view(guard, "lca"))
    return buffer.getvalue()


@pytest.mark.parametrize(("code", "shape"), _CASES, ids=[f"{c}-{s}" for c, s in _CASES])
def test_fault_during_a_plan(tmp_path: Path, code: int, shape: str) -> None:
    guard, sim, faulty = _start(tmp_path)
    faulty.arm(Fault(code, executed=shape == "once, executed",
                     count=-1 if shape == "always" else 1))
    guard.cycle()
    if shape != "always":  # always: the first slices (sent by the cycle) show the stop state
        drive(guard, sim, 40)
    FIGURES["faults injected"] += faulty.injected
    dups = duplicates(sim, guard.journal)
    FIGURES["duplicate closes"] += len(dups)
    assert dups == []
    if shape != "always":
        assert faulty.injected == 1
        if RETCODES.get(code) is not None and RETCODES[code].handling is Handling.GONE:
            # a false "position closed": the slice is taken as gone; the next cycle re-plans
            # from the positions the terminal reports, and that plan completes
            assert any(s["status"] == "gone" for s in collect(guard.journal)["slices"])
            sim.advance(300.0)
            guard.cycle()
            drive(guard, sim, 40)
        assert completed(sim, guard.journal), guard.journal.rows("slice")[-3:]
        assert not guard.plan
        FIGURES["plans completed"] += 1
        return
    # every send refused: the plan stops in a documented state, shown by status and console
    assert faulty.injected >= 1
    status = collect(guard.journal)
    stopped = [s for s in status["slices"] if s["retcode"] == code]
    assert stopped, status["slices"][-3:]
    documented = {"failed", "partial", "postponed", "gone"}
    assert {s["status"] for s in stopped} <= documented
    entry = RETCODES.get(code) or ERRORS[code]
    assert any(entry.sentence in s["message"] for s in stopped), stopped[-1]["message"]
    # every order row has a code: the retcode, or last_error()'s when order_send returned None
    assert all(isinstance(o["retcode"], int) for o in status["orders"])
    if code in ERRORS:
        assert any(o["retcode"] == code for o in status["orders"])
    assert str(code) in _console(guard)
    FIGURES["plans stopped in a documented state"] += 1


SIM_KINDS = ("ipc_timeout", "no_connection", "requote", "price_changed", "off_quotes",
             "market_closed", "invalid_filling", "too_many_requests", "reject",
             "request_timeout", "partial_fill")


@pytest.mark.parametrize("kind", SIM_KINDS)
def test_simulator_fault_kinds_during_a_plan(tmp_path: Path, kind: str) -> None:
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    guard = build_guard(config(tmp_path), module=sim)
    guard.start()
    function = "order_send" if kind in ("ipc_timeout", "no_connection") else ""
    sim.faults.inject(kind, count=2, function=function, fraction=0.5)
    guard.cycle()
    drive(guard, sim, 40)
    FIGURES["faults injected"] += 2 - sum(1 for _ in sim.faults.pending)
    assert duplicates(sim, guard.journal) == []
    assert completed(sim, guard.journal)
    FIGURES["plans completed"] += 1


def test_request_timeout_where_the_order_did_execute_is_not_closed_twice(tmp_path: Path) -> None:
    """10012 with the deal done on the server: the executor reads the position back, credits
    the tagged deal, and never resends it."""
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    guard = build_guard(config(tmp_path), module=sim)
    guard.start()
    sim.faults.inject("request_timeout", count=3, executed=True)
    guard.cycle()
    drive(guard, sim, 40)
    FIGURES["faults injected"] += 3
    results = [r.payload for r in guard.journal.rows("result")]
    timeouts = [r for r in results if r["retcode"] == 10012]
    assert len(timeouts) == 3
    deals = guard_deals(sim)
    plan = guard.journal.last("plan")
    assert plan is not None
    planned = plan.payload["actions"]
    assert len(deals) == len(planned)  # one deal per slice, none resent after the timeouts
    assert duplicates(sim, guard.journal) == []
    assert completed(sim, guard.journal)
    FIGURES["plans completed"] += 1
