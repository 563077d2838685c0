"""Two ways to run the guard's jobs: APScheduler against a live terminal, and a deterministic
driver on the simulated clock.

Live (`run_live`): APScheduler 3.x interval jobs — the fast guard, the controller cycle and the
recalibration — each with `max_instances=1` (a slow call never stacks jobs), `coalesce=True`
(missed runs collapse into one) and a misfire grace time.

Replay (`run_replay`): the same job functions, called in time order on the simulated clock:
advance the simulated terminal by one guard period, run the fast guard, and run the cycle and the
recalibration when their period has passed. With `speed` > 0 it paces the wall clock (`speed`
simulated seconds per second); with 0 it runs as fast as it can. Same scenario, same seed, same
run.

Stopping: `StopRequest` turns SIGTERM into a clean stop like Ctrl-C. The replay checks it after
every step (a step is never cut in half); under APScheduler it ends the scheduler's wait and the
running job is allowed to finish (`shutdown(wait=True)`). The caller then journals the stop and
releases the lease (`Guard.stop`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from loguru import logger

from bridge.clock import Replay
from bridge.lease import LeaseLost
from bridge.runtime import Guard

__all__ = ["GuardStopped", "StopRequest", "make_scheduler", "run_live", "run_replay"]


class GuardStopped(BaseException):
    """Raised in the main thread by SIGTERM under the live scheduler (like KeyboardInterrupt)."""


class StopRequest:
    """Why the run should stop (None: keep going): "SIGTERM", or a lost lease."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.raise_on_signal = False

    def _on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        self.reason = "SIGTERM"
        if self.raise_on_signal:
            raise GuardStopped("SIGTERM")

    @contextmanager
    def on_sigterm(self) -> Iterator[StopRequest]:
        """Handle SIGTERM while inside (in the main thread only; elsewhere a no-op)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(signal.SIGTERM, self._on_sigterm)
        try:
            yield self
        finally:
            signal.signal(signal.SIGTERM, previous)


def run_replay(guard: Guard, sim: Replay, *, speed: float = 0.0,
               on_step: Callable[[Guard], None] | None = None,
               sleep: Callable[[float], None] = time.sleep,
               wall: Callable[[], float] = time.perf_counter,
               stop: StopRequest | None = None) -> None:
    """Drive `guard` over the whole replay of `sim` (`guard.replay`, a `SimTerminal`), or until
    `stop` has a reason (checked after every step)."""
    run = guard.config.run
    guard_s = run.guard_seconds
    cycle_s = run.cycle_minutes * 60.0
    recal_s = run.recalibrate_minutes * 60.0
    t = sim.now()
    next_cycle = t
    next_recal = t + recal_s
    wall_start, sim_start = wall(), t
    while not sim.finished and (stop is None or stop.reason is None):
        t = min(t + guard_s, sim.end_time)
        sim.advance_to(t)
        if t >= next_cycle:
            guard.cycle()
            next_cycle = t + cycle_s
        guard.fast_guard()
        if t >= next_recal:
            guard.recalibrate()
            next_recal = t + recal_s
        if on_step is not None:
            on_step(guard)
        if speed > 0.0:
            ahead = (t - sim_start) / speed - (wall() - wall_start)
            if ahead > 0.0:
                sleep(ahead)


def make_scheduler(guard: Guard, *, on_step: Callable[[Guard], None] | None = None,
                   scheduler: Any = None, stop: StopRequest | None = None) -> Any:
    """The APScheduler 3.x scheduler with the three jobs (a BlockingScheduler by default). A
    lost lease stops it (the reason goes to `stop`)."""
    if scheduler is None:
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler = BlockingScheduler(timezone="UTC")
    run = guard.config.run

    def lease_kept(job: Callable[[], None]) -> Callable[[], None]:
        def wrapped() -> None:
            try:
                job()
            except LeaseLost as exc:  # another guard took the account over: stop acting
                logger.error("{}", exc)
                if stop is not None:
                    stop.reason = f"lease lost: {exc}"
                scheduler.shutdown(wait=False)
        return wrapped

    def fast() -> None:
        guard.fast_guard()
        if on_step is not None:
            on_step(guard)

    common = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(lease_kept(fast), "interval", seconds=run.guard_seconds, id="fast_guard",
                      misfire_grace_time=max(1, int(run.guard_seconds)), **common)
    scheduler.add_job(lease_kept(guard.cycle), "interval", minutes=run.cycle_minutes, id="cycle",
                      misfire_grace_time=60, **common)
    scheduler.add_job(guard.recalibrate, "interval", minutes=run.recalibrate_minutes,
                      id="recalibrate", misfire_grace_time=300, **common)
    return scheduler


def run_live(guard: Guard, *, on_step: Callable[[Guard], None] | None = None,
             stop: StopRequest | None = None) -> None:
    """Run the jobs under APScheduler until interrupted (Ctrl-C, or SIGTERM with `stop`
    installed) or the lease is lost; a running job finishes first."""
    run = guard.config.run
    stop = stop if stop is not None else StopRequest()
    stop.raise_on_signal = True
    scheduler = make_scheduler(guard, on_step=on_step, stop=stop)
    guard.cycle()
    logger.info("scheduler started: guard every {} s, cycle every {} min, recalibration every "
                "{} min", run.guard_seconds, run.cycle_minutes, run.recalibrate_minutes)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit, GuardStopped) as exc:
        if stop.reason is None or isinstance(exc, KeyboardInterrupt):
            stop.reason = "SIGTERM" if isinstance(exc, GuardStopped) else "Ctrl-C"
        logger.info("stopping ({}): letting the running job finish", stop.reason)
        if scheduler.running:
            scheduler.shutdown(wait=True)
