"""The port contract: what the shell relies on from a module-shaped terminal, read through
`bridge.terminal.TerminalPort`, one check per group. Each check raises (AssertionError, or the
port's own `TerminalError` / `SnapshotError`) when the terminal breaks its part; `BREAKS` holds,
per check, a script that breaks a simulated terminal in exactly that way (tests/contract/
test_contract_can_fail.py shows every check failing on it).

Times: the port reads ticks, bars and deals in the trade server's clock and converts them to
UTC with its `ServerClock`; a quote is never in the future of the terminal's now (UTC).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from bridge.mt5 import constants as mt5c
from bridge.terminal import Credentials, TerminalError, TerminalPort
from tests.contract.rigs import Rig
from tests.kit import Fault, ScriptedTerminal

__all__ = ["BREAKS", "CHECKS", "TRADING", "WRONG_PASSWORD"]

WRONG_PASSWORD = "Wr0ng-Contract-9x"
MAGIC = 770_299  # the contract's own orders
FUTURE_S = 5.0  # a quote converted to UTC may be this far ahead of now (clock jitter), no more


def _expect_error(call: Callable[[], Any], what: str) -> TerminalError:
    try:
        call()
    except TerminalError as exc:
        return exc
    raise AssertionError(f"{what}: no TerminalError")


# -- connection ---------------------------------------------------------------------------
def check_connect(rig: Rig) -> None:
    """initialize (with the credentials) succeeds; the port says connected; last_error() is
    success."""
    port = rig.connected()
    assert port.connected
    assert rig.module.last_error()[0] == mt5c.RES_S_OK, rig.module.last_error()


def check_refused_login(rig: Rig) -> None:
    """A wrong password: the authorization code (-6), a message naming the login variable and
    never the password, and no second try, not even on a reconnect."""
    assert rig.script is not None, "counting log-ins needs the scripted terminal"
    c = rig.credentials
    port = rig.port(Credentials(c.login, WRONG_PASSWORD, c.server))
    before = rig.script.count("initialize", "login")
    refused = _expect_error(lambda: port.connect(attempts=3), "a wrong password")
    assert refused.code == mt5c.RES_E_AUTH_FAILED, refused
    assert "LCA_MT5_LOGIN" in str(refused)
    assert WRONG_PASSWORD not in str(refused)
    _expect_error(port.ensure_connected, "a reconnect after a refused login")
    assert rig.script.count("initialize", "login") - before == 1


def check_connection_lost(rig: Rig) -> None:
    """Calls on a terminal that shut down fail with an IPC code the port takes as a lost
    connection; the next ensure_connected reconnects."""
    port = rig.connected()
    rig.module.shutdown()
    lost = _expect_error(lambda: port.call("account_info"), "account_info after shutdown")
    assert lost.connection_lost, lost
    assert not port.connected
    port.ensure_connected()
    assert port.account().login > 0


# -- account, symbols, positions ----------------------------------------------------------
def check_account(rig: Rig) -> None:
    port = rig.connected()
    a = port.account()
    assert a.login > 0
    assert len(a.currency) == 3, a.currency
    assert a.currency.isalpha(), a.currency
    for name in ("balance", "equity", "margin", "credit", "profit", "margin_so_call",
                 "margin_so_so"):
        assert math.isfinite(getattr(a, name)), (name, getattr(a, name))
    assert a.equity > 0, a
    assert a.leverage > 0, a
    assert a.margin >= 0, a
    assert a.margin_so_mode in (0, 1), a
    assert a.margin_mode in (0, 1, 2), a
    assert a.trade_mode in (0, 1, 2), a
    assert str(port.call("account_info").server)  # the lease key and the journal need it


def check_symbols(rig: Rig) -> None:
    port = rig.connected()
    spec = port.symbol(rig.symbol)
    assert spec.trade_contract_size > 0, spec
    assert 0 < spec.volume_min <= spec.volume_max, spec
    assert spec.volume_step > 0, f"volume_step {spec.volume_step}"
    assert all((spec.currency_base, spec.currency_profit, spec.currency_margin)), spec
    assert 0 <= int(port.call("symbol_info", rig.symbol).filling_mode) < 16
    names = {str(s.name) for s in port.call("symbols_get")}
    assert rig.symbol in names
    wanted = port.conversion_symbols(port.account().currency,
                                     {spec.currency_profit, spec.currency_margin})
    assert set(wanted) <= names, set(wanted) - names


def check_positions(rig: Rig) -> None:
    port = rig.connected()
    positions = port.positions()
    tickets = [p.ticket for p in positions]
    assert len(set(tickets)) == len(tickets), f"a ticket twice: {tickets}"
    for p in positions:
        assert p.volume > 0, p
        assert p.type in (0, 1), p
        assert p.price_open > 0, p
        assert p.symbol, p
        one = port.call("positions_get", ticket=p.ticket)
        assert [int(q.ticket) for q in one] == [p.ticket]
    held = port.call("positions_get", symbol=rig.symbol)
    assert all(str(q.symbol) == rig.symbol for q in held)


# -- prices and time ----------------------------------------------------------------------
def check_market(rig: Rig) -> None:
    port = rig.connected()
    now = rig.now()
    m = port.market(rig.symbol)
    assert m.bid > 0, m
    assert m.ask >= m.bid, f"bid {m.bid}, ask {m.ask}: a crossed quote"
    assert m.time <= now + FUTURE_S, f"quote {m.time - now:+.0f} s in the future"
    if rig.quote_age is not None:
        assert m.time >= now - rig.quote_age, f"quote {now - m.time:.0f} s old"


def check_server_time(rig: Rig) -> None:
    """The terminal stamps in server time; the port's clock turns it into UTC and back."""
    port = rig.connected()
    server = float(port.call("symbol_info_tick", rig.symbol).time_msc) / 1000.0
    utc = port.clock.to_utc(server)
    assert abs(port.clock.to_server(utc) - server) < 1e-6
    assert abs(server - utc) <= 14 * 3600, "a server offset beyond ±14 h"
    now = rig.now()
    assert utc <= now + FUTURE_S, f"tick {utc - now:+.0f} s in the future: server offset wrong?"
    if rig.quote_age is not None:
        assert utc >= now - rig.quote_age, f"tick {now - utc:.0f} s old"


