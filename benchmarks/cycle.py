"""One controller cycle on the simulated terminal: snapshot (50 positions), decide, journal.

    uv run python benchmarks/cycle.py [--repeat 500]

Prints the median and p99 of `Guard.cycle()` (target: median ≤ 1 ms, issue 18) and of its parts
(the snapshot through the port, with its checks and its markets' reads alone, decide, the
journaled decision and its adoption, and the rest), with the guard in observe mode so that
nothing is closed between repetitions. Times are the
process's CPU time (`time.process_time_ns`: other processes on a shared machine do not count);
`--wall` takes wall time instead. The same script measures another checkout of lca when its
folder comes first on the path: `PYTHONPATH=/tmp/main uv run python benchmarks/cycle.py`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bridge.app import build_guard
from bridge.config import AppConfig, Mode, RunSettings
from controller import decide, make_snapshot
from controller.bounds import check_bounds


def _timed(fn: Callable[[], object], repeat: int,
           clock: Callable[[], int] = time.process_time_ns) -> tuple[float, float]:
    fn()  # warm: the first call builds caches (compiled statements, symbol specs)
    samples = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    samples.sort()
    return statistics.median(samples) / 1e6, samples[int(0.99 * len(samples)) - 1] / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--wall", action="store_true", help="wall time, not CPU time")
    args = parser.parse_args()
    clock = time.perf_counter_ns if args.wall else time.process_time_ns
    folder = Path(tempfile.mkdtemp(prefix="lca-bench-"))
    config = AppConfig(run=RunSettings(mode=Mode.OBSERVE, journal=f"sqlite:///{folder}/j.db",
                                       log_file="", compare_unguarded=False))
    guard = build_guard(config)
    mt5 = guard.replay
    mt5.initialize()
    symbols = ["GBPUSD", "EURUSD", "USDJPY"]
    for i in range(50 - mt5.positions_total()):
        name = symbols[i % 3]
        tick = mt5.symbol_info_tick(name)
        result = mt5.order_send({"action": mt5.TRADE_ACTION_DEAL, "symbol": name, "volume": 0.01,
                                 "type": mt5.ORDER_TYPE_BUY if i % 2 else mt5.ORDER_TYPE_SELL,
                                 "price": tick.ask if i % 2 else tick.bid, "deviation": 20,
                                 "type_filling": mt5.ORDER_FILLING_IOC, "magic": 1})
        if result is None or result.retcode != mt5.TRADE_RETCODE_DONE:
            raise SystemExit(f"could not open position {i}: {result} {mt5.last_error()}")
    guard.start()
    mt5.advance(3600)
    positions = mt5.positions_total()
    cycle = _timed(guard.cycle, args.repeat, clock)
    snap_t = _timed(lambda: guard.port.snapshot(mt5.now()), args.repeat, clock)
    snap = guard.port.snapshot(mt5.now())
    checks_t = _timed(lambda: check_bounds(make_snapshot(snap.time, snap.account, snap.symbols,
                                                         snap.positions, snap.market)),
                      args.repeat, clock)
    market_t = _timed(lambda: [guard.port.market(n, 0.0) for n in snap.market], args.repeat,
                      clock)
    books = sum(len(m.book or ()) for m in snap.market.values())
    decide_t = _timed(lambda: decide(snap, config, guard.indicators, guard.portfolio,
                                     guard.memory), args.repeat, clock)
    decision = decide(snap, config, guard.indicators, guard.portfolio, guard.memory)
    adopt_t = _timed(lambda: guard._adopt(decision, journal=True), args.repeat, clock)
    print(f"controller cycle on the simulated terminal, {positions} positions, "
          f"{len(snap.market)} symbols (observe mode), {'wall' if args.wall else 'CPU'} time")
    print(f"  Guard.cycle()  median {cycle[0]:7.3f} ms, p99 {cycle[1]:7.3f} ms   "
          "(target: median ≤ 1 ms)")
    print(f"  snapshot       median {snap_t[0]:7.3f} ms, p99 {snap_t[1]:7.3f} ms")
    print(f"    its checks   median {checks_t[0]:7.3f} ms, p99 {checks_t[1]:7.3f} ms   "
          f"(make_snapshot and check_bounds of it)")
    print(f"    its markets  median {market_t[0]:7.3f} ms, p99 {market_t[1]:7.3f} ms   "
          f"(TerminalPort.market of each symbol: tick and book, {books} book levels)")
    print(f"  decide         median {decide_t[0]:7.3f} ms, p99 {decide_t[1]:7.3f} ms")
    print(f"  journal+adopt  median {adopt_t[0]:7.3f} ms, p99 {adopt_t[1]:7.3f} ms   "
          f"(snapshot, decision and memory rows; {len(decision.actions)} slices adopted)")
    rest = cycle[0] - snap_t[0] - decide_t[0] - adopt_t[0]
    print(f"  the rest       {rest:7.3f} ms (the cycle's median less its parts' medians: the "
          "parts run colder in a cycle than alone and adopt a new decision each time; the "
          "guard's own steps are a few µs)")


if __name__ == "__main__":
    main()
