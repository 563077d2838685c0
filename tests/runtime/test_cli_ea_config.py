"""`lca ea install/status` read the configuration like every other command (issue 14 item 7):
`--config PATH` is accepted, `[ea] common_folder` is used, and the default config.toml (the
simulated terminal, which runs no EA) gets an answer, not an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bridge.cli import main

GOLDEN = Path(__file__).resolve().parents[2] / "mql5" / "golden" / "telemetry_v1.txt"


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one line per message


def test_ea_status_on_the_default_config_says_the_simulated_terminal_runs_no_ea(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ea", "status"]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "EA link off" in text
    assert "simulated terminal" in text
    assert "--common-folder" in text
    assert "Traceback" not in text


def test_ea_status_reads_the_common_folder_of_the_config_passed_with_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = tmp_path / "Common"
    (common / "Files" / "lca").mkdir(parents=True)
    shutil.copyfile(GOLDEN, common / "Files" / "lca" / "telemetry.txt")
    config = tmp_path / "c.toml"
    config.write_text(f"[ea]\ncommon_folder = {str(common)!r}\n", encoding="utf-8")
    assert main(["ea", "status", "--config", str(config)]) == 0
    assert "limits sequence 42 applied" in capsys.readouterr().out


@pytest.mark.parametrize("action", ["install", "status"])
def test_ea_commands_name_a_bad_config_passed_with_config(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[ea]\nheartbeat_seconds = -1\n", encoding="utf-8")
    assert main(["ea", action, "--config", str(config)]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert str(config) in text
    assert "[ea] heartbeat_seconds = -1" in text
    assert "Traceback" not in text
