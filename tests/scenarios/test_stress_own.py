"""`lca stress --scenario FILE [--book BOOK] [--preset …]`: a trader's own scenario (the sim's
format, its own account and book) and own book (on any window, built-in or mine) run under the
stress policies, with the report written for them like for the built-in windows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.cli import main
from bridge.sim.scenario import load_scenario
from bridge.stress import WINDOWS
from bridge.stress.runner import RunSpec
from bridge.stress.suite import resolve_scenarios, run_all, summarise

GBP = WINDOWS["gbp-flash-2016"].path


def _my_flash(tmp_path: Path) -> Path:
    """The sterling flash from 22:30 to 23:30 UTC on my account (5 000 USD at 1:50, margin call
    60 %, stop-out 30 %, no negative balance protection) with my book (short GBPUSD 0.4 lots):
    no preset touches it unless asked."""
    text = GBP.read_text(encoding="utf-8")
    for old, new in (
            ('name = "stress/gbp-flash-2016"', 'name = "my-flash"'),
            ("start = 2016-10-06T17:00:00Z", "start = 2016-10-06T22:30:00Z"),
            ("end = 2016-10-07T05:00:00Z", "end = 2016-10-06T23:30:00Z"),
            ("balance = 10000.0", "balance = 5000.0"),
            ("leverage = 30", "leverage = 50"),
            ("margin_call = 100.0", "margin_call = 60.0"),
            ("stop_out = 50.0", "stop_out = 30.0"),
            ("negative_balance_protection = true", "negative_balance_protection = false"),
            ('type = "buy"\nvolume = 1.6', 'type = "sell"\nvolume = 0.4')):
        assert old in text, f"the stress window changed: {old!r} not found; update this test"
        text = text.replace(old, new)
    path = tmp_path / "my-flash.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_stress_runs_my_own_scenario_file_with_its_account_and_book_and_reports_it(
        shared_data: Path, tmp_path: Path):
    scenario = _my_flash(tmp_path)
    out = tmp_path / "report"
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", str(scenario),
                 "--policy", "none", "full", "--jobs", "1", "--out", str(out)])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["scenarios"]) == ["my-flash"]  # its own settings: no preset suffix
    sc = summary["scenarios"]["my-flash"]
    assert sc["preset"] == "own"
    assert sc["kind"] == "crash"
    assert sc["main_symbol"] == "GBPUSD"
    assert sc["account"] == {"currency": "USD", "balance": 5000.0, "leverage": 50,
                             "margin_call": 60.0, "stop_out": 30.0,
                             "negative_balance_protection": False}
    assert sc["book"] == [{"symbol": "GBPUSD", "side": "sell", "volume": 0.4}]
    assert set(sc["policies"]) == {"none", "full"}
    # a short book gains in the sterling crash: the positions were really mine
    assert sc["policies"]["none"]["return"] > 0.0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "my-flash" in html
    assert (out / "my-flash.png").stat().st_size > 10_000


def _book(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-book.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_book_on_a_built_in_window_replaces_the_positions_and_the_balance(
        shared_data: Path, tmp_path: Path):
    book = _book(tmp_path, 'balance = 20000.0\n\n[[book]]\nsymbol = "GBPUSD"\nside = "buy"\n'
                 "lots = 1.0\n")
    s = load_scenario(GBP, data_dir=shared_data)
    end = s.start + 1800.0  # half an hour of calm: enough to read the book's EffLev
    data = str(shared_data)
    results = run_all([RunSpec("gbp-flash-2016", "esma", "none", data, end=end),
                       RunSpec("gbp-flash-2016", "esma", "none", data, end=end,
                               book=str(book))], jobs=1)
    by_book = {bool(r.get("book_file")): r for r in results}
    summary = summarise([by_book[True]], data, {})
    sc = summary["scenarios"]["gbp-flash-2016-esma"]
    assert sc["book"] == [{"symbol": "GBPUSD", "side": "buy", "volume": 1.0}]
    assert sc["account"]["balance"] == 20000.0
    # what the guard saw on the terminal: 1.0 lot on 20 000 against 1.6 lots on 10 000
    mine = by_book[True]["metrics"]["mean_eff_lev"]
    default = by_book[False]["metrics"]["mean_eff_lev"]
    assert mine / default == pytest.approx((1.0 / 20000.0) / (1.6 / 10000.0), rel=0.02)


def test_book_takes_the_book_tables_of_a_scenario_file(shared_data: Path, tmp_path: Path):
    from bridge.stress.book import read_book

    book = read_book(_my_flash(tmp_path))
    assert [(b.symbol, b.side, b.lots) for b in book.positions] == [("GBPUSD", "sell", 0.4)]
    assert book.balance is None  # a scenario file's account is not a book's balance


@pytest.mark.parametrize(("text", "words"), [
    ('[[book]]\nsymbol = "USDCHF"\nside = "buy"\nlots = 1.0\n', ["USDCHF", "GBPUSD"]),
    ('[[book]]\nsymbol = "GBPUSD"\nside = "long"\nlots = 1.0\n', ["side", "buy", "sell"]),
    ('[[book]]\nsymbol = "GBPUSD"\nside = "buy"\nlots = -1\n', ["lots", "above 0"]),
    ('[[book]]\nsymbol = "GBPUSD"\nside = "buy"\nlot = 1\n', ["lot", "lots"]),
    ("balance = 100\n", ["[[book]]"]),
], ids=["symbol", "side", "lots", "key", "empty"])
def test_a_bad_book_names_the_field_and_the_fix_before_any_run(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
        words: list[str]):
    book = _book(tmp_path, text)
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "gbp-flash-2016-esma",
                 "--book", str(book), "--policy", "none", "--out", str(tmp_path / "o")])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "Traceback" not in err
    assert str(book.name) in err
    for word in words:
        assert word in err, err
    assert not (tmp_path / "o").exists()


def test_mixed_lists_and_presets_only_when_asked(tmp_path: Path):
    mine = _my_flash(tmp_path)
    key = str(mine.resolve())
    assert resolve_scenarios(["snb-2015", str(mine)]) == [
        ("snb-2015", "esma"), ("snb-2015", "offshore"), (key, "own")]
    assert resolve_scenarios([str(mine)], presets=["offshore"]) == [(key, "offshore")]
    assert resolve_scenarios(["snb-2015"], presets=["esma"]) == [("snb-2015", "esma")]
    # a recorded scenario folder: its scenario TOML
    folder = tmp_path / "recording"
    folder.mkdir()
    (folder / "scenario.toml").write_text(mine.read_text(encoding="utf-8"), encoding="utf-8")
    assert resolve_scenarios([str(folder)]) == [(str((folder / "scenario.toml").resolve()),
                                                 "own")]


def test_preset_on_my_file_sets_the_broker_levels_and_names_the_run(shared_data: Path,
                                                                    tmp_path: Path):
    from bridge.stress.windows import window_for

    mine = _my_flash(tmp_path)
    spec = RunSpec(str(mine.resolve()), "offshore", "none", str(shared_data))
    assert spec.scenario == "my-flash-offshore"
    assert window_for(spec.window).name == "my-flash"


def test_the_examples_of_the_docs_are_a_valid_book_and_scenario(shared_data: Path):
    from bridge.stress.book import check_book, read_book
    from bridge.stress.runner import load_window
    from bridge.stress.user import resolve, user_window

    examples = Path(__file__).resolve().parents[2] / "examples"
    book = read_book(examples / "my-book.toml")
    assert book.balance == 5000.0
    check_book(book, load_window("gbp-flash-2016", str(shared_data)), "gbp-flash-2016")
    key = resolve(str(examples / "my-gbp-flash.toml"))
    assert key is not None
    w = user_window(key)
    assert (w.name, w.kind, w.main_symbol, w.guard_seconds) == ("my-gbp-flash", "crash",
                                                                "GBPUSD", 5.0)
    assert load_window(key, str(shared_data)).account.margin_so_so == 30.0
