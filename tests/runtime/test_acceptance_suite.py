"""The demo-account acceptance run (tests/terminal, issue 14 item 10) is itself tested here: it
collects and skips with its reason in the default run, refuses a REAL account, and passes end to
end against the simulated terminal (a demo account with an empty book)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILTIN = REPO / "bridge" / "sim" / "scenarios" / "gbp-flash-2016.toml"


def _pytest(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LCA_TERMINAL", "LCA_TERMINAL_CONFIG", "LCA_TERMINAL_SYMBOL",
                          "PYTEST_ADDOPTS")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=REPO, env={**clean, **env}, capture_output=True, text=True,
                          timeout=600, check=False)


def test_the_acceptance_run_collects_and_skips_with_its_reason_without_lca_terminal():
    done = _pytest(["tests/terminal", "-q", "-rs"], {})
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = re.search(r"(\d+) skipped", done.stdout)
    assert skipped is not None, done.stdout
    assert int(skipped.group(1)) >= 7
    assert "passed" not in done.stdout
    assert "LCA_TERMINAL=1 uv run pytest -m terminal" in done.stdout  # the reason says how


def test_the_acceptance_run_refuses_a_real_account():
    from bridge.sim import SimTerminal
    from tests.terminal.live import RealAccountRefused, refuse_real_account

    terminal = SimTerminal.from_scenario("flash-gbp-2016")
    terminal.initialize()
    demo = terminal.account_info()
    refuse_real_account(demo)  # a demo account passes
    with pytest.raises(RealAccountRefused, match=r"REAL account .*demo"):
        refuse_real_account(demo._replace(trade_mode=2))


def test_the_acceptance_run_passes_against_the_simulated_terminal(tmp_path):
    scenario = tmp_path / "empty-book.toml"  # the built-in window without its book
    text = BUILTIN.read_text()
    scenario.write_text(text[:text.index("[[book]]")])
    config = tmp_path / "config.toml"
    config.write_text(f'[terminal]\nkind = "sim"\nscenario = "{scenario}"\n')
    done = _pytest(["tests/terminal", "-m", "terminal", "-q", "-rs"],
                   {"LCA_TERMINAL": "1", "LCA_TERMINAL_CONFIG": str(config)})
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed is not None, done.stdout
    assert int(passed.group(1)) >= 7
    assert "failed" not in done.stdout
