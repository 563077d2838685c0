"""Where the link files live: ``<Common>/Files/lca``, from the terminal or the configuration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bridge.ealink.errors import EaFolderError

if TYPE_CHECKING:
    from bridge.mt5.port import Mt5Module

__all__ = ["LINK_SUBFOLDER", "link_folder_from_common", "resolve_link_folder"]

LINK_SUBFOLDER = "lca"
"""The EA's ``InpFolder`` default: the files are ``<Common>/Files/lca/*.txt``."""


def link_folder_from_common(commondata_path: str | Path) -> Path:
    """``<commondata_path>/Files/lca``: where FILE_COMMON files of the EA live (a Windows path
    of a terminal under Wine mapped into the Wine prefix: bridge/winepath.py)."""
    from bridge.winepath import native_path

    return native_path(commondata_path) / "Files" / LINK_SUBFOLDER


def resolve_link_folder(
    terminal: Mt5Module | None = None, configured: str | Path | None = None
) -> Path:
    """The link folder, from the configuration when given, else from the terminal.

    ``configured`` is the terminal's common data folder (the one holding ``Files``), e.g. for Wine
    ``~/.wine/drive_c/users/<you>/AppData/Roaming/MetaQuotes/Terminal/Common``. ``terminal`` is any
    object shaped like the MetaTrader5 module; its ``terminal_info().commondata_path`` is used.
    """
    if configured is not None and str(configured) != "":
        return link_folder_from_common(configured)
    if terminal is not None:
        info = terminal.terminal_info()
        path = getattr(info, "commondata_path", None) if info is not None else None
        if path:
            return link_folder_from_common(path)
        raise EaFolderError(
            "terminal_info() gave no commondata_path (is the terminal connected?): set the common "
            "data folder in the configuration instead"
        )
    raise EaFolderError(
        "no terminal and no configured common data folder: pass the terminal or set the folder "
        "(…/MetaQuotes/Terminal/Common) in the configuration"
    )
