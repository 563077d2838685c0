"""`lca check` says what is wrong in words, with the fix, for each way a live terminal fails
(issue 14 item 5, issue 15 item 7): never a traceback.

The no-server and server-without-MetaTrader5 cases use real sockets and a real RPyC classic
server on loopback (the server `docs/linux.md` starts under Wine, minus MetaTrader5); the
terminal cases use the simulated terminal, patched only where it has no switch of its own."""

from __future__ import annotations

import dataclasses
import socket
import sys
import threading
import time

import pytest
from loguru import logger

from bridge.cli import main
from bridge.sim import SimTerminal


@pytest.fixture(autouse=True)
def _default_log():
    logger.remove()  # an earlier `lca run` may have pointed loguru at a closed captured stream
    logger.add(sys.stderr)
    return


def _run_check(tmp_path, capsys, monkeypatch, text: str) -> tuple[int, str]:
    monkeypatch.setenv("COLUMNS", "200")
    for var in ("LCA_MT5_LOGIN", "LCA_MT5_PASSWORD", "LCA_MT5_SERVER"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(text)
    code = main(["check", "--config", str(config)])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out
    return code, " ".join(out.split())  # rich wraps lines: compare the words


def _closed_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _patched_sim(monkeypatch, change) -> None:
    """`open_module` hands back the simulated terminal after `change(terminal)`."""
    import bridge.compose

    def open_module(kind, **kwargs):
        terminal = SimTerminal.from_scenario("flash-gbp-2016")
        return change(terminal) or terminal

    monkeypatch.setattr(bridge.compose, "open_module", open_module)


def test_check_names_a_closed_port_and_the_server_command_that_works(tmp_path, capsys,
                                                                     monkeypatch):
    port = _closed_loopback_port()
    code, out = _run_check(tmp_path, capsys, monkeypatch,
                           f'[terminal]\nkind = "mt5linux"\nhost = "127.0.0.1"\nport = {port}\n')
    assert code == 1
    assert f"nothing is listening on 127.0.0.1:{port}" in out
    assert "connection refused" in out.lower()
    assert "rpyc_classic" in out  # the server command of docs/linux.md
    assert "docs/linux.md" in out
    assert "python -m mt5linux" not in out  # a SyntaxError in mt5linux 1.1.1 on Python 3.11


@pytest.fixture
def bare_rpyc_server():
    """An RPyC classic server whose Python has no MetaTrader5 module."""
    rpyc = pytest.importorskip("rpyc", reason="rpyc (the mt5linux transport) is a dev "
                               "dependency")
    from rpyc.utils.server import ThreadedServer

    srv = ThreadedServer(rpyc.SlaveService, hostname="127.0.0.1", port=0)
    thread = threading.Thread(target=srv.start, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not srv.active and time.monotonic() < deadline:
        time.sleep(0.01)
    yield srv.port
    srv.close()
    thread.join(timeout=5)


def test_check_says_the_server_python_lacks_metatrader5(tmp_path, capsys, monkeypatch,
                                                        bare_rpyc_server):
    code, out = _run_check(
        tmp_path, capsys, monkeypatch,
        f'[terminal]\nkind = "mt5linux"\nhost = "127.0.0.1"\nport = {bare_rpyc_server}\n')
    assert code == 1
    assert "has no MetaTrader5 module" in out
    assert "pip install MetaTrader5" in out
    assert "rpyc is not installed" not in out


def test_check_says_the_terminal_is_not_running_with_its_last_error(tmp_path, capsys,
                                                                    monkeypatch):
    code, out = _run_check(tmp_path, capsys, monkeypatch,
                           '[terminal]\nkind = "sim"\npath = "/nowhere/terminal64.exe"\n')
    assert code == 1
    assert "the terminal is not running" in out
    assert "-10003" in out  # initialize's last_error, as the terminal said it
    assert "log into your account" in out


def test_check_says_algo_trading_is_off_and_where_to_turn_it_on(tmp_path, capsys, monkeypatch):
    def algo_off(terminal):
        terminal.scenario = dataclasses.replace(terminal.scenario, trade_allowed=False)

    _patched_sim(monkeypatch, algo_off)
    code, out = _run_check(tmp_path, capsys, monkeypatch, '[terminal]\nkind = "sim"\n')
    assert code == 1
    assert "Algo Trading is off" in out
    assert "Algo Trading button" in out


class _ExpertDisabled(SimTerminal):
    """The broker (or the account's settings) forbids expert trading on this account."""

    def account_info(self):
        info = super().account_info()
        return None if info is None else info._replace(trade_expert=False)


def test_check_says_the_account_forbids_expert_trading(tmp_path, capsys, monkeypatch):
    def expert_disabled(terminal):
        terminal.__class__ = _ExpertDisabled

    _patched_sim(monkeypatch, expert_disabled)
    code, out = _run_check(tmp_path, capsys, monkeypatch, '[terminal]\nkind = "sim"\n')
    assert code == 1
    assert "trading by experts is disabled for account" in out
    assert "broker" in out


def test_check_says_the_ea_is_not_attached(tmp_path, capsys, monkeypatch):
    common = tmp_path / "Common"
    common.mkdir()
    code, out = _run_check(
        tmp_path, capsys, monkeypatch,
        f'[terminal]\nkind = "sim"\n[ea]\nenabled = true\ncommon_folder = "{common}"\n')
    assert code == 1
    assert "the guard EA is not attached" in out
    assert "telemetry.txt" in out
    assert "lca ea install" in out


def test_check_passes_a_healthy_terminal_with_every_check_named(tmp_path, capsys, monkeypatch):
    code, out = _run_check(tmp_path, capsys, monkeypatch, '[terminal]\nkind = "sim"\n')
    assert code == 0
    assert "✓ Algo Trading is on" in out
    assert "✓ trading by experts is allowed" in out


class _NotLoggedIn(SimTerminal):
    """The terminal runs and answers, but is logged into no account: account_info() fails."""

    def account_info(self):
        self._st.error = (-10004, "No IPC connection")
        return None


def test_check_says_the_terminal_runs_but_is_logged_into_no_account(tmp_path, capsys,
                                                                    monkeypatch):
    def not_logged_in(terminal):
        terminal.__class__ = _NotLoggedIn

    _patched_sim(monkeypatch, not_logged_in)
    code, out = _run_check(tmp_path, capsys, monkeypatch, '[terminal]\nkind = "sim"\n')
    assert code == 1
    assert "is logged into no account" in out
    assert "-10004" in out
    assert "Login to Trade Account" in out
