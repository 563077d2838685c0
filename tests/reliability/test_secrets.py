"""Issue 7 §5, secrets: the password comes from the environment and reaches no output.

tests/runtime/test_run.py checks the default run, where no login is set, so the password is
never even passed to the terminal. This runs `lca run` where it is: the login, password and
server variables are set and the simulated account requires that password, so `initialize`
receives it; then a run with a wrong password (the authorization error is printed), `lca status`
(table and JSON) and `lca check`. Every byte of stdout, stderr, the log file and the journal
(database, WAL and shared-memory files) is searched for the password.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import main
from bridge.sim.scenario import BUILTIN_DIR

REPO = Path(__file__).resolve().parents[2]
SECRET = "Known-Pa55word-7f3a"


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env=env, check=False)


def test_the_password_used_to_log_in_reaches_no_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    scenario = (BUILTIN_DIR / "gbp-flash-2016.toml").read_text(encoding="utf-8")
    assert "[account]\n" in scenario
    scenario = scenario.replace("[account]\n", f'[account]\npassword = "{SECRET}"\n', 1)
    (tmp_path / "scenario.toml").write_text(scenario, encoding="utf-8")
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    for old, new in (('journal = "sqlite:///runs/journal.db"',
                      f'journal = "sqlite:///{tmp_path}/journal.db"'),
                     ('log_file = "runs/lca.log"', f'log_file = "{tmp_path}/lca.log"'),
                     ('scenario = "gbp-flash-2016"', f'scenario = "{tmp_path}/scenario.toml"'),
                     ("guard_seconds = 1 ", "guard_seconds = 60 "),
                     ("compare_unguarded = true", "compare_unguarded = false")):
        assert old in text
        text = text.replace(old, new)
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "LCA_MT5_LOGIN": "10000001", "LCA_MT5_PASSWORD": SECRET,
           "LCA_MT5_SERVER": "LCA-Simulated"}
    good = _cli(["run", "--config", str(config)], env)
    assert good.returncode == 0, good.stderr[-3000:]
    assert "10000001" in good.stdout + good.stderr + (tmp_path / "lca.log").read_text()
    wrong = _cli(["run", "--config", str(config)], {**env, "LCA_MT5_PASSWORD": SECRET[::-1]})
    assert wrong.returncode == 4  # a refused login: the service does not restart into it
    assert "uthorization failed" in wrong.stderr
    streams = [good.stdout, good.stderr, wrong.stdout, wrong.stderr]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for args in (["status"], ["status", "--json"], ["check"]):  # in-process: no start-up cost
        assert main([*args, "--config", str(config)]) == 0
        out = capsys.readouterr()
        streams += [out.out, out.err]
    assert "10000001" in streams[-2]  # lca check reports the account it logged into
    for stream in streams:
        assert SECRET not in stream
        assert SECRET[::-1] not in stream
    files = [p for p in tmp_path.iterdir() if p.is_file() and p.name != "scenario.toml"]
    assert any(p.name.startswith("journal.db") for p in files)
    for path in files:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert SECRET[::-1].encode() not in data, path
