"""Under Wine the terminal reports Windows paths (`terminal_info().commondata_path` is
`C:\\users\\...`): on Linux lca maps them into the Wine prefix, so the EA link and `lca ea install`
find the real folders instead of a folder named `C:\\users\\...` in the current directory."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from bridge.ealink.folder import resolve_link_folder

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows paths are native on Windows")

COMMON = r"C:\users\trader\AppData\Roaming\MetaQuotes\Terminal\Common"


def _prefix(tmp_path: Path) -> Path:
    prefix = tmp_path / "wine"
    (prefix / "drive_c").mkdir(parents=True)
    (prefix / "dosdevices").mkdir()
    (prefix / "dosdevices" / "c:").symlink_to("../drive_c")
    return prefix


class _Terminal:
    def __init__(self, common: str) -> None:
        self.common = common

    def terminal_info(self):
        return SimpleNamespace(commondata_path=self.common)


def test_the_link_folder_of_a_terminal_under_wine_is_inside_the_prefix(tmp_path, monkeypatch):
    prefix = _prefix(tmp_path)
    monkeypatch.setenv("WINEPREFIX", str(prefix))
    folder = resolve_link_folder(_Terminal(COMMON))
    assert folder == prefix / "dosdevices" / "c:" / "users" / "trader" / "AppData" / \
        "Roaming" / "MetaQuotes" / "Terminal" / "Common" / "Files" / "lca"
    assert folder.resolve().is_relative_to((prefix / "drive_c").resolve())


def test_the_default_prefix_is_dot_wine_in_home(tmp_path, monkeypatch):
    monkeypatch.delenv("WINEPREFIX", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = resolve_link_folder(_Terminal(COMMON))
    assert folder.is_relative_to(tmp_path / ".wine")
    assert "\\" not in str(folder)


def test_a_configured_posix_folder_is_taken_as_written(tmp_path):
    folder = resolve_link_folder(None, tmp_path / "Common")
    assert folder == tmp_path / "Common" / "Files" / "lca"
