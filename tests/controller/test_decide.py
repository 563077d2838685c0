"""decide() with prepared indicators: L_safe, depth-sized slices, urgency, netting, emergency."""

from __future__ import annotations

import math

import numpy as np
import pytest

from controller import (
    BookLevel,
    MarketState,
    Regime,
    Settings,
    TradingState,
    Urgency,
    decide,
    prepare_indicators,
)
from controller.indicators import SymbolHistory
from tests.controller.builders import T0, account, fx, pos, snapshot

S = Settings()
SIGMA = 0.02  # daily σ of the synthetic series
R = SIGMA / math.sqrt(1440.0)  # per-minute log return, alternating in sign


def _history(minutes=2 * 1440, spread=0.0002):
    t = T0 - 60.0 * np.arange(minutes, 0, -1)
    mid = 1.1 * np.exp(R * (np.arange(minutes) % 2))  # up, down, up, down...
    return SymbolHistory(quote_time=t, bid=mid - spread / 2, ask=mid + spread / 2)


def _eurusd_book(bid_lots=1.0):
    levels = (BookLevel(1, 1.1002, 5.0), BookLevel(2, 1.1000, bid_lots / 2),
              BookLevel(2, 1.0999, bid_lots / 2))
    return MarketState(bid=1.1, ask=1.1002, book=levels)


def test_l_safe_binds_and_the_cut_is_depth_sliced_over_the_hour():
    ind, portfolio = prepare_indicators({"EURUSD": _history()}, S)
    assert ind["EURUSD"].sigma_now == pytest.approx(SIGMA, rel=1e-3)
    # equity 100 000, 1.6363 lots × 110 010 ≈ 180 000 of EURUSD: EffLev 1.8, below the rule 2.0
    snap = snapshot(account(equity=100_000.0, margin=6_000.0), [fx()],
                    [pos(1, "EURUSD", 1.64, price=1.1)], {}, market={"EURUSD": _eurusd_book()})
    d = decide(snap, S, ind, portfolio)
    assert d.metrics.l_safe == pytest.approx(0.02 / SIGMA, rel=2e-3)  # K / (σ × LR), LR = 1
    assert d.binding_cap == "l_safe"
    assert d.state is TradingState.REDUCING
    assert d.urgency is Urgency.NORMAL
    # 1 lot of bids × 110 010 × 20 % → slices of 0.2 lots
    assert all(a.volume <= 0.2 + 1e-9 for a in d.actions)
    cut = sum(a.volume for a in d.actions)
    assert 1.64 - cut <= d.target_eff_lev * 100_000 / 110_010 + 1e-9
    times = [a.not_before - T0 for a in d.actions]
    assert times[0] == 0.0
    assert times == sorted(times)
    assert max(times) < 3600.0
    # slices from the book's lots; its DepthRatio from the spread proxy while the book's median
    # warms (the history has quotes only)
    assert d.symbols[0].depth_source == "proxy"


def test_netting_accounts_send_opposite_deals():
    snap = snapshot(account(equity=70.0, margin=50.0, hedging=False), [fx()],
                    [pos(9, "EURUSD", 0.01, kind=1, price=1.1)], {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, S)  # 0.01 lot = 1 100 USD on 70 of equity
    assert d.actions
    assert all(not a.close_by_ticket and a.side == "buy" for a in d.actions)
    assert d.actions[-1].full_close  # a remainder below the minimum closes the position


def test_emergency_near_stop_out_sends_every_slice_now():
    # MSI 0.95 < 2 × stop-out 50 %: emergency
    snap = snapshot(account(equity=9_500.0, margin=10_000.0), [fx()],
                    [pos(1, "EURUSD", 5.0, price=1.1)], {}, market={"EURUSD": _eurusd_book()})
    d = decide(snap, S)
    assert d.urgency is Urgency.EMERGENCY
    assert {a.not_before for a in d.actions} == {T0}
    assert len(d.actions) > 1  # still depth-sized


def test_flat_account_publishes_headroom_to_the_target():
    snap = snapshot(account(equity=10_000.0, margin=0.0), [fx()], [], {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, S)
    assert d.state is TradingState.ACTIVE
    assert d.limits.new_exposure_allowed
    limit = d.limits.symbols[0]
    # target 2.0 × 10 000 = 20 000 of headroom at 110 000 a lot: 0.18 lots
    assert limit.max_volume == pytest.approx(0.18)
    assert d.regime is Regime.UNAVAILABLE


def test_no_averaging_down_while_in_a_floating_loss():
    snap = snapshot(account(equity=10_000.0, margin=400.0), [fx()],
                    [pos(1, "EURUSD", 0.1, price=1.1, profit=-50.0)], {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, S)
    assert d.state is TradingState.ACTIVE
    assert d.limits.symbols[0].max_volume == 0.1  # frozen at the open volume
    loose = Settings.model_validate({"plan": {"allow_headroom_in_loss": True}})
    assert decide(snap, loose).limits.symbols[0].max_volume > 0.1


def test_same_inputs_same_decision():
    ind, portfolio = prepare_indicators({"EURUSD": _history(600)}, S)
    snap = snapshot(account(equity=100_000.0, margin=6_000.0), [fx()],
                    [pos(1, "EURUSD", 3.0, price=1.1)], {}, market={"EURUSD": _eurusd_book()})
    assert decide(snap, S, ind, portfolio) == decide(snap, S, ind, portfolio)


def test_example_with_history_binds_l_safe_and_counts_the_spread_once(capsys):
    import json
    from pathlib import Path

    from bridge.cli import main

    path = Path(__file__).resolve().parents[2] / "examples" / "fx-book-with-history.json"
    assert main(["decide", "--snapshot", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["binding_cap"] == "l_safe"
    assert {m["depth_source"] for m in out["symbols"]} == {"proxy"}
    # with proxy depth, LR = Σ w × max(1, spread ratio): the spread is not counted twice
    weights = {m["symbol"]: m["position_value"] for m in out["symbols"]}
    total = sum(weights.values())
    expected = sum(w / total * max(1.0, m["spread_ratio"])
                   for m, w in zip(out["symbols"], weights.values(), strict=True))
    assert out["metrics"]["liquidity_risk"] == pytest.approx(expected, rel=1e-9)
    k = 0.02
    assert out["metrics"]["l_safe"] == pytest.approx(
        k / (out["metrics"]["sigma"] * out["metrics"]["liquidity_risk"]), rel=1e-9)
    cut = sum(a["volume"] for a in out["actions"])
    assert cut > 0
    assert all(a["urgency"] == "normal" for a in out["actions"])
