"""One scenario naming scheme (event-year) for `lca run` and `lca stress`; the old names are
accepted aliases that say "renamed to …" once; an unknown name lists the valid ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import main
from bridge.config import AppConfig
from bridge.sim import ScenarioError, builtin_scenarios, load_scenario
from bridge.stress import WINDOWS

OLD_TO_NEW = {"flash-gbp-2016": "gbp-flash-2016", "flash-jpy-2019": "jpy-flash-2019"}


def test_built_in_run_scenarios_use_the_event_year_names_of_stress():
    names = set(builtin_scenarios())
    assert {"gbp-flash-2016", "jpy-flash-2019", "snb-2015", "covid-2020"} <= names
    assert not names & set(OLD_TO_NEW)  # the old spellings are aliases, not files
    # every generated crash the stress suite also has is spelled the same way in both
    assert {"gbp-flash-2016", "jpy-flash-2019", "snb-2015", "covid-2020"} <= set(WINDOWS)
    assert AppConfig().terminal.scenario == "gbp-flash-2016"


@pytest.mark.parametrize(("old", "new"), list(OLD_TO_NEW.items()))
def test_an_old_run_name_loads_the_renamed_scenario(old: str, new: str):
    assert load_scenario(old).name == new


def test_lca_run_unknown_name_lists_the_valid_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    config = tmp_path / "config.toml"
    config.write_text(f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\nlog_file = ""\n'
                      'compare_unguarded = false\n', encoding="utf-8")
    code = main(["run", "--quiet", "--config", str(config), "--scenario", "flash-nope-2016"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    for name in builtin_scenarios():  # an unknown name lists the valid ones, data windows too
        assert name in err
    assert "data/gbp-flash-2016" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("where", ["config", "flag"])
def test_lca_run_with_an_old_name_says_renamed_once(
        where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    # a config written before the rename (or the old name typed on the command line); the log
    # path is a folder, so the run stops right after reading the names: no replay is spent
    config = tmp_path / "config.toml"
    text = f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\nlog_file = "{tmp_path}"\n'
    if where == "config":
        text += '[terminal]\nscenario = "flash-gbp-2016"\n'
    config.write_text(text, encoding="utf-8")
    argv = ["run", "--quiet", "--config", str(config)]
    if where == "flag":
        argv += ["--scenario", "flash-gbp-2016"]
    assert main(argv) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("renamed to") == 1
    assert "'flash-gbp-2016' renamed to 'gbp-flash-2016'" in err


def test_lca_stress_with_an_old_name_says_renamed_and_accepts_it(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    # a refused policy stops the run after the names are read: no replay is spent on this test
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "flash-gbp-2016",
                 "--policy", "hope", "--out", str(tmp_path / "o")])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert err.count("renamed to") == 1
    assert "'flash-gbp-2016' renamed to 'gbp-flash-2016'" in err
    assert "hope" in err


def test_lca_stress_unknown_name_lists_the_valid_names(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "ltcm-1998",
                 "--out", str(tmp_path / "o")])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    for name in WINDOWS:
        assert name in err


def test_unknown_run_name_error_lists_builtins_and_data_windows():
    with pytest.raises(ScenarioError, match="gbp-flash-2016") as info:
        load_scenario("no-such-crash")
    assert "data/snb-2015" in str(info.value)


def test_an_old_name_with_a_preset_keeps_the_preset():
    from bridge.sim.names import canonical
    from bridge.stress.suite import resolve_scenarios

    assert canonical("flash-gbp-2016-offshore") == "gbp-flash-2016-offshore"
    assert canonical("data/flash-jpy-2019") == "data/jpy-flash-2019"
    assert canonical("snb-2015") == "snb-2015"
    assert resolve_scenarios(["flash-gbp-2016-offshore"]) == [("gbp-flash-2016", "offshore")]
