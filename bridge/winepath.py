"""Windows paths of a terminal under Wine, as paths on this (Linux or macOS) machine.

A terminal under Wine reports its folders as Windows sees them (`terminal_info().data_path`,
`commondata_path`: `C:\\users\\you\\AppData\\Roaming\\MetaQuotes\\...`). Wine maps each drive
letter to `$WINEPREFIX/dosdevices/<letter>:` (a link to `drive_c` for C:, to `/` for Z:), with
`~/.wine` as the prefix when WINEPREFIX is unset. On Windows the path is already native.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PureWindowsPath

__all__ = ["native_path", "wine_prefix"]

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def wine_prefix() -> Path:
    """The Wine prefix: $WINEPREFIX, else ~/.wine."""
    configured = os.environ.get("WINEPREFIX")
    return Path(configured).expanduser() if configured else Path.home() / ".wine"


def native_path(path: str | Path) -> Path:
    """`path` as this machine reaches it: a drive path (`C:\\...`) mapped into the Wine prefix
    when not on Windows, anything else unchanged (with `~` expanded)."""
    text = str(path)
    if os.name == "nt" or not _DRIVE.match(text):
        return Path(text).expanduser()
    windows = PureWindowsPath(text)
    prefix = wine_prefix()
    letter = windows.drive[0].lower()
    devices = prefix / "dosdevices"
    root = devices / f"{letter}:" if devices.is_dir() or letter != "c" else prefix / "drive_c"
    return root.joinpath(*windows.parts[1:])
