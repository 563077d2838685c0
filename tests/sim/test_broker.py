"""Margin, profit and account identities reproduce shared/reference/mt5-api.md's examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.sim import constants as c
from bridge.sim.broker import BrokerSymbol, impact_vwap_offset, margin_per_lot
from tests.sim.helpers import flat_terminal

# quotes chosen so that the doc sample's margins come out (USD account, 1:100, 0.1 lot at ask)
DOC_QUOTES = {
    "EURUSD": (1.09908, 1.09910),
    "GBPUSD": (1.22728, 1.22730),
    "USDJPY": (108.015, 108.020),
    "USDCHF": (0.99500, 0.99510),
    "EURJPY": (118.700, 118.730),
    "GBPJPY": (132.550, 132.600),
}


@pytest.fixture
def doc(tmp_path: Path):  # type: ignore[no-untyped-def]
    return flat_terminal(tmp_path, DOC_QUOTES, account='leverage = 100\ncurrency = "USD"')


def test_order_calc_margin_matches_the_doc_sample(doc) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "EURUSD": 109.91,
        "GBPUSD": 122.73,
        "USDJPY": 100.0,
        "USDCHF": 100.0,
        "EURJPY": 109.91,
        "GBPJPY": 122.73,
    }
    for sym, want in expected.items():
        ask = DOC_QUOTES[sym][1]
        assert doc.order_calc_margin(c.ORDER_TYPE_BUY, sym, 0.1, ask) == pytest.approx(
            want, abs=0.005
        ), sym


def test_order_calc_profit_matches_the_doc_sample(doc) -> None:  # type: ignore[no-untyped-def]
    assert doc.order_calc_profit(c.ORDER_TYPE_BUY, "EURUSD", 1.0, 1.09910, 1.10210) == 300.0
    assert doc.order_calc_profit(c.ORDER_TYPE_SELL, "EURUSD", 1.0, 1.10210, 1.09910) == 300.0
    assert doc.order_calc_profit(c.ORDER_TYPE_BUY, "USDJPY", 1.0, 108.183, 108.483) == 276.54
    assert doc.order_calc_profit(c.ORDER_TYPE_SELL, "USDJPY", 1.0, 108.179, 107.879) == 278.09


def test_margin_per_calculation_mode() -> None:
    def spec(mode: int, **kw: Any) -> BrokerSymbol:
        return BrokerSymbol("X", "XAU", "USD", "USD", calc_mode=mode, contract_size=100.0, **kw)

    lev = 50.0
    assert margin_per_lot(spec(c.SYMBOL_CALC_MODE_FOREX), 2000.0, lev) == 100.0 / lev
    assert margin_per_lot(spec(c.SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE), 2000.0, lev) == 100.0
    assert margin_per_lot(spec(c.SYMBOL_CALC_MODE_CFD), 2000.0, lev) == 200_000.0
    assert margin_per_lot(spec(c.SYMBOL_CALC_MODE_CFDLEVERAGE), 2000.0, lev) == 4_000.0
    assert (
        margin_per_lot(
            spec(c.SYMBOL_CALC_MODE_CFDINDEX, tick_value=0.5, tick_size=0.25), 2000.0, lev
        )
        == 400_000.0
    )
    assert (
        margin_per_lot(
            spec(c.SYMBOL_CALC_MODE_FUTURES, margin_initial=1500.0, tick_value=1.0), 2000.0, lev
        )
        == 1500.0
    )


def test_modes_through_the_terminal_with_currency_conversion(tmp_path: Path) -> None:
    mt5 = flat_terminal(
        tmp_path,
        {"XAUUSD": (2000.0, 2000.5), "EURUSD": (1.1, 1.1002), "DE40": (15000.0, 15001.0)},
        account='leverage = 50\ncurrency = "EUR"',
        symbols_extra={
            "XAUUSD": 'calc_mode = "cfd_leverage"\ncurrency_base = "XAU"\ncontract_size = 100\n',
            "DE40": 'calc_mode = "cfd"\ncurrency_profit = "EUR"\ncontract_size = 1\n',
        },
    )
    # CFD leverage: 1 lot × 100 oz × 2000.5 / 50 = 4001.0 USD → EUR at the EURUSD ask (buy)
    assert mt5.order_calc_margin(c.ORDER_TYPE_BUY, "XAUUSD", 1.0, 2000.5) == round(4001.0 / 1.1, 2)
    # CFD: 2 lots × 1 × 15001 = 30002 EUR, no leverage, no conversion
    assert mt5.order_calc_margin(c.ORDER_TYPE_BUY, "DE40", 2.0, 15001.0) == 30002.0
    # Forex with a EUR account: EURUSD margin is in EUR itself: 1 lot × 100000 / 50
    assert mt5.order_calc_margin(c.ORDER_TYPE_SELL, "EURUSD", 1.0, 1.1) == 2000.0


def test_account_identities_hold_with_open_positions(doc) -> None:  # type: ignore[no-untyped-def]
    for sym, side, vol in (
        ("EURUSD", c.ORDER_TYPE_BUY, 1.0),
        ("USDJPY", c.ORDER_TYPE_SELL, 0.7),
        ("GBPJPY", c.ORDER_TYPE_BUY, 0.3),
    ):
        r = doc.order_send(
            {
                "action": c.TRADE_ACTION_DEAL,
                "symbol": sym,
                "type": side,
                "volume": vol,
                "type_filling": c.ORDER_FILLING_IOC,
            }
        )
        assert r.retcode == c.TRADE_RETCODE_DONE, r
    doc.advance(120)
    a = doc.account_info()
    assert a.equity == pytest.approx(a.balance + a.credit + a.profit, abs=1e-9)
    assert a.margin_free == pytest.approx(a.equity - a.margin, abs=1e-9)
    assert a.margin_level == pytest.approx(a.equity / a.margin * 100.0, rel=1e-12)
    assert a.profit == pytest.approx(sum(p.profit for p in doc.positions_get()), abs=0.011)
    assert a.margin == pytest.approx(
        sum(
            doc.order_calc_margin(p.type, p.symbol, p.volume, p.price_open)
            for p in doc.positions_get()
        ),
        abs=0.05,
    )


def test_doc_margin_level_sample() -> None:
    assert pytest.approx(183084.605, rel=1e-8) == 99543.1 / 54.37 * 100


@settings(max_examples=60, deadline=None)
@given(vol=st.floats(0.01, 500.0), level=st.floats(0.01, 100.0), y=st.floats(0.1, 1.0))
def test_impact_grows_with_size_and_stays_below_the_full_curve(
    vol: float, level: float, y: float
) -> None:
    kw = {"level_lots": level, "coef": y, "sigma_d": 0.01, "price": 1.2, "daily_volume_lots": 1e4}
    small = impact_vwap_offset(vol, **kw)
    big = impact_vwap_offset(vol * 2, **kw)
    assert 0.0 <= small <= big
    # walking discrete levels never costs more than the marginal price of the last unit
    assert small <= y * 0.01 * 1.2 * (vol / 1e4) ** 0.5 + 1e-15
