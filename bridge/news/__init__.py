"""News: the broker's economic calendar (through the EA) or a calendar file, and the news rule
that turns coming releases into the controller's scheduled events (docs/news.md)."""

from __future__ import annotations

from bridge.news.calendar_file import CALENDAR_COLUMNS, NewsFileError, read_calendar_file
from bridge.news.rule import news_events, unique_events
from bridge.news.settings import NewsSettings
from bridge.news.source import NewsSource

__all__ = [
    "CALENDAR_COLUMNS",
    "NewsFileError",
    "NewsSettings",
    "NewsSource",
    "news_events",
    "read_calendar_file",
    "unique_events",
]
