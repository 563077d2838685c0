"""Invariants over random order flows (Hypothesis): identities hold after every call, volume is
conserved per symbol, and a netting account never holds two positions on one symbol."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.sim import SimTerminal
from bridge.sim import constants as c
from tests.sim.helpers import flat_terminal

SYMS = ("EURUSD", "USDJPY", "GBPUSD")
MOVES = {
    "EURUSD": [("2019-02-05T10:30:00", 1.0950, 1.0951), ("2019-02-05T11:30:00", 1.1020, 1.1021)],
    "USDJPY": [("2019-02-05T10:45:00", 109.20, 109.23)],
    "GBPUSD": [("2019-02-05T11:00:00", 1.2450, 1.2452)],
}


@pytest.fixture(scope="module", params=["hedging", "netting"])
def scenario_file(request: Any, tmp_path_factory: Any) -> tuple[Path, str]:
    d = tmp_path_factory.mktemp(request.param)
    quotes = {"EURUSD": (1.1, 1.1001), "USDJPY": (110.0, 110.02), "GBPUSD": (1.25, 1.2502)}
    flat_terminal(d, quotes, account=f'margin_mode = "{request.param}"', moves=MOVES)
    return d / "flat.toml", request.param


order = st.tuples(
    st.sampled_from(SYMS),
    st.sampled_from([c.ORDER_TYPE_BUY, c.ORDER_TYPE_SELL]),
    st.integers(1, 80).map(lambda n: n / 100),
    st.booleans(),  # close by ticket when a position exists
    st.integers(0, 1200),  # seconds to advance first
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(orders=st.lists(order, min_size=1, max_size=12))
def test_identities_and_volume_conservation(
    scenario_file: tuple[Path, str], orders: list[tuple[str, int, float, bool, int]]
) -> None:
    path, mode = scenario_file
    mt5: Any = SimTerminal.from_scenario(path)
    assert mt5.initialize()
    net: dict[str, float] = dict.fromkeys(SYMS, 0.0)
    for sym, side, vol, by_ticket, wait in orders:
        mt5.advance(wait)
        req: dict[str, Any] = {
            "action": c.TRADE_ACTION_DEAL,
            "symbol": sym,
            "type": side,
            "volume": vol,
            "type_filling": c.ORDER_FILLING_IOC,
        }
        opposite = [p for p in mt5.positions_get(symbol=sym) if p.type != side]
        if by_ticket and opposite:
            req["position"] = opposite[0].ticket
            req["volume"] = min(vol, opposite[0].volume)
        r = mt5.order_send(req)
        if r.retcode == c.TRADE_RETCODE_DONE:
            net[sym] += r.volume if side == c.ORDER_TYPE_BUY else -r.volume
        else:
            assert r.retcode in (c.TRADE_RETCODE_NO_MONEY, c.TRADE_RETCODE_INVALID_VOLUME)
        a = mt5.account_info()
        assert a.equity == pytest.approx(a.balance + a.credit + a.profit, abs=1e-6)
        assert a.margin_free == pytest.approx(a.equity - a.margin, abs=1e-6)
        if a.margin > 0:
            assert a.margin_level == pytest.approx(a.equity / a.margin * 100, rel=1e-9)
        assert a.profit == pytest.approx(sum(p.profit for p in mt5.positions_get()), abs=0.005)
    if mt5.stop_outs:
        return  # the broker closed positions on its own; the per-symbol sums no longer hold
    for sym in SYMS:
        held = sum(p.volume if p.type == 0 else -p.volume for p in mt5.positions_get(symbol=sym))
        assert held == pytest.approx(net[sym], abs=1e-9)
        if mode == "netting":
            assert len(mt5.positions_get(symbol=sym)) <= 1
    deals = [d for d in mt5.history_deals_get(0, 2**40) if d.symbol]
    realised = sum(d.profit for d in deals)
    assert mt5.account_info().balance == pytest.approx(10_000.0 + realised, abs=1e-6)
