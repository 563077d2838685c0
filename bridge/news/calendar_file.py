"""Read a calendar file (docs/news.md): CSV or TOML rows of time UTC, currency, importance and
title. Every problem names the file, the row and the field, and the fix.

CSV: a header ``time_utc,currency,importance,title``, then one row per event; ``#`` lines and
blank lines are skipped; a title with a comma is quoted. TOML: ``[[event]]`` tables with the same
keys. Times are UTC: ``2025-12-05T13:30:00Z``, ``2025-12-05 13:30`` (no offset = UTC) or with an
offset (``+01:00``, converted). Importance ``high``, ``medium`` or ``low`` (low rows are skipped).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from bridge.ealink.records import CalendarEvent

__all__ = ["CALENDAR_COLUMNS", "NewsFileError", "read_calendar_file"]

CALENDAR_COLUMNS = ("time_utc", "currency", "importance", "title")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_TITLE = 255


class NewsFileError(ValueError):
    """The calendar file cannot be used; the message names the file, the row and the fix."""


def _time(value: object, where: str) -> int:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise NewsFileError(f"{where}: time_utc {value!r} is not a time: write "
                                "2025-12-05T13:30:00Z (UTC)") from None
    else:
        raise NewsFileError(f"{where}: time_utc {value!r} is not a time: write "
                            "2025-12-05T13:30:00Z (UTC)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _event(time_utc: object, currency: object, importance: object, title: object,
           where: str) -> CalendarEvent | None:
    seconds = _time(time_utc, where)
    code = str(currency).strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise NewsFileError(f"{where}: currency {currency!r}: use three letters like USD")
    level = str(importance).strip().lower()
    if level not in ("high", "medium", "low"):
        raise NewsFileError(f"{where}: importance {importance!r}: use high, medium or low")
    name = " ".join(str(title).split())
    if not name:
        raise NewsFileError(f"{where}: title is empty: name the release (Nonfarm Payrolls)")
    if len(name) > _MAX_TITLE:
        raise NewsFileError(f"{where}: title is {len(name)} characters: at most {_MAX_TITLE}")
    if level == "low":
        return None
    kind: Literal["high", "medium"] = "high" if level == "high" else "medium"
    return CalendarEvent(seconds, code, kind, 0, name)


def _from_csv(text: str, what: str) -> list[CalendarEvent]:
    rows = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    header = ",".join(CALENDAR_COLUMNS)
    if not rows or [c.strip().lower() for c in rows[0][1].split(",")] != list(CALENDAR_COLUMNS):
        raise NewsFileError(f"{what}: the first line must be the header {header}")
    out: list[CalendarEvent] = []
    for number, line in rows[1:]:
        where = f"{what} line {number}"
        cells = next(csv.reader(io.StringIO(line)))
        if len(cells) != len(CALENDAR_COLUMNS):
            raise NewsFileError(f"{where}: {len(cells)} columns, expected 4 ({header}); quote a "
                                "title that holds a comma")
        event = _event(cells[0], cells[1], cells[2], cells[3], where)
        if event is not None:
            out.append(event)
    return out


def _from_toml(text: str, what: str) -> list[CalendarEvent]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NewsFileError(f"{what}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"event"})
    if unknown:
        raise NewsFileError(f"{what}: {unknown[0]}: unknown table (write [[event]] tables)")
    rows: object = data.get("event", [])
    if not isinstance(rows, list):
        raise NewsFileError(f"{what}: event must be [[event]] tables")
    events = (_toml_event(row, f"{what} event[{i}]") for i, row in enumerate(rows))
    return [event for event in events if event is not None]


def _toml_event(row: object, where: str) -> CalendarEvent | None:
    """One ``[[event]]`` table: exactly the keys of `CALENDAR_COLUMNS`; None for a low one."""
    if not isinstance(row, dict):
        raise NewsFileError(f"{where}: must be a table")
    for key in sorted(set(row) - set(CALENDAR_COLUMNS)):
        raise NewsFileError(f"{where}.{key}: unknown key (allowed: "
                            f"{', '.join(CALENDAR_COLUMNS)})")
    for key in CALENDAR_COLUMNS:
        if key not in row:
            raise NewsFileError(f"{where}.{key}: required key is missing")
    try:
        return _event(row["time_utc"], row["currency"], row["importance"], row["title"], where)
    except NewsFileError as exc:
        raise NewsFileError(str(exc).replace(f"{where}: time_utc", f"{where}.time_utc")
                            ) from None


def read_calendar_file(path: str | Path) -> tuple[CalendarEvent, ...]:
    """The high and medium events of a CSV or TOML calendar file, by time; `NewsFileError`
    names any problem."""
    from bridge.config import utf8_text  # here: bridge.config imports the news settings

    p = Path(path)
    if p.suffix.lower() not in (".csv", ".toml"):
        raise NewsFileError(f"{p}: a calendar file is .csv or .toml (docs/news.md)")
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise NewsFileError(f"{p}: calendar file not found: check [news] calendar_file") from None
    except OSError as exc:
        raise NewsFileError(f"{p}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = utf8_text(raw)
    except ValueError as exc:
        raise NewsFileError(f"{p}: {exc} Save the calendar as UTF-8 text") from None
    text = text.removeprefix("\ufeff")  # a BOM from a spreadsheet's "CSV UTF-8"
    events = _from_csv(text, str(p)) if p.suffix.lower() == ".csv" else _from_toml(text, str(p))
    return tuple(sorted(events, key=lambda e: (e.time_utc, e.currency, e.name)))
