"""Read the EA's telemetry.txt: the whole file at once, validated as a whole."""

from __future__ import annotations

from pathlib import Path

from bridge.ealink.errors import ProtocolError, TelemetryBusyError, TelemetryMissingError
from bridge.ealink.protocol import parse_telemetry
from bridge.ealink.records import EaTelemetry

__all__ = ["TELEMETRY_FILE", "TelemetryReader"]

TELEMETRY_FILE = "telemetry.txt"


class TelemetryReader:
    """Reads ``<folder>/telemetry.txt`` written by the EA (folder = ``<Common>/Files/lca``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / TELEMETRY_FILE

    def read(self) -> EaTelemetry:
        """Parse the current telemetry file.

        Raises `TelemetryMissingError` when the EA has not written it, `TelemetryBusyError` when
        Windows refuses the read for a moment (the EA is replacing the file), `TornFileError` or
        `WrongVersionError` (both `ProtocolError`) when it is half-written or of another version.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise TelemetryMissingError(
                f"{self.path} does not exist: attach LiquidityGuard to a chart in the terminal "
                "(lca ea install) and check that its InpFolder input is 'lca'"
            ) from None
        except PermissionError as exc:  # Windows sharing violation while the EA moves the file
            raise TelemetryBusyError(
                f"{self.path} is being replaced ({exc}); read it again"
            ) from None
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise ProtocolError(
                f"{self.path}: holds non-ASCII bytes; the protocol is ASCII"
            ) from None
        return parse_telemetry(text, str(self.path))
