"""Shared fixtures.

`shared_data` points at the real market data in ../shared/data. A test that needs it is skipped with
a clear reason only when the folder is absent *and* the CI variable is unset; under CI a missing
folder is an error, so the scenario tests can never pass by not running.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LCA_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the real market data folder {SHARED_DATA} is missing")
    pytest.skip(f"real market data not found at {SHARED_DATA} (set LCA_SHARED_DATA to its path)")
