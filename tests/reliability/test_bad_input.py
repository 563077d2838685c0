"""Issue 7 §4, bad input wherever a user can reach it, with a journal already written: every
case gets an error naming the field, and the journal keeps every row it had (same ids, same
payloads), so `lca status` still shows the earlier run.

Reached here: the config file (through `lca run`), the environment variable of the login, a
snapshot the terminal hands over (NaN, negative, missing) to a running guard, the market-data
files of the simulated terminal (truncated, wrong columns, unsorted or duplicate timestamps),
and the EA's limits and telemetry files (torn, wrong version) under a running guard. The unit
tests of each parser are elsewhere (tests/controller/test_bad_input.py, test_config.py,
tests/mql5/test_ealink.py); these check the running program around them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bridge.app import build_guard
from bridge.cli import main
from bridge.commands.status import collect
from bridge.config import EaSettings
from bridge.ealink import (
    LIMITS_FILE,
    TELEMETRY_FILE,
    EaLink,
    TornFileError,
    WrongVersionError,
    parse_limits,
    parse_telemetry,
)
from bridge.journal import Journal
from bridge.sim import SimTerminal
from bridge.sim.replay.clock import ServerClock
from bridge.sim.replay.readers import read_market_file
from bridge.terminal import Credentials
from tests.reliability.harness import FIGURES, config, drive

GOLDEN = Path(__file__).resolve().parents[2] / "mql5" / "golden"


def _rows(journal: Journal) -> dict[int, tuple[str, dict[str, Any]]]:
    journal.account = journal.latest_account() or 0
    return {r.id: (r.kind, r.payload) for r in journal.rows()}


@pytest.fixture
def journaled(tmp_path: Path) -> tuple[Path, dict[int, tuple[str, dict[str, Any]]]]:
    """A journal with a plan under way (start, decision, plan, slices)."""
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    guard = build_guard(config(tmp_path), module=sim)
    guard.start()
    guard.cycle()
    drive(guard, sim, 3)
    rows = _rows(guard.journal)
    guard.journal.close()
    assert len(rows) > 10
    return tmp_path, rows


def _assert_kept(folder: Path, before: dict[int, tuple[str, dict[str, Any]]]) -> None:
    journal = Journal(f"sqlite:///{folder}/journal.db")
    after = _rows(journal)
    lost = [i for i, row in before.items() if after.get(i) != row]
    FIGURES["rows lost"] += len(lost)
    assert lost == []
    assert collect(journal)["orders"]  # `lca status` still shows the earlier run
    journal.close()


CONFIG_CASES = [
    ("[rules]\neff_lev_reduce_abve = 2.0\n", ["eff_lev_reduce_abve", "unknown key", "allowed"]),
    ('[run]\nguard_seconds = "fast"\n', ["guard_seconds", "'fast'"]),
    ("[run]\nguard_seconds = -1\n", ["guard_seconds", "-1", "greater than 0"]),
    ("[terminal]\nport = 70000\n", ["port", "70000", "65535"]),
    ('[terminal]\nkind = "mt4"\n', ["kind", "mt4", "allowed"]),
    ("[run\nmode = 1\n", ["not valid TOML"]),
]


@pytest.mark.parametrize(("text", "words"), CONFIG_CASES, ids=lambda v: str(v)[:24])
def test_bad_config_names_the_key_and_keeps_the_journal(
        journaled: tuple[Path, dict[int, tuple[str, dict[str, Any]]]], text: str,
        words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, before = journaled
    path = folder / "bad.toml"
    journal_line = f'journal = "sqlite:///{folder}/journal.db"\n'
    body = text.replace("[run]\n", "[run]\n" + journal_line) if "[run]\n" in text else \
        text + "\n[run]\n" + journal_line if not text.startswith("[run\n") else text
    path.write_text(body, encoding="utf-8")
    assert main(["run", "--quiet", "--config", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    for word in words:
        assert word in err, err
    assert "Traceback" not in err
    _assert_kept(folder, before)
    assert main(["status", "--json", "--journal", f"sqlite:///{folder}/journal.db"]) == 0


def test_login_variable_that_is_not_a_number_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCA_MT5_LOGIN", "my-account")
    with pytest.raises(ValueError, match="LCA_MT5_LOGIN must be the account number"):
        Credentials.from_env("LCA_MT5_LOGIN", "LCA_MT5_PASSWORD", "LCA_MT5_SERVER")


class _CorruptAccount:
    """The simulated terminal whose account_info / positions go bad for `bad` calls."""

    def __init__(self, sim: SimTerminal, field: str, value: Any, bad: int) -> None:
        self._sim, self._field, self._value, self.bad = sim, field, value, bad

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)

    def account_info(self) -> Any:
        info: Any = self._sim.account_info()
        if self.bad > 0 and self._field in info._fields:
            self.bad -= 1
            return info._replace(**{self._field: self._value})
        return info


@pytest.mark.parametrize(("field", "value"), [("equity", math.nan), ("margin", -5.0),
                                              ("balance", math.inf), ("currency", "")])
def test_a_corrupt_snapshot_is_rejected_by_name_and_the_plan_goes_on(
        tmp_path: Path, field: str, value: Any) -> None:
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    terminal = _CorruptAccount(sim, field, value, bad=0)
    guard = build_guard(config(tmp_path), module=terminal)
    guard.start()
    guard.cycle()
    before = _rows(guard.journal)
    terminal.bad = 3
    deals_before = len(sim.history_deals_get(0, 2**31 - 1) or ())
    for _ in range(3):
        sim.advance(1.0)
        guard.fast_guard()
    # nothing sent on bad data
    assert len(sim.history_deals_get(0, 2**31 - 1) or ()) == deals_before
    states = [s["message"] for s in collect(guard.journal)["states"] if s["what"] == "data"]
    assert states, "no 'data' state row for a corrupt snapshot"
    assert all(field in m for m in states), states
    drive(guard, sim, 40)
    assert not guard.plan  # the plan went on once the data was good again
    _assert_kept(tmp_path, before)


# --- market-data files of the simulated terminal ---------------------------------------------
H1 = "gbp_flash_2016-10-07/GBPUSD_H1_mt5broker_2016-10-06_to_2016-10-10_servertime.csv"


def _variant(shared_data: Path, tmp_path: Path, name: str) -> Path:
    lines = (shared_data / H1).read_text().splitlines()
    head, body = lines[0], lines[1:]
    text = {
        "truncated": [head, *body[:40], body[40][:21]],
        "wrong_columns": [head.replace("close", "klose"), *body],
        "unsorted": [head, *body[:10][::-1], *body[10:]],
        "duplicate": [head, body[0], body[0], *body[1:]],
    }[name]
    path = tmp_path / f"GBPUSD_H1_{name}_servertime.csv"  # a temporary copy, never in the repo
    path.write_text("\n".join(text) + "\n")
    return path


def test_a_data_file_with_wrong_columns_names_the_column(shared_data: Path,
                                                        tmp_path: Path) -> None:
    path = _variant(shared_data, tmp_path, "wrong_columns")
    with pytest.raises(ValueError, match=r"missing bar columns \['close'\]") as info:
        read_market_file(path, clock=ServerClock(2.0, "eu"))
    assert path.name in str(info.value)


@pytest.mark.parametrize("name", ["truncated", "unsorted", "duplicate"])
def test_a_damaged_data_file_is_refused_by_name(shared_data: Path, tmp_path: Path,
                                                name: str) -> None:
    path = _variant(shared_data, tmp_path, name)
    with pytest.raises(ValueError, match=path.name):
        read_market_file(path, clock=ServerClock(2.0, "eu"))


# --- the EA's files under a running guard --------------------------------------------------
def _ea_guard(tmp_path: Path) -> tuple[Any, SimTerminal, EaLink]:
    base = config(tmp_path)
    cfg = base.model_copy(update={"ea": EaSettings(enabled=True)})
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    (tmp_path / "ea").mkdir()
    link = EaLink(tmp_path / "ea")
    guard = build_guard(cfg, module=sim)
    guard.ea_link = link
    guard.start()
    guard.cycle()
    guard.fast_guard()  # writes the limits file
    return guard, sim, link


@pytest.mark.parametrize("damage", ["torn", "wrong_version"])
def test_a_bad_telemetry_file_is_named_and_the_guard_goes_on(tmp_path: Path,
                                                             damage: str) -> None:
    guard, sim, link = _ea_guard(tmp_path)
    good = (GOLDEN / "telemetry_v1.txt").read_text(encoding="ascii")
    bad = good[: len(good) // 2] if damage == "torn" else good.replace(" 1\n", " 9\n", 1)
    assert bad != good
    (tmp_path / "ea" / TELEMETRY_FILE).write_text(bad, encoding="ascii")
    with pytest.raises(TornFileError if damage == "torn" else WrongVersionError):
        parse_telemetry(bad)
    before = _rows(guard.journal)
    drive(guard, sim, 40)
    assert not guard.plan
    assert link.last_error is not None
    _assert_kept(tmp_path, before)


@pytest.mark.parametrize("damage", ["torn", "wrong_version"])
def test_a_bad_limits_file_is_named(tmp_path: Path, damage: str) -> None:
    guard, sim, _link = _ea_guard(tmp_path)
    good = (tmp_path / "ea" / LIMITS_FILE).read_text(encoding="ascii")
    bad = good[: len(good) // 2] if damage == "torn" else good.replace(" 1\n", " 9\n", 1)
    assert bad != good
    with pytest.raises(TornFileError if damage == "torn" else WrongVersionError):
        parse_limits(bad)
    (tmp_path / "ea" / LIMITS_FILE).write_text(bad, encoding="ascii")
    drive(guard, sim, 4)  # the guard rewrites its own file on the next heartbeat or change
    assert parse_limits((tmp_path / "ea" / LIMITS_FILE).read_text(encoding="ascii"))


def test_a_missing_password_variable_is_named_and_keeps_the_journal(
        journaled: tuple[Path, dict[int, tuple[str, dict[str, Any]]]],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder, before = journaled
    path = folder / "config.toml"
    path.write_text(f'[run]\njournal = "sqlite:///{folder}/journal.db"\nlog_file = ""\n',
                    encoding="utf-8")
    monkeypatch.setenv("LCA_MT5_LOGIN", "10000001")
    monkeypatch.delenv("LCA_MT5_PASSWORD", raising=False)
    # `lca run` points loguru at this test's captured stderr, closed when the test ends
    monkeypatch.setattr("bridge.app.setup_logging", lambda *args, **kwargs: None)
    assert main(["run", "--quiet", "--config", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "LCA_MT5_PASSWORD is not set" in err, err
    _assert_kept(folder, before)
