"""The mt5linux path: RemoteMT5 over a real RPyC classic server on loopback, with the simulated
terminal standing in for MetaTrader5 on the server side."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

import pytest

rpyc = pytest.importorskip("rpyc", reason="rpyc (the mt5linux transport) is a dev dependency")
from rpyc.utils.server import ThreadedServer  # noqa: E402

from bridge.mt5remote import RemoteMT5  # noqa: E402
from bridge.sim import SimTerminal  # noqa: E402
from bridge.terminal import TerminalError, TerminalPort  # noqa: E402

SETUP = ("from bridge.sim import SimTerminal\n"
         "_lca_mt5 = SimTerminal.from_scenario('flash-gbp-2016')")


@pytest.fixture
def server():
    srv = ThreadedServer(rpyc.SlaveService, hostname="127.0.0.1", port=0,
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


# -- the channel runs nothing it is sent (issue 11 item 2) --------------------------------------

class _Boom:
    """Unpickling this runs `exec` on the text: the code a hostile reply would smuggle in."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self):
        return (exec, (self.code,))


def _write_marker(marker, how: str) -> str:
    return f"__import__('pathlib').Path({str(marker)!r}).write_text({how!r})"


def _callback_attacks(conn, marker) -> list[tuple[str, str]]:
    """Each way a server can try to run code inside its client; (attack, outcome) per try."""
    code = _write_marker(marker, "callback")
    attacks = {
        "root.eval": lambda: conn.root.eval(code),
        "root.execute": lambda: conn.root.execute(code),
        "root.getmodule": lambda: conn.root.getmodule("builtins").exec(code),
        "modules via globals": lambda: conn.root.exposed_get_service_name.__func__
        .__globals__["__builtins__"]["exec"](code),
        "root class": lambda: conn.root.__class__.__init__
        .__globals__["__builtins__"]["exec"](code),
    }
    outcomes = []
    for name, attack in attacks.items():
        try:
            attack()
            outcomes.append((name, "ran"))
        except Exception as exc:  # the client refused: what we want
            outcomes.append((name, type(exc).__name__))
    return outcomes


REPLY_ATTACKS = ("pickle bytes", "pickle text", "not json", "json of the wrong shape",
                 "an object, not text", "nesting beyond reason", "object array",
                 "record with code in a field name")


CALLBACK_ATTACKS = ("callback during setup", "callback during a call")


def _hostile_reply(kind: str, marker) -> object:
    import json
    import pickle

    boom = _Boom(_write_marker(marker, kind))
    if kind == "pickle bytes":
        return pickle.dumps(boom)
    if kind == "pickle text":
        return pickle.dumps(boom, protocol=0).decode("latin-1")
    if kind == "not json":
        return "__import__('os').system('true')"
    if kind == "json of the wrong shape":
        return json.dumps({"result": 1})
    if kind == "an object, not text":
        return _Boom("pass")
    if kind == "nesting beyond reason":
        return "[" * 100_000 + "]" * 100_000
    if kind == "object array":
        return json.dumps({"result": {"nd": [[["", "|O"]], [1], "AAAAAAAAAAA="]},
                           "error": [1, "Success"]})
    if kind == "record with code in a field name":
        return json.dumps({"result": {"nt": ["TradePosition",
                                             ["x=exec(" + repr(_write_marker(marker, kind)) + ")"],
                                             [1]]},
                           "error": [1, "Success"]})
    raise AssertionError(kind)


class _HostileService(rpyc.SlaveService):
    """A classic server (the SlaveService mt5linux runs) that ignores the client's code and
    attacks it."""

    kind = ""
    marker = None
    outcomes: ClassVar[list[tuple[str, str]]] = []

    def on_connect(self, conn):
        super().on_connect(conn)
        self.namespace = {"_lca_call": self._call}

    def execute(self, text):  # the client's setup: not run; a callback attack instead
        if self.kind == "callback during setup":
            self.outcomes.extend(_callback_attacks(self._conn, self.marker))

    def _call(self, payload):
        if self.kind == "callback during a call":
            self.outcomes.extend(_callback_attacks(self._conn, self.marker))
        if self.kind in CALLBACK_ATTACKS:
            return "no reply"
        return _hostile_reply(self.kind, self.marker)


