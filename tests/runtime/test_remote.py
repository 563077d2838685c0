"""The mt5linux path: RemoteMT5 over a real RPyC classic server on loopback, with the simulated
terminal standing in for MetaTrader5 on the server side."""

from __future__ import annotations

import threading
import time

import pytest

rpyc = pytest.importorskip("rpyc", reason="rpyc (the mt5linux transport) is a dev dependency")
from rpyc.utils.server import ThreadedServer  # noqa: E402

from bridge.mt5remote import RemoteMT5  # noqa: E402
from bridge.sim import SimTerminal  # noqa: E402
from bridge.terminal import TerminalPort  # noqa: E402

SETUP = ("from bridge.sim import SimTerminal\n"
         "_lca_mt5 = SimTerminal.from_scenario('flash-gbp-2016')")


@pytest.fixture
def server():
    srv = ThreadedServer(rpyc.classic.ClassicService, hostname="127.0.0.1", port=0,
                         protocol_config={"allow_all_attrs": True})
    thread = threading.Thread(target=srv.start, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not srv.active and time.monotonic() < deadline:  # listening starts in start()
        time.sleep(0.01)
    yield srv.port
    srv.close()
    thread.join(timeout=5)


@pytest.fixture
def mt5(server):
    client = RemoteMT5("127.0.0.1", server, setup=SETUP)
    yield client
    client.close()


def test_results_come_back_as_real_records_in_one_round_trip_each(mt5):
    assert mt5.TRADE_ACTION_DEAL == 1
    assert mt5.ORDER_FILLING_IOC == 1
    assert mt5.initialize() is True
    before = mt5.round_trips
    positions = mt5.positions_get()
    assert mt5.round_trips == before + 1
    assert type(positions[0]).__name__ == "TradePosition"
    assert positions[0]._fields[:3] == ("ticket", "time", "time_msc")
    local = SimTerminal.from_scenario("flash-gbp-2016")
    local.initialize()
    assert [p._asdict() for p in positions] == [p._asdict() for p in local.positions_get()]
    rates = mt5.copy_rates_from_pos("GBPUSD", mt5.TIMEFRAME_H1, 0, 10)
    assert rates.dtype == local.copy_rates_from_pos("GBPUSD", local.TIMEFRAME_H1, 0, 10).dtype
    assert mt5.symbol_info("NOPE") is None
    assert mt5.last_error()[0] == -1  # carried back with the result


def test_the_terminal_port_and_an_order_work_through_it(mt5):
    port = TerminalPort(mt5)
    port.connect(attempts=1)
    snap = port.snapshot(1_475_773_200.0)
    assert {p.symbol for p in snap.positions} == {"GBPUSD", "EURUSD", "USDJPY"}
    ticket = snap.positions[0].ticket
    tick = mt5.symbol_info_tick(snap.positions[0].symbol)
    result = mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": snap.positions[0].symbol,
                             "volume": 0.1, "type": mt5.ORDER_TYPE_SELL, "position": ticket,
                             "price": tick.bid, "deviation": 20,
                             "type_filling": mt5.ORDER_FILLING_IOC})
    assert result.retcode == mt5.TRADE_RETCODE_DONE
    assert type(result.request).__name__ == "TradeRequest"
    assert result.request.position == ticket