def check_history(rig: Rig) -> None:
    """Ticks and H1/D1 bars between two UTC times, in time order, never after now; bars are
    OHLC-consistent; copy_rates_from_pos (the warm-up's call) answers the same record shape."""
    port = rig.connected()
    now = rig.now()
    h = port.history(rig.symbol, now - 2 * 86_400, now)
    assert h.h1 is not None, "no H1 bars"
    assert len(h.h1.time) > 0, "no H1 bars"
    t = h.h1.time
    assert bool(np.all(np.diff(t) > 0)), "H1 bars out of order"
    assert t[-1] <= now, f"an H1 bar opens {t[-1] - now:+.0f} s after now"
    assert bool(np.all(h.h1.low <= np.minimum(h.h1.open, h.h1.close)))
    assert bool(np.all(h.h1.high >= np.maximum(h.h1.open, h.h1.close)))
    if h.quote_time is not None and len(h.quote_time):
        assert bool(np.all(np.diff(h.quote_time) >= 0)), "ticks out of order"
        assert h.quote_time[-1] <= now + FUTURE_S
    rates = port.call("copy_rates_from_pos", rig.symbol, mt5c.TIMEFRAME_H1, 0, 10)
    assert len(rates) > 0
    assert {"time", "open", "high", "low", "close", "tick_volume"} <= set(rates.dtype.names)
    bars = port.bars(rig.symbol, "H1", 10)  # the warm-up's read, decoded, times in UTC
    assert bars is not None, "port.bars gave no H1 bars"
    assert len(bars.time) > 0, "port.bars gave no H1 bars"
    assert bool(np.all(np.diff(bars.time) > 0)), "port.bars out of order"
    assert bars.time[-1] <= now, f"port.bars: a bar opens {bars.time[-1] - now:+.0f} s after now"


