"""A short replay for the view tests: flash-gbp-2016's book over its first 20 minutes (the
staged reduction of the 30:1 book happens there), about 2 s of CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import AppConfig
from bridge.sim.scenario import BUILTIN_DIR
from tests.kit import sim_config

SHORT_END = "2016-10-06T17:20:00Z"


def short_scenario(folder: Path, extra: str = "") -> Path:
    """flash-gbp-2016 cut to 17:00-17:20 UTC (no crash in the window), plus `extra` TOML."""
    text = (BUILTIN_DIR / "gbp-flash-2016.toml").read_text(encoding="utf-8")
    assert "end = 2016-10-07T05:00:00Z\n" in text
    text = text.replace("end = 2016-10-07T05:00:00Z\n", f"end = {SHORT_END}\n")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("crash_time"))
    path = folder / "short.toml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


def short_config(folder: Path, extra: str = "", **run: object) -> AppConfig:
    """The default settings on the short replay, journal and log in `folder`."""
    return sim_config(folder, scenario=short_scenario(folder, extra), slice_depth_fraction=None,
                      **{"log_file": str(folder / "lca.log"), **run})


@pytest.fixture
def restore_logging():
    """Put loguru back to no sinks and no patcher after a test that set the logging up."""
    yield
    from bridge.app import setup_logging

    setup_logging("", quiet=True, live_console=True)
