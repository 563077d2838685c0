"""The news rule: calendar events → the controller's scheduled events (`controller.Event`).

Pure: values in, values out. The controller applies an event to every symbol whose base or
profit currency it names (`controller.extras.symbol_events`): while the event is in force such a
symbol gets no new exposure (its limit is its current volume) and its weight in the target
EffLev is multiplied by the event's `cap_factor`.

Per release of the chosen importance the rule makes:
- a blackout: factor 1, in force from `no_new_exposure_minutes` before until as long after;
- with `reduce_minutes_before` > 0, a reduction: factor `reduce_to_fraction`, in force from
  `reduce_minutes_before` before until the blackout ends (new exposure is stopped then too).
"""

from __future__ import annotations

from collections.abc import Iterable

from bridge.ealink.records import CalendarEvent
from bridge.news.settings import NewsSettings
from controller.snapshot import Event

__all__ = ["news_events", "unique_events"]

_RANK = {"high": 2, "medium": 1}


def unique_events(items: Iterable[CalendarEvent]) -> tuple[CalendarEvent, ...]:
    """`items` by time, each release once: the same currency, time and name from the EA and a
    file count once (the EA's, with its event id, is kept)."""
    seen: dict[tuple[int, str, str], CalendarEvent] = {}
    for item in items:
        key = (item.time_utc, item.currency, item.name.casefold())
        if key not in seen or (seen[key].event_id == 0 and item.event_id != 0):
            seen[key] = item
    return tuple(sorted(seen.values(), key=lambda e: (e.time_utc, e.currency, e.name)))


def news_events(items: Iterable[CalendarEvent], rule: NewsSettings) -> tuple[Event, ...]:
    """The scheduled events the rule makes of `items` (none when the rule is off)."""
    if not rule.enabled:
        return ()
    floor = _RANK[rule.importance]
    out: list[Event] = []
    for item in unique_events(items):
        if _RANK[item.importance] < floor:
            continue
        label = f"{item.currency} {item.name}"
        after = rule.no_new_exposure_minutes
        out.append(Event(time=float(item.time_utc), currencies=(item.currency,), cap_factor=1.0,
                         lead_minutes=rule.no_new_exposure_minutes, after_minutes=after,
                         label=label))
        if rule.reduce_minutes_before > 0.0:
            out.append(Event(time=float(item.time_utc), currencies=(item.currency,),
                             cap_factor=rule.reduce_to_fraction,
                             lead_minutes=rule.reduce_minutes_before, after_minutes=after,
                             label=label))
    return tuple(out)