def check_deals(rig: Rig) -> None:
    """The deal history (the executor's read-back, the stop-out and prop ledgers): records with
    the fields lca reads, stamped no later than now, and the position filter honoured."""
    port = rig.connected()
    now = rig.now()
    deals = port.call("history_deals_get", 0, int(port.clock.to_server(now)) + 86_400)
    for d in deals:
        assert int(d.ticket) > 0, d
        assert float(d.volume) >= 0, d
        assert isinstance(d.comment, str), d
        assert int(d.entry) in (0, 1, 2, 3), d
        assert int(d.magic) >= 0, d
        assert int(d.reason) >= 0, d
        assert port.clock.to_utc(float(d.time)) <= now + FUTURE_S, d
    decoded = port.deals(0.0, now + 86_400)  # the stop-out watch's and ledgers' read
    assert len(decoded) == len(deals), "port.deals lost or added deals"
    for d in decoded:
        assert d.time <= now + FUTURE_S, d  # UTC, not server time
    assert all(x.reason == mt5c.DEAL_REASON_SO for x in port.stop_out_deals(0.0, now + 86_400))
    for p in port.positions()[:3]:
        mine = port.call("history_deals_get", position=p.ticket)
        assert mine, f"no deal for position {p.ticket}"
        got = {int(d.position_id) for d in mine}
        assert got == {p.ticket}, f"history_deals_get(position={p.ticket}) gave {got}"
        assert {d.position for d in port.position_deals(p.ticket)} == {p.ticket}


# -- trading ------------------------------------------------------------------------------
def _filling(port: TerminalPort, symbol: str) -> int:
    bits = int(port.call("symbol_info", symbol).filling_mode)
    if bits & mt5c.SYMBOL_FILLING_IOC:
        return mt5c.ORDER_FILLING_IOC
    return mt5c.ORDER_FILLING_FOK if bits & mt5c.SYMBOL_FILLING_FOK else mt5c.ORDER_FILLING_RETURN


def check_order_refused(rig: Rig) -> None:
    """A request below the volume step is refused by order_check and order_send with 10014
    (TRADE_RETCODE_INVALID_VOLUME), executing nothing: safe on a demo account too."""
    port = rig.connected()
    spec = port.symbol(rig.symbol)
    tick = port.call("symbol_info_tick", rig.symbol)
    request = {"action": mt5c.TRADE_ACTION_DEAL, "symbol": rig.symbol,
               "volume": spec.volume_min / 2, "type": mt5c.ORDER_TYPE_BUY,
               "price": float(tick.ask), "deviation": 20, "magic": MAGIC,
               "type_filling": _filling(port, rig.symbol), "comment": "lca contract"}
    before = {p.ticket: p.volume for p in port.positions()}
    assert port.check(request).retcode == mt5c.TRADE_RETCODE_INVALID_VOLUME
    result = port.send(request)  # the executor's send, decoded
    assert result.retcode == mt5c.TRADE_RETCODE_INVALID_VOLUME, \
        f"order_send of {request['volume']} lots answered {result.retcode}"
    assert {p.ticket: p.volume for p in port.positions()} == before


def check_order_fills(rig: Rig) -> None:
    """Closing the smallest volume of a held position: 10009, the deal in the history under the
    position with the request's magic and comment, the position that much smaller."""
    port = rig.connected()
    (p, *_) = [q for q in port.positions() if q.symbol == rig.symbol]
    spec = port.symbol(rig.symbol)
    tick = port.call("symbol_info_tick", rig.symbol)
    sell = p.type == mt5c.POSITION_TYPE_BUY
    request = {"action": mt5c.TRADE_ACTION_DEAL, "symbol": rig.symbol, "position": p.ticket,
               "volume": spec.volume_min, "price": float(tick.bid if sell else tick.ask),
               "type": mt5c.ORDER_TYPE_SELL if sell else mt5c.ORDER_TYPE_BUY, "deviation": 20,
               "magic": MAGIC, "type_filling": _filling(port, rig.symbol),
               "comment": "lca contract 1/1"}
    result = port.send(request)  # the executor's send, decoded
    assert result.retcode == mt5c.TRADE_RETCODE_DONE, f"order_send answered {result.retcode}"
    assert result.deal > 0
    assert math.isclose(result.volume, spec.volume_min)
    deals = port.position_deals(p.ticket)
    assert any(d.ticket == result.deal and d.magic == MAGIC
               and d.comment == "lca contract 1/1" for d in deals), deals
    (after,) = port.held(ticket=p.ticket)
    assert math.isclose(after.volume, p.volume - spec.volume_min, abs_tol=1e-9)


