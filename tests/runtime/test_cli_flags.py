"""The command line's own flags (issue 14 item 7): `lca --version`, and every numeric flag is
checked by argparse against its allowed range: exit 2, a message naming the flag and the range,
no traceback, nothing started."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from bridge.cli import main


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # argparse wraps its usage at $COLUMNS


def test_version_prints_the_package_version_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"lca {version('liquidity-crash-avoidance')}"


# each command is also given a missing config or data folder: were the flag let through, the
# command would stop at once with its own exit 2 (a return, not argparse's SystemExit)
NO_CONFIG = ["--config", "/nonexistent/lca-config.toml"]
NO_DATA = ["--data-dir", "/nonexistent/lca-data"]


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return out.err


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "fast"])
def test_run_speed_outside_its_range_is_refused_naming_the_flag(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["run", *NO_CONFIG, "--quiet", "--speed", value], capsys)
    assert "argument --speed" in err
    assert "0 or more" in err
    assert "simulated seconds per wall second" in err


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "257"])
def test_stress_jobs_outside_its_range_is_refused_naming_the_flag(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["stress", *NO_DATA, "--jobs", value], capsys)
    assert "argument --jobs" in err
    assert "a whole number from 1 to 256" in err


@pytest.mark.parametrize("value", ["0", "-2", "101", "nan"])
def test_stress_appetite_outside_its_range_is_refused_naming_the_flag(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["stress", *NO_DATA, "--appetite", "1", value], capsys)
    assert "argument --appetite" in err
    assert "above 0 and at most 100" in err


@pytest.mark.parametrize("value", ["0", "-1", "1001", "inf"])
def test_stress_static_outside_its_range_is_refused_naming_the_flag(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["stress", *NO_DATA, "--static", "2", value], capsys)
    assert "argument --static" in err
    assert "above 0 and at most 1000" in err


@pytest.mark.parametrize("value", ["0", "-1", "ten"])
def test_status_decisions_outside_its_range_is_refused_naming_the_flag(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["status", *NO_CONFIG, "--decisions", value], capsys)
    assert "argument --decisions" in err
    assert "a whole number, 1 or more" in err
