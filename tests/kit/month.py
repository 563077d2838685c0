"""A month's journal of 1-second guard cycles on five symbols, built from a measured sample.

The fast guard (every second) writes a row only when something happens (an escalation, a state
change, a slice); the controller cycle (every 5 minutes) writes a snapshot summary, a decision and
the memory. So the month is built from a measured sample: the real guard runs 30 minutes of
1-second fast guards with the 5-minute cycle on a five-symbol variant of covid-2020 (a crash
week), and its rows are replicated, shifted in time, into one journal: the cycle and state rows
1,440 times (30 days × 48 half-hours), the plan with its intents, results and slices once a day
(a deleveraging every day of the month): about 40,000 rows for 2,592,000 fast-guard runs.

Used by tests/reliability/test_load.py (the journal's size and what `lca status` reads of it)
and benchmarks/status.py (how long `lca status` takes on it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, text

from bridge.journal import JOURNAL, Journal
from bridge.sim.scenario import BUILTIN_DIR
from tests.kit.guard import sim_config, sim_guard

SAMPLE_S = 1800
COPIES = 30 * 48  # a month of half-hours
PLAN_KINDS = ("plan", "intent", "result", "slice")


@dataclass(frozen=True)
class Month:
    """The month's journal file and what went into it."""

    path: Path  # the SQLite file (month.db in the folder given)
    rows: int  # rows in the journal, the run row included
    sample_kinds: dict[str, int]  # rows per kind in the 30-minute sample
    fast_guard_runs: int  # fast-guard runs the month stands for
    size_mb: float  # the database file with its WAL, after a checkpoint


def five_symbol_scenario(folder: Path) -> Path:
    """covid-2020 with USDCHF added and USDJPY and USDCHF held: five symbols in the book."""
    text_ = (BUILTIN_DIR / "covid-2020.toml").read_text(encoding="utf-8")
    text_ = text_.replace('name = "covid-2020"', 'name = "covid-2020-five"', 1)
    text_ = text_.replace("[generator]\n", '[[symbols]]\nname = "USDCHF"\nspread_points = 12\n'
                          'daily_volume_lots = 40000.0\ndaily_volatility = 0.005\n\n'
                          '[generator]\n', 1)
    text_ += ('\n[generator.symbols.USDCHF]\nprice = 0.9600\nbeta = -0.4\nstress = 0.6\n'
              '\n[[book]]\nsymbol = "USDJPY"\ntype = "sell"\nvolume = 0.3\n'
              '\n[[book]]\nsymbol = "USDCHF"\ntype = "sell"\nvolume = 0.3\n')
    path = folder / "covid-2020-five.toml"
    path.write_text(text_, encoding="utf-8")
    return path


def build_month(folder: Path) -> Month:
    """Run the 30-minute sample in `folder` and replicate it into `folder`/month.db."""
    sample_db = folder / "sample.db"
    config = sim_config(None, scenario=five_symbol_scenario(folder),
                        journal=f"sqlite:///{sample_db}", slice_depth_fraction=None)
    guard, sim = sim_guard(config)
    guard.start()
    assert len(guard.watch) == 5
    next_cycle = sim.now()
    for _ in range(SAMPLE_S):  # the replay driver's schedule, 1-second fast guard
        sim.advance(1.0)
        if sim.now() >= next_cycle:
            guard.cycle()
            next_cycle += 300.0
        guard.fast_guard()
    assert guard.stats.guard_runs == SAMPLE_S
    sample = [r for r in guard.journal.rows() if r.kind != "run"]
    kinds = Counter(r.kind for r in sample)
    watch = sorted(guard.watch)
    account = int(guard.journal.account)
    guard.journal.close()

    path = folder / "month.db"
    month = Journal(f"sqlite:///{path}", account=account)
    month.append("run", sim.start_time, {"mode": "enforce", "terminal": "sim", "symbols": watch})
    # the cycle rows every half-hour; the plan, its orders and slices once a day (a month
    # with a deleveraging every day)
    rows = [{"account": month.account, "time": r.time + k * SAMPLE_S, "kind": r.kind,
             "plan_id": None if r.plan_id is None else f"{r.plan_id}.{k}", "ticket": r.ticket,
             "payload": r.payload} for k in range(COPIES) for r in sample
            if k % 48 == 0 or r.kind not in PLAN_KINDS]
    with month.engine.begin() as conn:
        conn.execute(insert(JOURNAL), rows)
    with month.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    month.close()
    size_mb = sum(p.stat().st_size for p in folder.glob("month.db*")) / 2**20
    return Month(path=path, rows=len(rows) + 1, sample_kinds=dict(kinds),
                 fast_guard_runs=SAMPLE_S * COPIES, size_mb=size_mb)
