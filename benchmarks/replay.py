"""Ticks per second through the simulated terminal, against backtesting.py's bars per second.

    uv run python benchmarks/replay.py [--hours 24] [--tick-seconds 0.25] [--step 60] [--repeat 3]

A 3-symbol book (EURUSD, GBPUSD, USDJPY long, on a hedging USD account with the volatility margin
rule on) is replayed through `SimTerminal.advance` in steps of `--step` simulated seconds, as the
runtime drives it: on every tick the account is revalued (profit with currency conversion, margin
with the per-tick margin multiplier) and checked for stop-out and SL/TP. The book is small enough
never to be stopped out, so every tick carries the full check. Then backtesting.py runs an SMA
cross over as many bars on the same machine; the ratio of the two rates is printed (target ≥ 8,
and ≥ 1 M ticks/s). Both run on one core (BLAS threads pinned to 1).

Figures are per CPU second (time.process_time), the best of `--repeat` runs: `step` advances
only, `read` also reads account_info and positions_get after every step as the guard does (the
replay is never lazy: every advance computes the account's state on each tick it plays), `once`
plays the whole replay in one advance_to. The per-call floor is an advance that plays no tick.

The per-read figures (µs of CPU per call) time each read the guard makes, once after every step
of a replay like `read` (its first 10,000 steps; so no read is a repeat of the same one at the
same tick):
account_info, positions_get, symbol_info_tick (each symbol), market_book_get (the two symbols
with a book; then each again at the same instant, as a cycle's snapshot after the guard's step
reads it) and copy_rates_from_pos (M1 and H1, as the recalibration asks, every simulated ten
minutes); the cost of the timer itself is measured and taken off.
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

from bridge.mt5 import constants as mt5c  # noqa: E402
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


def _scenario_file(d: str, hours: float, tick_s: float) -> Path:
    text = SCENARIO.format(crash=f"{int(hours) // 2:02d}:00:00", tick=tick_s)
    text = text.replace(
        "end = 2016-10-06T00:00:00Z",
        f"end = {END0 + pd.Timedelta(hours=hours):%Y-%m-%dT%H:%M:%SZ}",
    )
    path = Path(d) / "bench.toml"
    path.write_text(text)
    return path


def _play(path: Path, mode: str, step: float) -> tuple[int, float]:
    """(ticks played, CPU seconds) of one replay: `step` advances, `read` advances with the
    account and the positions read after each (as the guard does), `once` one advance_to."""
    mt5 = SimTerminal.from_scenario(path)
    mt5.initialize()
    t0 = time.process_time()
    if mode == "once":
        mt5.advance_to(mt5.end_time)
    while not mt5.finished:
        mt5.advance(step)
        if mode == "read":
            mt5.account_info()
            mt5.positions_get()
    dt = time.process_time() - t0
    if mt5.positions_total() != 3 or mt5.stop_outs:
        raise SystemExit("the benchmark book was stopped out; the figure would be wrong")
    return mt5.ticks_played, dt


def _floor(path: Path, calls: int = 20_000) -> float:
    """CPU seconds of one advance call that plays no tick (the per-call floor)."""
    mt5 = SimTerminal.from_scenario(path)
    mt5.initialize()
    mt5.advance(3600.0)
    t0 = time.process_time()
    for _ in range(calls):
        mt5.advance(0.0)
    return (time.process_time() - t0) / calls


READS = ("account_info", "positions_get", "symbol_info_tick", "market_book_get",
         "market_book_get again at the same instant", "copy_rates_from_pos")
_AGAIN = "market_book_get again at the same instant"
_BARS = ((mt5c.TIMEFRAME_M1, 3 * 1440), (mt5c.TIMEFRAME_H1, 60 * 24))
_BARS_EVERY_S = 600.0
_READ_STEPS = 10_000
"""Steps of the per-read replay at most (the figures settle long before)."""


def _timer_ns(calls: int = 20_000) -> float:
    """CPU ns of one empty pair of `process_time_ns` calls (taken off each timed read)."""
    clock = time.process_time_ns
    best = float("inf")
    for _ in range(3):
        total = 0
        for _ in range(calls):
            t0 = clock()
            total += clock() - t0
        best = min(best, total / calls)
    return best


def _time_each(mt5: SimTerminal, read: str, names: tuple[str, ...], total: dict[str, int],
               calls: dict[str, int], figure: str | None = None) -> None:
    """Time `read` of each symbol in `names` once, added to `figure` (default: the read)."""
    clock = time.process_time_ns
    figure = figure or read
    for name in names:
        t0 = clock()
        getattr(mt5, read)(name)
        total[figure] += clock() - t0
        calls[figure] += 1


def _reads(path: Path, step: float) -> dict[str, float]:
    """CPU ns per call of each read in `READS`, timed one by one after every step."""
    mt5 = SimTerminal.from_scenario(path)
    mt5.initialize()
    names = ("EURUSD", "GBPUSD", "USDJPY")
    books = ("EURUSD", "GBPUSD")
    for name in books:
        mt5.market_book_add(name)
    clock = time.process_time_ns
    total = dict.fromkeys(READS, 0)
    calls = dict.fromkeys(READS, 0)
    calls_per_step = {"account_info": (), "positions_get": ()}
    next_bars = mt5.now()
    for _ in range(_READ_STEPS):
        if mt5.finished:
            break
        mt5.advance(step)
        for read in calls_per_step:
            t0 = clock()
            getattr(mt5, read)()
            total[read] += clock() - t0
            calls[read] += 1
        _time_each(mt5, "symbol_info_tick", names, total, calls)
        _time_each(mt5, "market_book_get", books, total, calls)
        # the snapshot of a cycle after the guard's step reads the books again
        _time_each(mt5, "market_book_get", books, total, calls, _AGAIN)
        if mt5.now() >= next_bars:
            next_bars += _BARS_EVERY_S
            for name in names:
                for tf, count in _BARS:
                    t0 = clock()
                    mt5.copy_rates_from_pos(name, tf, 1, count)
                    total["copy_rates_from_pos"] += clock() - t0
                    calls["copy_rates_from_pos"] += 1
    return {read: total[read] / max(calls[read], 1) for read in READS}


def bench_sim(hours: float, tick_s: float, step: float, repeat: int) -> dict[str, float]:
    """Ticks per CPU second per mode (best of `repeat`), the ticks played and the per-call floor
    (CPU seconds)."""
    with tempfile.TemporaryDirectory() as d:
        path = _scenario_file(d, hours, tick_s)
        t0 = time.process_time()
        SimTerminal.from_scenario(path)  # builds and caches the market
        build = time.process_time() - t0
        out: dict[str, float] = {}
        for mode in ("step", "read", "once"):
            runs = [_play(path, mode, step) for _ in range(repeat)]
            out["ticks"] = runs[0][0]
            out[mode] = runs[0][0] / min(dt for _, dt in runs)
        out["floor"] = min(_floor(path) for _ in range(repeat))
        timer = _timer_ns()
        reads = [_reads(path, step) for _ in range(repeat)]
        for read in READS:
            out[read] = max(min(r[read] for r in reads) - timer, 0.0)
        print(f"market build: {build:.2f} s CPU for {int(out['ticks']):,} ticks (3 symbols)")
        return out


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
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure, best kept (default 3)")
    ap.add_argument("--bars", type=int, default=50_000, help="bars for backtesting.py")
    a = ap.parse_args()
    r = bench_sim(a.hours, a.tick_seconds, a.step, a.repeat)
    per_step = 3 * a.step / a.tick_seconds
    print(
        f"simulated terminal: {int(r['ticks']):,} ticks; per CPU second: "
        f"{r['step'] / 1e6:.2f} M ticks stepping by {a.step:g} s, "
        f"{r['read'] / 1e6:.2f} M stepping with the account and positions read after each step, "
        f"{r['once'] / 1e6:.2f} M in one advance_to (account state + stop-out check per tick)"
    )
    print(
        f"per-call floor: {r['floor'] * 1e6:.2f} µs per advance that plays no tick; at "
        f"{per_step:g} ticks per step that caps stepping at {per_step / r['floor'] / 1e6:.1f} M "
        f"ticks/s"
    )
    for mode, what in (("step", f"stepping by {a.step:g} s"),
                       ("read", f"stepping by {a.step:g} s, account and positions read each step"),
                       ("once", "in one advance_to")):
        print(f"replay {what}: {r[mode] / 1e6:.2f} M ticks/s")
    for read in READS:
        print(f"per read: {read} {r[read] / 1e3:.2f} µs of CPU per call (after each step)")
    bars = bench_backtesting(a.bars)
    stepped, once = r["step"], r["once"]
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
