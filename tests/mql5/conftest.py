"""Fixtures of the EA host tests: g++ (skipped when absent, an error under CI) and the build."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness


@pytest.fixture(scope="session")
def gxx_available() -> str:
    path: str | None = harness.gxx()
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("CI is set but g++ is missing: .ci/run installs it (apt-get install g++)")
    pytest.skip("g++ not found: install it (apt-get install g++) to build the EA host tests")


@pytest.fixture(scope="session")
def guard_binary(gxx_available: str) -> Path:
    """The real EA compiled with the shim and the scenarios (ASan + UBSan), cached by hash."""
    binary: Path = harness.build()
    return binary
