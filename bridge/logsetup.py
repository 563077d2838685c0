"""The log's sinks and its clock: a rotated file always, stderr unless a live view owns the
terminal; in a replay every line is stamped in simulated time, with the wall time beside it.

A line in a replay:   ``2016-10-06 17:00:01 UTC sim | wall 10:47:55 | INFO    | guard started …``
A line otherwise:     ``2026-12-01 10:47:55.061 | INFO    | bridge.runtime:start:194 - …``

The simulated clock is set for the span of a replay (`replay_clock`); loguru's patcher reads it
for each record, so every module's `logger` calls are stamped without knowing about it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loguru import logger

__all__ = ["replay_clock", "setup_logging"]

_clock: list[Callable[[], float]] = []  # the replay's clock (UTC epoch seconds), while one runs

_WALL = "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <7} | {name}:{function}:{line} - {message}\n"
_SIM = ("{extra[sim_time]:%Y-%m-%d %H:%M:%S} UTC sim | wall {time:HH:mm:ss} | {level: <7} | "
        "{message}\n")


def _patch(record: Any) -> None:
    """Stamp the record with the replay's simulated time (UTC) when a replay runs."""
    if _clock:
        record["extra"]["sim_time"] = datetime.fromtimestamp(_clock[-1](), tz=UTC)


def _format(record: Any) -> str:
    line = _SIM if "sim_time" in record["extra"] else _WALL
    return line + ("{exception}" if record["exception"] else "")


def setup_logging(log_file: str, quiet: bool, live_console: bool) -> None:
    """A rotated log file always; stderr for warnings unless a live view owns the terminal."""
    logger.remove()
    logger.configure(patcher=_patch)
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        logger.add(log_file, rotation="10 MB", retention=5, level="INFO", enqueue=False,
                   format=_format)
    if not live_console:
        logger.add(sys.stderr, level="WARNING" if quiet else "INFO", format=_format)


@contextmanager
def replay_clock(now: Callable[[], float] | None) -> Iterator[None]:
    """While inside, log lines carry `now()` (the simulated clock) as their time; None: the
    wall clock (a live terminal)."""
    if now is None:
        yield
        return
    _clock.append(now)
    try:
        yield
    finally:
        _clock.remove(now)
