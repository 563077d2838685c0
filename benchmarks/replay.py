"""Ticks per second through the simulated terminal, against backtesting.py's bars per second.

    uv run python benchmarks/replay.py [--hours 24] [--tick-seconds 0.25] [--step 60]

A 3-symbol book (EURUSD, GBPUSD, USDJPY long, on a hedging USD account with the volatility margin
rule on) is replayed through `SimTerminal.advance` in steps of `--step` simulated seconds, as the
runtime drives it: on every tick the account is revalued (profit with currency conversion, margin
with the per-tick margin multiplier) and checked for stop-out and SL/TP. The book is small enough
never to be stopped out, so every tick carries the full check. Then backtesting.py runs an SMA
cross over as many bars on the same machine; the ratio of the two rates is printed (target ≥ 8,
and ≥ 1 M ticks/s). Both run on one core (BLAS threads pinned to 1).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
from anchors import bench_backtesting  # noqa: E402  (benchmarks/anchors.py)

from bridge.sim import SimTerminal  # noqa: E402

SCENARIO = """
name = "bench-3-symbols"
seed = 1
start = 2016-10-06T00:00:00Z
crash_time = 2016-10-06T{crash}Z
end = 2016-10-06T00:00:00Z
warmup_hours = 1
[account]
balance = 100000.0
leverage = 100
[broker]
volatility_margin = 1.0
weekend_close = false
[[symbols]]
name = "EURUSD"
book_depth = 10
[[symbols]]
name = "GBPUSD"
book_depth = 10
[[symbols]]
name = "USDJPY"
[generator]
preset = "S2"
tick_seconds = {tick}
crash_tick_seconds = {tick}
warmup_tick_seconds = 60
[generator.symbols.EURUSD]
price = 1.12
stress = 0.3
beta = 0.05
[generator.symbols.GBPUSD]
price = 1.26
[generator.symbols.USDJPY]
price = 103.5
stress = 0.3
beta = 0.05
[[book]]
symbol = "EURUSD"
volume = 0.3
[[book]]
symbol = "GBPUSD"
volume = 0.3
[[book]]
symbol = "USDJPY"
volume = 0.3
"""


END0 = pd.Timestamp("2016-10-06", tz="UTC")


def bench_sim(hours: float, tick_s: float, step: float) -> tuple[int, float, float]:
    """(ticks played, ticks/s stepping by `step` s, ticks/s in one advance_to)."""
    end_h = int(hours)
    text = SCENARIO.format(crash=f"{end_h // 2:02d}:00:00", tick=tick_s)
    text = text.replace(
        "end = 2016-10-06T00:00:00Z",
        f"end = {END0 + pd.Timedelta(hours=hours):%Y-%m-%dT%H:%M:%SZ}",
    )
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.toml"
        path.write_text(text)
        t0 = time.perf_counter()
        SimTerminal.from_scenario(path)  # builds and caches the market
        build = time.perf_counter() - t0
        rates = []
        for mode in ("step", "once"):
            mt5 = SimTerminal.from_scenario(path)
            mt5.initialize()
            t0 = time.perf_counter()
            if mode == "step":
                while not mt5.finished:
                    mt5.advance(step)
            else:
                mt5.advance_to(mt5.end_time)
            dt = time.perf_counter() - t0
            if mt5.positions_total() != 3 or mt5.stop_outs:
                raise SystemExit("the benchmark book was stopped out; the figure would be wrong")
            rates.append(mt5.ticks_played / dt)
        print(f"market build: {build:.2f} s for {mt5.ticks_played:,} ticks (3 symbols)")
        return mt5.ticks_played, rates[0], rates[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=24.0, help="simulated hours (default 24)")
    ap.add_argument(
        "--tick-seconds",
        type=float,
        default=0.25,
        help="seconds between a symbol's ticks (default 0.25)",
    )
    ap.add_argument(
        "--step", type=float, default=60.0, help="simulated seconds per advance() call (default 60)"
    )
    ap.add_argument("--bars", type=int, default=50_000, help="bars for backtesting.py")
    a = ap.parse_args()
    n, stepped, once = bench_sim(a.hours, a.tick_seconds, a.step)
    print(
        f"simulated terminal: {n:,} ticks; {stepped / 1e6:.2f} M ticks/s stepping by "
        f"{a.step:g} s, {once / 1e6:.2f} M ticks/s in one advance_to "
        f"(account state + stop-out check per tick)"
    )
    bars = bench_backtesting(a.bars)
    if bars is not None:
        print(f"backtesting.py 0.6 SMA cross: {bars:,.0f} bars/s over {a.bars:,} bars")
        print(
            f"ratio, simulated ticks/s ÷ backtesting.py bars/s: {stepped / bars:,.1f}× "
            f"(stepping), {once / bars:,.1f}× (one call); target ≥ 8×"
        )
    ok = stepped >= 1e6
    print(f"target ≥ 1 M ticks/s stepping: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
