"""Format and parse the link files (mql5/PROTOCOL.md). Pure: text in, values out.

Limits are version 1; telemetry is version 1 or 2 (version 2 adds the broker's calendar events,
``e=`` lines after the ``s=`` lines); this lca reads both telemetry versions.

Both parsers validate a file as a whole: the magic line and version, every key in order, every
number, and the end marker ``end=<sequence>;<lca-hash31>``. Any fault raises a `ProtocolError`
subclass naming the line and the value, so a caller keeps its last good value.
"""

from __future__ import annotations

import re

from bridge.ealink.errors import ProtocolError, TornFileError, WrongVersionError
from bridge.ealink.fields import INTEGER, read_dec, read_flag, read_int
from bridge.ealink.records import MAX_SEQUENCE, MAX_SYMBOLS, EaLimits, EaTelemetry
from bridge.ealink.telemetry_rows import EVENT_COLUMNS, read_rows

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
_HASH_MOD = 2147483647
_HASH_MUL = 131
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
    if len(head) != 2 or head[0] != magic or not INTEGER.fullmatch(head[1]):
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


def parse_limits(text: str, what: str = "limits.txt") -> EaLimits:
    """Parse and validate a whole limits file; raise a `ProtocolError` subclass on any fault."""
    lines = _split_lines(text, what)
    _check_magic(lines, LIMITS_MAGIC, what)
    body, end_sequence = _check_end(lines, what)
    v = _key_values(body, _LIMIT_KEYS, what)
    sequence = read_int(v["sequence"], "sequence", what)
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
        symbols[name] = read_dec(lots, f"symbol {name}", what)
    if len(symbols) > MAX_SYMBOLS:
        raise ProtocolError(f"{what}: {len(symbols)} symbol lines, at most {MAX_SYMBOLS}")
    return EaLimits(
        sequence=sequence,
        heartbeat_utc=read_int(v["heartbeat_utc"], "heartbeat_utc", what),
        max_eff_lev=read_dec(v["max_eff_lev"], "max_eff_lev", what),
        msi_floor=read_dec(v["msi_floor"], "msi_floor", what),
        prop_lock=read_flag(v["prop_lock"], "prop_lock", what),
        new_exposure_allowed=read_flag(v["new_exposure"], "new_exposure", what),
        symbols=symbols,
    )


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
    sequence = read_int(v["sequence"], "sequence", what)
    if end_sequence != sequence:
        raise TornFileError(f"{what}: end sequence {end_sequence} ≠ sequence {sequence}: torn file")
    if v["mode"] not in ("normal", "failsafe"):
        raise ProtocolError(f"{what}: mode={v['mode']!r} must be 'normal' or 'failsafe'")
    if v["columns"] != TELEMETRY_COLUMNS:
        raise WrongVersionError(f"{what}: columns={v['columns']!r} differ from version 1's list")
    if version == 2 and v["event_columns"] != EVENT_COLUMNS:
        raise WrongVersionError(
            f"{what}: event_columns={v['event_columns']!r} differ from version 2's list")
    rows = read_rows(body[1 + len(keys):], version, what)
    return EaTelemetry(
        sequence=sequence,
        written_utc=read_int(v["written_utc"], "written_utc", what),
        failsafe=v["mode"] == "failsafe",
        limits_sequence=read_int(v["limits_sequence"], "limits_sequence", what),
        heartbeat_utc=read_int(v["heartbeat_utc"], "heartbeat_utc", what),
        trade_allowed=read_flag(v["trade_allowed"], "trade_allowed", what),
        symbols=rows.symbols,
        rejected=rows.rejected,
        version=version,
        calendar_utc=read_int(v["calendar_utc"], "calendar_utc", what) if version == 2 else 0,
        calendar_hours=read_int(v["calendar_hours"], "calendar_hours", what) if version == 2 else 0,
        events=tuple(rows.events),
        rejected_events=tuple(rows.rejected_events),
    )
