"""`lca check` lists the prop preset, its source and last-verified date, each override next to
the preset's value, and warns when the preset's verification is older than 180 days."""

from __future__ import annotations

from datetime import date

from bridge.cli import main
from bridge.commands.prop_check import prop_lines
from bridge.config import load_config

CONFIG = """[prop]
enabled = true
preset = "ftmo-1step"
daily_loss_fraction = 0.04
reset_time = "00:00"
"""


def test_check_lists_each_override_next_to_the_preset_value(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    path = tmp_path / "c.toml"
    path.write_text(CONFIG, encoding="utf-8")
    assert main(["check", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "prop.daily_loss_fraction = 0.04 (you) — preset ftmo-1step says 0.03" in out
    assert "prop preset ftmo-1step: FTMO Challenge 1-Step, on; last verified 2026-12-01" \
        in out
    assert "reset_time" not in out  # the same value as the preset's: not an override


def test_check_warns_when_the_preset_was_verified_more_than_180_days_ago(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(CONFIG, encoding="utf-8")
    prop = load_config(path).prop
    fresh = prop_lines(path, prop, date(2027, 5, 30))  # 180 days after 2026-12-01
    assert [level for level, _ in fresh] == ["ok", "note"]
    stale = prop_lines(path, prop, date(2027, 5, 31))
    assert stale[-1][0] == "warn"
    assert "181 days ago" in stale[-1][1]


def test_check_without_a_preset_prints_no_prop_lines(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[prop]\nenabled = true\ndaily_loss_fraction = 0.04\n", encoding="utf-8")
    assert prop_lines(path, load_config(path).prop, date(2030, 1, 1)) == []
