"""Issue 10 item 9: the stress margin is never below the margin (a negative MPG term is floored)."""

from __future__ import annotations

from dataclasses import replace

from controller import Settings, decide, prepare_indicators
from controller.indicators._margin import MarginState
from tests.controller.builders import account, fx, pos, snapshot
from tests.controller.safety_builders import book, history

S = Settings()


def test_item09_negative_mpg_never_lowers_the_stress_margin():
    ind, portfolio = prepare_indicators({"EURUSD": history(1.1, depth_lots=10.0)}, S)
    # a fitted slope below zero (margin rate falling as σ rises): noise for a stress test
    ind = {"EURUSD": replace(ind["EURUSD"], margins=MarginState(mpg=-0.5))}
    snap = snapshot(account(equity=50_000.0, margin=2_000.0), [fx()], [pos(1, "EURUSD", 0.5)],
                    {}, market={"EURUSD": book(1.1, 10.0, 10.0)})
    d = decide(snap, S, ind, portfolio)
    assert d.metrics.stress_margin is not None
    assert d.metrics.stress_margin >= snap.account.margin
    assert d.metrics.margin_growth >= S.buffer.growth_floor
