"""Running lca as a service (issue 14 item 8): the systemd unit deploy/lca.service is valid, runs
the command the README documents in the folder it names, and does not restart into a refused
login or another guard's lease."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from loguru import logger

from bridge.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "lca.service"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_passes_systemd_analyze_verify():
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here (Debian/Ubuntu: apt install systemd)")
    done = subprocess.run([tool, "verify", str(UNIT)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""  # a key systemd "ignores" is a warning here: none allowed


def test_the_unit_runs_the_readme_command_in_the_readme_folder():
    service = _unit()["Service"]
    readme = (REPO / "README.md").read_text()
    docs = (REPO / "docs" / "service.md").read_text()
    argv = shlex.split(service["ExecStart"])
    assert argv[:2] == ["/usr/bin/env", "uv"]
    command = shlex.join(argv[1:])
    assert command in readme
    assert command in docs
    lca = argv.index("lca")
    args = build_parser().parse_args(argv[lca + 1:])  # a command lca accepts as written
    assert args.command == "run"
    assert args.quiet is True  # no live view in a journal
    assert service["WorkingDirectory"] in readme
    assert service["WorkingDirectory"] in docs
    assert (REPO / args.config).name == "config.toml"  # relative to WorkingDirectory: the clone
    assert service["EnvironmentFile"] in docs
    assert "600" in docs


def test_the_unit_stops_with_sigterm_and_restarts_only_what_a_restart_can_cure():
    service = _unit()["Service"]
    assert service["KillSignal"] == "SIGTERM"  # lca journals the stop and frees the lease on it
    assert service["Restart"] == "on-failure"
    assert set(service["RestartPreventExitStatus"].split()) == {"3", "4"}


@pytest.fixture
def refused_login(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("LCA_MT5_LOGIN", "1")  # not the simulated account's login
    monkeypatch.setenv("LCA_MT5_PASSWORD", "s3cr3t-Hunter2")
    config = tmp_path / "config.toml"
    config.write_text(f'[terminal]\nkind = "sim"\n[run]\njournal = "sqlite:///{tmp_path}/j.db"\n'
                      f'log_file = "{tmp_path}/lca.log"\n')
    yield config
    logger.remove()  # lca run pointed loguru at its log file and a captured stream
    logger.add(sys.stderr)


def test_lca_run_exits_4_on_a_refused_login_so_the_service_does_not_retry_it(refused_login,
                                                                             capsys):
    assert main(["run", "--config", str(refused_login), "--quiet"]) == 4
    said = capsys.readouterr().err
    assert "refused" in said
    assert "s3cr3t-Hunter2" not in said  # never the password
