"""benchmarks/compare.py: the figures it reads from a benchmark's output, and its table (a
benchmark missing in the old revision is said so, the speed-up of a time and of a rate)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "compare.py"


def _compare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_compare", _PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


OUTPUT = """decide: 200 positions over 30 symbols, a day of 1-second quotes per symbol
  EffLev 1.6 (no cut)      decide median   0.530 ms, p99  15.592 ms   (target: median ≤ 0.5 ms)
                           state ACTIVE, regime UNAVAILABLE, target 0.51 (rule), 0 slices
simulated terminal: 1,036,800 ticks; 0.31 M ticks/s stepping by 1 s, 7.40 M ticks/s in one call
ratio, guard steps per CPU-second ÷ backtesting.py bars/s: 0.212
"""


def test_the_figures_are_the_measured_numbers_with_their_units_and_no_setting_or_target() -> None:
    c = _compare()
    found = {(f.value, f.unit, f.lower_is_better) for f in c.figures(OUTPUT)}
    assert found == {(0.53, "ms", True), (15.592, "ms", True), (0.31, "M ticks/s", False),
                     (7.4, "M ticks/s", False), (0.212, "×", False)}


def test_the_table_says_a_benchmark_missing_before_and_the_speed_up_of_times_and_rates(
        tmp_path: Path) -> None:
    c = _compare()
    figures, why = c.run_benchmark(tmp_path, "stress.py", [], {}, 10.0)
    assert (figures, why) == (None, "missing")
    old, new = c.Outcome(missing=True), c.Outcome()
    new.keep_best(c.figures(OUTPUT))
    before, after = c.Outcome(), c.Outcome()
    before.keep_best([c.Figure("median", 2.0, "ms", True), c.Figure("rate", 1.0, "/s", False)])
    after.keep_best([c.Figure("median", 0.5, "ms", True), c.Figure("rate", 3.0, "/s", False)])
    after.keep_best([c.Figure("median", 0.8, "ms", True)])  # a worse round is not kept
    text = c.table({"stress": (old, new), "decide": (before, after)}, ("e421d87", "HEAD"))
    assert "| stress | missing in e421d87 |" in text
    assert "| decide | median | 2 ms | 0.5 ms | 0.250 | 4.00× |" in text
    assert [f.label for f in c.figures("queue: 304, median 1.0 ms")] == \
        [f.label for f in c.figures("queue: 305, median 2.0 ms")] == ["queue: #, median [·] ms"]
    assert "| decide | rate | 1 /s | 3 /s | 3.000 | 3.00× |" in text
