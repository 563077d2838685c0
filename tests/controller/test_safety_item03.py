"""Issue 10 item 3: broker levels in money mode (`margin_so_mode` = 1, levels in account currency)
are respected like percent levels: the broker cap, the MSI floor published to the EA and the
emergency urgency."""

from __future__ import annotations

import pytest

from controller import Account, Settings, TradingState, Urgency, decide, prepare_indicators
from tests.controller.builders import fx, pos, snapshot
from tests.controller.safety_builders import book, history

S = Settings()


def _money_account(equity: float, call: float = 10_000.0, so: float = 5_000.0,
                   margin: float = 2_000.0) -> Account:
    return Account(login=7, currency="USD", balance=equity, equity=equity, margin=margin,
                   margin_so_call=call, margin_so_so=so, margin_so_mode=1)


def test_item03_two_percent_from_a_money_margin_call_reduces_and_publishes_a_floor():
    # equity 10 200 against a margin call at 10 000 of equity; EffLev 1.6, MSI 5.1: no rule fires
    ind, portfolio = prepare_indicators({"EURUSD": history(1.1, depth_lots=10.0)}, S)
    snap = snapshot(_money_account(10_200.0), [fx()], [pos(1, "EURUSD", 0.15)], {},
                    market={"EURUSD": book(1.1, 10.0, 10.0)})
    d = decide(snap, S, ind, portfolio)
    broker = next(c for c in d.caps if c.name == "broker")
    assert broker.triggered
    assert d.binding_cap == "broker"
    assert d.state is TradingState.REDUCING
    assert d.actions
    # the book must survive a 2 daily σ move without equity reaching 10 000
    assert d.metrics.sigma == pytest.approx(0.02, rel=1e-2)
    assert broker.value == pytest.approx(200.0 / (10_200.0 * 2 * d.metrics.sigma))
    # the EA's floor, as equity / margin at the current margin: 1.2 × 10 000 / 2 000
    assert d.limits.msi_floor == pytest.approx(1.2 * 10_000.0 / 2_000.0)


def test_item03_money_mode_near_twice_the_stop_out_is_an_emergency():
    # equity 9 000 < 2 × the 5 000 stop-out level: emergency, as MSI < 2 × stop-out in percent
    snap = snapshot(_money_account(9_000.0, call=8_000.0), [fx()], [pos(1, "EURUSD", 0.15)],
                    {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, S)
    assert d.urgency is Urgency.EMERGENCY
    assert {a.not_before for a in d.actions} == {snap.time}
