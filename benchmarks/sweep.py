"""Stress-sweep throughput: the same runs on local processes and on a Dask LocalCluster.

    uv run python benchmarks/sweep.py [--workers 2] [--hours 12]

The runs: the calm control (calm-2019, real ticks) under both presets, cut to its first
`--hours`, for the four guard policies and two static books (12 runs). They run three times:
in this process (jobs 1), on `--workers` local processes (`--executor local`, what `lca stress`
does by default), and on a `distributed.LocalCluster` of `--workers` single-threaded worker
processes on 127.0.0.1 (`--executor dask://…`). Prints runs per minute of wall time for each, the
CPU seconds of the runs, and checks that the three summaries agree (bridge.stress.compare).
A real cluster adds the network and gains the cores; on one machine the cluster can only match
the local pool, less its start-up and scheduling overhead.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from distributed import LocalCluster

from bridge.sim.scenario import load_scenario
from bridge.stress import WINDOWS, RunSpec
from bridge.stress.compare import comparable, differences
from bridge.stress.executors import parse_executor
from bridge.stress.suite import run_all, summarise
from tests.conftest import SHARED_DATA


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--hours", type=float, default=12.0)
    args = ap.parse_args()
    data = str(SHARED_DATA)
    calm = load_scenario(WINDOWS["calm-2019"].path, data_dir=data)
    end = calm.start + args.hours * 3600.0
    specs = [RunSpec("calm-2019", preset, policy, data, end=end)
             for preset in ("esma", "offshore")
             for policy in ("none", "vol-only", "rules-only", "full", "static-2", "static-5")]
    rows = []
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, silence_logs=50) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        summaries = []
        for label, jobs, executor in (("in-process (jobs 1)", 1, "local"),
                                      (f"local processes (jobs {args.workers})", args.workers,
                                       "local"),
                                      (f"Dask LocalCluster ({args.workers} workers)", 1,
                                       address)):
            t0 = time.perf_counter()
            results = run_all(specs, jobs, executor=parse_executor(executor))
            wall = time.perf_counter() - t0
            cpu = sum(r["metrics"]["cpu_seconds"] for r in results)
            summaries.append(comparable(summarise(results, data, {})))
            rows.append((label, wall, cpu))
    print(f"{len(specs)} runs (calm-2019, first {args.hours:g} h, 2 presets × 6 policies)")
    for label, wall, cpu in rows:
        print(f"  {label:34s} {wall:7.1f} s wall  {len(specs) / wall * 60:6.1f} runs/min  "
              f"{cpu:6.1f} s CPU in the runs")
    diffs = [d for s in summaries[1:] for d in differences(summaries[0], s)]
    for d in diffs[:20]:
        print("  differs:", d)
    agree = not diffs
    print("summaries agree" if agree else "SUMMARIES DIFFER")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
