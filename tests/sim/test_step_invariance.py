"""The replay does not depend on how it is stepped: one advance, 1-s steps, or irregular steps
with the account read after each give the same deals (times, prices, reasons, comments) and the
same account, with the stop-out and with SL/TP (the risk engine's look-ahead scan, issue 18)."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.mt5 import constants as c
from bridge.sim import SimTerminal


def _with_stops(mt5: Any) -> None:
    """An SL 0.1 % under every long's bid and a TP 2 % under every short's ask."""
    for p in mt5.positions_get():
        tick = mt5.symbol_info_tick(p.symbol)
        buy = p.type == c.POSITION_TYPE_BUY
        r = mt5.order_send({
            "action": c.TRADE_ACTION_SLTP, "symbol": p.symbol, "position": p.ticket,
            "sl": round(tick.bid * 0.999, 5) if buy else 0.0,
            "tp": 0.0 if buy else round(tick.ask * 0.999, 5),
        })
        assert r.retcode == c.TRADE_RETCODE_DONE, r


def _step_to(mt5: Any, t: float, steps: str) -> None:
    n = 0
    while mt5.now() < t:
        n += 1
        step = 1.0 if steps == "1s" else 0.5 + (n * 7919) % 23
        mt5.advance_to(min(mt5.now() + step, t))
        if steps == "read":
            mt5.account_info()
            mt5.positions_get()


def _play(name: str, steps: str, stops: bool) -> tuple[Any, Any, int]:
    """Play `name`; with `stops`, the SL/TP are set five minutes before the crash (mid-replay,
    so that a scan made before they were set must not be reused after)."""
    mt5: Any = SimTerminal.from_scenario(name)
    assert mt5.initialize()
    if stops:
        t = mt5.crash_time - 300.0
        mt5.advance_to(t) if steps == "once" else _step_to(mt5, t, steps)
        _with_stops(mt5)
    if steps == "once":
        mt5.advance_to(mt5.end_time)
    _step_to(mt5, mt5.end_time, steps)
    return mt5.history_deals_get(0, 2**40), mt5.account_info(), mt5.stop_outs


@pytest.mark.parametrize("stops", [False, True], ids=["stop-out", "sl-tp"])
@pytest.mark.parametrize("name", ["gbp-flash-2016", "snb-2015"])
def test_deals_and_account_do_not_depend_on_the_advance_steps(name: str, stops: bool) -> None:
    deals, account, stop_outs = _play(name, "once", stops)
    closes = [d for d in deals if d.reason in (c.DEAL_REASON_SO, c.DEAL_REASON_SL,
                                                c.DEAL_REASON_TP)]
    assert closes, "the scenario must close something, else this pins nothing"
    for steps in ("1s", "read"):
        assert _play(name, steps, stops) == (deals, account, stop_outs), steps
