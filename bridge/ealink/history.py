"""Depth and spread history from successive telemetry files, per symbol, in bounded memory."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bridge.ealink.records import EaTelemetry, SymbolTelemetry

__all__ = ["SymbolHistory", "TelemetryHistory"]


@dataclass(frozen=True)
class SymbolHistory:
    """Aligned arrays for one symbol, oldest first.

    ``time_utc`` (UTC seconds of each telemetry write), ``spread_mean``/``spread_max`` (price
    units), ``bid_depth``/``ask_depth`` (lots over the top N levels), ``levels`` (0 = no book,
    use the proxy), ``tick_count`` (quote changes per write interval).
    """

    time_utc: npt.NDArray[np.int64]
    spread_mean: npt.NDArray[np.float64]
    spread_max: npt.NDArray[np.float64]
    bid_depth: npt.NDArray[np.float64]
    ask_depth: npt.NDArray[np.float64]
    levels: npt.NDArray[np.int64]
    tick_count: npt.NDArray[np.int64]


class TelemetryHistory:
    """Keeps the last ``maxlen`` telemetry samples per symbol; O(1) per added sample.

    A telemetry file read twice (same EA sequence and write time) is added once.
    """

    def __init__(self, maxlen: int = 4096) -> None:
        if maxlen < 1:
            raise ValueError(f"TelemetryHistory maxlen={maxlen}: use at least 1")
        self._maxlen = maxlen
        self._rows: dict[str, deque[tuple[int, SymbolTelemetry]]] = {}
        self._last_key: tuple[int, int] | None = None

    def add(self, telemetry: EaTelemetry) -> bool:
        """Add a telemetry file's samples; return False when it was already added."""
        key = (telemetry.sequence, telemetry.written_utc)
        if key == self._last_key:
            return False
        self._last_key = key
        for name, sample in telemetry.symbols.items():
            rows = self._rows.setdefault(name, deque(maxlen=self._maxlen))
            rows.append((telemetry.written_utc, sample))
        return True

    def symbols(self) -> tuple[str, ...]:
        """The symbols seen so far, in first-seen order."""
        return tuple(self._rows)

    def of(self, symbol: str) -> SymbolHistory:
        """The history of ``symbol`` (empty arrays when never seen)."""
        rows = self._rows.get(symbol, ())
        return SymbolHistory(
            time_utc=np.array([t for t, _ in rows], dtype=np.int64),
            spread_mean=np.array([s.spread_mean for _, s in rows], dtype=np.float64),
            spread_max=np.array([s.spread_max for _, s in rows], dtype=np.float64),
            bid_depth=np.array([s.bid_depth for _, s in rows], dtype=np.float64),
            ask_depth=np.array([s.ask_depth for _, s in rows], dtype=np.float64),
            levels=np.array([s.levels for _, s in rows], dtype=np.int64),
            tick_count=np.array([s.tick_count for _, s in rows], dtype=np.int64),
        )
