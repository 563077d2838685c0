"""Issue 10 item 10: proxy depth is in account currency, so the same book gives the same slices on
a USD and on a JPY account."""

from __future__ import annotations

import pytest

from controller import Account, Settings, decide, prepare_indicators
from tests.controller.builders import fx, pos, snapshot
from tests.controller.safety_builders import history

S = Settings()
USDJPY = 150.0
QUOTES = {"EURUSD": (1.0999, 1.1001), "USDJPY": (USDJPY - 0.01, USDJPY + 0.01)}


def _decide(currency: str, scale: float):
    ind, portfolio = prepare_indicators({"EURUSD": history(1.1, spread=2e-4)}, S)
    acct = Account(login=7, currency=currency, balance=100_000.0 * scale,
                   equity=100_000.0 * scale, margin=6_000.0 * scale, margin_so_call=100.0,
                   margin_so_so=50.0)
    # a spread of 4× its median: the proxy depth shrinks to a quarter of the class's normal
    market_quotes = dict(QUOTES, EURUSD=(1.0996, 1.1004))
    snap = snapshot(acct, [fx("EURUSD"), fx("USDJPY")], [pos(1, "EURUSD", 3.0)], market_quotes)
    return decide(snap, S, ind, portfolio)


def test_item10_proxy_depth_gives_the_same_slices_on_usd_and_jpy_accounts():
    usd, jpy = _decide("USD", 1.0), _decide("JPY", USDJPY)
    assert usd.symbols[0].depth_source == "proxy"
    assert jpy.symbols[0].depth == pytest.approx(usd.symbols[0].depth * USDJPY, rel=1e-3)
    assert usd.actions
    assert [a.volume for a in jpy.actions] == [a.volume for a in usd.actions]
