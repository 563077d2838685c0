"""Format and parse the link files (mql5/PROTOCOL.md). Pure: text in, values out.

Limits are version 1; telemetry is version 1 or 2 (version 2 adds the broker's calendar events,
``e=`` lines after the ``s=`` lines); this lca reads both telemetry versions.

Both parsers validate a file as a whole: the magic line and version, every key in order, every
number, and the end marker ``end=<sequence>;<lca-hash31>``. Any fault raises a `ProtocolError`
subclass naming the line and the value, so a caller keeps its last good value.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from bridge.ealink.errors import ProtocolError, TornFileError, WrongVersionError
from bridge.ealink.records import (
    IMPORTANCES,
    MAX_DEPTH_LOTS,
    MAX_EVENTS,
    MAX_SEQUENCE,
    MAX_SYMBOLS,
    CalendarEvent,
    EaLimits,
    EaTelemetry,
    SymbolTelemetry,
    check_symbol_name,
)

__all__ = [
    "EVENT_COLUMNS",
    "LIMITS_MAGIC",
    "PROTOCOL_VERSION",
    "TELEMETRY_COLUMNS",
    "TELEMETRY_MAGIC",
    "TELEMETRY_VERSIONS",
    "format_decimal",
    "format_limits",
    "format_telemetry",
    "hash31",
    "parse_limits",
    "parse_telemetry",
]

PROTOCOL_VERSION = 1
LIMITS_MAGIC = "lca-limits"
TELEMETRY_MAGIC = "lca-telemetry"
TELEMETRY_COLUMNS = (
    "symbol;quote_utc;bid;ask;spread_min;spread_mean;spread_max;"
    "bid_depth;ask_depth;levels;tick_count;tick_volume"
)
TELEMETRY_VERSIONS = (1, 2)
"""The telemetry versions this lca reads: 1 (no calendar) and 2 (with the calendar)."""
EVENT_COLUMNS = "time_utc;currency;importance;event_id;name"
_HASH_MOD = 2147483647
_HASH_MUL = 131
_INT = re.compile(r"-?[0-9]+")
_DEC = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_LIMIT_KEYS = (
    "sequence", "heartbeat_utc", "max_eff_lev", "msi_floor", "prop_lock", "new_exposure"
)
_TELEMETRY_KEYS = (
    "sequence",
    "written_utc",
    "mode",
    "limits_sequence",
    "heartbeat_utc",
    "trade_allowed",
    "columns",
)
_TELEMETRY_KEYS_V2 = (
    "sequence",
    "written_utc",
    "mode",
    "limits_sequence",
    "heartbeat_utc",
    "trade_allowed",
    "calendar_utc",
    "calendar_hours",
    "columns",
    "event_columns",
)
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_EVENT_ID = 2**64 - 1
_MAX_NAME = 255


def hash31(lines: list[str]) -> int:
    """lca-hash31 of ``lines``: h = (h·131 + byte) mod 2³¹−1 over each line followed by ``\\n``."""
    h = 0
    for line in lines:
        for b in line.encode("ascii") + b"\n":
            h = (h * _HASH_MUL + b) % _HASH_MOD
    return h


def format_decimal(value: float) -> str:
    """Fixed-point text with up to 8 decimals and no trailing zeros (2.0 → ``2``, 0.5 → ``0.5``)."""
    text = f"{value:.8f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _seal(lines: list[str], sequence: int) -> str:
    lines = [*lines, f"end={sequence};{hash31(lines)}"]
    return "".join(line + "\r\n" for line in lines)


def format_limits(limits: EaLimits) -> str:
    """The text of limits.txt for ``limits``, with CRLF line ends and the end marker."""
    lines = [
        f"{LIMITS_MAGIC} {PROTOCOL_VERSION}",
        f"sequence={limits.sequence}",
        f"heartbeat_utc={limits.heartbeat_utc}",
        f"max_eff_lev={format_decimal(limits.max_eff_lev)}",
        f"msi_floor={format_decimal(limits.msi_floor)}",
        f"prop_lock={int(limits.prop_lock)}",
        f"new_exposure={int(limits.new_exposure_allowed)}",
    ]
    lines += [f"symbol={name};{format_decimal(lots)}" for name, lots in limits.symbols.items()]
    return _seal(lines, limits.sequence)


def format_telemetry(telemetry: EaTelemetry) -> str:
    """The text the EA writes for ``telemetry`` (used by tests and the golden files)."""
    v2 = telemetry.version == 2
    lines = [
        f"{TELEMETRY_MAGIC} {telemetry.version}",
        f"sequence={telemetry.sequence}",
        f"written_utc={telemetry.written_utc}",
        f"mode={'failsafe' if telemetry.failsafe else 'normal'}",
        f"limits_sequence={telemetry.limits_sequence}",
        f"heartbeat_utc={telemetry.heartbeat_utc}",
        f"trade_allowed={int(telemetry.trade_allowed)}",
    ]
    if v2:
        lines += [f"calendar_utc={telemetry.calendar_utc}",
                  f"calendar_hours={telemetry.calendar_hours}"]
    lines.append(f"columns={TELEMETRY_COLUMNS}")
    if v2:
        lines.append(f"event_columns={EVENT_COLUMNS}")
    lines.extend(
        f"s={s.symbol};{s.time_utc};{s.bid:.8f};{s.ask:.8f};{s.spread_min:.8f};"
        f"{s.spread_mean:.8f};{s.spread_max:.8f};{s.bid_depth:.2f};{s.ask_depth:.2f};"
        f"{s.levels};{s.tick_count};{s.tick_volume}"
        for s in telemetry.symbols.values()
    )
    if v2:
        lines.extend(f"e={e.time_utc};{e.currency};{e.importance};{e.event_id};{e.name}"
                     for e in telemetry.events)
    return _seal(lines, telemetry.sequence)


def _split_lines(text: str, what: str) -> list[str]:
    if not text.isascii():
        raise ProtocolError(f"{what}: holds a non-ASCII character; the protocol is ASCII only")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise TornFileError(f"{what}: the file is empty (torn or not written yet)")
    return lines


def _check_magic(lines: list[str], magic: str, what: str,
                 versions: tuple[int, ...] = (PROTOCOL_VERSION,)) -> int:
    head = lines[0].split(" ")
    if len(head) != 2 or head[0] != magic or not _INT.fullmatch(head[1]):
        raise WrongVersionError(
            f"{what}: first line {lines[0]!r} is not '{magic} <version>': not a {magic} file"
        )
    if int(head[1]) not in versions:
        readable = " or ".join(str(v) for v in versions)
        raise WrongVersionError(
            f"{what}: format version {head[1]} but this lca reads version {readable}: "
            "install the EA and lca from the same release (lca ea install)"
        )
    return int(head[1])


def _check_end(lines: list[str], what: str) -> tuple[list[str], int]:
    """Validate the end marker; return the body lines (without the end line) and its sequence."""
    end = lines[-1]
    m = re.fullmatch(r"end=(-?[0-9]+);([0-9]+)", end)
    if m is None:
        raise TornFileError(f"{what}: last line {end!r} is not 'end=<sequence>;<hash>': torn file")
    body = lines[:-1]
    expected = hash31(body)
    if int(m.group(2)) != expected:
        raise TornFileError(
            f"{what}: end hash {m.group(2)} but the content hashes to {expected}: "
            "torn or edited file"
        )
    return body, int(m.group(1))


def _key_values(body: list[str], keys: tuple[str, ...], what: str) -> dict[str, str]:
    if len(body) < 1 + len(keys):
        raise TornFileError(f"{what}: only {len(body)} lines before the end marker")
    values: dict[str, str] = {}
    for i, key in enumerate(keys, start=1):
        k, sep, v = body[i].partition("=")
        if k != key or not sep:
            raise ProtocolError(f"{what}: line {i + 1} is {body[i]!r}; expected '{key}=...' there")
        values[key] = v
    return values


def _int(text: str, field: str, what: str) -> int:
    if not _INT.fullmatch(text):
        raise ProtocolError(f"{what}: {field}={text!r} is not an integer")
    return int(text)


def _dec(text: str, field: str, what: str) -> float:
    if not _DEC.fullmatch(text):
        raise ProtocolError(f"{what}: {field}={text!r} is not a plain decimal like 2.5")
    return float(text)


def _flag(text: str, field: str, what: str) -> bool:
    if text not in ("0", "1"):
        raise ProtocolError(f"{what}: {field}={text!r} must be 0 or 1")
    return text == "1"


def parse_limits(text: str, what: str = "limits.txt") -> EaLimits:
    """Parse and validate a whole limits file; raise a `ProtocolError` subclass on any fault."""
    lines = _split_lines(text, what)
    _check_magic(lines, LIMITS_MAGIC, what)
    body, end_sequence = _check_end(lines, what)
    v = _key_values(body, _LIMIT_KEYS, what)
    sequence = _int(v["sequence"], "sequence", what)
    if end_sequence != sequence:
        raise TornFileError(f"{what}: end sequence {end_sequence} ≠ sequence {sequence}: torn file")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ProtocolError(
            f"{what}: sequence={sequence} is outside 1..{MAX_SEQUENCE} (18 digits, what the EA "
            "parses)"
        )
    symbols: dict[str, float] = {}
    for line in body[1 + len(_LIMIT_KEYS):]:
        k, sep, rest = line.partition("=")
        name, semi, lots = rest.partition(";")
        if k != "symbol" or not sep or not semi:
            raise ProtocolError(f"{what}: line {line!r} is not 'symbol=NAME;LOTS'")
        if name in symbols:
            raise ProtocolError(f"{what}: symbol {name!r} appears twice")
        symbols[name] = _dec(lots, f"symbol {name}", what)
    if len(symbols) > MAX_SYMBOLS:
        raise ProtocolError(f"{what}: {len(symbols)} symbol lines, at most {MAX_SYMBOLS}")
    return EaLimits(
        sequence=sequence,
        heartbeat_utc=_int(v["heartbeat_utc"], "heartbeat_utc", what),
        max_eff_lev=_dec(v["max_eff_lev"], "max_eff_lev", what),
        msi_floor=_dec(v["msi_floor"], "msi_floor", what),
        prop_lock=_flag(v["prop_lock"], "prop_lock", what),
        new_exposure_allowed=_flag(v["new_exposure"], "new_exposure", what),
        symbols=symbols,
    )


def _symbol_line(line: str, what: str) -> SymbolTelemetry:
    k, sep, rest = line.partition("=")
    cols = rest.split(";")
    if k != "s" or not sep or len(cols) != 12:
        raise ProtocolError(f"{what}: line {line!r} is not 's=' with 12 ';'-separated columns")
    name = cols[0]
    check_symbol_name(name)
    s = SymbolTelemetry(
        symbol=name,
        time_utc=_int(cols[1], f"{name} quote_utc", what),
        bid=_dec(cols[2], f"{name} bid", what),
        ask=_dec(cols[3], f"{name} ask", what),
        spread_min=_dec(cols[4], f"{name} spread_min", what),
        spread_mean=_dec(cols[5], f"{name} spread_mean", what),
        spread_max=_dec(cols[6], f"{name} spread_max", what),
        bid_depth=_dec(cols[7], f"{name} bid_depth", what),
        ask_depth=_dec(cols[8], f"{name} ask_depth", what),
        levels=_int(cols[9], f"{name} levels", what),
        tick_count=_int(cols[10], f"{name} tick_count", what),
        tick_volume=_int(cols[11], f"{name} tick_volume", what),
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


def parse_telemetry(text: str, what: str = "telemetry.txt") -> EaTelemetry:
    """Parse and validate a telemetry file.

    The header (magic, version, keys, column list, end marker) is validated as a whole and any
    fault raises a `ProtocolError` subclass. The ``s=`` lines are read one by one: a line with a
    bad value (not a number, a negative or absurd depth, a negative count, a symbol named twice)
    is left out of ``symbols`` and listed in ``rejected`` with the reason, so one bad value costs
    that symbol alone.
    """
    lines = _split_lines(text, what)
    version = _check_magic(lines, TELEMETRY_MAGIC, what, TELEMETRY_VERSIONS)
    body, end_sequence = _check_end(lines, what)
    keys = _TELEMETRY_KEYS_V2 if version == 2 else _TELEMETRY_KEYS
    v = _key_values(body, keys, what)
    sequence = _int(v["sequence"], "sequence", what)
    if end_sequence != sequence:
        raise TornFileError(f"{what}: end sequence {end_sequence} ≠ sequence {sequence}: torn file")
    if v["mode"] not in ("normal", "failsafe"):
        raise ProtocolError(f"{what}: mode={v['mode']!r} must be 'normal' or 'failsafe'")
    if v["columns"] != TELEMETRY_COLUMNS:
        raise WrongVersionError(f"{what}: columns={v['columns']!r} differ from version 1's list")
    if version == 2 and v["event_columns"] != EVENT_COLUMNS:
        raise WrongVersionError(
            f"{what}: event_columns={v['event_columns']!r} differ from version 2's list")
    symbols: dict[str, SymbolTelemetry] = {}
    rejected: dict[str, str] = {}
    events: list[CalendarEvent] = []
    rejected_events: list[str] = []
    in_events = False
    for line in body[1 + len(keys):]:
        if version == 2 and (in_events or line.startswith("e=")):
            if line.startswith("s="):
                raise ProtocolError(f"{what}: line {line[:64]!r}: the 'e=' lines come after "
                                    "every 's=' line")
            in_events = True
            try:
                event = _event_line(line, what)
            except ProtocolError as exc:
                rejected_events.append(str(exc))
                continue
            if len(events) >= MAX_EVENTS:
                rejected_events.append(f"{what}: more than {MAX_EVENTS} events; "
                                       f"{line[:64]!r} left out")
                continue
            events.append(event)
            continue
        try:
            s = _symbol_line(line, what)
        except ProtocolError as exc:
            rejected[_line_name(line)] = str(exc)
            continue
        if s.symbol in symbols or s.symbol in rejected:
            symbols.pop(s.symbol, None)
            rejected[s.symbol] = f"{what}: symbol {s.symbol!r} appears twice"
            continue
        symbols[s.symbol] = s
    return EaTelemetry(
        sequence=sequence,
        written_utc=_int(v["written_utc"], "written_utc", what),
        failsafe=v["mode"] == "failsafe",
        limits_sequence=_int(v["limits_sequence"], "limits_sequence", what),
        heartbeat_utc=_int(v["heartbeat_utc"], "heartbeat_utc", what),
        trade_allowed=_flag(v["trade_allowed"], "trade_allowed", what),
        symbols=symbols,
        rejected=rejected,
        version=version,
        calendar_utc=_int(v["calendar_utc"], "calendar_utc", what) if version == 2 else 0,
        calendar_hours=_int(v["calendar_hours"], "calendar_hours", what) if version == 2 else 0,
        events=tuple(events),
        rejected_events=tuple(rejected_events),
    )


def _event_line(line: str, what: str) -> CalendarEvent:
    """One ``e=TIME_UTC;CURRENCY;IMPORTANCE;EVENT_ID;NAME`` line (the name may hold ``;``)."""
    k, sep, rest = line.partition("=")
    cols = rest.split(";", 4)
    if k != "e" or not sep or len(cols) != 5:
        raise ProtocolError(f"{what}: line {line[:64]!r} is not 'e=' with 5 ';'-separated "
                            f"columns ({EVENT_COLUMNS})")
    time_utc = _int(cols[0], "event time_utc", what)
    if time_utc < 0:
        raise ProtocolError(f"{what}: event time_utc={time_utc} is negative")
    if not _CURRENCY.fullmatch(cols[1]):
        raise ProtocolError(f"{what}: event currency={cols[1]!r} is not three capital letters")
    if cols[2] not in IMPORTANCES:
        raise ProtocolError(f"{what}: event importance={cols[2]!r} must be 'high' or 'medium'")
    event_id = _int(cols[3], "event_id", what)
    if not 0 <= event_id <= _MAX_EVENT_ID:
        raise ProtocolError(f"{what}: event_id={event_id} is outside 0..2^64-1")
    name = cols[4]
    if not name or not name.isprintable() or len(name) > _MAX_NAME:
        raise ProtocolError(f"{what}: event name {name[:64]!r} must be 1 to {_MAX_NAME} "
                            "printable ASCII characters")
    importance: Literal["high", "medium"] = "high" if cols[2] == "high" else "medium"
    return CalendarEvent(time_utc, cols[1], importance, event_id, name)
