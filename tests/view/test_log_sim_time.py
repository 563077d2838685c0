"""Issue 14 item 6: in a replay the log lines are stamped in simulated time (the wall time
stays beside it), in the log file and on the console."""

from __future__ import annotations

import re

from bridge.app import run, setup_logging
from tests.view.conftest import short_config

SIM_STAMP = re.compile(r"2016-10-06 17:\d\d:\d\d")


def test_replay_log_file_lines_carry_the_simulated_time(tmp_path, restore_logging):
    config = short_config(tmp_path)
    setup_logging(config.run.log_file, quiet=True, live_console=True)
    run(config)
    lines = (tmp_path / "lca.log").read_text(encoding="utf-8").splitlines()
    started = [line for line in lines if "guard started" in line]
    assert started, lines[:5]
    assert SIM_STAMP.match(started[0]), started[0]
    assert "sim" in started[0]
    assert "wall" in started[0]
    stopped = next(line for line in lines if "guard stopped" in line)
    assert stopped.startswith("2016-10-06 17:20:00"), stopped


def test_replay_console_log_lines_carry_the_simulated_time(tmp_path, capsys, restore_logging):
    config = short_config(tmp_path)
    setup_logging("", quiet=False, live_console=False)
    run(config)
    err = capsys.readouterr().err.splitlines()
    started = next(line for line in err if "guard started" in line)
    assert SIM_STAMP.match(started), started


def test_outside_a_replay_the_log_keeps_the_wall_clock(tmp_path, restore_logging):
    from loguru import logger

    setup_logging(str(tmp_path / "lca.log"), quiet=True, live_console=True)
    logger.info("hello")
    line = (tmp_path / "lca.log").read_text(encoding="utf-8").strip()
    assert not line.startswith("2016")
    assert "hello" in line
    assert " sim " not in line
