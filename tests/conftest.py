"""Shared fixtures.

`shared_data` points at the real market data in ../shared/data. A test that needs it is skipped with
a clear reason only when the folder is absent *and* the CI variable is unset; under CI a missing
folder is an error, so the scenario tests can never pass by not running. `pg_server` is a
throwaway PostgreSQL server (tests/reliability/postgres.py; the same rule for its binaries) and
`journal_url` a fresh journal on SQLite, then on PostgreSQL: a test taking it runs on both.
`decoded` counts the journal rows a reader decodes, per kind.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bridge.journal
from tests.reliability.postgres import PgServer, start_server

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LCA_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the real market data folder {SHARED_DATA} is missing")
    pytest.skip(f"real market data not found at {SHARED_DATA} (set LCA_SHARED_DATA to its path)")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server on 127.0.0.1 (tests/reliability/postgres.py)."""
    yield from start_server()


@pytest.fixture(params=["sqlite", "postgres"])
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh journal URL on SQLite, then on PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/journal.db"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.url(server.create_database(), with_password=True)


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Rows decoded from the journal, per kind, while the test runs (`clear()` it to count from
    a point on): what a reader costs, counted without a clock."""
    counts: Counter[str] = Counter()
    original = bridge.journal._row

    def counting(r: Any) -> bridge.journal.JournalRow:
        counts[str(r.kind)] += 1
        return original(r)

    monkeypatch.setattr(bridge.journal, "_row", counting)
    return counts
