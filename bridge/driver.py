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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from loguru import logger

from bridge.lease import LeaseLost
from bridge.runtime import Guard

__all__ = ["make_scheduler", "run_live", "run_replay"]


def run_replay(guard: Guard, sim: Any, *, speed: float = 0.0,
               on_step: Callable[[Guard], None] | None = None,
               sleep: Callable[[float], None] = time.sleep,
               wall: Callable[[], float] = time.perf_counter) -> None:
    """Drive `guard` over the whole replay of `sim` (a `SimTerminal`)."""
    run = guard.config.run
    guard_s = run.guard_seconds
    cycle_s = run.cycle_minutes * 60.0
    recal_s = run.recalibrate_minutes * 60.0
    t = sim.now()
    next_cycle = t
    next_recal = t + recal_s
    wall_start, sim_start = wall(), t
    while not sim.finished:
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
                   scheduler: Any = None) -> Any:
    """The APScheduler 3.x scheduler with the three jobs (a BlockingScheduler by default)."""
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


def run_live(guard: Guard, *, on_step: Callable[[Guard], None] | None = None) -> None:
    """Run the jobs under APScheduler until interrupted (Ctrl-C or SIGTERM)."""
    run = guard.config.run
    scheduler = make_scheduler(guard, on_step=on_step)
    guard.cycle()
    logger.info("scheduler started: guard every {} s, cycle every {} min, recalibration every "
                "{} min", run.guard_seconds, run.cycle_minutes, run.recalibrate_minutes)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("stopped")
