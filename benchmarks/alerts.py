"""The guard's cycle with a dead alert channel against no channel at all.

    uv run python benchmarks/alerts.py [--repeat 300]

Each timed step is `Guard.cycle()` followed by `Guard.fast_guard()` on the simulated terminal
(observe mode, nothing closed between repetitions) with one alert raised per step (a worst case:
real alerts come on edges, a few per hour), so every step hands an alert to the queue and
journals the deliveries the worker finished. Channels, all on 127.0.0.1:

- none: no alert observer at all (the baseline);
- refused: a webhook to a port nobody listens on (connection refused at once);
- silent: a webhook to a server that accepts and never answers (Apprise's 4 s timeouts);
- live: a webhook to a local HTTP server that answers 200 (for reference);
- live+web: the same, plus the dashboard's observers (live board, metrics, control queue; no
  server: what the guard's thread pays for them).

Prints the median and p99 per variant and the difference of the medians against none.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loguru import logger

from bridge.alerts import attach_alerts
from bridge.app import build_guard
from bridge.config import AppConfig, Mode, RunSettings
from bridge.metrics import MetricsObserver
from bridge.web.board import LiveBoard
from bridge.web.control import Controls
from tests.alerts.servers import Recorder, Silent, refused_port


def _variant(url: str | None, repeat: int, web: bool = False) -> tuple[float, float, str]:
    """(median, p99) of one step in ms, and what the queue did."""
    folder = Path(tempfile.mkdtemp(prefix="lca-bench-alerts-"))
    config = AppConfig(run=RunSettings(mode=Mode.OBSERVE, journal=f"sqlite:///{folder}/j.db",
                                       log_file="", compare_unguarded=False))
    guard = build_guard(config)
    sim = guard.replay
    observer = None
    if url is not None:
        observer = attach_alerts(guard, {"LCA_ALERT_URLS": url,
                                         "LCA_ALERT_WINDOW_SECONDS": "0"})
    if web:
        guard.observers.extend([LiveBoard(), MetricsObserver(), Controls()])
    guard.start()
    samples, raise_ns = [], []
    for i in range(repeat):
        sim.advance(1.0)
        t0 = time.perf_counter_ns()
        guard.cycle()
        if observer is not None:
            r0 = time.perf_counter_ns()
            observer.on_state(guard, "connection", f"benchmark alert {i}")
            raise_ns.append(time.perf_counter_ns() - r0)
        guard.fast_guard()
        samples.append(time.perf_counter_ns() - t0)
    note = ""
    if observer is not None:
        d = observer.dispatcher
        note = (f"raising an alert: median {statistics.median(raise_ns) / 1e3:.0f} µs; queue: "
                f"{d.sent} sent, {d.failed} failed, {d.dropped} dropped")
        guard.notify("on_stop", "benchmark over")
        if hasattr(d, "_thread"):
            d.close(timeout=0.1)
    samples.sort()
    return statistics.median(samples) / 1e6, samples[int(0.99 * len(samples)) - 1] / 1e6, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    logger.remove()  # the figures only (a dead channel logs a warning per alert)
    _variant(None, max(20, args.repeat // 10))  # warm-up: imports, caches, the first journal
    live, silent = Recorder(), Silent()
    variants = {
        "none": None,
        "refused": f"json://127.0.0.1:{refused_port()}/hook",
        "silent": f"json://127.0.0.1:{silent.port}/hook",
        "live": f"json://127.0.0.1:{live.port}/hook",
        "live+web": f"json://127.0.0.1:{live.port}/hook",
    }
    print(f"Guard.cycle() + fast_guard(), one alert per step, {args.repeat} steps "
          "(observe mode, simulated terminal)")
    base = None
    try:
        for name, url in variants.items():
            median, p99, note = _variant(url, args.repeat, web=name.endswith("+web"))
            base = median if base is None else base
            print(f"  {name:8s} median {median:7.3f} ms, p99 {p99:7.3f} ms, "
                  f"median - none {median - base:+7.3f} ms   {note}")
    finally:
        live.close()
        silent.close()


if __name__ == "__main__":
    main()
