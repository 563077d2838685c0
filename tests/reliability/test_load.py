"""Issue 7 §7, load: the journal of a month of 1-second guard cycles on 5 symbols, and what
`lca status` reads of it.

The month is built by tests.kit.month from a measured 30-minute sample of the real guard on a
five-symbol crash week (about 52,000 rows for 2,592,000 fast-guard runs). The size of the
database file is printed and bounded. How fast `lca status` answers is a benchmark
(benchmarks/status.py), not a timed test; what keeps it fast is pinned here, deterministically:
it runs a fixed number of queries whatever the journal's length, and it decodes only the rows it
shows (the run's orders and slices, the newest decisions and states, the newest row of each
trade permission), never the month's cycle rows.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import event

from bridge.commands.status import _print, collect
from bridge.journal import Journal
from tests.kit.month import COPIES, Month, build_month

MAX_MB = 32.0
MAX_QUERIES = 20  # what `lca status` asks the database, whatever the journal's length
SHOWN_STATES = 20  # the newest state rows the table lists


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    return build_month(tmp_path_factory.mktemp("month"))


def _status(path: Path) -> tuple[dict[str, Any], list[str]]:
    """`lca status`'s data and table on the journal at `path`, and the SQL it ran."""
    journal = Journal(f"sqlite:///{path}", account=None)
    statements: list[str] = []
    event.listen(journal.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: statements.append(statement))
    try:
        data = collect(journal)
        _print(Console(file=io.StringIO(), width=160), data)
    finally:
        journal.close()
    return data, statements


def test_a_month_of_one_second_cycles_fits_the_disk(month: Month) -> None:
    print(f"\nmonth journal: {month.rows} rows for {month.fast_guard_runs} fast-guard runs "
          f"({month.sample_kinds} per 1800 s), {month.size_mb:.1f} MB")
    assert month.sample_kinds["decision"] >= 6
    assert month.sample_kinds["slice"] >= 1  # the crash week: the sample has a plan under way
    assert month.size_mb < MAX_MB


def test_status_on_a_month_runs_a_fixed_number_of_queries(month: Month) -> None:
    data, statements = _status(month.path)
    assert data["decisions"]
    assert data["last_decision"] is not None
    assert len(statements) <= MAX_QUERIES, statements


def test_status_on_a_month_decodes_only_the_rows_it_shows(month: Month,
                                                          decoded: Counter[str]) -> None:
    data, _ = _status(month.path)
    days = COPIES // 48
    print(f"\nrows decoded: {dict(decoded)} of {month.rows}")
    # the cycle rows of the month are never read in full: the newest 20 decisions, the last one
    assert decoded["decision"] <= 20 + 1
    # (the run's newest row, whatever its kind, says when it ended)
    assert decoded["snapshot"] + decoded["memory"] <= 1
    # the newest states for the table, and the newest row of each trade permission
    assert decoded["state"] <= SHOWN_STATES + 3
    assert len(data["states"]) == min(SHOWN_STATES, month.sample_kinds["state"] * COPIES)
    # the run's orders and slices are shown, all of them: a day's plan at most, per day
    per_day = month.sample_kinds["result"] + month.sample_kinds["slice"]
    assert decoded["result"] + decoded["slice"] <= days * per_day + month.sample_kinds["slice"]
    assert sum(decoded.values()) < month.rows // 20