def _serve(service) -> tuple[object, threading.Thread]:
    srv = ThreadedServer(service, hostname="127.0.0.1", port=0)
    thread = threading.Thread(target=srv.start, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not srv.active and time.monotonic() < deadline:
        time.sleep(0.01)
    return srv, thread


@pytest.mark.parametrize("kind", REPLY_ATTACKS + CALLBACK_ATTACKS)
def test_a_hostile_server_runs_no_code_in_lca_and_its_reply_is_a_clear_error(tmp_path, kind):
    marker = tmp_path / "marker"
    service = type("Hostile", (_HostileService,), {"kind": kind, "marker": marker,
                                                   "outcomes": []})
    srv, thread = _serve(service)
    try:
        with pytest.raises(TerminalError, match=rf"mt5linux server at 127\.0\.0\.1:{srv.port}"):
            RemoteMT5("127.0.0.1", srv.port)
    finally:
        srv.close()
        thread.join(timeout=5)
    assert not marker.exists(), f"the hostile server ran code in lca ({kind})"
    if kind in CALLBACK_ATTACKS:
        assert service.outcomes
        assert all(outcome != "ran" for _, outcome in service.outcomes)


def test_hostile_server_figures_no_code_runs_over_every_attempt(tmp_path):
    """The figure of docs/reliability.md: every attack, three rounds, 0 code executions."""
    attempts = executions = 0
    for round_ in range(3):
        for kind in REPLY_ATTACKS + CALLBACK_ATTACKS:
            marker = tmp_path / f"marker-{round_}-{kind.replace(' ', '-')}"
            service = type("Hostile", (_HostileService,), {"kind": kind, "marker": marker,
                                                           "outcomes": []})
            srv, thread = _serve(service)
            try:
                with pytest.raises(TerminalError):
                    RemoteMT5("127.0.0.1", srv.port)
            finally:
                srv.close()
                thread.join(timeout=5)
            attempts += len(service.outcomes) if kind in CALLBACK_ATTACKS else 1
            executions += marker.exists()
    print(f"hostile mt5linux server: {attempts} attempts, {executions} code executions")
    # per round: one per reply attack; five callbacks in each of the two set-up executes and in
    # the one call
    assert (attempts, executions) == (3 * (len(REPLY_ATTACKS) + 5 * 3), 0)


def test_a_remote_host_is_refused_unless_the_config_allows_it_with_a_reason():
    from bridge.config import ConfigError, settings_from_dict

    with pytest.raises(ConfigError, match=r"\[terminal\].*'10\.1\.2\.3'.*SSH tunnel"):
        settings_from_dict({"terminal": {"kind": "mt5linux", "host": "10.1.2.3"}})
    with pytest.raises(ConfigError, match=r"remote_reason"):
        settings_from_dict({"terminal": {"kind": "mt5linux", "host": "10.1.2.3",
                                         "allow_remote": True}})
    ok = settings_from_dict({"terminal": {"kind": "mt5linux", "host": "10.1.2.3",
                                          "allow_remote": True,
                                          "remote_reason": "lab network, no SSH on the box"}})
    assert ok.terminal.allow_remote
    for host in ("localhost", "127.0.0.1", "127.8.9.1", "::1"):
        assert settings_from_dict({"terminal": {"kind": "mt5linux", "host": host}})
    with pytest.raises(ValueError, match="SSH tunnel"):
        RemoteMT5("10.1.2.3", 1)  # refused before any connection is tried


# -- refused and closed connections: messages through lca check and lca run ---------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path, port: int):
    path = tmp_path / "config.toml"
    path.write_text(f'[terminal]\nkind = "mt5linux"\nhost = "127.0.0.1"\nport = {port}\n'
                    f'[run]\nmode = "observe"\njournal = "sqlite:///{tmp_path}/journal.db"\n'
                    f'log_file = "{tmp_path}/lca.log"\n[ea]\nenabled = false\n')
    return path


class _ClosingService(rpyc.SlaveService):
    """A real classic server in front of the simulated terminal that drops the connection in
    the middle of one call (account_info: after initialize succeeded)."""

    def execute(self, text):
        super().execute(text)
        real = self.namespace.get("_lca_call")
        if real is not None and not getattr(real, "closing", False):
            def closing(payload):
                if "account_info" in str(payload):
                    self._conn.close()
                    raise EOFError("closed")
                return real(payload)

            closing.closing = True
            self.namespace["_lca_call"] = closing


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_refused_connection_is_a_message_naming_host_port_and_what_to_do(
        tmp_path, capsys, command):
    from bridge.cli import main

    port = _free_port()
    code = main([command, "--config", str(_config(tmp_path, port))])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code in (1, 2)
    assert f"127.0.0.1:{port}" in text
    assert "rpyc_classic" in text  # what to do: the server command of docs/linux.md
    assert "Traceback" not in text


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_connection_closed_mid_call_is_a_message_naming_host_port_and_what_to_do(
        tmp_path, capsys, monkeypatch, command):
    import sys

    from bridge.cli import main

    monkeypatch.setitem(sys.modules, "MetaTrader5", SimTerminal.from_scenario("flash-gbp-2016"))
    monkeypatch.setenv("COLUMNS", "200")
    srv, thread = _serve(_ClosingService)
    try:
        code = main([command, "--config", str(_config(tmp_path, srv.port))])
    finally:
        srv.close()
        thread.join(timeout=5)
    out = capsys.readouterr()
    text = out.out + out.err
    assert code in (1, 2)
    assert f"127.0.0.1:{srv.port}" in text
    assert "closed the connection" in text
    assert "Traceback" not in text


class _ClosingOnceService(rpyc.SlaveService):
    """The classic server in front of the simulated terminal; the first account_info call of
    the whole server drops the connection (the server under Wine restarted)."""

    dropped: ClassVar[list[int]] = []

    def execute(self, text):
        super().execute(text)
        real = self.namespace.get("_lca_call")
        if real is not None and not getattr(real, "closing", False):
            def closing(payload):
                if "account_info" in str(payload) and not self.dropped:
                    self.dropped.append(1)
                    self._conn.close()
                    raise EOFError("closed")
                return real(payload)

            closing.closing = True
            self.namespace["_lca_call"] = closing


def test_a_dropped_connection_is_no_ipc_connection_and_the_next_initialize_reconnects(
        monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "MetaTrader5", SimTerminal.from_scenario("flash-gbp-2016"))
    service = type("ClosingOnce", (_ClosingOnceService,), {"dropped": []})
    srv, thread = _serve(service)
    try:
        port = TerminalPort(RemoteMT5("127.0.0.1", srv.port))
        port.connect(attempts=1)
        with pytest.raises(TerminalError) as lost:
            port.account()
        assert lost.value.code == -10004
        assert lost.value.connection_lost
        assert f"127.0.0.1:{srv.port} closed the connection during account_info()" in str(
            lost.value)
        assert not port.connected
        port.ensure_connected()  # initialize opens a new connection
        assert port.account().login == 10000001
        port.mt5.close()
    finally:
        srv.close()
        thread.join(timeout=5)


class _SlowService(rpyc.SlaveService):
    """The classic server in front of the simulated terminal; positions_get takes 3 s."""

    def execute(self, text):
        super().execute(text)
        real = self.namespace.get("_lca_call")
        if real is not None and not getattr(real, "slow", False):
            def slow(payload):
                if "positions_get" in str(payload):
                    time.sleep(3.0)
                return real(payload)

            slow.slow = True
            self.namespace["_lca_call"] = slow


def test_a_call_past_its_timeout_is_an_ipc_timeout_naming_the_server(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "MetaTrader5", SimTerminal.from_scenario("flash-gbp-2016"))
    srv, thread = _serve(_SlowService)
    try:
        mt5 = RemoteMT5("127.0.0.1", srv.port, timeout_s=1.0)
        assert mt5.initialize() is True
        assert mt5.positions_get() is None
        code, message = mt5.last_error()
        assert code == -10005
        assert f"127.0.0.1:{srv.port} did not answer positions_get() within 1 s" in message
        time.sleep(2.5)  # the server serves one call at a time: let the slow one finish
        assert mt5.account_info().login == 10000001  # the late answer is dropped, not misread
        mt5.close()
    finally:
        srv.close()
        thread.join(timeout=5)
