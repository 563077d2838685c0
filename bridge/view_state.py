"""What the live view remembers between frames: the replay's progress, the book as it was, the
orders with their times, the last controller cycle, the phase after the replay.

`LiveState` is a guard observer (bridge.observe): the guard calls it; the view (bridge.console)
reads it. Times are UTC epoch seconds on the guard's clock (simulated in a replay); `wall` is
the wall clock (seconds, monotonic) for the elapsed time and the ETA.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridge.config import TerminalKind
from bridge.journal_rows import SliceRow
from bridge.mt5 import constants as mt5c
from bridge.observe import GuardObserver, GuardView

__all__ = ["HeldPosition", "LiveState", "OrderLine"]


@dataclass
class HeldPosition:
    """A position seen since the start: `lots_seen` the most it held (lots), `lots` what it
    holds now (0 once closed), `profit` its floating P/L in account currency."""

    ticket: int
    symbol: str
    side: str
    lots_seen: float
    lots: float
    profit: float


@dataclass(frozen=True)
class OrderLine:
    """One slice outcome as shown: guard-clock time, lots filled of requested, the retcode."""

    time: float
    symbol: str
    side: str
    filled: float
    volume: float
    status: str
    retcode: int | None
    message: str


class LiveState(GuardObserver):
    """Observer that keeps what a frame of the live view needs beyond the guard's own state."""

    def __init__(self, wall: Callable[[], float] = time.monotonic,
                 refresh: Callable[[], None] | None = None) -> None:
        self.wall = wall
        self.refresh = refresh  # redraw the view now (a phase changed between guard steps)
        self.wall_start: float | None = None
        self.sim_start: float | None = None
        self.sim_end: float | None = None
        self.positions: dict[int, HeldPosition] = {}
        self.orders: list[OrderLine] = []
        self.last_cycle: float | None = None
        self.cycle_seconds = 300.0
        self.phase: str | None = None
        self.phase_fraction: float | None = None

    # -- observer hooks ----------------------------------------------------------------------
    def on_start(self, guard: GuardView) -> None:
        self.wall_start = self.wall()
        self.cycle_seconds = guard.config.run.cycle_minutes * 60.0
        mt5 = guard.port.mt5
        if guard.config.terminal.kind == TerminalKind.SIM and hasattr(mt5, "start_time") and \
                hasattr(mt5, "end_time"):
            self.sim_start, self.sim_end = float(mt5.start_time), float(mt5.end_time)
        self._track(guard)

    def on_step(self, guard: GuardView, seconds: float) -> None:
        self._track(guard)

    def on_cycle(self, guard: GuardView, seconds: float) -> None:
        self.last_cycle = guard.now()

    def on_order(self, guard: GuardView, row: dict[str, Any]) -> None:
        done = SliceRow.from_payload(row)
        held = self.positions.get(done.ticket)
        side = "" if held is None else ("sell" if held.side == "long" else "buy")
        line = OrderLine(guard.now(), done.symbol, side, done.filled, done.volume,
                         str(done.status), done.retcode, done.message)
        self.orders = [line, *self.orders][:8]

    def on_phase(self, guard: GuardView, text: str | None, fraction: float | None) -> None:
        """A phase the guard's steps do not show (the unguarded comparison); None: over."""
        self.phase, self.phase_fraction = text, fraction
        if self.refresh is not None:
            self.refresh()

    # -- progress ----------------------------------------------------------------------------
    def progress(self, now: float) -> tuple[float, float, float | None] | None:
        """(fraction of the replay window done, wall seconds elapsed, wall seconds left or None)
        in a replay; None on a live terminal."""
        if self.sim_start is None or self.sim_end is None or self.wall_start is None:
            return None
        span = self.sim_end - self.sim_start
        done = 1.0 if span <= 0.0 else min(1.0, max(0.0, (now - self.sim_start) / span))
        elapsed = self.wall() - self.wall_start
        left = elapsed * (1.0 - done) / done if done > 0.001 else None
        return done, elapsed, left

    def next_cycle(self) -> float | None:
        """When the next controller cycle is due (guard clock), once one has run."""
        return None if self.last_cycle is None else self.last_cycle + self.cycle_seconds

    def _track(self, guard: GuardView) -> None:
        snap = guard.snapshot
        if snap is None:
            return
        open_now = {p.ticket: p for p in snap.positions}
        for ticket, p in open_now.items():
            held = self.positions.get(ticket)
            side = "long" if p.type == mt5c.POSITION_TYPE_BUY else "short"
            if held is None:
                self.positions[ticket] = HeldPosition(ticket, p.symbol, side, p.volume,
                                                      p.volume, p.profit + p.swap)
            else:
                held.lots, held.profit = p.volume, p.profit + p.swap
                held.lots_seen = max(held.lots_seen, p.volume)
        for ticket, held in self.positions.items():
            if ticket not in open_now:
                held.lots, held.profit = 0.0, 0.0
