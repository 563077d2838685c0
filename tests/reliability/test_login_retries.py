"""Issue 11 §7, login: a wrong password is tried once. A live broker locks an account after a few
wrong passwords, so after the first authorization failure (`last_error()` -6, mt5-api.md §0.3)
the terminal port neither retries `initialize` / `login` in its back-off loop nor on the
reconnects of a running guard; it stops with a message naming the login variable.

The simulated terminal stands in for the broker: its account requires a password (a scenario
file with `password = ...`), and every `initialize` / `login` it receives is counted.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest
from loguru import logger

from bridge.app import build_guard
from bridge.cli import main
from bridge.sim import SimTerminal
from bridge.sim.scenario import BUILTIN_DIR
from bridge.terminal import Credentials, TerminalError, TerminalPort
from tests.reliability.harness import config as harness_config

PASSWORD = "Right-Pa55word"
WRONG = "Wr0ng-Secret-9x"
LOGIN = 10000001
SERVER = "LCA-Simulated"


def _scenario(folder: Path) -> Path:
    text = (BUILTIN_DIR / "gbp-flash-2016.toml").read_text(encoding="utf-8")
    path = folder / "scenario.toml"
    path.write_text(text.replace("[account]\n", f'[account]\npassword = "{PASSWORD}"\n', 1),
                    encoding="utf-8")
    return path


class _Counting:
    """The simulated terminal, counting the log-in calls it receives."""

    def __init__(self, sim: SimTerminal) -> None:
        self.sim = sim
        self.logins = 0

    def __getattr__(self, name: str) -> Any:
        if name in ("initialize", "login"):
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.logins += 1
                return getattr(self.sim, name)(*args, **kwargs)

            return counted
        return getattr(self.sim, name)


def test_a_wrong_password_is_tried_once_by_the_port_and_never_again(tmp_path: Path) -> None:
    terminal = _Counting(SimTerminal.from_scenario(str(_scenario(tmp_path))))
    port = TerminalPort(terminal, Credentials(LOGIN, WRONG, SERVER), sleep=lambda s: None)
    with pytest.raises(TerminalError, match="LCA_MT5_LOGIN") as first:
        port.connect(attempts=5)
    assert first.value.code == -6
    assert "LCA_MT5_PASSWORD" in str(first.value)
    assert WRONG not in str(first.value)
    for _ in range(3):  # the guard's reconnects
        with pytest.raises(TerminalError, match="LCA_MT5_LOGIN"):
            port.ensure_connected()
    assert terminal.logins == 1


def test_lca_run_with_a_wrong_password_logs_in_once_and_names_the_login_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[str] = []
    real = SimTerminal.initialize

    def counted(self: SimTerminal, *args: Any, **kwargs: Any) -> bool:
        calls.append("initialize")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SimTerminal, "initialize", counted)
    config = tmp_path / "config.toml"
    config.write_text(f'[terminal]\nscenario = "{_scenario(tmp_path)}"\n'
                      f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\n'
                      f'log_file = "{tmp_path}/lca.log"\ncompare_unguarded = false\n',
                      encoding="utf-8")
    monkeypatch.setenv("LCA_MT5_LOGIN", str(LOGIN))
    monkeypatch.setenv("LCA_MT5_PASSWORD", WRONG)
    monkeypatch.setenv("LCA_MT5_SERVER", SERVER)
    try:
        # 4: a refused login, which a service must not restart into (docs/service.md)
        assert main(["run", "--quiet", "--config", str(config)]) == 4
    finally:  # lca run pointed loguru at the captured stderr: back to the default sink
        logger.remove()
        logger.add(sys.stderr)
    err = capsys.readouterr().err
    assert "LCA_MT5_LOGIN" in err
    assert "uthorization failed" in err
    assert calls == ["initialize"]


def test_a_running_guard_whose_password_stops_working_tries_it_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The broker changes the password while the guard runs; the connection drops; the guard's
    reconnects try the old password once, then record the reason and stop trying."""
    sim = SimTerminal.from_scenario(str(_scenario(tmp_path)))
    terminal = _Counting(sim)
    monkeypatch.setenv("LCA_MT5_LOGIN", str(LOGIN))
    monkeypatch.setenv("LCA_MT5_PASSWORD", PASSWORD)
    monkeypatch.setenv("LCA_MT5_SERVER", SERVER)
    cfg = harness_config(tmp_path)
    cfg = cfg.model_copy(update={"terminal": cfg.terminal.model_copy(
        update={"scenario": str(tmp_path / "scenario.toml")})})
    guard = build_guard(cfg, module=terminal)
    guard.start()
    assert terminal.logins == 1
    account = dataclasses.replace(sim.scenario.account, password="changed-by-the-broker")
    sim.scenario = dataclasses.replace(sim.scenario, account=account)
    guard.port.connected = False  # the connection dropped
    for _ in range(10):
        sim.advance(1.0)
        guard.fast_guard()
    assert terminal.logins == 2
    states = [r.payload["message"] for r in guard.journal.rows("state")]
    assert any("LCA_MT5_LOGIN" in m and "uthorization failed" in m for m in states)
    guard.journal.close()
