"""Where the guard's news comes from: the EA's telemetry (the broker's calendar) and the
calendar file, merged, turned into scheduled events by the rule and added to each snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from loguru import logger

from bridge.ealink.records import CalendarEvent, EaTelemetry
from bridge.news.calendar_file import NewsFileError, read_calendar_file
from bridge.news.rule import news_events, unique_events
from bridge.news.settings import NewsSettings
from controller.snapshot import Event, Snapshot

__all__ = ["NewsSource"]


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


class NewsSource:
    """The calendar events of one guard: the EA's (telemetry version 2) and the file's.

    The file is read again when it changes (its modification time); a file that cannot be read
    is said once in the log and its last good events are kept. The EA's events are those of the
    last telemetry lca could read.
    """

    def __init__(self, settings: NewsSettings) -> None:
        self.settings = settings
        self._file_events: tuple[CalendarEvent, ...] = ()
        self._file_stamp: float | None = None
        self._file_problem: str | None = None
        self._said: tuple[CalendarEvent, ...] | None = None

    def calendar(self, telemetry: EaTelemetry | None) -> tuple[CalendarEvent, ...]:
        """Every known coming event, each once, by time."""
        items: list[CalendarEvent] = []
        if self.settings.use_ea_calendar and telemetry is not None:
            items.extend(telemetry.events)
        if self.settings.calendar_file:
            items.extend(self._read_file(Path(self.settings.calendar_file)))
        return unique_events(items)

    def events(self, telemetry: EaTelemetry | None) -> tuple[Event, ...]:
        """The scheduled events the rule makes of the calendar (none when the rule is off)."""
        items = self.calendar(telemetry)
        if items != self._said:
            self._said = items
            if items:
                logger.info("news calendar: {} events ({}); rule {}", len(items),
                            ", ".join(f"{e.currency} {e.name} at {_utc(e.time_utc)}"
                                      for e in items[:3])
                            + (" ..." if len(items) > 3 else ""),
                            "on" if self.settings.enabled else "off")
        return news_events(items, self.settings)

    def apply(self, snapshot: Snapshot, telemetry: EaTelemetry | None) -> Snapshot:
        """`snapshot` with the rule's events added to the ones it already holds."""
        extra = self.events(telemetry)
        if not extra:
            return snapshot
        return replace(snapshot, events=(*snapshot.events, *extra))

    def _read_file(self, path: Path) -> tuple[CalendarEvent, ...]:
        try:
            stamp = path.stat().st_mtime
        except OSError:
            stamp = None
        if stamp is not None and stamp == self._file_stamp:
            return self._file_events
        try:
            self._file_events = read_calendar_file(path)
        except NewsFileError as exc:
            problem = str(exc)
            if problem != self._file_problem:
                self._file_problem = problem
                logger.warning("news calendar file not used: {}; the last good events are kept",
                               problem)
            return self._file_events
        self._file_stamp = stamp
        self._file_problem = None
        return self._file_events
