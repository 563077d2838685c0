"""Every prop preset on the simulated terminal (issue 15, "Must show"): a guard started in the
middle of a challenge (the deals of earlier days in the terminal's history) knows the firm's
floors; at the firm's reset, on the first reset after a DST switch (the reset's UTC time moves),
the day's anchor becomes the balance at that instant; a deposit during the day shifts the floors
and is not profit; a loss past the daily allowance flattens the book and locks new exposure
until the next reset, and the lock ends there.

The figures are worked out by hand from the ledger below (initial deposit 100 000; +4 000 on day
2; −1 000 on day 3; −500 on the eve of the DST reset R; +5 000 deposited at R + 5 min; a losing
trade closed elsewhere at R + 10 min). Each scenario replays 20 minutes around R, then jumps to
the next reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings, TerminalSettings
from controller import TradingState
from controller.settings import PropSettings


def _utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Case:
    preset: str
    reset: float          # R: the first reset after the DST switch
    old_reset: float      # where R would be without the switch (one hour off)
    prev_reset: float     # the reset before R (the other side of the switch)
    next_reset: float
    ledger: tuple[tuple[float, str, float], ...]  # (UTC time, type, amount)
    daily_before: float   # the daily floor before R (anchor: the balance at the previous reset)
    dd_before: float      # the maximum-loss floor before R
    allowance_at_r: float  # the daily allowance from R on
    higher: bool          # anchor = the higher of balance and equity at R
    dd_after: float       # the maximum-loss floor from R on, before the deposit


# Prague (FTMO): EU summer time from 29 Mar 2026 01:00 UTC; midnight = 23:00 UTC before, 22:00 after
PRAGUE = (
    (_utc(2026, 3, 25, 8), "balance", 100_000.0),
    (_utc(2026, 3, 26, 14), "trade", 4_000.0),
    (_utc(2026, 3, 27, 14), "trade", -1_000.0),
    (_utc(2026, 3, 29, 10), "trade", -500.0),
)
R_PRAGUE, OLD_PRAGUE, NEXT_PRAGUE = _utc(2026, 3, 29, 22), _utc(2026, 3, 29, 23), \
    _utc(2026, 3, 30, 22)
PREV_PRAGUE = _utc(2026, 3, 28, 23)
# New York 17:00 (The5ers, FundedNext): US DST ends 1 Nov 2026; 21:00 UTC before, 22:00 after
NEW_YORK = (
    (_utc(2026, 10, 28, 8), "balance", 100_000.0),
    (_utc(2026, 10, 29, 14), "trade", 4_000.0),
    (_utc(2026, 10, 30, 14), "trade", -1_000.0),
    (_utc(2026, 11, 1, 10), "trade", -500.0),
)
R_NY, OLD_NY, NEXT_NY = _utc(2026, 11, 1, 22), _utc(2026, 11, 1, 21), _utc(2026, 11, 2, 22)
PREV_NY = _utc(2026, 10, 31, 21)

CASES = (
    # balance at the previous reset 103 000; at R 102 500; highest end-of-day balance 104 000
    Case("ftmo-2step", R_PRAGUE, OLD_PRAGUE, PREV_PRAGUE, NEXT_PRAGUE, PRAGUE,
         daily_before=103_000 - 5_000, dd_before=90_000, allowance_at_r=5_000, higher=False,
         dd_after=90_000),
    Case("ftmo-1step", R_PRAGUE, OLD_PRAGUE, PREV_PRAGUE, NEXT_PRAGUE, PRAGUE,
         daily_before=103_000 - 3_000, dd_before=104_000 - 10_000, allowance_at_r=3_000,
         higher=False, dd_after=104_000 - 10_000),
    # a fresh start cannot see the equity at the previous reset: the balance there (103 000)
    Case("the5ers-high-stakes", R_NY, OLD_NY, PREV_NY, NEXT_NY, NEW_YORK,
         daily_before=103_000 * 0.95, dd_before=90_000, allowance_at_r=0.0, higher=True,
         dd_after=90_000),
    Case("fundednext-stellar-2step", R_NY, OLD_NY, PREV_NY, NEXT_NY, NEW_YORK,
         daily_before=103_000 - 5_000, dd_before=90_000, allowance_at_r=5_000, higher=True,
         dd_after=90_000),
    Case("fundednext-stellar-1step", R_NY, OLD_NY, PREV_NY, NEXT_NY, NEW_YORK,
         daily_before=103_000 - 3_000, dd_before=94_000, allowance_at_r=3_000, higher=True,
         dd_after=94_000),
    Case("fundednext-stellar-lite", R_NY, OLD_NY, PREV_NY, NEXT_NY, NEW_YORK,
         daily_before=103_000 - 4_000, dd_before=92_000, allowance_at_r=4_000, higher=True,
         dd_after=92_000),
)

SCENARIO = """name = "prop-{preset}"
start = {start}
end = {end}
crash_time = 2027-06-01T00:00:00Z
warmup_hours = 2

