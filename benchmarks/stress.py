"""The whole `lca stress` set: runs per CPU-second, guard steps per CPU-second, and the ratio to
backtesting.py's bars per second measured in the same run.

    uv run python benchmarks/stress.py [--full] [--jobs 1] [--out DIR] [--data-dir DIR]

`lca stress` runs as users run it (a child process, plots off: drawing PNGs is not the replay),
over the default set, or with `--full` the set the closing notes quote (`--appetite 1 2 4 8`:
every window × both presets × the four policies, the static books and the appetite frontier).
CPU seconds are the children's user + system time from the kernel (`getrusage`), so they count
the market build, the replays and the report, whatever the number of worker processes; `runs`
and the guard steps come from the summary.json written. A guard step is the live code path's
unit of work (snapshot, decide, plan, orders, journal), so steps per CPU-second set beside
backtesting.py's bars per second (an SMA cross on one core) is the ratio the issue asks for.
Target (issue 18): the full set in ≤ 60 s of CPU. Compare two summary.json files with
`python -m bridge.stress.compare --runs OLD NEW` (0 differences means the numbers did not move).

With `--profile FILE` the child runs under cProfile (in one process: `--jobs 1`), the profile is
kept in FILE and the CPU is split by phase (market build, per-run setup, the guard's steps, the
static books, the observers, summary and report): docs/performance.md reads it.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from anchors import bench_backtesting  # noqa: E402  (benchmarks/anchors.py)

TARGET_CPU_SECONDS = 60.0


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_stress(out: Path, *, full: bool, jobs: int, data_dir: str | None,
               scenarios: list[str], profile: str = "") -> tuple[float, float]:
    """Run `lca stress` into `out`; (wall seconds, CPU seconds of the child and its workers).
    With `profile`, under cProfile writing that file (then in one process)."""
    prof = ["-m", "cProfile", "-o", profile] if profile else []
    cmd = [sys.executable, *prof, "-m", "bridge.cli", "stress", "--no-plots", "--jobs",
           str(1 if profile else jobs), "--out", str(out)]
    if full:
        cmd += ["--appetite", "1", "2", "4", "8"]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    if scenarios:
        cmd += ["--scenario", *scenarios]
    cpu0, wall0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"lca stress failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return time.perf_counter() - wall0, _children_cpu() - cpu0


def figures(summary: dict[str, Any]) -> tuple[int, int, float]:
    """(runs, guard steps, CPU seconds summed over the runs themselves) from a summary.json."""
    runs = steps = 0
    cpu = 0.0
    for scenario in summary["scenarios"].values():
        for metrics in scenario["policies"].values():
            runs += 1
            steps += int(metrics.get("steps") or 0)
            cpu += float(metrics.get("cpu_seconds") or 0.0)
    return runs, steps, cpu


#: the phases of a stress run: (name, [(module path ending, function)]) summed by cumulative time
PHASES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("market build (once per window and process)", (("bridge/sim/market.py", "build_market"),)),
    ("per-run setup (terminal, config, guard build, start)", (
        ("bridge/sim/terminal.py", "__init__"), ("bridge/stress/windows.py", "policy_config"),
        ("bridge/app.py", "build_guard"), ("bridge/runtime/guard.py", "start"))),
    ("guarded replay: fast_guard (every step)", (("bridge/runtime/guard.py", "fast_guard"),)),
    ("guarded replay: cycle (journaled decision)", (("bridge/runtime/guard.py", "cycle"),)),
    ("guarded replay: recalibrate", (("bridge/runtime/guard.py", "recalibrate"),)),
    ("guarded replay: the terminal's ticks (advance_to)", (("bridge/driver.py", "run_replay"),
                                                           ("bridge/sim/terminal.py",
                                                            "advance_to"))),
    ("guarded replay: the runner's observers", (("bridge/stress/runner.py", "__call__"),)),
    ("static books (no guard)", (("bridge/stress/static.py", "run_static"),)),
    ("after the replay (slippage, series)", (("bridge/stress/runner.py", "_deal_costs"),
                                             ("bridge/stress/runner.py", "_series"))),
    ("summary and report", (("bridge/stress/suite.py", "summarise"),
                            ("bridge/stress/report.py", "write_report"),
                            ("bridge/commands/stress.py", "_print_summary"))),
)


def _cum(st: pstats.Stats, where: str, name: str, caller: str = "") -> float:
    total = 0.0
    for (file, _, func), (_, _, _, ct, callers) in st.stats.items():  # type: ignore[attr-defined]
        if func != name or not file.endswith(where):
            continue
        if not caller:
            total += ct
            continue
        total += sum(c[3] for (f, _, fn), c in callers.items() if fn == caller)
    return total


def split(profile: str) -> list[tuple[str, float]]:
    """(phase, cumulative CPU seconds under the profiler) of a `--profile` run, and the rest."""
    st = pstats.Stats(profile)
    rows = []
    for label, parts in PHASES:
        if label.endswith("(advance_to)"):  # only the calls the replay driver makes
            rows.append((label, _cum(st, "bridge/sim/terminal.py", "advance_to", "run_replay")))
        else:
            rows.append((label, sum(_cum(st, w, n) for w, n in parts)))
    # the whole process: the outermost call's cumulative time (cProfile's total_tt, the sum of
    # own times, leaves out part of the profiler's bookkeeping that cumulative times include)
    total = max(v[3] for v in st.stats.values())  # type: ignore[attr-defined]
    rows.append(("everything else (imports, process start, console)",
                 total - sum(v for _, v in rows)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true",
                    help="the full set with the appetite frontier (--appetite 1 2 4 8)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--out", help="keep the stress output here (default: a temporary folder)")
    ap.add_argument("--data-dir", help="the real market data (default: lca's own default)")
    ap.add_argument("--scenario", nargs="+", default=[],
                    help="only these windows (a quick look; the target is for the whole set)")
    ap.add_argument("--bars", type=int, default=50_000, help="bars for backtesting.py")
    ap.add_argument("--profile", default="",
                    help="run under cProfile (one process), keep the profile in this file and "
                         "print the CPU split by phase")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.out) if a.out else Path(tmp) / "stress"
        wall, cpu = run_stress(out, full=a.full, jobs=a.jobs, data_dir=a.data_dir,
                               scenarios=a.scenario, profile=a.profile)
        summary = json.loads((out / "summary.json").read_text())
    runs, steps, run_cpu = figures(summary)
    if a.profile:
        print("under cProfile, in one process: the rates below are not figures, the split is")
    print(f"lca stress ({'full set' if a.full else 'default set'}, --jobs {a.jobs}): {runs} runs "
          f"in {wall:.1f} s wall, {cpu:.1f} s CPU ({run_cpu:.1f} s inside the runs)")
    print(f"  {runs / cpu:.3f} runs per CPU-second; {steps:,} guard steps, "
          f"{steps / cpu:,.0f} guard steps per CPU-second")
    if a.profile:
        rows = split(a.profile)
        whole = sum(v for _, v in rows)
        print(f"CPU split under cProfile ({whole:.1f} s profiled; {a.profile}):")
        for label, v in rows:
            print(f"  {label:58s} {v:8.1f} s  {v / whole:6.1%}")
    bars = bench_backtesting(a.bars)
    if bars is not None:
        print(f"backtesting.py SMA cross: {bars:,.0f} bars/s over {a.bars:,} bars")
        print(f"ratio, guard steps per CPU-second ÷ backtesting.py bars/s: "
              f"{steps / cpu / bars:.3f}")
    if a.full and not a.scenario:
        met = "met" if cpu <= TARGET_CPU_SECONDS else "NOT met"
        print(f"target: the full set in ≤ {TARGET_CPU_SECONDS:.0f} s of CPU: {met}")


if __name__ == "__main__":
    main()
