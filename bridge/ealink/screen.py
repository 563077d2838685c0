"""Which of the EA's telemetry may stand in for book depth right now. Pure: values in, values out.

The parser (`parse_telemetry`) already leaves out ``s=`` lines with a bad value. This screen adds
the checks that need the clock: a telemetry file stamped in the future (beyond a small clock
skew) or older than the allowed age is stale as a whole; a symbol whose quote stamp is in the
future, older than that age or never set is left out. Only symbols with a published book
(``levels`` > 0) give depth; every other symbol uses the proxy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bridge.ealink.records import EaTelemetry

__all__ = ["CLOCK_SKEW_S", "DepthScreen", "screen_depth"]

CLOCK_SKEW_S = 5.0
"""Seconds a stamp may lie ahead of lca's clock (the EA's TimeGMT and lca's clock differ a little);
further ahead it is a fault and counts as stale, never as fresh."""


@dataclass(frozen=True)
class DepthScreen:
    """The outcome of screening one telemetry file at one time.

    - ``depth``: {symbol: (bid lots, ask lots)} usable as book depth.
    - ``stale``: why the whole file is unusable (None when it is fresh).
    - ``problems``: {symbol: reason} for each symbol left out for a bad value or stamp.
    """

    depth: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    stale: str | None = None
    problems: Mapping[str, str] = field(default_factory=dict)


def screen_depth(telemetry: EaTelemetry, now_utc: float, max_age_s: float) -> DepthScreen:
    """Screen ``telemetry`` at ``now_utc`` (UTC seconds); ``max_age_s`` is the oldest usable age."""
    written = telemetry.written_utc
    if written > now_utc + CLOCK_SKEW_S:
        return DepthScreen(stale=f"telemetry is stamped {written - now_utc:.0f} s in the future "
                                 "(written_utc): the EA's or lca's clock is wrong; not used")
    if now_utc - written > max_age_s:
        return DepthScreen(stale=f"telemetry is {now_utc - written:.0f} s old (limit "
                                 f"{max_age_s:.0f} s): is the EA attached and running?")
    problems = dict(telemetry.rejected)
    depth: dict[str, tuple[float, float]] = {}
    for name, s in telemetry.symbols.items():
        if s.levels <= 0:
            continue  # no book at this broker: the proxy applies, nothing is wrong
        if s.time_utc <= 0:
            problems[name] = f"{name} telemetry has book depth but no quote time (quote_utc=0)"
        elif s.time_utc > max(now_utc, written) + CLOCK_SKEW_S:
            problems[name] = (f"{name} telemetry quote_utc={s.time_utc} is "
                              f"{s.time_utc - now_utc:.0f} s in the future")
        elif now_utc - s.time_utc > max_age_s:
            problems[name] = (f"{name} telemetry quote_utc={s.time_utc} is "
                              f"{now_utc - s.time_utc:.0f} s old (limit {max_age_s:.0f} s)")
        else:
            depth[name] = (s.bid_depth, s.ask_depth)
    return DepthScreen(depth=depth, problems=problems)