[server_time]
utc_offset_hours = 2
dst = "us"

[account]
currency = "USD"
leverage = 100

[[symbols]]
name = "EURUSD"
spread_points = 8
daily_volatility = 0.005

[generator]
preset = "S2"
tick_seconds = 10.0

[generator.symbols.EURUSD]
price = 1.1000
beta = 0.0

[[book]]
symbol = "EURUSD"
type = "buy"
volume = 1.0
"""

OP = """
[[balance_ops]]
time = {time}
type = "{kind}"
amount = {amount}
"""


def _guard(tmp_path: Path, case: Case, breach: float):
    ops = (*case.ledger, (case.reset + 300, "balance", 5_000.0),
           (case.reset + 600, "trade", -breach))
    text = SCENARIO.format(preset=case.preset, start=_iso(case.reset - 600),
                           end=_iso(case.next_reset + 600))
    text += "".join(OP.format(time=_iso(t), kind=k, amount=a) for t, k, a in ops)
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    config = AppConfig(terminal=TerminalSettings(scenario=str(path)),
                       prop=PropSettings(enabled=True, preset=case.preset),
                       run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                                       compare_unguarded=False, warmup_hours=1.0))
    guard = build_guard(config)
    sim = guard.replay
    guard.start()
    return guard, sim


def _step_to(guard, sim, t: float) -> dict[str, float]:
    """The equity floor of each prop limit the guard works with after a step at `t`."""
    sim.advance_to(t)
    guard.fast_guard()
    d = guard.decision
    return {x.name: d.metrics.equity - x.loss_to_limit for x in d.distances
            if x.name in ("daily_loss", "max_drawdown")}


def _room(guard) -> float:
    """Money left before the daily floor."""
    return next(x.loss_to_limit for x in guard.decision.distances if x.name == "daily_loss")


@pytest.mark.parametrize("case", CASES, ids=[c.preset for c in CASES])
def test_preset_floors_at_the_firms_reset_deposit_and_breach(tmp_path, case):
    allowance = case.allowance_at_r or 102_500 * 0.05  # The5ers: 5 % of the anchor (≥ 102 500)
    guard, sim = _guard(tmp_path, case, breach=allowance + 800)

    # mid-challenge start: the floors come from the deal history, not from "the balance now"
    limits = _step_to(guard, sim, case.reset - 300)
    assert guard.memory.initial_balance == 100_000.0
    assert limits["daily_loss"] == pytest.approx(case.daily_before)
    assert limits["max_drawdown"] == pytest.approx(case.dd_before)

    # the day is the one that began at the reset before the switch; in New York the replay is
    # already past 21:00 UTC, where a clock without the switch would have reset
    assert guard.memory.day_key == case.prev_reset
    limits = _step_to(guard, sim, case.reset - 10)
    assert limits["daily_loss"] == pytest.approx(case.daily_before)
    assert guard.memory.day_key == case.prev_reset

    # at R the anchor is the balance at R (102 500), or the higher of it and the equity
    limits = _step_to(guard, sim, case.reset + 10)
    equity = sim.account_info().equity
    anchor = max(102_500.0, equity) if case.higher else 102_500.0
    daily_allowance = case.allowance_at_r or anchor * 0.05
    assert limits["daily_loss"] == pytest.approx(anchor - daily_allowance)
    assert limits["max_drawdown"] == pytest.approx(case.dd_after)
    assert guard.memory.day_key == case.reset

    # a deposit during the day: every floor moves up by it, the day's loss does not change
    room = _room(guard)
    limits = _step_to(guard, sim, case.reset + 310)
    assert sim.account_info().balance == pytest.approx(107_500.0)
    assert limits["daily_loss"] == pytest.approx(anchor - daily_allowance + 5_000)
    assert limits["max_drawdown"] == pytest.approx(case.dd_after + 5_000)
    assert abs(_room(guard) - room) < 300.0  # floating P/L only, not the 5 000
    assert not guard.memory.locked

    # a loss past the daily allowance: flatten, lock until the next reset
    _step_to(guard, sim, case.reset + 610)
    assert guard.memory.locked
    assert guard.memory.lock_reason.startswith("daily loss")
    assert guard.memory.lock_until == case.next_reset
    for _ in range(6):
        _step_to(guard, sim, sim.now() + 10)
    assert not sim.positions_get()
    assert guard.decision.state is TradingState.HALTED
    assert guard.decision.limits.prop_lock

    # in Prague, 23:00 UTC (the reset without the switch) starts no new day: still locked
    _step_to(guard, sim, max(case.old_reset, case.reset) + 10)
    assert guard.memory.day_key == case.reset
    assert guard.memory.locked

    # the next reset ends the lock (lock_release = "auto")
    _step_to(guard, sim, case.next_reset - 60)
    assert guard.memory.locked
    _step_to(guard, sim, case.next_reset + 60)
    assert not guard.memory.locked
