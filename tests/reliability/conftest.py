"""Prints the reliability figures (faults injected, plans completed, duplicates, kill points,
rows lost) at the end of a session that ran these tests; the journal fixtures (SQLite and
a throwaway PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import FIGURES
from tests.reliability.postgres import PgServer, start_server


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.write_sep("-", "reliability figures")
        for key in sorted(FIGURES):
            terminalreporter.write_line(f"{key}: {FIGURES[key]}")


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
