"""Issue 14 item 6 (`lca status`) and issue 15 item 7: symbol and side in the orders and the
decisions, a layout that fits 80 columns with whole times and uses 160, the permission warnings
shown; captured with rich's recorder after a short replay."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from bridge.app import run
from bridge.commands.status import _print, collect
from bridge.journal import Journal
from tests.view.conftest import short_config

EXPERT_OFF = ('\n[[faults]]\nkind = "expert_disabled"\nat = "2016-10-06T17:05:00Z"\n'
              "duration_s = 3600.0\n")


@pytest.fixture(scope="module")
def status(tmp_path_factory):
    folder = tmp_path_factory.mktemp("status")
    config = short_config(folder, EXPERT_OFF)
    run(config)
    journal = Journal(config.run.journal, writable=False)
    try:
        data = collect(journal)
    finally:
        journal.close()
    shown = {}
    for width in (80, 160):
        console = Console(record=True, width=width, color_system=None, file=io.StringIO())
        _print(console, data)
        shown[width] = console.export_text()
    return data, shown


def test_status_json_orders_and_decisions_carry_symbol_and_side(status):
    data, _ = status
    assert {(o["symbol"], o["side"]) for o in data["orders"]} == {
        ("GBPUSD", "sell"), ("EURUSD", "sell"), ("USDJPY", "sell")}
    reducing = [d for d in data["decisions"] if d["actions"]]
    assert reducing
    assert "GBPUSD sell" in reducing[0]["symbols"]


@pytest.mark.parametrize("width", [80, 160])
def test_status_orders_table_has_symbol_and_side_and_whole_times(status, width):
    data, shown = status
    text = shown[width]
    header = next(line for line in text.splitlines() if "retcode" in line)
    assert "symbol" in header
    assert "side" in header
    gbp = [line for line in text.splitlines() if "GBPUSD" in line and "sell" in line]
    times = [o["time"] for o in data["orders"] if o.get("symbol") == "GBPUSD"]
    assert times  # whole ISO times, as the journal has them
    assert any(t in line for t in times for line in gbp), text


@pytest.mark.parametrize("width", [80, 160])
def test_status_fits_its_width_and_cuts_nothing(status, width):
    _, shown = status
    text = shown[width]
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", [80, 160])
def test_status_shows_the_permission_warning(status, width):
    _, shown = status
    flat = " ".join(shown[width].split())
    assert "experts are disabled for this account" in flat


def test_status_uses_the_width_at_160_for_tickets_sentences_and_reasons(status):
    data, shown = status
    wide = shown[160].splitlines()
    first = next(o["time"] for o in data["orders"] if o.get("symbol") == "GBPUSD")
    order = next(line for line in wide if first in line and "GBPUSD" in line)
    assert "50000001" in order
    assert "the request was executed" in order
    assert any("EffLev" in line and "REDUCING" in line for line in wide)  # the decision's why
