"""The server command of docs/linux.md and of lca's messages works: rpyc's `rpyc_classic` started
with exactly those arguments (this machine's Python standing in for the Wine one, a
`MetaTrader5` module that is the simulated terminal), and `lca check` through it passes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("rpyc", reason="rpyc (the mt5linux transport) is a dev dependency")

from bridge.cli import main
from bridge.mt5remote import SERVER_ARGS, WINE_PYTHON, server_command

REPO = Path(__file__).resolve().parents[2]
_SHIM = ("import sys\nfrom bridge.sim import SimTerminal\n"
         "sys.modules[__name__] = SimTerminal.from_scenario('flash-gbp-2016')\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_documented_server_command_is_the_one_in_the_docs():
    docs = (REPO / "docs" / "linux.md").read_text()
    assert server_command(18812) in docs
    assert WINE_PYTHON in docs


@pytest.fixture
def server(tmp_path):
    (tmp_path / "MetaTrader5.py").write_text(_SHIM)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    proc = subprocess.Popen([sys.executable, *SERVER_ARGS, "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_lca_check_passes_through_the_documented_server(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    for var in ("LCA_MT5_LOGIN", "LCA_MT5_PASSWORD", "LCA_MT5_SERVER"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[terminal]\nkind = "mt5linux"\nhost = "127.0.0.1"\nport = {server}\n'
                      f'[ea]\nenabled = false\n')
    code = main(["check", "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "✓ terminal mt5linux: account 10000001 (demo" in out
    assert "✓ Algo Trading is on" in out
