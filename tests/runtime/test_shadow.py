"""Shadow mode (bridge.shadow) over the 18 minutes around the SNB's removal of the EUR/CHF floor
(tests/alerts/snb-2015-short.toml): nothing sent, a virtual book of what the guard would have
closed, and a ledger whose "saved" is checkable by hand from the journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.app import run_guard, setup_logging, unguarded_run
from bridge.commands.status import _print, collect
from bridge.config import AppConfig, Mode
from bridge.journal import Journal
from bridge.sim import SimTerminal
from tests.kit import real_account, sim_config, sim_guard, sim_terminal

SCENARIO = Path(__file__).parents[1] / "alerts" / "snb-2015-short.toml"


def _config(folder: Path, mode: str) -> AppConfig:
    return sim_config(folder, scenario=SCENARIO, slice_depth_fraction=None, mode=mode,
                      log_file=f"{folder}/lca.log")


class OrderSent(AssertionError):
    """order_send was called in shadow mode."""


def _refuse(*args, **kwargs):
    raise OrderSent(f"order_send called in shadow mode: {args} {kwargs}")


@pytest.fixture(scope="module")
def shadow_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shadow")
    config = _config(folder, "shadow")
    setup_logging(config.run.log_file, quiet=True, live_console=True)
    guard, sim = sim_guard(config)
    sim.order_send = _refuse  # the terminal raises on any order
    fresh = SimTerminal.from_scenario(str(SCENARIO))
    assert fresh.initialize()
    start_positions = {p.ticket: p.volume for p in fresh.positions_get()}
    result = run_guard(guard, config)
    setup_logging("", quiet=True, live_console=True)
    journal = Journal(config.run.journal)
    journal.account = journal.latest_account() or 0
    yield guard, sim, result, journal, start_positions, config
    journal.close()


def test_shadow_mode_sends_nothing_and_the_real_account_runs_unguarded(shadow_run):
    guard, sim, result, journal, _, config = shadow_run
    assert guard.mode is Mode.SHADOW
    assert journal.rows("intent") == []
    assert journal.rows("result") == []
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
    """saved = Σ (realized − held): realized = sign · lots · size · (fill − open) · r_fill from
    each shadow_fill row; held = the same lots' share of the broker's stop-out deal (its
    stop_out row: profit / volume), the real positions having been stopped out."""
    _, _, result, journal, _, _ = shadow_run
    fills = journal.rows("shadow_fill")
    stop_outs = {r.payload["position"]: r.payload for r in journal.rows("stop_out")}
    mark = journal.last("shadow_mark").payload
    assert len(mark["legs"]) == len(fills)
    total = 0.0
    for row, leg in zip(fills, mark["legs"], strict=True):
        f = row.payload
        assert (f["ticket"], f["volume"], f["price"]) == (leg["ticket"], leg["volume"],
                                                          leg["price"])
        assert leg["closed"] == "stopped out"
        so = stop_outs[f["ticket"]]
        realized = f["sign"] * f["volume"] * f["size"] * (f["price"] - f["price_open"]) * f["rate"]
        held = f["volume"] * so["profit"] / so["volume"]
        total += realized - held
    assert mark["saved"] == pytest.approx(total, abs=1e-6)
    assert result.summary["shadow"]["saved"] == pytest.approx(total, abs=1e-6)
    assert mark["shadow_equity"] == pytest.approx(mark["real_equity"] + total, abs=1e-6)


@pytest.fixture(scope="module")
def guarded_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guarded")
    config = _config(folder, "enforce")
    setup_logging(config.run.log_file, quiet=True, live_console=True)
    guard, sim = sim_guard(config)
    run_guard(guard, config)
    setup_logging("", quiet=True, live_console=True)
    deals = [d for d in sim.history_deals_get(0, 2**31) if d.comment.startswith("lca ")]
    return deals, sim.clock if hasattr(sim, "clock") else sim.scenario.clock


def test_on_the_slices_both_runs_filled_saved_is_guarded_minus_unguarded_to_the_cent(
        shadow_run, guarded_run):
    """The identity: for each slice the guarded run filled at the same time, volume and price
    as the shadow did, the shadow's saved for it equals the guarded deal's profit less the same
    lots' share of the unguarded (= shadow's real) stop-out deal's profit; to the cent, the
    broker rounding each deal's profit to cents (its conversion at bid/ask, the ledger's at the
    mid, differs by less on these sub-point moves)."""
    _, _, _, journal, _, _ = shadow_run
    deals, clock = guarded_run
    stop_outs = {r.payload["position"]: r.payload for r in journal.rows("stop_out")}
    legs = journal.last("shadow_mark").payload["legs"]
    fills = journal.rows("shadow_fill")
    matched = 0
    for row, leg in zip(fills, legs, strict=True):
        same = [d for d in deals if d.position_id == row.ticket and
                clock.to_utc(float(d.time)) == row.time and d.volume == row.payload["volume"]
                and d.price == row.payload["price"]]
        if not same:
            continue  # a slice only one run filled (the gap): not defined here
        matched += 1
        so = stop_outs[row.ticket]
        guarded_minus_unguarded = same[0].profit - row.payload["volume"] * so["profit"] / \
            so["volume"]
        assert leg["saved"] == pytest.approx(guarded_minus_unguarded, abs=0.01)
    assert matched >= 6  # the six staged slices before the crash


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


def test_shadow_runs_on_a_real_account_and_fills_only_virtually(tmp_path):
    config = sim_config(None, slice_depth_fraction=None, mode="shadow",
                        journal=f"sqlite:///{tmp_path}/j.db")
    terminal = real_account(sim_terminal(config))  # a REAL account whose order_send raises
    terminal.replace["order_send"] = lambda sim, *args, **kwargs: _refuse(*args, **kwargs)
    guard, sim = sim_guard(config, terminal)
    guard.start()
    assert guard.mode is Mode.SHADOW  # not downgraded to observe: it sends nothing anyway
    before = {p.ticket: p.volume for p in sim.positions_get()}
    guard.cycle()
    for _ in range(5):
        sim.advance(1.0)
        guard.fast_guard()
    assert guard.journal.rows("shadow_fill")
    assert {p.ticket: p.volume for p in sim.positions_get()} == before
    view = guard.shadow.view(guard.snapshot)
    for p in view.positions:
        assert p.volume == pytest.approx(before[p.ticket] - guard.shadow.closed.get(p.ticket, 0))
