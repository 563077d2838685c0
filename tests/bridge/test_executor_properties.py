"""Property: under any sequence of terminal faults, a slice is never closed twice and the journal
accounts for every lot the terminal booked; on hedging and netting accounts.

Hypothesis arms a random list of the sim's faults (requotes, rejects, market closed, throttling,
timeouts that did or did not execute, partial fills, IPC timeouts on any call, disconnects),
then drives one slice the way the runtime does: execute, and while something remains, execute
again at `retry_at` with ``replace(action, volume=outcome.remaining)``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.clock import SimClock
from bridge.executor import Executor, comment_for
from bridge.journal import Journal
from bridge.terminal import TerminalPort
from controller import Action, Urgency
from tests.bridge.conftest import PLAN_ID
from tests.kit import all_deals, assert_never_closed_twice, open_sim

SLICE = 0.5
HELD = 1.5

_simple = st.sampled_from(["requote", "price_changed", "off_quotes", "market_closed",
                           "invalid_filling", "too_many_requests", "reject"])
fault: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.one_of(
    st.tuples(_simple, st.just({})),
    st.tuples(st.just("request_timeout"), st.fixed_dictionaries({"executed": st.booleans()})),
    st.tuples(st.just("partial_fill"),
              st.fixed_dictionaries({"fraction": st.sampled_from([0.2, 0.5, 0.9])})),
    st.tuples(st.just("ipc_timeout"),
              st.fixed_dictionaries({"function": st.sampled_from(["order_send", "*"]),
                                     "count": st.integers(1, 3)})),
    st.tuples(st.just("disconnect"),
              st.fixed_dictionaries({"duration_s": st.sampled_from([5.0, 30.0])})),
)


@pytest.mark.parametrize("account", ["hedging", "netting"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faults=st.lists(fault, max_size=8), max_attempts=st.integers(1, 5))
def test_any_fault_sequence_never_closes_twice(
    variants: dict[str, Path], account: str, faults: list[tuple[str, dict[str, Any]]],
    max_attempts: int,
) -> None:
    hedging = account == "hedging"
    sim: Any = open_sim("flash-gbp-2016" if hedging else variants["netting"])
    journal = Journal("sqlite://", account=sim.scenario.account.login)
    try:
        (position,) = sim.positions_get(symbol="GBPUSD")
        ticket = position.ticket
        for kind, kw in faults:
            sim.faults.inject(kind, **kw)
        ex = Executor(TerminalPort(sim, server_clock=sim.scenario.clock), journal, SimClock(sim),
                      max_attempts=max_attempts)
        action = Action(plan_id=PLAN_ID, ticket=ticket, symbol="GBPUSD", side="sell",
                        volume=SLICE, urgency=Urgency.FORCED, not_before=sim.now(),
                        slice_index=1, slices=1, close_by_ticket=hedging, full_close=False,
                        reason="property")
        status, give_up = "", sim.now() + 900.0  # every armed fault is spent well before this
        reported = 0.0
        for _ in range(400):
            out = ex.execute(action)
            status = out.status
            assert 0.0 <= out.filled <= SLICE + 1e-9
            reported += out.filled
            if status in ("done", "gone") or sim.now() > give_up:
                break
            sim.advance_to(out.retry_at if out.retry_at is not None else sim.now() + 60.0)
            action = replace(action, volume=out.remaining, not_before=sim.now())
        sim.faults.clear()
        ours = [d for d in all_deals(sim) if d.comment == comment_for(action)]
        closed = sum(d.volume for d in ours)
        credited = sum(r.payload["filled"] for r in journal.rows("result"))
        assert closed <= SLICE + 1e-9
        assert abs(credited - closed) < 1e-9, (credited, closed)
        assert abs(reported - closed) < 1e-9, (reported, closed)  # the runtime's count is exact
        assert status == "done"
        assert abs(closed - SLICE) < 1e-9
        assert abs(sum(p.volume for p in sim.positions_get(symbol="GBPUSD")) -
                   (HELD - closed)) < 1e-9
        assert_never_closed_twice(sim)
    finally:
        journal.close()
