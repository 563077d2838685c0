"""The broker server's clock (`server_utc_offset_hours`, `server_dst`) is a `[terminal]` setting
(issue 13 item 6): it describes the broker's trade server, not the prop firm. A config that still
writes them under `[prop]` keeps working (the values are taken) and `lca check` says in one line
where they now belong; a bad DST rule is named with the allowed ones."""

from __future__ import annotations

import pytest

from bridge.cli import main
from bridge.config import ConfigError, load_config


def _write(tmp_path, text: str):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_server_clock_settings_are_read_from_the_terminal_table(tmp_path):
    config = load_config(_write(tmp_path, "[terminal]\nserver_utc_offset_hours = 3\n"
                                          'server_dst = "eu"\n'))
    assert (config.terminal.server_utc_offset_hours, config.terminal.server_dst) == (3.0, "eu")


def test_server_clock_settings_default_to_the_new_york_close_server(tmp_path):
    config = load_config(_write(tmp_path, "[terminal]\nkind = \"sim\"\n"))
    assert (config.terminal.server_utc_offset_hours, config.terminal.server_dst) == (2.0, "us")


def test_old_prop_server_clock_keys_are_taken_and_check_says_where_they_belong(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    path = _write(tmp_path, "[prop]\nserver_utc_offset_hours = 3\nserver_dst = \"none\"\n")
    config = load_config(path)
    assert (config.terminal.server_utc_offset_hours, config.terminal.server_dst) == (3.0, "none")
    assert main(["check", "--config", str(path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines()
             if "server_utc_offset_hours" in line or "server_dst" in line]
    assert len(lines) == 1, lines
    assert "[prop]" in lines[0]
    assert "[terminal]" in lines[0]


def test_server_clock_keys_in_both_tables_are_refused_naming_both(tmp_path):
    path = _write(tmp_path, "[prop]\nserver_dst = \"eu\"\n[terminal]\nserver_dst = \"us\"\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "[prop] server_dst" in text
    assert "[terminal]" in text


@pytest.mark.parametrize("table", ["terminal", "prop"])
def test_an_unknown_dst_rule_is_named_with_the_allowed_rules(tmp_path, table):
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, f"[{table}]\nserver_dst = \"au\"\n"))
    text = str(caught.value)
    assert "server_dst" in text
    assert "'au'" in text
    assert "none, us, eu" in text


@pytest.mark.parametrize("table", ["terminal", "prop"])
def test_a_live_guard_speaks_the_server_clock_of_the_configuration(tmp_path, table):
    from bridge.app import build_guard
    from bridge.servertime import ServerClock
    from bridge.sim import SimTerminal

    clock = 'server_utc_offset_hours = 3\nserver_dst = "eu"\n'
    path = _write(tmp_path, '[terminal]\nkind = "mt5linux"\n'
                            + (clock if table == "terminal" else f"[prop]\n{clock}")
                            + f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\n')
    guard = build_guard(load_config(path), module=SimTerminal.from_scenario("gbp-flash-2016"))
    try:
        assert guard.port.clock == ServerClock(3.0, "eu")
    finally:
        guard.journal.close()


def test_lca_run_says_where_old_prop_server_clock_keys_belong(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    # the log file under a plain file: lca run stops before it starts anything, after the notes
    path = _write(tmp_path, "[prop]\nserver_utc_offset_hours = 3\n[run]\n"
                            f'journal = "sqlite:///{tmp_path}/journal.db"\n'
                            f'log_file = "{blocker}/lca.log"\n')
    assert main(["run", "--quiet", "--config", str(path)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines()
             if "server_utc_offset_hours" in line]
    assert len(lines) == 1, lines
    assert "[prop]" in lines[0]
    assert "[terminal]" in lines[0]
