"""The EA link the runtime drives: publish limits with a heartbeat, poll the telemetry."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from loguru import logger

from bridge.ealink.errors import EaLinkError, ProtocolError
from bridge.ealink.history import TelemetryHistory
from bridge.ealink.reader import TelemetryReader
from bridge.ealink.records import MAX_SEQUENCE, EaLimits, EaTelemetry
from bridge.ealink.screen import screen_depth
from bridge.ealink.writer import LimitsWriter

__all__ = ["EaLink"]


class EaLink:
    """One link folder: writes limits (sequence + heartbeat) and collects the EA's telemetry.

    The runtime calls `publish` when the controller's limits change and `heartbeat` on a schedule
    well inside the EA's ``InpHeartbeatTimeoutSec`` (default 30 s; beat every 5 s). Time is an
    argument: ``now_utc`` in UTC seconds from the runtime's clock.

    Sequence: the EA refuses a limits file whose sequence is below the one it applied, so every
    write is above every earlier one, across lca runs too: ``max(previous + 1, now in ms)``, where
    the previous is the highest of this run's last write, the limits file on disk and the sequence
    the EA's telemetry acknowledges. A new run therefore starts above the old one even when
    limits.txt is gone or torn (the clock) or the clock was set back (the file, the telemetry).
    Milliseconds since 1970 reach `MAX_SEQUENCE` (18 digits) in about 31 million years; a write
    past it is refused with a `ProtocolError`, never wrapped.
    """

    def __init__(self, folder: Path, *, history_len: int = 4096) -> None:
        self.writer = LimitsWriter(folder)
        self.reader = TelemetryReader(folder)
        self.history = TelemetryHistory(history_len)
        self._sequence = max(self.writer.last_sequence(), self._acknowledged_sequence())
        self._limits: EaLimits | None = None
        self.last_telemetry: EaTelemetry | None = None
        self.last_error: str | None = None
        # what was last warned about (a symbol, or "" for the whole file): one warning per fault
        self._warned: dict[str, str] = {}

    @property
    def limits(self) -> EaLimits | None:
        """The limits last written, or None before the first `publish`."""
        return self._limits

    def publish(
        self,
        *,
        now_utc: float,
        max_eff_lev: float,
        msi_floor: float,
        prop_lock: bool,
        symbols: Mapping[str, float],
        new_exposure_allowed: bool = True,
    ) -> EaLimits:
        """Write new limits (lots per symbol, ratios for EffLev and MSI) with a fresh heartbeat.

        ``new_exposure_allowed=False`` makes the EA close any new position or increase at once.
        """
        if not math.isfinite(now_utc):
            raise ProtocolError(f"EaLink.publish now_utc={now_utc!r}: use UTC seconds")
        limits = EaLimits(
            sequence=max(self._sequence + 1, int(now_utc * 1000.0)),
            heartbeat_utc=int(now_utc),
            max_eff_lev=max_eff_lev,
            msi_floor=msi_floor,
            prop_lock=prop_lock,
            symbols=symbols,
            new_exposure_allowed=new_exposure_allowed,
        )
        self.writer.write(limits)
        self._sequence = limits.sequence
        self._limits = limits
        return limits

    def heartbeat(self, now_utc: float) -> EaLimits | None:
        """Re-write the last limits with a fresh heartbeat; None before the first `publish`."""
        if self._limits is None:
            return None
        old = self._limits
        return self.publish(
            now_utc=now_utc,
            max_eff_lev=old.max_eff_lev,
            msi_floor=old.msi_floor,
            prop_lock=old.prop_lock,
            symbols=old.symbols,
            new_exposure_allowed=old.new_exposure_allowed,
        )

    def poll(self) -> EaTelemetry | None:
        """Read the telemetry; add it to `history`. None (and `last_error` set) when the file is
        missing, busy or torn: the previous telemetry stays in `last_telemetry`."""
        try:
            telemetry = self.reader.read()
        except EaLinkError as exc:
            self.last_error = str(exc)
            return None
        self.last_error = None
        self.last_telemetry = telemetry
        self.history.add(telemetry)
        return telemetry

    def _acknowledged_sequence(self) -> int:
        """The limits sequence the EA's telemetry says it applied; 0 when unreadable."""
        try:
            acked = self.reader.read().limits_sequence
        except EaLinkError:
            return 0
        return acked if 0 <= acked <= MAX_SEQUENCE else 0  # no EA applies more

    def depth(self, now_utc: float, max_age_s: float) -> dict[str, tuple[float, float]] | None:
        """Poll the telemetry; the book depth (bid lots, ask lots) per symbol it may give now.

        None when there is no usable telemetry (missing, torn, another version, stale, stamped in
        the future). A symbol with a bad value or stamp is left out, so it falls back to the
        proxy depth; each fault is warned about once, and again only after it cleared.
        """
        telemetry = self.poll()
        if telemetry is None:
            return None
        screen = screen_depth(telemetry, now_utc, max_age_s)
        self._warn_once("", screen.stale)
        if screen.stale is not None:
            return None
        for name in list(self._warned):
            if name and name not in screen.problems:
                del self._warned[name]  # good again: a new fault is worth a new warning
        for name, problem in screen.problems.items():
            self._warn_once(name, problem)
        return dict(screen.depth)

    def _warn_once(self, key: str, problem: str | None) -> None:
        if problem is None:
            self._warned.pop(key, None)
        elif key not in self._warned:
            self._warned[key] = problem
            logger.warning("EA telemetry {}: {}; the proxy depth applies", key or "file",
                           problem)

    def acknowledged(self) -> bool:
        """True when the EA's last telemetry echoes the sequence last written."""
        t = self.last_telemetry
        return t is not None and self._limits is not None and t.limits_sequence == self._sequence
