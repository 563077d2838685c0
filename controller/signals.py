"""Early-warning signals of a decision (issue 12 item 2): which warnings are on, as plain values.

A signal is on when its observed value crosses its threshold; a decision lists only the ones that
are on. Market-derived signals (`MARKET_SIGNALS`: volatility, depth, spread acceleration, margin
pressure, correlation, the crash flag) are what `lca stress` counts as a warning of a crash;
clock-based ones (thin hours, the weekend, a scheduled event ahead) are listed with them but say
only what the calendar says.

- volatility_regime: σ_now above its entry percentile (`[indicators]`
  vol_high_enter_percentile of the trailing daily samples); daily σ, a fraction.
- thin_depth: DepthRatio below `[regime]` thin_depth_enter, with its source (book, telemetry or
  the spread proxy).
- spread_acceleration: liq_accel (per bucket²) above `[signals]` spread_accel_above.
- margin_pressure: stress margin ÷ margin above 1 + `[buffer]` growth_floor.
- correlation_spike: the book's average pairwise correlation at or above `[regime]`
  crash_correlation.
- crash_flag: the liquidity-crash flag (observed: the signs shown).
- thin_hours: a `[extras]` thin-hours window is in force (observed: its cap factor).
- weekend: from Friday's `[signals]` weekend_from_utc to Sunday's weekend_until_utc (observed:
  hours to the reopen).
- scheduled_event: an event's lead time has begun (observed: minutes to it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

from controller.book import Book
from controller.book_liquidity import BookLiquidity
from controller.decision_types import Signal
from controller.indicators import SymbolIndicators
from controller.settings import ExtrasSettings, Settings, SignalSettings
from controller.snapshot import Event, Snapshot

__all__ = ["CLOCK_SIGNALS", "MARKET_SIGNALS", "Signal", "decision_signals", "weekend_hours_left"]

MARKET_SIGNALS = ("volatility_regime", "thin_depth", "spread_acceleration", "margin_pressure",
                  "correlation_spike", "crash_flag")
CLOCK_SIGNALS = ("thin_hours", "weekend", "scheduled_event")
_DAY = 86_400.0
_FRIDAY, _SUNDAY = 4, 6  # weekday of a UTC day (1970-01-01 was a Thursday: day 0 → 3)


@lru_cache(maxsize=128)  # a pure function of the setting's text: a cached value cannot be stale
def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def weekend_hours_left(now: float, s: SignalSettings) -> float | None:
    """Hours until Sunday's `weekend_until_utc` when `now` (UTC s) is between Friday's
    `weekend_from_utc` and it; None outside the weekend."""
    day = math.floor(now / _DAY)
    weekday = (day + 3) % 7
    minute = (now - day * _DAY) / 60.0
    start, end = _minute(s.weekend_from_utc), _minute(s.weekend_until_utc)
    inside = (weekday == _FRIDAY and minute >= start) or weekday == 5 or \
        (weekday == _SUNDAY and minute < end)
    if not inside:
        return None
    days_to_sunday = (_SUNDAY - weekday) % 7
    return (days_to_sunday * 1440.0 + end - minute) / 60.0


def _thin_hours(now: float, x: ExtrasSettings) -> list[Signal]:
    minute = int(now // 60) % 1440
    out = []
    for w in x.thin_hours:
        start, end = _minute(w.start_utc), _minute(w.end_utc)
        inside = start <= minute < end if start <= end else (minute >= start or minute < end)
        if inside:
            out.append(Signal("thin_hours", None, w.factor, 1.0, "cap factor",
                              f"clock {w.label or w.start_utc + '-' + w.end_utc}", False))
    return out


def _watched(book: Book, ind: Mapping[str, SymbolIndicators]) -> list[str]:
    """The held symbols, or every prepared one when nothing is held."""
    return sorted(book.positions) if book.positions else sorted(ind)


def _volatility(syms: list[str], ind: Mapping[str, SymbolIndicators]) -> list[Signal]:
    out = []
    for sym in syms:
        si = ind.get(sym)
        if si is None:
            continue
        now, enter = si.sigma_now, si.sigma_enter  # read once (properties of a frozen record)
        if now is not None and enter is not None and now > enter:
            out.append(Signal("volatility_regime", sym, now, enter, "daily σ", "sigma_now",
                              True))
    return out


def _liquidity(snapshot: Snapshot, syms: list[str], ind: Mapping[str, SymbolIndicators],
               liq: BookLiquidity, s: Settings) -> list[Signal]:
    out = []
    for m in liq.symbol_metrics:
        if m.depth_ratio is not None and m.depth_ratio < s.regime.thin_depth_enter:
            market = snapshot.market.get(m.symbol)
            source = "proxy" if m.depth_source == "proxy" else \
                ("book" if market is not None and market.book else "telemetry")
            out.append(Signal("thin_depth", m.symbol, m.depth_ratio, s.regime.thin_depth_enter,
                              "DepthRatio", source, True))
    limit = s.signals.spread_accel_above
    for sym in syms:
        si = ind.get(sym)
        accel = si.liq_accel if si is not None else None
        if accel is not None and accel > limit:
            out.append(Signal("spread_acceleration", sym, accel, limit, "per bucket²", "spread",
                              True))
    return out


def _clock(now: float, events: Mapping[str, tuple[Event, ...]], s: Settings) -> list[Signal]:
    out = _thin_hours(now, s.extras)
    left = weekend_hours_left(now, s.signals)
    if left is not None:
        out.append(Signal("weekend", None, left, 0.0, "hours to reopen", "calendar", False))
    out.extend(Signal("scheduled_event", sym, (e.time - now) / 60.0, e.lead_minutes,
                      "minutes to event", e.label or "calendar", False)
               for sym in sorted(events) for e in events[sym])
    return out


def decision_signals(snapshot: Snapshot, book: Book, ind: Mapping[str, SymbolIndicators],
                     liq: BookLiquidity, stress_margin: float | None,
                     events: Mapping[str, tuple[Event, ...]], s: Settings) -> tuple[Signal, ...]:
    """Every signal that is on for this snapshot, market-derived first, in a fixed order. With
    `[components] liquidity` off (an evaluation policy) no depth or spread signal is raised."""
    syms = _watched(book, ind)
    out = _volatility(syms, ind)
    if s.components.liquidity:
        out.extend(_liquidity(snapshot, syms, ind, liq, s))
    margin = snapshot.account.margin
    if stress_margin is not None and margin > 0.0:
        ratio, limit = stress_margin / margin, 1.0 + s.buffer.growth_floor
        if ratio > limit:
            out.append(Signal("margin_pressure", None, ratio, limit, "stress margin / margin",
                              "margin", True))
    out.extend(Signal("correlation_spike", None, x.observed, x.threshold, "correlation",
                      x.source, True)
               for x in liq.crash_evidence if x.sign == "correlation_spike" and x.shown)
    if liq.crash_flag:
        out.append(Signal("crash_flag", None, float(len(liq.crash_signs)), 2.0, "signs shown",
                          "crash_flag", True))
    out.extend(_clock(snapshot.time, events, s))
    return tuple(out)
