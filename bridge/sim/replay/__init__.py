"""Market replay: data readers, the broker's server clock, bar-to-tick expansion, schedules."""

from __future__ import annotations

from bridge.sim.replay.clock import ServerClock
from bridge.sim.replay.paths import expand_bars
from bridge.sim.replay.readers import Bars, Ticks, read_market_file
from bridge.sim.replay.schedule import Schedule, Windows

__all__ = [
    "Bars",
    "Schedule",
    "ServerClock",
    "Ticks",
    "Windows",
    "expand_bars",
    "read_market_file",
]
