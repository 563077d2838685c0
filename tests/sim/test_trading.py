"""order_send: partial closes, netting, volume checks, failures, stop-out order, determinism."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bridge.sim import SimTerminal
from bridge.sim import constants as c
from tests.sim.helpers import flat_terminal

BOOK_2 = '[[book]]\nsymbol = "EURUSD"\nvolume = 1.0\n[[book]]\nsymbol = "GBPUSD"\nvolume = 1.0\n'
Q = {"EURUSD": (1.10000, 1.10010), "GBPUSD": (1.25000, 1.25012)}


def deal(mt5: Any, sym: str, side: int, vol: float, **kw: object):  # type: ignore[no-untyped-def]
    req = {
        "action": c.TRADE_ACTION_DEAL,
        "symbol": sym,
        "type": side,
        "volume": vol,
        "type_filling": c.ORDER_FILLING_IOC,
        "deviation": 20,
        "magic": 7,
        **kw,
    }
    return mt5.order_send(req)


@pytest.fixture
def hedging(tmp_path: Path) -> Any:
    return flat_terminal(tmp_path, Q, account='margin_mode = "hedging"')


@pytest.fixture
def netting(tmp_path: Path) -> Any:
    return flat_terminal(tmp_path, Q, account='margin_mode = "netting"')


def test_partial_close_by_ticket_on_hedging(hedging: Any) -> None:
    r = deal(hedging, "EURUSD", c.ORDER_TYPE_BUY, 1.0)
    assert r.retcode == c.TRADE_RETCODE_DONE
    assert r.comment == "Request executed"
    ticket = r.order
    r2 = deal(hedging, "EURUSD", c.ORDER_TYPE_SELL, 0.37, position=ticket)
    assert r2.retcode == c.TRADE_RETCODE_DONE
    (p,) = hedging.positions_get(symbol="EURUSD")
    assert p.ticket == ticket
    assert p.identifier == ticket
    assert p.volume == pytest.approx(0.63, abs=1e-12)
    closing = hedging.history_deals_get(position=ticket)[-1]
    assert closing.entry == c.DEAL_ENTRY_OUT
    assert closing.volume == 0.37
    # without the ticket an opposite order opens a hedge instead
    r3 = deal(hedging, "EURUSD", c.ORDER_TYPE_SELL, 0.2)
    assert r3.retcode == c.TRADE_RETCODE_DONE
    assert sorted(x.volume for x in hedging.positions_get(symbol="EURUSD")) == [0.2, 0.63]


def test_opposite_deal_reduces_on_netting(netting: Any) -> None:
    r = deal(netting, "GBPUSD", c.ORDER_TYPE_BUY, 0.5)
    deal(netting, "GBPUSD", c.ORDER_TYPE_BUY, 0.25)
    (p,) = netting.positions_get()
    assert p.volume == pytest.approx(0.75)
    assert p.ticket == r.order
    deal(netting, "GBPUSD", c.ORDER_TYPE_SELL, 0.3)
    (p,) = netting.positions_get()
    assert p.volume == pytest.approx(0.45, abs=1e-12)
    assert p.type == c.POSITION_TYPE_BUY
    deal(netting, "GBPUSD", c.ORDER_TYPE_SELL, 0.45, position=p.ticket)
    assert netting.positions_get() == ()
    assert netting.positions_total() == 0


def test_netting_reversal_is_one_inout_deal(netting: Any) -> None:
    deal(netting, "EURUSD", c.ORDER_TYPE_BUY, 0.4)
    deal(netting, "EURUSD", c.ORDER_TYPE_SELL, 1.0)
    (p,) = netting.positions_get()
    assert p.type == c.POSITION_TYPE_SELL
    assert p.volume == pytest.approx(0.6)
    assert netting.history_deals_get(0, 2**40)[-1].entry == c.DEAL_ENTRY_INOUT


@pytest.mark.parametrize("vol", [0.015, 0.0, 0.001, 1000.0, 0.10000001 + 0.003])
def test_volume_off_the_step_or_limits_is_10014(hedging: Any, vol: float) -> None:
    r = deal(hedging, "EURUSD", c.ORDER_TYPE_BUY, vol)
    assert r.retcode == c.TRADE_RETCODE_INVALID_VOLUME
    assert r.comment == "Invalid volume"
    assert r.deal == 0
    assert r.order == 0
    assert hedging.positions_total() == 0


def test_close_volume_above_the_position_and_closed_ticket(hedging: Any) -> None:
    t = deal(hedging, "EURUSD", c.ORDER_TYPE_BUY, 0.1).order
    assert (
        deal(hedging, "EURUSD", c.ORDER_TYPE_SELL, 0.2, position=t).retcode
        == c.TRADE_RETCODE_INVALID_CLOSE_VOLUME
    )
    assert (
        deal(hedging, "EURUSD", c.ORDER_TYPE_SELL, 0.1, position=t).retcode == c.TRADE_RETCODE_DONE
    )
    assert (
        deal(hedging, "EURUSD", c.ORDER_TYPE_SELL, 0.1, position=t).retcode
        == c.TRADE_RETCODE_POSITION_CLOSED
    )


def test_malformed_requests_return_none_with_the_reason(hedging: Any) -> None:
    req = {"action": c.TRADE_ACTION_DEAL, "symbol": "EURUSD", "type": 0, "volume": 0.1}
    assert hedging.order_send(req, comment="x") is None
    assert hedging.last_error() == (-2, "Unnamed arguments not allowed")
    assert hedging.order_send({**req, "sl": Decimal("1.0")}) is None
    assert hedging.last_error() == (-2, "Invalid 'sl' argument")
    assert hedging.order_send({**req, "volume": 1}) is None
    r = hedging.order_send(**req)
    assert r.retcode == c.TRADE_RETCODE_DONE
    assert hedging.last_error() == (1, "Success")
    assert r.request.symbol == "EURUSD"
    assert r.request.position == 0


def test_no_money_invalid_filling_and_pending_orders(hedging: Any) -> None:
    assert deal(hedging, "EURUSD", c.ORDER_TYPE_BUY, 99.0).retcode == c.TRADE_RETCODE_NO_MONEY
    assert (
        deal(hedging, "EURUSD", c.ORDER_TYPE_BUY, 0.1, type_filling=c.ORDER_FILLING_RETURN).retcode
        == c.TRADE_RETCODE_INVALID_FILL
    )
    r = hedging.order_send(
        {
            "action": c.TRADE_ACTION_PENDING,
            "symbol": "EURUSD",
            "volume": 0.1,
            "type": c.ORDER_TYPE_BUY_LIMIT,
            "price": 1.0,
        }
    )
    assert r.retcode == c.TRADE_RETCODE_INVALID_ORDER


def test_order_check_reports_margin_after_the_trade(hedging: Any) -> None:
    req = {
        "action": c.TRADE_ACTION_DEAL,
        "symbol": "EURUSD",
        "type": 0,
        "volume": 1.0,
        "type_filling": c.ORDER_FILLING_IOC,
    }
    chk = hedging.order_check(req)
    assert chk.retcode == 0
    assert chk.comment == "Done"
    assert chk.margin == hedging.order_calc_margin(0, "EURUSD", 1.0, 1.1001)
    assert chk.margin_free == pytest.approx(chk.equity - chk.margin)
    assert hedging.positions_total() == 0


def test_calls_before_initialize_and_after_shutdown_fail(tmp_path: Path) -> None:
    mt5 = flat_terminal(tmp_path, Q)
    mt5.shutdown()
    assert mt5.account_info() is None
    assert mt5.last_error() == (-10004, "No IPC connection")
    assert mt5.symbol_select("EURUSD") is False
    assert mt5.initialize()
    assert mt5.account_info() is not None
    assert mt5.initialize(login=1) is False
    assert mt5.last_error()[0] == c.RES_E_AUTH_FAILED


def test_stop_out_closes_the_largest_loser_first_one_at_a_time(tmp_path: Path) -> None:
    moves = {
        "EURUSD": [("2019-02-05T11:00:00", 1.0700, 1.0701)],
        "GBPUSD": [("2019-02-05T11:00:00", 1.2400, 1.2401)],
    }
    mt5 = flat_terminal(
        tmp_path,
        Q,
        moves=moves,
        account="balance = 5000.0\nleverage = 100\nstop_out = 50.0\nmargin_call = 100.0",
        book=BOOK_2,
    )
    a0 = mt5.account_info()
    assert a0.margin_level > 100
    mt5.advance_to(mt5.start_time + 3 * 3600)
    so = [d for d in mt5.history_deals_get(0, 2**40) if d.reason == c.DEAL_REASON_SO]
    assert so, "the broker must stop the account out"
    assert so[0].symbol == "EURUSD"  # −3000 on EURUSD vs −1000 on GBPUSD: the largest loser first
    assert so[0].comment.startswith("so: ")
    assert so[0].entry == c.DEAL_ENTRY_OUT
    a = mt5.account_info()
    assert a.margin == 0 or a.margin_level > 50.0


def test_same_scenario_and_seed_give_the_same_deal_history() -> None:
    def run() -> list[tuple[object, ...]]:
        mt5: Any = SimTerminal.from_scenario("flash-gbp-2016")
        mt5.initialize()
        mt5.advance_to(mt5.crash_time - 600)
        for p in mt5.positions_get(symbol="GBPUSD"):
            deal(mt5, "GBPUSD", c.ORDER_TYPE_SELL, 0.5, position=p.ticket)
        mt5.advance_to(mt5.end_time)
        return [tuple(d) for d in mt5.history_deals_get(0, 2**40)]

    first, second = run(), run()
    assert first == second
    assert any(d[8] == c.DEAL_REASON_SO for d in first)


def test_instances_are_independent() -> None:
    a: Any = SimTerminal.from_scenario("flash-gbp-2016")
    b: Any = SimTerminal.from_scenario("flash-gbp-2016")
    a.initialize()
    b.initialize()
    a.advance_to(a.end_time)
    assert a.finished
    assert not b.finished
    assert b.account_info().balance == 10000.0
    assert b.positions_total() == 3
    assert a.terminal_info().commondata_path != b.terminal_info().commondata_path


def test_vectorised_per_tick_state_equals_the_scalar_account_state() -> None:
    mt5: Any = SimTerminal.from_scenario("flash-gbp-2016")
    mt5.initialize()
    deal(mt5, "USDJPY", c.ORDER_TYPE_SELL, 0.3)  # a short with JPY profit: ask side, conversion
    acc = mt5.risk
    i0 = acc.quotes.cursor
    i1 = int(np.searchsorted(mt5.market.time_msc, int((mt5.crash_time + 120) * 1000)))
    equity, margin, _ = acc.series(i0, i1)
    for i in np.linspace(i0, i1 - 1, 40).astype(int):
        _, eq, mg, _, _ = acc.state(int(i))
        assert equity[i - i0] == pytest.approx(eq, abs=0.03)  # MT5 rounds each position
        assert margin[i - i0] == pytest.approx(mg, abs=0.02)


def test_hedged_pair_margin_follows_margin_hedged(tmp_path: Path) -> None:
    full = flat_terminal(tmp_path, Q)
    deal(full, "EURUSD", c.ORDER_TYPE_BUY, 1.0)
    one = full.account_info().margin
    deal(full, "EURUSD", c.ORDER_TYPE_SELL, 1.0)  # no ticket: a hedge
    assert full.account_info().margin == pytest.approx(one, abs=0.01)  # margin_hedged = CS
    free_dir = tmp_path / "free"
    free_dir.mkdir()
    free = flat_terminal(free_dir, Q, symbols_extra={"EURUSD": "margin_hedged = 0\n"})
    deal(free, "EURUSD", c.ORDER_TYPE_BUY, 1.0)
    deal(free, "EURUSD", c.ORDER_TYPE_SELL, 0.4)
    assert free.account_info().margin == pytest.approx(one * 0.6, abs=0.01)  # covered part free


def test_money_mode_stop_out_compares_equity_with_the_level(tmp_path: Path) -> None:
    moves = {"EURUSD": [("2019-02-05T11:00:00", 1.0600, 1.0601)]}
    mt5 = flat_terminal(
        tmp_path,
        {"EURUSD": (1.1, 1.1001)},
        moves=moves,
        account='balance = 5000.0\nstop_out_mode = "money"\n'
        "margin_call = 2000.0\nstop_out = 1500.0",
        book='[[book]]\nsymbol = "EURUSD"\nvolume = 1.0\n',
    )
    assert mt5.account_info().margin_so_mode == c.ACCOUNT_STOPOUT_MODE_MONEY
    mt5.advance_to(mt5.end_time)
    (so,) = [d for d in mt5.history_deals_get(0, 2**40) if d.reason == c.DEAL_REASON_SO]
    assert so.profit == pytest.approx(-(1.1001 - 1.06) * 100_000, abs=60.0)  # filled near 1.06


def test_group_filters(hedging: Any) -> None:
    deal(hedging, "EURUSD", c.ORDER_TYPE_BUY, 0.1)
    deal(hedging, "GBPUSD", c.ORDER_TYPE_BUY, 0.1)
    assert [p.symbol for p in hedging.positions_get(group="*USD*,!EUR*")] == ["GBPUSD"]
    assert [s.name for s in hedging.symbols_get(group="EUR*")] == ["EURUSD"]
    assert hedging.positions_get(symbol="USDJPY") == ()
    t = hedging.positions_get(symbol="EURUSD")[0].ticket
    assert [p.ticket for p in hedging.positions_get(ticket=t)] == [t]


def test_sl_and_tp_close_with_their_reasons(tmp_path: Path) -> None:
    moves = {"EURUSD": [("2019-02-05T10:30:00", 1.1050, 1.1051)]}
    mt5 = flat_terminal(tmp_path, {"EURUSD": (1.1, 1.1001)}, moves=moves)
    t = deal(mt5, "EURUSD", c.ORDER_TYPE_BUY, 0.2).order
    r = mt5.order_send({"action": c.TRADE_ACTION_SLTP, "position": t, "sl": 1.09, "tp": 1.104})
    assert r.retcode == c.TRADE_RETCODE_DONE
    assert mt5.positions_get(ticket=t)[0].tp == 1.104
    mt5.advance_to(mt5.end_time)
    last = mt5.history_deals_get(position=t)[-1]
    assert last.reason == c.DEAL_REASON_TP
    assert last.comment == "[tp 1.104]"
    assert mt5.positions_total() == 0
