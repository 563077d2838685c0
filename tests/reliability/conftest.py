"""Prints the reliability figures (faults injected, plans completed, duplicates, kill points,
rows lost) at the end of a session that ran these tests. The journal fixtures (SQLite and a
throwaway PostgreSQL: `pg_server`, `journal_url`) are in tests/conftest.py."""

from __future__ import annotations

from typing import Any

from tests.reliability.harness import FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.write_sep("-", "reliability figures")
        for key in sorted(FIGURES):
            terminalreporter.write_line(f"{key}: {FIGURES[key]}")
