"""Issue 10 item 12: position value by calculation mode. Futures, CFD and index modes value a lot
at price × tick value / tick size (tick value in the account currency, as the terminal reports
it: ../shared/reference/mt5-api.md §4.1), not contract size × price."""

from __future__ import annotations

import pytest

from controller import Settings, SymbolSpec, decide
from controller.settings import SymbolClass
from tests.controller.builders import account, pos, snapshot

S = Settings()


def _spec(name: str, mode: int, size: float, tick_value: float, tick_size: float) -> SymbolSpec:
    return SymbolSpec(name=name, trade_contract_size=size, volume_min=1.0, volume_step=1.0,
                      volume_max=100.0, currency_base="USD", currency_profit="USD",
                      currency_margin="USD", trade_calc_mode=mode,
                      symbol_class=SymbolClass.MAJOR_INDEX, trade_tick_value=tick_value,
                      trade_tick_size=tick_size)


def test_item12_futures_lot_is_worth_price_times_tick_value_over_tick_size():
    # an index future: contract size 1, tick 0.25 worth 12.50 USD (50 USD a point), at 5 000
    es = _spec("ES", 1, 1.0, 12.5, 0.25)
    snap = snapshot(account(equity=1_000_000.0, margin=10_000.0), [es], [pos(1, "ES", 2.0)],
                    {"ES": (4999.75, 5000.25)})
    d = decide(snap, S)
    assert d.symbols[0].position_value == pytest.approx(2.0 * 5000.0 * 12.5 / 0.25)


def test_item12_cfd_index_lot_uses_the_terminal_tick_value():
    # an index CFD whose tick value says 1 point of 1 lot is worth 25 (size 1, tick 1.0 = 25)
    ger = _spec("GER40", 3, 1.0, 25.0, 1.0)
    snap = snapshot(account(equity=1_000_000.0, margin=10_000.0), [ger], [pos(1, "GER40", 3.0)],
                    {"GER40": (17_999.0, 18_001.0)})
    d = decide(snap, S)
    assert d.symbols[0].position_value == pytest.approx(3.0 * 18_000.0 * 25.0)


def test_item12_without_tick_value_the_contract_size_rule_stays():
    cfd = _spec("XYZ", 2, 100.0, 0.0, 0.0)
    snap = snapshot(account(equity=1_000_000.0, margin=10_000.0), [cfd], [pos(1, "XYZ", 2.0)],
                    {"XYZ": (49.99, 50.01)})
    assert decide(snap, S).symbols[0].position_value == pytest.approx(2.0 * 100.0 * 50.0)
