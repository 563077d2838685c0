"""Copy the guard EA into a terminal's data folder: the exact files the host tests compile."""

from __future__ import annotations

import shutil
from pathlib import Path

from bridge.ealink.errors import EaFolderError

__all__ = ["EA_SOURCE", "EXPERT_SUBFOLDER", "ea_source_files", "install_ea"]

EA_SOURCE = Path(__file__).resolve().parents[2] / "mql5"
"""The repository's ``mql5/`` folder: LiquidityGuard.mq5 and its .mqh includes."""

EXPERT_SUBFOLDER = Path("MQL5") / "Experts" / "LiquidityGuard"
"""Where the EA goes inside a terminal's data folder (the includes sit beside it)."""


def ea_source_files(source: Path = EA_SOURCE) -> list[Path]:
    """The .mq5 and .mqh files to install, sorted by name."""
    files = sorted(p for p in source.glob("*") if p.suffix in (".mq5", ".mqh"))
    if not any(p.suffix == ".mq5" for p in files):
        raise EaFolderError(
            f"no .mq5 file in {source}: run lca from a checkout of the repository (the EA sources "
            "live in its mql5/ folder)"
        )
    return files


def install_ea(data_folder: Path, source: Path = EA_SOURCE) -> list[Path]:
    """Copy the EA byte for byte into ``<data_folder>/MQL5/Experts/LiquidityGuard``.

    ``data_folder`` is the terminal's data folder (File > Open Data Folder in MetaTrader 5, or
    ``terminal_info().data_path``); it must already hold an ``MQL5`` folder. Returns the paths
    written. Existing copies are replaced.
    """
    data_folder = Path(data_folder).expanduser()
    if not (data_folder / "MQL5").is_dir():
        raise EaFolderError(
            f"{data_folder} has no MQL5 folder, so it is not a MetaTrader 5 data folder: in the "
            "terminal use File > Open Data Folder and pass that path with --data-folder"
        )
    target = data_folder / EXPERT_SUBFOLDER
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for src in ea_source_files(source):
        dst = target / src.name
        shutil.copyfile(src, dst)
        written.append(dst)
    return written
