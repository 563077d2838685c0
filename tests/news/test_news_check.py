"""`lca check` reads the calendar file of [news] and names a bad row before the guard runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import main


def config_with(tmp_path: Path, calendar: str) -> Path:
    path = tmp_path / "news.csv"
    path.write_text(calendar, encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"[news]\nenabled = true\ncalendar_file = {str(path)!r}\n", encoding="utf-8")
    return cfg


def test_check_counts_the_calendar_files_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    cfg = config_with(tmp_path, "time_utc,currency,importance,title\n"
                      "2025-12-05T13:30:00Z,USD,high,Nonfarm Payrolls\n"
                      "2025-12-05T15:00:00Z,EUR,medium,ECB Speech\n")
    assert main(["check", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "news calendar file" in out
    assert "2 events (high or medium)" in out


def test_check_names_a_bad_calendar_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    cfg = config_with(tmp_path, "time_utc,currency,importance,title\n"
                      "2025-12-05T13:30:00Z,US,high,Nonfarm Payrolls\n")
    assert main(["check", "--config", str(cfg)]) == 2
    out = capsys.readouterr().out
    assert "line 2: currency 'US': use three letters like USD" in out
