"""Shadow mode (bridge.shadow) over the 18 minutes around the SNB's removal of the EUR/CHF floor
(tests/alerts/snb-2015-short.toml): nothing sent, a virtual book of what the guard would have
closed, and a ledger whose "saved" is checkable by hand from the journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.app import build_guard, run_guard, setup_logging, unguarded_run
from bridge.commands.status import _print, collect
from bridge.config import AppConfig, Mode, RunSettings, TerminalSettings
from bridge.journal import Journal

SCENARIO = Path(__file__).parents[1] / "alerts" / "snb-2015-short.toml"


def _config(folder: Path, mode: str) -> AppConfig:
    return AppConfig(
        terminal=TerminalSettings(scenario=str(SCENARIO)),
        run=RunSettings(mode=mode, journal=f"sqlite:///{folder}/journal.db",
                        log_file=f"{folder}/lca.log", compare_unguarded=False))


class OrderSent(AssertionError):
    """order_send was called in shadow mode."""


def _refuse(*args, **kwargs):
    raise OrderSent(f"order_send called in shadow mode: {args} {kwargs}")


@pytest.fixture(scope="module")
def shadow_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shadow")
    config = _config(folder, "shadow")
    setup_logging(config.run.log_file, quiet=True, live_console=True)
    guard, sim = build_guard(config)
    sim.order_send = _refuse  # the terminal raises on any order
    start_positions = {p.ticket: p.volume for p in sim.positions_get()}
    result = run_guard(guard, sim, config)
    setup_logging("", quiet=True, live_console=True)
    journal = Journal(config.run.journal)
    journal.account = journal.latest_account() or 0
    yield guard, sim, result, journal, start_positions, config
    journal.close()


def test_shadow_mode_sends_nothing_and_the_real_account_runs_unguarded(shadow_run):
    guard, sim, result, journal, _, config = shadow_run
    assert guard.mode is Mode.SHADOW
    assert journal.rows("intent") == [] and journal.rows("result") == []
    assert journal.rows("slice") == []  # virtual fills are never journaled as orders
    assert journal.rows("shadow_fill"), "the guard would have closed something here"
    unguarded = unguarded_run(config)
    assert result.summary["guarded"]["final_equity"] == unguarded["final_equity"]
    assert sim.stop_outs == unguarded["stop_outs"] > 0


def test_shadow_never_cuts_the_same_lots_twice(shadow_run):
    _, _, _, journal, start_positions, _ = shadow_run
    closed: dict[int, float] = {}
    for r in journal.rows("shadow_fill"):
        closed[r.ticket] = closed.get(r.ticket, 0.0) + r.payload["volume"]
    for ticket, lots in closed.items():
        assert lots <= start_positions[ticket] + 1e-9, (ticket, lots)


def test_the_shadow_saved_is_the_hand_sum_over_its_fills(shadow_run):
    """saved = Σ sign · lots · size · ((fill − open) · r_fill − (mark − open) · r_mark), each
    fill read from its shadow_fill row, each mark from the last shadow_mark row."""
    _, _, result, journal, _, _ = shadow_run
    fills = journal.rows("shadow_fill")
    mark = journal.last("shadow_mark").payload
    assert len(mark["legs"]) == len(fills)
    total = 0.0
    for row, leg in zip(fills, mark["legs"], strict=True):
        f = row.payload
        assert (f["ticket"], f["volume"], f["price"]) == (leg["ticket"], leg["volume"],
                                                          leg["price"])
        total += f["sign"] * f["volume"] * f["size"] * (
            (f["price"] - f["price_open"]) * f["rate"]
            - (leg["mark"] - f["price_open"]) * leg["mark_rate"])
    assert mark["saved"] == pytest.approx(total, abs=1e-6)
    assert result.summary["shadow"]["saved"] == pytest.approx(total, abs=1e-6)
    assert mark["shadow_equity"] == pytest.approx(mark["real_equity"] + total, abs=1e-6)
    # the broker stopped the real book out: the hold legs end at the closing deals' price
    assert all(leg["closed"] == "stopped out" for leg in mark["legs"])


def test_lca_status_shows_the_shadow_ledger(shadow_run):
    from rich.console import Console

    _, _, _, journal, _, _ = shadow_run
    data = collect(journal)
    out = Console(record=True, width=160)
    _print(out, data)
    text = out.export_text()
    s = data["shadow"]
    assert f"shadow: would have closed {s['lots']:.2f} lots; saved {s['saved']:,.2f} USD so far" \
        in text
    assert "(marked at 2015-01-15T" in text
