"""The import contracts of the layers (pyproject.toml [tool.importlinter], issue 13 item 8):
controller never imports bridge nor an I/O library, bridge.sim never imports controller, the live
loop (terminal port, executor, guard, driver) never imports bridge.sim.

The first test runs `lint-imports` over the repository; the others prove it can fail, by running
the same command with the same config over a small tree in tmp_path that breaks one contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
LIVE_LOOP = ("bridge.terminal", "bridge.terminal_errors", "bridge.terminal_values",
             "bridge.credentials", "bridge.clock", "bridge.executor", "bridge.executor_slice",
             "bridge.executor_reads", "bridge.runtime", "bridge.driver", "bridge.slice_journal",
             "bridge.ealink.publisher")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_import_contracts_of_the_layers_are_kept() -> None:
    result = _lint_imports(REPO)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"an import contract is broken:\n{output}"
    assert "4 kept, 0 broken" in output, output


def _tree(root: Path, leak_module: str, leak_source: str) -> None:
    """A tree with the repository's package names and one module that breaks a contract."""
    for package in ("controller", "bridge", "bridge/sim", "bridge/ealink"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text('"""A stand-in package."""\n')
    (root / "bridge" / "app.py").write_text("import controller\n")  # allowed: shell → core
    for live in LIVE_LOOP:  # stand-ins for the live loop's modules (the contract's sources)
        (root / Path(*live.split("."))).with_suffix(".py").write_text('"""A stand-in."""\n')
    (root / Path(*leak_module.split("."))).with_suffix(".py").write_text(leak_source)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")


@pytest.mark.parametrize(
    ("leak_module", "leak_source", "contract"),
    [
        ("controller.leak", "from bridge import app\n", "controller (the pure core) never imports"),
        ("controller.leak", "import loguru\n", "controller imports no I/O library"),
        ("controller.leak", "import MetaTrader5 as mt5\n", "controller imports no I/O library"),
        ("bridge.sim.leak", "from controller import leak\n", "bridge.sim (the simulated"),
        ("bridge.executor", "import bridge.sim\n", "the live loop never imports bridge.sim"),
    ],
    ids=["core-imports-shell", "core-imports-loguru", "core-imports-MetaTrader5",
         "sim-imports-core", "live-loop-imports-sim"],
)
def test_the_contract_check_fails_on_a_module_that_breaks_a_contract(
    tmp_path: Path, leak_module: str, leak_source: str, contract: str
) -> None:
    _tree(tmp_path, leak_module, leak_source)
    if leak_module.startswith("bridge.sim"):
        (tmp_path / "controller" / "leak.py").write_text('"""A core module."""\n')
    result = _lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    broken = [line for line in output.splitlines() if line.endswith("BROKEN")]
    assert [line for line in broken if line.startswith(contract)], output
    assert "Contracts: 3 kept, 1 broken." in output, output
    assert leak_module in output, output
