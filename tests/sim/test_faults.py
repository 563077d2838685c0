"""Faults on demand: each kind gives the real failure shape; a timed-out order may have executed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.sim import constants as c
from tests.sim.helpers import flat_terminal

REQ = {
    "action": c.TRADE_ACTION_DEAL,
    "symbol": "EURUSD",
    "type": c.ORDER_TYPE_BUY,
    "volume": 0.5,
    "type_filling": c.ORDER_FILLING_IOC,
}


@pytest.fixture
def mt5(tmp_path: Path) -> Any:
    return flat_terminal(tmp_path, {"EURUSD": (1.1, 1.1001)})


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("requote", 10004),
        ("price_changed", 10020),
        ("off_quotes", 10021),
        ("market_closed", 10018),
        ("invalid_filling", 10030),
        ("too_many_requests", 10024),
        ("reject", 10006),
    ],
)
def test_trade_faults_reject_without_executing(mt5: Any, kind: str, code: int) -> None:
    mt5.faults.inject(kind)
    r = mt5.order_send(REQ)
    assert r.retcode == code
    assert r.deal == 0
    assert r.order == 0
    assert mt5.positions_total() == 0
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_DONE  # count = 1: consumed


def test_request_timeout_that_did_execute(mt5: Any) -> None:
    mt5.faults.inject("request_timeout", executed=True)
    r = mt5.order_send(REQ)
    assert r.retcode == c.TRADE_RETCODE_TIMEOUT
    assert r.deal == 0
    (p,) = mt5.positions_get()
    assert p.volume == 0.5
    assert mt5.history_deals_get(0, 2**40)[-1].position_id == p.ticket


def test_request_timeout_that_did_not_execute(mt5: Any) -> None:
    mt5.faults.inject("request_timeout", executed=False)
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_TIMEOUT
    assert mt5.positions_total() == 0


def test_partial_fill(mt5: Any) -> None:
    mt5.faults.inject("partial_fill", fraction=0.5)
    r = mt5.order_send({**REQ, "volume": 0.75})
    assert r.retcode == c.TRADE_RETCODE_DONE_PARTIAL
    assert r.volume == pytest.approx(0.37)
    assert mt5.positions_get()[0].volume == pytest.approx(0.37)


@pytest.mark.parametrize(
    ("kind", "code", "msg"),
    [
        ("ipc_timeout", -10005, "IPC timeout"),
        ("no_connection", -10004, "No IPC connection"),
    ],
)
def test_ipc_faults(mt5: Any, kind: str, code: int, msg: str) -> None:
    mt5.faults.inject(kind, count=2)
    assert mt5.account_info() is None
    assert mt5.last_error() == (code, msg)
    assert mt5.market_book_add("EURUSD") is False
    assert mt5.account_info() is not None
    assert mt5.last_error() == (1, "Success")


def test_ipc_fault_on_one_function_and_later(mt5: Any) -> None:
    mt5.faults.inject("ipc_timeout", function="order_send", at=mt5.now() + 60)
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_DONE
    mt5.advance(61)
    assert mt5.positions_get() is not None
    assert mt5.order_send(REQ) is None
    assert mt5.last_error()[0] == -10005


def test_disconnect_for_a_period(mt5: Any) -> None:
    mt5.faults.inject("disconnect", duration_s=30)
    assert mt5.terminal_info().connected is False
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_CONNECTION
    mt5.advance(31)
    assert mt5.terminal_info().connected is True
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_DONE


def test_faults_from_the_scenario_file(tmp_path: Path) -> None:
    mt5 = flat_terminal(
        tmp_path, {"EURUSD": (1.1, 1.1001)}, extra='[[faults]]\nkind = "requote"\ncount = 2\n'
    )
    assert [mt5.order_send(REQ).retcode for _ in range(3)] == [10004, 10004, 10009]


def test_bad_fault_is_refused(mt5: Any) -> None:
    with pytest.raises(ValueError, match="not known"):
        mt5.faults.inject("meteor")
    with pytest.raises(ValueError, match="duration_s"):
        mt5.faults.inject("disconnect")


def test_zero_bid_fault_spoils_one_tick_reading_only(mt5: Any) -> None:
    mt5.faults.inject("zero_bid")
    assert mt5.symbol_info_tick("EURUSD").bid == 0.0
    assert mt5.symbol_info_tick("EURUSD").bid == pytest.approx(1.1)  # count = 1: consumed
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_DONE  # trading is untouched


def test_zero_equity_fault_spoils_one_account_reading_only(mt5: Any) -> None:
    assert mt5.order_send(REQ).retcode == c.TRADE_RETCODE_DONE
    good = mt5.account_info()
    mt5.faults.inject("zero_equity")
    bad = mt5.account_info()
    assert (bad.equity, bad.margin_level, bad.balance) == (0.0, 0.0, good.balance)
    assert bad.profit == -good.balance
    assert mt5.account_info().equity == pytest.approx(good.equity)  # count = 1: consumed
