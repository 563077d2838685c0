"""Publishing the guard's limits to the EA: the limits file when they change materially, a
heartbeat every `[ea] heartbeat_seconds` between, and the EA's depth telemetry read back.
Times in UTC epoch seconds; EffLev as a multiple of equity; depth in lots."""

from __future__ import annotations

import math

from loguru import logger

from bridge.config import EaSettings
from bridge.ealink.errors import EaLinkError
from bridge.ealink.link import EaLink
from controller import Decision, TradingState

__all__ = ["LimitsPublisher"]


class LimitsPublisher:
    """The EA side of one guard: `link` (None: no EA link, nothing is written or read)."""

    def __init__(self, link: EaLink | None, settings: EaSettings) -> None:
        self.link = link
        self.settings = settings
        self._last_beat = -math.inf
        self._published: tuple[object, ...] | None = None  # the limits last written

    def depth(self, now: float) -> dict[str, tuple[float, float]] | None:
        """Depth per side (lots) from the EA's telemetry, for symbols with a published book;
        screened field by field (`EaLink.depth`): a bad value costs that symbol alone."""
        if self.link is None:
            return None
        return self.link.depth(now, self.settings.telemetry_max_age_seconds)

    def publish(self, decision: Decision | None, now: float, *, healthy: bool) -> None:
        """Write the EA's limits when they change, and a heartbeat every few seconds; new
        exposure is allowed only while `healthy` (fresh quotes, terminal reachable)."""
        if self.link is None or decision is None:
            return
        lim = decision.limits
        symbols = {row.symbol: row.max_volume for row in lim.symbols}
        max_eff_lev = lim.max_eff_lev
        if decision.state is TradingState.REDUCING and decision.metrics.eff_lev:
            # a staged plan walks EffLev down to the target: the EA holds the level reached,
            # so it does not cut the whole excess at once behind the plan's back
            max_eff_lev = max(max_eff_lev, decision.metrics.eff_lev)
        # rewrite on a material change only (EffLev to 0.01); heartbeats carry the rest
        allowed = lim.new_exposure_allowed and healthy
        key = (round(max_eff_lev, 2), lim.msi_floor, lim.prop_lock, allowed,
               tuple(sorted(symbols.items())))
        try:
            if key != self._published:
                self.link.publish(now_utc=now, max_eff_lev=max(max_eff_lev, 1e-6),
                                  msi_floor=lim.msi_floor, prop_lock=lim.prop_lock,
                                  symbols=symbols, new_exposure_allowed=allowed)
                self._published = key
                self._last_beat = now
            elif now - self._last_beat >= self.settings.heartbeat_seconds:
                self.link.heartbeat(now)
                self._last_beat = now
        except (EaLinkError, OSError) as exc:
            logger.warning("EA limits not written: {}", exc)
