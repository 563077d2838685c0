"""The contract's real-terminal leg (marked `terminal`, skipped with its reason in the default
run) is itself tested here: with LCA_TERMINAL=1 on a configuration of kind "sim"
(how tests/runtime/test_acceptance_suite.py tries the acceptance run) it passes every case it
runs on a real terminal, skipping the order that executes and the wrong password."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _pytest(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LCA_TERMINAL", "LCA_TERMINAL_CONFIG", "LCA_TERMINAL_SYMBOL",
                          "PYTEST_ADDOPTS")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=REPO, env={**clean, **env}, capture_output=True, text=True,
                          timeout=600, check=False)


def test_the_real_terminal_leg_passes_on_a_configured_terminal(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[terminal]\nkind = "sim"\nscenario = "gbp-flash-2016"\n')
    done = _pytest(["tests/contract/test_port_contract.py", "-m", "terminal", "-q", "-rs"],
                   {"LCA_TERMINAL": "1", "LCA_TERMINAL_CONFIG": str(config),
                    "LCA_TERMINAL_SYMBOL": "GBPUSD"})
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed is not None, done.stdout
    assert int(passed.group(1)) == 11, done.stdout
    assert "2 skipped" in done.stdout, done.stdout
    assert "sends an order that executes" in done.stdout
    assert "a wrong password counts against a real account" in done.stdout
