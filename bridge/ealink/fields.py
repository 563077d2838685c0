"""One value of a link file (mql5/PROTOCOL.md): an integer, a plain decimal or a 0/1 flag.

Each reader raises a `ProtocolError` naming the file (`what`), the field and the value it got.
"""

from __future__ import annotations

import re

from bridge.ealink.errors import ProtocolError

__all__ = ["INTEGER", "read_dec", "read_flag", "read_int"]

INTEGER = re.compile(r"-?[0-9]+")
"""An integer as the link files write it: optional minus, digits."""
_DEC = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def read_int(text: str, field: str, what: str) -> int:
    """A whole number, optionally negative (no sign, spaces or exponent otherwise)."""
    if not INTEGER.fullmatch(text):
        raise ProtocolError(f"{what}: {field}={text!r} is not an integer")
    return int(text)


def read_dec(text: str, field: str, what: str) -> float:
    """A plain decimal like 2.5 (no exponent, no inf or nan)."""
    if not _DEC.fullmatch(text):
        raise ProtocolError(f"{what}: {field}={text!r} is not a plain decimal like 2.5")
    return float(text)


def read_flag(text: str, field: str, what: str) -> bool:
    """``0`` or ``1``."""
    if text not in ("0", "1"):
        raise ProtocolError(f"{what}: {field}={text!r} must be 0 or 1")
    return text == "1"
