"""Issue 7 §7, load: the journal of a month of 1-second guard cycles on 5 symbols, and how fast
`lca status` answers on it.

The fast guard (every second) writes a row only when something happens (an escalation, a state
change, a slice); the controller cycle (every 5 minutes) writes a snapshot summary, a decision and
the memory. So the month is built from a measured sample: the real guard runs 30 minutes of
1-second fast guards with the 5-minute cycle on a five-symbol variant of covid-2020 (a crash
week), and its rows are replicated, shifted in time, into one journal: the cycle and state rows
1,440 times (30 days × 48 half-hours), the plan with its intents, results and slices once a day
(a deleveraging every day of the month): about 40,000 rows for 2,592,000 fast-guard runs. The
size of the database file is printed and bounded; `collect` (what `lca status --json` prints)
and the table view must answer in under a second.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from sqlalchemy import insert, text

from bridge.app import build_guard
from bridge.commands.status import _print, collect
from bridge.config import AppConfig, RunSettings, TerminalSettings
from bridge.journal import JOURNAL, Journal
from bridge.sim.scenario import BUILTIN_DIR

SAMPLE_S = 1800
COPIES = 30 * 48  # a month of half-hours
MAX_MB = 32.0
_PLAN_KINDS = ("plan", "intent", "result", "slice")


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


def test_a_month_of_one_second_cycles_on_five_symbols(tmp_path: Path) -> None:
    sample_db = tmp_path / "sample.db"
    config = AppConfig(terminal=TerminalSettings(scenario=str(five_symbol_scenario(tmp_path))),
                       run=RunSettings(journal=f"sqlite:///{sample_db}", log_file="",
                                       compare_unguarded=False))
    guard = build_guard(config)
    sim = guard.replay
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
    assert kinds["decision"] >= 6
    assert kinds["slice"] >= 1  # the crash week: the sample has a plan under way
    guard.journal.close()

    month = Journal(f"sqlite:///{tmp_path}/month.db", account=int(guard.journal.account))
    month.append("run", sim.start_time, {"mode": "enforce", "terminal": "sim",
                                         "symbols": sorted(guard.watch)})
    # the cycle rows every half-hour; the plan, its orders and slices once a day (a month
    # with a deleveraging every day)
    rows = [{"account": month.account, "time": r.time + k * SAMPLE_S, "kind": r.kind,
             "plan_id": None if r.plan_id is None else f"{r.plan_id}.{k}", "ticket": r.ticket,
             "payload": r.payload} for k in range(COPIES) for r in sample
            if k % 48 == 0 or r.kind not in _PLAN_KINDS]
    with month.engine.begin() as conn:
        conn.execute(insert(JOURNAL), rows)
    with month.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    size_mb = sum(p.stat().st_size for p in tmp_path.glob("month.db*")) / 2**20
    print(f"\nmonth journal: {len(rows) + 1} rows for {SAMPLE_S * COPIES} fast-guard runs "
          f"({dict(kinds)} per {SAMPLE_S} s), {size_mb:.1f} MB")

    started = time.perf_counter()
    data = collect(month)
    collect_s = time.perf_counter() - started
    started = time.perf_counter()
    _print(Console(file=io.StringIO(), width=160), data)
    print_s = time.perf_counter() - started
    print(f"lca status on it: collect {collect_s * 1000:.0f} ms, table {print_s * 1000:.0f} ms")
    month.close()
    assert data["decisions"]
    assert data["last_decision"] is not None
    assert size_mb < MAX_MB
    assert collect_s + print_s < 1.0
