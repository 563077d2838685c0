"""The account's profit and margin from the plan kept per set of positions
(bridge.sim.account_now) equal the per-position formula on every tick, and the plan is never
served stale: a deal that opens, adds to, cuts, reverses or closes a position, at the same tick
or later, is in the next `account_info`."""

from __future__ import annotations

from typing import Any

from bridge.mt5 import constants as c
from bridge.sim import SimTerminal

SCENARIO = "snb-2015"  # a USD hedging account: EURCHF (profit CHF, margin EUR), USDCHF, EURUSD


def _reference(mt5: Any) -> tuple[list[float], float]:
    """(each position's profit, the margin) by the per-position formula: each position's
    profit converted and rounded, the margin of the legs (`RiskEngine.margin` of explicit legs,
    which no plan serves)."""
    st = mt5._st
    q = st.quotes
    profits = []
    for p in st.ledger.positions:
        spec = q.market.symbols[p.sym]
        bid, ask = q.quote(p.sym)
        move = (bid - p.price_open) if p.type == c.POSITION_TYPE_BUY else (p.price_open - ask)
        raw = move * spec.contract_size * p.volume
        profits.append(round(q.convert(raw, spec.currency_profit, "profit"), 2))
    return profits, st.risk.margin(st.risk.legs())


def _deal(mt5: Any, symbol: str, side: int, volume: float) -> None:
    res = mt5.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": symbol, "type": side,
                          "volume": volume, "type_filling": c.ORDER_FILLING_IOC,
                          "deviation": 1000, "magic": 7})
    assert res is not None
    assert res.retcode == c.TRADE_RETCODE_DONE, res


def _check(mt5: Any) -> None:
    a = mt5.account_info()
    profits, margin = _reference(mt5)
    assert (a.profit, a.margin) == (round(sum(profits), 2), margin)
    assert a.equity == round(a.balance + a.credit + a.profit, 2)
    assert [p.profit for p in mt5.positions_get()] == profits  # what the account's read kept


def test_account_profit_and_margin_equal_the_per_position_formula_across_deals() -> None:
    mt5 = SimTerminal.from_scenario(SCENARIO)
    mt5.initialize()
    mt5.advance(600.0)
    _check(mt5)
    steps = [("EURUSD", c.ORDER_TYPE_SELL, 2.0), ("EURCHF", c.ORDER_TYPE_BUY, 0.5),
             ("EURCHF", c.ORDER_TYPE_SELL, 0.7), ("USDCHF", c.ORDER_TYPE_SELL, 1.0)]
    for symbol, side, volume in steps:
        before = mt5.account_info()
        _deal(mt5, symbol, side, volume)  # at the same tick: the plan must not be the old one
        assert mt5.account_info() != before
        _check(mt5)
        for _ in range(5):
            mt5.advance(60.0)
            _check(mt5)


def test_closing_every_position_at_the_same_tick_leaves_no_profit_or_margin() -> None:
    mt5 = SimTerminal.from_scenario(SCENARIO)
    mt5.initialize()
    mt5.advance(600.0)
    assert mt5.account_info().margin > 0
    for p in mt5.positions_get():
        side = c.ORDER_TYPE_SELL if p.type == c.POSITION_TYPE_BUY else c.ORDER_TYPE_BUY
        res = mt5.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": p.symbol, "type": side,
                              "volume": p.volume, "position": p.ticket,
                              "type_filling": c.ORDER_FILLING_IOC, "deviation": 1000})
        assert res is not None
    assert res.retcode == c.TRADE_RETCODE_DONE, res
    a = mt5.account_info()
    assert (a.profit, a.margin, a.equity) == (0.0, 0.0, round(a.balance + a.credit, 2))
