"""`lca run --scenario data/…` without its market data folder: one clear message naming the
folder and the fix (--data-dir or LCA_SHARED_DATA), no traceback; `lca run --data-dir` works like
stress."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import main


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\nlog_file = ""\n'
                    "compare_unguarded = false\n", encoding="utf-8")
    return path


def test_run_on_a_data_scenario_without_its_data_folder_names_the_folder_and_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.delenv("LCA_SHARED_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--quiet", "--config", str(_config(tmp_path)),
                 "--scenario", "data/gbp-flash-2016"])
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert code == 2
    assert "Traceback" not in err
    assert "gbp_flash_2016-10-07" in err  # the folder the scenario reads
    assert "--data-dir" in err
    assert "LCA_SHARED_DATA" in err


def test_run_data_dir_flag_pointing_at_a_missing_folder_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.delenv("LCA_SHARED_DATA", raising=False)
    missing = tmp_path / "no-such-data"
    code = main(["run", "--quiet", "--config", str(_config(tmp_path)),
                 "--scenario", "data/gbp-flash-2016", "--data-dir", str(missing)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "Traceback" not in err
    assert str(missing) in err
    assert "--data-dir" in err


def test_run_data_dir_flag_reads_the_real_data(shared_data: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("LCA_SHARED_DATA", raising=False)
    config = _config(tmp_path)
    # a short replay: the calm window's first half hour is enough to know the data was found
    scenario = tmp_path / "calm-short.toml"
    src = Path("bridge/sim/scenarios/data/calm-2019.toml").resolve()
    body = src.read_text(encoding="utf-8")
    assert "end = 2019-02-05T22:00:00Z" in body, "the calm window's end moved: update this test"
    scenario.write_text(body.replace("end = 2019-02-05T22:00:00Z", "end = 2019-02-04T06:30:00Z"),
                        encoding="utf-8")
    out = tmp_path / "summary.json"
    code = main(["run", "--quiet", "--config", str(config), "--scenario", str(scenario),
                 "--data-dir", str(shared_data), "--speed", "0", "--summary-json", str(out)])
    assert code == 0
    assert out.is_file()


def test_run_on_a_missing_scenario_file_names_it_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(["run", "--quiet", "--config", str(_config(tmp_path)),
                 "--scenario", str(tmp_path / "nope.toml")])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "Traceback" not in err
    assert "nope.toml" in err
    assert "not found" in err


def test_a_recorded_scenario_folder_loads_its_scenario_toml(tmp_path: Path):
    from bridge.sim import ScenarioError, load_scenario
    from bridge.sim.scenario import BUILTIN_DIR

    folder = tmp_path / "recording"
    folder.mkdir()
    with pytest.raises(ScenarioError, match=r"no scenario \.toml"):
        load_scenario(folder)
    text = (BUILTIN_DIR / "snb-2015.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(text, encoding="utf-8")
    assert load_scenario(folder).name == "snb-2015"
