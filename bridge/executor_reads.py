"""The executor's terminal reads: one port call at a time, retried with back-off while the
terminal does not answer; the last failure kept on the slice's run (`SliceRun.error`) for the
outcome's message. Waits in seconds through the `bridge.clock.Clock`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from bridge.clock import Clock
from bridge.executor_slice import SliceRun, reduced_position
from bridge.terminal import HeldPosition, TerminalError, TerminalPort

__all__ = ["SliceReads"]

_T = TypeVar("_T")


class SliceReads:
    """Reads through `port` for one executor: at most `max_attempts` tries per read, waiting
    `backoff_seconds` × 2^k between them."""

    def __init__(self, port: TerminalPort, clock: Clock, max_attempts: int,
                 backoff_seconds: float) -> None:
        self._port = port
        self._clock = clock
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds

    def ask(self, run: SliceRun, call: Callable[[], _T]) -> _T | None:
        """One port call: its answer, or None with the failure kept in `run.error`."""
        try:
            got = call()
        except TerminalError as exc:
            run.error = exc
            return None
        run.error = None
        return got

    def read(self, run: SliceRun, call: Callable[[], _T]) -> _T | None:
        """`call()` until it answers, at most `max_attempts` times with back-off."""
        for k in range(self.max_attempts):
            got = self.ask(run, call)
            if got is not None:
                return got
            if k + 1 < self.max_attempts:
                self._clock.sleep(self.backoff_seconds * 2.0**k)
        return None

    def position(self, run: SliceRun) -> HeldPosition | None:
        """The position the slice reduces (volume 0 when gone), or None when it cannot be read."""
        action = run.action
        if action.close_by_ticket:
            found = self.read(run, lambda: self._port.held(ticket=action.ticket))
        else:
            found = self.read(run, lambda: self._port.held(symbol=action.symbol))
        if found is None:
            return None
        return reduced_position(action, found)

    def price(self, run: SliceRun) -> float | None:
        a = run.action
        quote = self.read(run, lambda: self._port.quote(a.symbol))
        if quote is None:
            return None
        price = quote[0] if a.side == "sell" else quote[1]
        return price if price > 0 and math.isfinite(price) else None
