"""The guard's clock: `now()` in UTC epoch seconds and `sleep(seconds)`.

`WallClock` is the live one (`time.time`, `time.sleep`). `SimClock` reads a replay's simulated
time, and its `sleep` advances the replay by that much: a wait in the executor (a back-off, a
read-back) lets the simulated market move on exactly as a live wait would. The live loop (terminal
port, executor, guard, driver) takes a `Clock` and never asks which one it got.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "Replay", "SimClock", "WallClock"]


@runtime_checkable
class Clock(Protocol):
    """UTC epoch seconds now, and a pause of `seconds`."""

    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class Replay(Protocol):
    """What the replay driver and the run summary read from a simulated terminal
    (`bridge.sim.SimTerminal`): times in UTC epoch seconds, `stop_outs` the positions the
    broker closed so far."""

    @property
    def scenario(self) -> _Named: ...
    @property
    def start_time(self) -> float: ...
    @property
    def end_time(self) -> float: ...
    @property
    def crash_time(self) -> float | None: ...
    @property
    def stop_outs(self) -> int: ...
    @property
    def finished(self) -> bool: ...
    def now(self) -> float: ...
    def advance(self, seconds: float) -> object: ...
    def advance_to(self, t: float) -> object: ...


class WallClock:
    """The computer's clock: `time.time()` and `time.sleep`."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class SimClock:
    """A replay's simulated clock: `now()` is the replay's time; `sleep` advances the replay."""

    def __init__(self, sim: Replay) -> None:
        self.sim = sim

    def now(self) -> float:
        return float(self.sim.now())

    def sleep(self, seconds: float) -> None:
        self.sim.advance(seconds)
