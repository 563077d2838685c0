"""No phantom halts, no late halts (issue 15 item 6), end to end on the simulated terminal.

One bad reading (a zero bid, an equity of 0, an equity jump between two readings with no deal)
is held for confirmation on the next reading before a breach action; a real breach flattens and
locks within two guard steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings
from controller.settings import PropSettings
from tests.sim.helpers import flat_terminal

BOOK = '[[book]]\nsymbol = "EURUSD"\ntype = "buy"\nvolume = 0.15\n'  # EffLev 1.65 on 10,000
ACCOUNT = "balance = 10000.0\nleverage = 100\n"


def _guard(tmp_path: Path, moves: dict[str, list[tuple[str, float, float]]] | None = None,
           warning_fraction: float = 0.8) -> tuple[Any, Any]:
    sim = flat_terminal(tmp_path, {"EURUSD": (1.1, 1.1001)}, account=ACCOUNT, book=BOOK,
                        moves=moves)
    config = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                                       compare_unguarded=False),
                       prop=PropSettings(enabled=True, initial_balance=10000.0,
                                         warning_fraction=warning_fraction))
    guard = build_guard(config, module=sim)
    guard.start()
    guard.cycle()
    return guard, sim


def _step(guard: Any, sim: Any, seconds: float = 10.0) -> None:
    sim.advance(seconds)
    guard.fast_guard()


def _guard_deals(sim: Any) -> list[Any]:
    return [d for d in sim.history_deals_get(0, 2**31 - 1) if d.magic == 770077]


def _calm(guard: Any, sim: Any) -> None:
    for _ in range(3):
        _step(guard, sim)
    assert not _guard_deals(sim)
    assert not guard.memory.locked


def test_one_zero_equity_reading_neither_flattens_nor_locks(tmp_path: Path) -> None:
    guard, sim = _guard(tmp_path)
    _calm(guard, sim)
    sim.faults.inject("zero_equity")
    _step(guard, sim)  # the bad reading: equity 0 with balance 10,000 and no deal
    assert sim.positions_total() == 1
    for _ in range(5):
        _step(guard, sim)
    assert not _guard_deals(sim), "one equity-0 reading closed positions (a phantom halt)"
    assert not guard.memory.locked
    assert sim.positions_total() == 1


def test_one_zero_bid_reading_neither_flattens_nor_locks(tmp_path: Path) -> None:
    guard, sim = _guard(tmp_path)
    _calm(guard, sim)
    sim.faults.inject("zero_bid")
    for _ in range(6):
        _step(guard, sim)
    assert not _guard_deals(sim), "one zero-bid reading closed positions (a phantom halt)"
    assert not guard.memory.locked
    assert sim.positions_total() == 1


def test_a_real_breach_by_a_jump_flattens_and_locks_within_two_guard_steps(
        tmp_path: Path) -> None:
    # 10:01:00 EURUSD gaps 1.1 → 1.0: −1,500 on 0.15 lots, past the 5 % daily loss (500) and
    # the 10 % maximum loss (1,000), and it stays there: a real breach, not one bad reading
    guard, sim = _guard(tmp_path, moves={"EURUSD": [("2019-02-05T10:01:00.000Z", 1.0, 1.0001)]})
    _calm(guard, sim)
    while sim.symbol_info_tick("EURUSD").bid > 1.05:
        sim.advance(1.0)
    guard.fast_guard()  # guard step 1 sees the breach
    if sim.positions_total():
        _step(guard, sim, 1.0)  # guard step 2
    assert sim.positions_total() == 0, "a real breach not flattened within two guard steps"
    assert guard.memory.locked
    assert guard.decision is not None
    assert guard.decision.state.value == "HALTED"


def test_a_real_breach_smaller_than_a_jump_flattens_at_the_first_guard_step(
        tmp_path: Path) -> None:
    # EURUSD 1.1 → 1.094 at 10:01 (−90), → 1.065 at 10:02 (−525 in all, past the 5 % daily
    # loss of 500); each step moves equity by under the 5 % outlier threshold (4.4 % at most),
    # so no reading is held. warning_fraction 1.0: no staged reduction before the floor, so the
    # breach itself is what the guard must act on
    moves = {"EURUSD": [("2019-02-05T10:01:00.000Z", 1.094, 1.0941),
                        ("2019-02-05T10:02:00.000Z", 1.065, 1.0651)]}
    guard, sim = _guard(tmp_path, moves=moves, warning_fraction=1.0)
    _calm(guard, sim)
    while sim.symbol_info_tick("EURUSD").bid > 1.09:
        sim.advance(1.0)
    guard.fast_guard()
    assert sim.positions_total() == 1
    while sim.symbol_info_tick("EURUSD").bid > 1.07:
        sim.advance(1.0)
    guard.fast_guard()  # guard step 1 sees the breach
    assert sim.positions_total() == 0, "a breach without an outlier not flattened at once"
    assert guard.memory.locked
