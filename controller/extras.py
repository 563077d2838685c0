"""Dynamic leverage extras (DESIGN §3.5): multipliers on the target.

- Multi-timeframe direction: a position against the D1 trend weighs `counter_trend_factor`.
- ATR ratio r = ATR_H1 × √24 / ATR_D1 (volatility expanding intraday): above the threshold the
  multiplier is threshold / r, never below the floor.
- Time of day: thin hours (rollover, early Asia) multiply by their factor; their usual spread
  widening (`spread_multiple`) is what LR compares the spread with inside them.
- Scheduled events: symbols with an affected currency get the event's factor from its lead time
  until shortly after it (brokers raise margin before elections and central-bank decisions).

Each per-symbol multiplier is averaged with the book's value weights; the account multiplier is
the product of the four.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from controller.book import Book
from controller.indicators import SymbolIndicators
from controller.quick_init import quick_init
from controller.settings import ExtrasSettings, Settings
from controller.snapshot import Event, Snapshot, SymbolSpec

__all__ = [
    "Events",
    "Multiplier",
    "active_events",
    "atr_multiplier",
    "event_factor",
    "event_name",
    "held_event_factor",
    "mtf_multiplier",
    "symbol_events",
    "target_multiplier",
    "thin_hours_spread_multiple",
    "time_of_day_factor",
    "weighted",
]


def mtf_multiplier(net_volume: float, trend: int, counter_trend_factor: float) -> float:
    """`counter_trend_factor` when the net position is against the D1 trend, else 1."""
    if trend == 0 or net_volume == 0.0:
        return 1.0
    against = (net_volume > 0.0) != (trend > 0)
    return counter_trend_factor if against else 1.0


def atr_multiplier(atr_ratio: float | None, threshold: float, floor: float) -> float:
    """1 up to the threshold, then threshold / ratio, floored."""
    if atr_ratio is None or atr_ratio <= threshold:
        return 1.0
    return max(floor, threshold / atr_ratio)


@lru_cache(maxsize=128)  # a pure function of the setting's text: a cached value cannot be stale
def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def time_of_day_factor(now: float, settings: ExtrasSettings) -> float:
    """Product of the factors of the thin-hour windows (UTC) that contain `now`."""
    minute = int(now // 60) % 1440
    factor = 1.0
    for window in settings.thin_hours:
        start, end = _minutes(window.start_utc), _minutes(window.end_utc)
        inside = start <= minute < end if start <= end else (minute >= start or minute < end)
        if inside:
            factor *= window.factor
    return factor


def thin_hours_spread_multiple(now: float, settings: ExtrasSettings) -> float:
    """The usual spread multiple of the thin-hours window in force at `now` (the largest when
    windows overlap; 1 outside them): the known daily widening LR does not count."""
    minute = int(now // 60) % 1440
    multiple = 1.0
    for window in settings.thin_hours:
        start, end = _minutes(window.start_utc), _minutes(window.end_utc)
        inside = start <= minute < end if start <= end else (minute >= start or minute < end)
        if inside:
            multiple = max(multiple, window.spread_multiple)
    return multiple


def active_events(now: float, currencies: Sequence[str],
                  events: Sequence[Event]) -> tuple[Event, ...]:
    """The events in force at `now` (from their lead time until shortly after) that name one of
    `currencies`."""
    return tuple(
        e for e in events
        if e.time - e.lead_minutes * 60.0 <= now <= e.time + e.after_minutes * 60.0
        and any(c in e.currencies for c in currencies)
    )


def event_factor(now: float, currencies: Sequence[str], events: Sequence[Event]) -> float:
    """Lowest factor among the events now in force that name one of `currencies`."""
    return min((e.cap_factor for e in active_events(now, currencies, events)), default=1.0)


def event_name(event: Event) -> str:
    """How a reason names an event: its label, else its currencies."""
    return event.label or f"{'/'.join(event.currencies)} event"


def weighted(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Σ_s w_s × value_s / Σ_s w_s over the weighted symbols (1 when nothing is held)."""
    total = sum(weights.values())
    if total <= 0.0:
        return 1.0
    return sum(values.get(s, 1.0) * w for s, w in weights.items()) / total


def symbol_events(now: float, symbols: Mapping[str, SymbolSpec],
                  events: Sequence[Event]) -> dict[str, tuple[Event, ...]]:
    """Per symbol, the events in force that name its base or profit currency (only symbols with
    at least one)."""
    out: dict[str, tuple[Event, ...]] = {}
    if not events:  # nothing scheduled: no symbol has one (spares a call per symbol)
        return out
    for name, spec in symbols.items():
        hit = active_events(now, (spec.currency_base, spec.currency_profit), events)
        if hit:
            out[name] = hit
    return out


Events = Mapping[str, tuple[Event, ...]]
"""Per symbol, the scheduled events in force that name one of its currencies (`symbol_events`)."""


def held_event_factor(events: Events, symbol: str) -> float:
    """The lowest cap factor among the events in force on `symbol` (1 without one)."""
    held = events.get(symbol)
    return min(e.cap_factor for e in held) if held else 1.0


@quick_init
@dataclass(frozen=True, slots=True)
class Multiplier:
    """The §3.5 multiplier on the target (`total`) and the part of it that asks for a reduction
    (`reducing`: scheduled events and an expanding ATR ratio; trend and time of day only lower
    limits). Both plain factors (1 = no effect)."""

    total: float
    reducing: float


def target_multiplier(snapshot: Snapshot, book: Book, weights: Mapping[str, float],
                      ind: Mapping[str, SymbolIndicators], events: Events,
                      s: Settings) -> Multiplier:
    """The account multiplier: each symbol's trend, ATR and event factors averaged with the value
    `weights`, times the thin-hours factor at the snapshot's time."""
    x = s.extras
    mtf: dict[str, float] = {}
    atr: dict[str, float] = {}
    nets, counter, threshold, floor = book.net, x.counter_trend_factor, x.atr_ratio_threshold, \
        x.atr_ratio_floor
    for k in weights:  # one pass: the same two maps, in the same key order
        si = ind.get(k)
        mtf[k] = mtf_multiplier(nets.get(k, 0.0), si.trend if si is not None else 0, counter)
        atr[k] = atr_multiplier(si.atr_ratio if si is not None else None, threshold, floor)
    factors = {k: held_event_factor(events, k) for k in weights} if events \
        else dict.fromkeys(weights, 1.0)
    reducing = weighted(atr, weights) * weighted(factors, weights)
    total = reducing * weighted(mtf, weights) * time_of_day_factor(snapshot.time, x)
    return Multiplier(total, reducing)
