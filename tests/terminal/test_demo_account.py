"""The demo-account acceptance run (issue 14 item 10): lca against a real terminal.

    LCA_TERMINAL=1 uv run pytest -m terminal

On Windows (`[terminal] kind = "mt5"`) or through the RPyC server of a terminal under Wine
(`kind = "mt5linux"`, docs/linux.md), logged into a DEMO account; refused on a REAL one. What
it does to the account, exactly: docs/acceptance.md. Without LCA_TERMINAL every test here is
skipped with that reason (tests/runtime/test_acceptance_suite.py checks that, and runs the whole
file against the simulated terminal).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from bridge.mt5remote_wire import REQUIRED_FIELDS
from tests.terminal import live

pytestmark = [pytest.mark.terminal,
              pytest.mark.skipif(not live.wanted(), reason=live.SKIP_REASON)]

_FOK, _IOC = 1, 2  # symbol_info().filling_mode bits


def _fields(record) -> set[str]:
    return set(record._asdict())


# -- the port's contract ----------------------------------------------------------------------

def test_account_info_has_every_field_lca_reads(mt5):
    account = mt5.account_info()
    assert account is not None, mt5.last_error()
    assert REQUIRED_FIELDS["AccountInfo"] <= _fields(account)
    assert int(account.trade_mode) in (0, 1)  # demo or contest (the session refuses REAL)
    assert float(account.equity) > 0.0
    assert float(account.leverage) > 0.0
    assert len(str(account.currency)) == 3
    assert int(account.margin_mode) in (0, 1, 2)


def test_terminal_info_says_whether_algo_trading_is_on(mt5):
    info = mt5.terminal_info()
    assert info is not None, mt5.last_error()
    assert REQUIRED_FIELDS["TerminalInfo"] <= _fields(info)
    assert isinstance(info.trade_allowed, bool)
    assert str(info.commondata_path)


def test_symbol_info_has_the_volume_and_filling_rules(mt5, symbol):
    s = mt5.symbol_info(symbol)
    assert REQUIRED_FIELDS["SymbolInfo"] <= _fields(s)
    assert 0.0 < float(s.volume_min) <= float(s.volume_max)
    assert float(s.volume_step) > 0.0
    assert float(s.trade_contract_size) > 0.0
    assert 0 <= int(s.filling_mode) <= 7


def test_the_quote_and_recent_ticks(mt5, symbol):
    tick = mt5.symbol_info_tick(symbol)
    assert tick is not None, mt5.last_error()
    assert 0.0 < float(tick.bid) <= float(tick.ask)
    ticks = mt5.copy_ticks_from(symbol, int(tick.time) - 3600, 100, mt5.COPY_TICKS_ALL)
    assert ticks is not None, mt5.last_error()
    assert isinstance(ticks, np.ndarray)
    assert {"time_msc", "bid", "ask"} <= set(ticks.dtype.names or ())


def test_positions_get_is_a_tuple_of_positions(mt5):
    positions = mt5.positions_get()
    assert positions is not None, mt5.last_error()
    for p in positions:
        assert REQUIRED_FIELDS["TradePosition"] <= _fields(p)


def test_order_check_accepts_a_min_lot(mt5, symbol):
    result = mt5.order_check(_buy_request(mt5, symbol))
    assert result is not None, mt5.last_error()
    assert result.retcode == 0, (result.retcode, result.comment)  # 0, not 10009, for a check
    assert float(result.margin) > 0.0


def test_a_snapshot_through_the_port(mt5, symbol):
    from bridge.terminal import TerminalPort

    port = TerminalPort(mt5)
    port.connected = True  # the session connected it
    snap = port.snapshot(time.time(), watch=[symbol])
    account = mt5.account_info()
    assert snap.account.login == int(account.login)
    assert snap.account.equity == pytest.approx(float(account.equity), rel=1e-3)
    assert symbol in snap.market
    assert snap.market[symbol].bid > 0.0


# -- one tiny position, opened here, closed by the guard -------------------------------------

def _filling(mt5, info) -> int:
    mode = int(info.filling_mode)
    if mode & _FOK:
        return int(mt5.ORDER_FILLING_FOK)
    if mode & _IOC:
        return int(mt5.ORDER_FILLING_IOC)
    return int(mt5.ORDER_FILLING_RETURN)


def _buy_request(mt5, symbol) -> dict:
    info = mt5.symbol_info(symbol)
    tick = mt5.symbol_info_tick(symbol)
    return {"action": mt5.TRADE_ACTION_DEAL, "symbol": symbol, "volume": float(info.volume_min),
            "type": mt5.ORDER_TYPE_BUY, "price": float(tick.ask), "deviation": 20,
            "magic": live.MAGIC, "comment": "lca acceptance", "type_time": mt5.ORDER_TIME_GTC,
            "type_filling": _filling(mt5, info)}


def _close_ours(mt5) -> None:
    """Whatever the test left open is closed by the test (the account is left as found)."""
    for p in mt5.positions_get() or ():
        if int(p.magic) != live.MAGIC:
            continue
        info = mt5.symbol_info(p.symbol)
        tick = mt5.symbol_info_tick(p.symbol)
        sell = int(p.type) == int(mt5.POSITION_TYPE_BUY)
        mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": p.symbol,
                        "volume": float(p.volume), "position": int(p.ticket),
                        "type": mt5.ORDER_TYPE_SELL if sell else mt5.ORDER_TYPE_BUY,
                        "price": float(tick.bid if sell else tick.ask), "deviation": 50,
                        "magic": live.MAGIC, "comment": "lca acceptance cleanup",
                        "type_time": mt5.ORDER_TIME_GTC, "type_filling": _filling(mt5, info)})


def test_the_guard_closes_a_min_lot_position_the_test_opened(mt5, symbol, config, tmp_path):
    from bridge.app import build_guard

    try:
        live.refuse_open_positions(mt5.positions_get())
    except live.OpenPositionsRefused as exc:
        pytest.skip(str(exc))
    if not mt5.terminal_info().trade_allowed:
        pytest.skip("Algo Trading is off in the terminal: turn it on to let the test trade")
    sent = mt5.order_send(_buy_request(mt5, symbol))
    assert sent is not None, mt5.last_error()
    if sent.retcode == mt5.TRADE_RETCODE_MARKET_CLOSED:
        pytest.skip(f"the market of {symbol} is closed (10018): run it in trading hours")
    assert sent.retcode == mt5.TRADE_RETCODE_DONE, (sent.retcode, sent.comment)
    guard = None
    try:
        guard = build_guard(live.acceptance_config(config, tmp_path), module=mt5)
        guard.start()
        for _ in range(30):  # one guard step a second, as `lca run` does; 30 s at most
            guard.fast_guard()
            if not [p for p in mt5.positions_get() or () if int(p.magic) == live.MAGIC]:
                break
            if config.terminal.kind == "sim":
                mt5.advance(1.0)
            else:
                time.sleep(1.0)
        ours = [p for p in mt5.positions_get() or () if int(p.magic) == live.MAGIC]
        assert ours == [], "the guard did not close the test's position within 30 s"
        done = [r for r in guard.journal.rows("slice") if r.payload["status"] == "done"]
        assert done, "no slice journaled as done"
        assert done[0].payload["ticket"] == int(sent.order)
    finally:
        if guard is not None:
            guard.stop("acceptance run over")
        _close_ours(mt5)


# -- the EA link, when the EA is attached -----------------------------------------------------

def test_the_ea_link_when_the_ea_is_attached(mt5, config):
    from bridge.ealink import EaLinkError
    from bridge.ealink.folder import resolve_link_folder
    from bridge.ealink.reader import TelemetryReader

    if config.terminal.kind == "sim":
        pytest.skip("the simulated terminal runs no EA")
    folder = resolve_link_folder(mt5, config.ea.common_folder or None)
    try:
        telemetry = TelemetryReader(folder).read()
    except FileNotFoundError:
        pytest.skip(f"the guard EA is not attached (no {folder / 'telemetry.txt'}): lca ea "
                    "install, attach LiquidityGuard to a chart, run again")
    except EaLinkError as exc:
        pytest.fail(f"the EA's telemetry cannot be read: {exc}")
    age = time.time() - telemetry.written_utc
    assert age < 60.0, f"the EA's telemetry is {age:.0f} s old: is the EA still running?"
    assert telemetry.symbols, "the EA reports no symbol"
