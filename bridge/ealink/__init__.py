"""The link to the LiquidityGuard EA: limits out, telemetry in (mql5/PROTOCOL.md; limits version
1, telemetry versions 1 and 2, the second with the broker's calendar events).

Independent of `controller`: the runtime converts the controller's limits to `EaLimits` fields.
"""

from __future__ import annotations

from bridge.ealink.errors import (
    EaFolderError,
    EaLinkError,
    ProtocolError,
    TelemetryBusyError,
    TelemetryMissingError,
    TornFileError,
    WrongVersionError,
)
from bridge.ealink.folder import LINK_SUBFOLDER, link_folder_from_common, resolve_link_folder
from bridge.ealink.history import SymbolHistory, TelemetryHistory
from bridge.ealink.link import EaLink
from bridge.ealink.protocol import (
    PROTOCOL_VERSION,
    format_limits,
    format_telemetry,
    hash31,
    parse_limits,
    parse_telemetry,
)
from bridge.ealink.reader import TELEMETRY_FILE, TelemetryReader
from bridge.ealink.records import (
    MAX_SEQUENCE,
    CalendarEvent,
    EaLimits,
    EaTelemetry,
    SymbolTelemetry,
)
from bridge.ealink.screen import DepthScreen, screen_depth
from bridge.ealink.writer import LIMITS_FILE, LimitsWriter

__all__ = [
    "LIMITS_FILE",
    "LINK_SUBFOLDER",
    "MAX_SEQUENCE",
    "PROTOCOL_VERSION",
    "TELEMETRY_FILE",
    "CalendarEvent",
    "DepthScreen",
    "EaFolderError",
    "EaLimits",
    "EaLink",
    "EaLinkError",
    "EaTelemetry",
    "LimitsWriter",
    "ProtocolError",
    "SymbolHistory",
    "SymbolTelemetry",
    "TelemetryBusyError",
    "TelemetryHistory",
    "TelemetryMissingError",
    "TelemetryReader",
    "TornFileError",
    "WrongVersionError",
    "format_limits",
    "format_telemetry",
    "hash31",
    "link_folder_from_common",
    "parse_limits",
    "parse_telemetry",
    "resolve_link_folder",
    "screen_depth",
]
