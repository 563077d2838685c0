"""A config whose simulated terminal replays tests/record/source.toml, journal and log in tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "source.toml"


@pytest.fixture
def source_config(tmp_path: Path) -> Path:
    """config.toml for the source terminal: sim on source.toml, a fast guard, no unguarded run."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[terminal]\n"
        'kind = "sim"\n'
        f'scenario = "{SOURCE.as_posix()}"\n'
        "[run]\n"
        f'journal = "sqlite:///{(tmp_path / "journal.db").as_posix()}"\n'
        f'log_file = "{(tmp_path / "lca.log").as_posix()}"\n'
        "guard_seconds = 10\n"
        "compare_unguarded = false\n",
        encoding="utf-8")
    return config
