"""Issue 10 item 4: a hitting side with zero depth is the most illiquid symbol; decide() uses the
same LVI function the unit tests check (controller.indicators.lvi)."""

from __future__ import annotations

import math

from controller import Settings, decide, prepare_indicators
from controller.indicators import lvi
from tests.controller.builders import account, fx, pos, snapshot
from tests.controller.safety_builders import book, history

S = Settings()


def test_item04_zero_depth_on_the_hit_side_is_the_most_illiquid_and_goes_first():
    ind, portfolio = prepare_indicators(
        {"EURUSD": history(1.1, depth_lots=10.0), "GBPUSD": history(1.27, depth_lots=10.0)}, S)
    # EURUSD long with no bids at all; GBPUSD long with a normal book
    market = {"EURUSD": book(1.1, bid_lots=0.0, ask_lots=10.0),
              "GBPUSD": book(1.27, bid_lots=10.0, ask_lots=10.0)}
    snap = snapshot(account(equity=20_000.0, margin=2_000.0), [fx("EURUSD"), fx("GBPUSD")],
                    [pos(1, "EURUSD", 0.3), pos(2, "GBPUSD", 0.3)], {}, market=market)
    d = decide(snap, S, ind, portfolio)
    rows = {m.symbol: m for m in d.symbols}
    assert rows["EURUSD"].lvi_contribution > rows["GBPUSD"].lvi_contribution
    assert math.isinf(rows["EURUSD"].lvi_contribution)
    assert d.actions
    assert d.actions[0].symbol == "EURUSD"


def test_item04_decide_lvi_is_the_indicator_lvi():
    ind, portfolio = prepare_indicators(
        {"EURUSD": history(1.1, depth_lots=10.0), "GBPUSD": history(1.27, depth_lots=10.0)}, S)
    market = {"EURUSD": book(1.1, bid_lots=4.0, ask_lots=10.0),
              "GBPUSD": book(1.27, bid_lots=10.0, ask_lots=10.0)}
    snap = snapshot(account(equity=20_000.0, margin=2_000.0), [fx("EURUSD"), fx("GBPUSD")],
                    [pos(1, "EURUSD", 0.3), pos(2, "GBPUSD", 0.2)], {}, market=market)
    d = decide(snap, S, ind, portfolio)
    pv = {m.symbol: m.position_value for m in d.symbols}
    ratios = {m.symbol: m.depth_ratio for m in d.symbols}
    assert ratios["EURUSD"] is not None
    assert ratios["EURUSD"] < 1.0
    assert d.metrics.lvi == lvi(pv, snap.account.equity, ratios)
