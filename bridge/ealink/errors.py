"""Errors of the EA file link, each naming the file, the field, the value and the fix."""

from __future__ import annotations

__all__ = [
    "EaFolderError",
    "EaLinkError",
    "ProtocolError",
    "TelemetryBusyError",
    "TelemetryMissingError",
    "TornFileError",
    "WrongVersionError",
]


class EaLinkError(Exception):
    """Base class of every error raised by `bridge.ealink`."""


class ProtocolError(EaLinkError, ValueError):
    """A link file breaks the protocol (mql5/PROTOCOL.md): bad key, bad number, bad order."""


class TornFileError(ProtocolError):
    """The end marker is missing or its hash or sequence does not match: a half-written file."""


class WrongVersionError(ProtocolError):
    """The first line names another file kind or another format version."""


class TelemetryMissingError(EaLinkError, FileNotFoundError):
    """The EA has not written its telemetry file (yet): is it attached to a chart?"""


class TelemetryBusyError(EaLinkError):
    """The telemetry file could not be read right now (Windows: the EA is replacing it); retry."""


class EaFolderError(EaLinkError):
    """The common data folder could not be found from the terminal or the configuration."""
