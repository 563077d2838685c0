"""The body lines of a telemetry file (mql5/PROTOCOL.md): ``s=`` symbol lines, then (version 2)
``e=`` calendar event lines. Pure: lines in, values out.

A line with a bad value costs that line alone: it is listed with the reason in `rejected`
(symbols) or `rejected_events`, and the rest of the file is kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from bridge.ealink.errors import ProtocolError
from bridge.ealink.fields import read_dec, read_int
from bridge.ealink.records import (
    IMPORTANCES,
    MAX_DEPTH_LOTS,
    MAX_EVENTS,
    CalendarEvent,
    SymbolTelemetry,
    check_symbol_name,
)

__all__ = ["EVENT_COLUMNS", "TelemetryRows", "read_rows"]

EVENT_COLUMNS = "time_utc;currency;importance;event_id;name"
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_EVENT_ID = 2**64 - 1
_MAX_NAME = 255


@dataclass
class TelemetryRows:
    """What the body lines of one telemetry file hold, as they are read."""

    symbols: dict[str, SymbolTelemetry] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    """symbol (or the line, shortened) → why its line was left out"""
    events: list[CalendarEvent] = field(default_factory=list)
    rejected_events: list[str] = field(default_factory=list)

    def add_symbol(self, line: str, what: str) -> None:
        """Keep an ``s=`` line's symbol, or reject it (a bad value, or a symbol named twice:
        then neither of its lines is kept)."""
        try:
            s = _symbol_line(line, what)
        except ProtocolError as exc:
            self.rejected[_line_name(line)] = str(exc)
            return
        if s.symbol in self.symbols or s.symbol in self.rejected:
            self.symbols.pop(s.symbol, None)
            self.rejected[s.symbol] = f"{what}: symbol {s.symbol!r} appears twice"
            return
        self.symbols[s.symbol] = s

    def add_event(self, line: str, what: str) -> None:
        """Keep an ``e=`` line's event, or reject it (a bad value, or past `MAX_EVENTS`); an
        ``s=`` line among the events breaks the file's order and raises `ProtocolError`."""
        if line.startswith("s="):
            raise ProtocolError(f"{what}: line {line[:64]!r}: the 'e=' lines come after "
                                "every 's=' line")
        try:
            event = _event_line(line, what)
        except ProtocolError as exc:
            self.rejected_events.append(str(exc))
            return
        if len(self.events) >= MAX_EVENTS:
            self.rejected_events.append(f"{what}: more than {MAX_EVENTS} events; "
                                        f"{line[:64]!r} left out")
            return
        self.events.append(event)


def read_rows(lines: list[str], version: int, what: str) -> TelemetryRows:
    """Read the lines after the header: ``s=`` lines, and in version 2 the ``e=`` lines that
    follow them (the first ``e=`` line starts the events)."""
    rows = TelemetryRows()
    in_events = False
    for line in lines:
        if version == 2 and (in_events or line.startswith("e=")):
            in_events = True
            rows.add_event(line, what)
        else:
            rows.add_symbol(line, what)
    return rows


def _symbol_line(line: str, what: str) -> SymbolTelemetry:
    """One ``s=`` line: a symbol's quote, spreads, depth and counts (`TELEMETRY_COLUMNS`)."""
    k, sep, rest = line.partition("=")
    cols = rest.split(";")
    if k != "s" or not sep or len(cols) != 12:
        raise ProtocolError(f"{what}: line {line!r} is not 's=' with 12 ';'-separated columns")
    name = cols[0]
    check_symbol_name(name)
    s = SymbolTelemetry(
        symbol=name,
        time_utc=read_int(cols[1], f"{name} quote_utc", what),
        bid=read_dec(cols[2], f"{name} bid", what),
        ask=read_dec(cols[3], f"{name} ask", what),
        spread_min=read_dec(cols[4], f"{name} spread_min", what),
        spread_mean=read_dec(cols[5], f"{name} spread_mean", what),
        spread_max=read_dec(cols[6], f"{name} spread_max", what),
        bid_depth=read_dec(cols[7], f"{name} bid_depth", what),
        ask_depth=read_dec(cols[8], f"{name} ask_depth", what),
        levels=read_int(cols[9], f"{name} levels", what),
        tick_count=read_int(cols[10], f"{name} tick_count", what),
        tick_volume=read_int(cols[11], f"{name} tick_volume", what),
    )
    for field_name in ("bid_depth", "ask_depth"):
        lots = getattr(s, field_name)
        if not (math.isfinite(lots) and 0.0 <= lots <= MAX_DEPTH_LOTS):
            raise ProtocolError(
                f"{what}: {name} {field_name}={lots!r} is not a depth in lots "
                f"(0 to {MAX_DEPTH_LOTS:.0f})"
            )
    for field_name in ("levels", "tick_count", "tick_volume", "time_utc"):
        if getattr(s, field_name) < 0:
            raise ProtocolError(f"{what}: {name} {field_name}={getattr(s, field_name)} is negative")
    return s


def _line_name(line: str) -> str:
    """The symbol an ``s=`` line is about (its first column), or the line itself, shortened."""
    name = line.partition("=")[2].split(";")[0]
    return name if name and len(name) <= 64 else line[:64]




def _event_line(line: str, what: str) -> CalendarEvent:
    """One ``e=TIME_UTC;CURRENCY;IMPORTANCE;EVENT_ID;NAME`` line (the name may hold ``;``)."""
    k, sep, rest = line.partition("=")
    cols = rest.split(";", 4)
    if k != "e" or not sep or len(cols) != 5:
        raise ProtocolError(f"{what}: line {line[:64]!r} is not 'e=' with 5 ';'-separated "
                            f"columns ({EVENT_COLUMNS})")
    time_utc = read_int(cols[0], "event time_utc", what)
    if time_utc < 0:
        raise ProtocolError(f"{what}: event time_utc={time_utc} is negative")
    if not _CURRENCY.fullmatch(cols[1]):
        raise ProtocolError(f"{what}: event currency={cols[1]!r} is not three capital letters")
    if cols[2] not in IMPORTANCES:
        raise ProtocolError(f"{what}: event importance={cols[2]!r} must be 'high' or 'medium'")
    event_id = read_int(cols[3], "event_id", what)
    if not 0 <= event_id <= _MAX_EVENT_ID:
        raise ProtocolError(f"{what}: event_id={event_id} is outside 0..2^64-1")
    name = cols[4]
    if not name or not name.isprintable() or len(name) > _MAX_NAME:
        raise ProtocolError(f"{what}: event name {name[:64]!r} must be 1 to {_MAX_NAME} "
                            "printable ASCII characters")
    importance: Literal["high", "medium"] = "high" if cols[2] == "high" else "medium"
    return CalendarEvent(time_utc, cols[1], importance, event_id, name)