def check_last_error(rig: Rig) -> None:
    """last_error() is success after a call that answered, and the failure's own code after one
    that did not (the code the port's TerminalError carries)."""
    port = rig.connected()
    port.call("account_info")
    assert rig.module.last_error()[0] == mt5c.RES_S_OK
    failed = _expect_error(lambda: port.call("symbol_info", "NO-SUCH-SYMBOL-LCA"),
                           "symbol_info of an unknown symbol")
    code, message = rig.module.last_error()
    assert code != mt5c.RES_S_OK, "a failed call with last_error() success"
    assert failed.code == code
    assert isinstance(message, str)


CHECKS: dict[str, Callable[[Rig], None]] = {
    "connect": check_connect, "refused login": check_refused_login,
    "connection lost": check_connection_lost, "account": check_account,
    "symbols": check_symbols, "positions": check_positions, "market": check_market,
    "server time": check_server_time, "history": check_history, "deals": check_deals,
    "order refused": check_order_refused, "order fills": check_order_fills,
    "last error": check_last_error,
}
TRADING = frozenset({"order fills"})
"""The checks that send an order that executes: simulated terminals only."""
SCRIPTED_ONLY = frozenset({"refused login"})
"""The checks that need the scripted terminal (a wrong password would count against a real
account: a broker locks it after a few)."""


def _after(name: str, change: Callable[[Any], Any]) -> Callable[[ScriptedTerminal], None]:
    def arm(script: ScriptedTerminal) -> None:
        script.after[name] = change
    return arm


def _replace(name: str, answer: Callable[..., Any]) -> Callable[[ScriptedTerminal], None]:
    def arm(script: ScriptedTerminal) -> None:
        script.replace[name] = answer
    return arm


def _fault(fault: Fault) -> Callable[[ScriptedTerminal], None]:
    def arm(script: ScriptedTerminal) -> None:
        script.arm(fault)
    return arm


def _hours_ahead(tick: Any) -> Any:
    return tick._replace(time_msc=tick.time_msc + 3 * 3_600_000, time=tick.time + 3 * 3600)


BREAKS: dict[str, Callable[[ScriptedTerminal], None]] = {
    "connect": _fault(Fault(mt5c.RES_E_INTERNAL_FAIL_INIT, function="initialize", count=-1)),
    "refused login": _replace("initialize", lambda sim, *a, **k: sim.initialize()),
    "connection lost": _replace("shutdown", lambda sim: None),
    "account": _after("account_info", lambda a: a._replace(equity=math.nan)),
    "symbols": _after("symbol_info", lambda s: s and s._replace(volume_step=0.0)),
    "positions": _after("positions_get", lambda rows: rows and rows + rows[:1]),
    "market": _after("symbol_info_tick", lambda t: t._replace(bid=t.ask, ask=t.bid)),
    "server time": _after("symbol_info_tick", _hours_ahead),
    "history": _replace("copy_rates_range", lambda sim, *a: sim.copy_rates_range(*a)[::-1]),
    "deals": _replace("history_deals_get",
                      lambda sim, *a, **k: sim.history_deals_get(0, 2**31 - 1)),
    "order refused": _replace("order_send", lambda sim, request: sim.order_send(
        {**request, "volume": request["volume"] * 2})),
    "order fills": _fault(Fault(mt5c.TRADE_RETCODE_REQUOTE, function="order_send")),
    "last error": _replace("symbol_info", lambda sim, name: None),
}
"""Per check, a simulated terminal broken in the way that check exists to catch."""
