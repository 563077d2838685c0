"""`lca status` on a month's journal: how long it takes to collect and to print.

    uv run python benchmarks/status.py [--repeat 5]

The month is tests.kit.month's: a measured 30-minute sample of the real guard on a five-symbol
crash week, replicated into about 52,000 rows for a month of 1-second fast guards (building it
takes about 10 s). Prints the best of `--repeat` runs of `collect` (what `lca status --json`
prints) and of the table, in CPU time (`time.process_time`: the database is SQLite in this
process). tests/reliability/test_load.py pins what keeps it fast (a fixed number of queries,
only the shown rows decoded); this prints the figure.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

from loguru import logger
from rich.console import Console

from bridge.commands.status import _print, collect
from bridge.journal import Journal
from tests.kit.month import build_month


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="ERROR")
    with tempfile.TemporaryDirectory() as folder:
        month = build_month(Path(folder))
        journal = Journal(f"sqlite:///{month.path}", account=None)
        collect_s, print_s = [], []
        for _ in range(args.repeat):
            t0 = time.process_time()
            data = collect(journal)
            t1 = time.process_time()
            _print(Console(file=io.StringIO(), width=160), data)
            t2 = time.process_time()
            collect_s.append(t1 - t0)
            print_s.append(t2 - t1)
        journal.close()
    print(f"lca status on a month's journal ({month.rows:,} rows, {month.size_mb:.1f} MB), "
          f"best of {args.repeat}:")
    print(f"  collect      {min(collect_s) * 1000:7.1f} ms")
    print(f"  table        {min(print_s) * 1000:7.1f} ms")
    together = min(a + b for a, b in zip(collect_s, print_s, strict=True))
    print(f"  together     {together * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
