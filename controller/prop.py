"""Prop-firm discipline (DESIGN §3.6): daily loss, maximum drawdown, lots and positions.

Daily loss is measured on equity (floating P/L, swaps and commissions count) against the day's
anchor, taken at the reset time in the reset time zone: the balance, the equity, or the higher of
the two. The allowance is a fraction of the initial balance or of the anchor.
Maximum drawdown: static from the initial balance; trailing from the equity peak; or trailing on
the end-of-day balance, only rising, and stopping at the initial balance unless
`trailing_stops_at_initial` is false (FTMO 1-Step: its floor keeps trailing).

From `warning_fraction` of an allowance on, a staged cap asks the book to survive a reference
adverse move (2 daily σ, or `reference_move` without σ) without reaching the floor:
EffLev ≤ (E − floor) / (E × move). At a breach: close everything and lock new exposure until the
next reset (daily loss) or until a manual reset (maximum drawdown).
With the terminal's deal history (`controller.prop_history`) the initial balance is the first
deposit and the day's anchor the balance at the reset, rebuilt from the deals after it (a guard
started mid-challenge knows the firm's floors); deposits, withdrawals and credit are taken out of
balance and equity before the rules run and added back to the floors they report.
Without a positive initial balance (balance 0, credit only, and no `initial_balance` set) the
rules cannot be measured: the view says so in `unavailable` and the controller freezes new
exposure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from controller.memory import ControllerMemory
from controller.quick_init import quick_init, quick_replace
from controller.settings import (
    DailyAnchor,
    DailyLossBasis,
    DrawdownMode,
    LockRelease,
    PropSettings,
)

if TYPE_CHECKING:
    from controller.prop_history import PropHistory

__all__ = ["PropLimit", "PropView", "day_start", "evaluate_prop", "next_day_start"]


def day_start(now: float, s: PropSettings) -> float:
    """The last reset instant at or before `now` (UTC seconds)."""
    zone = ZoneInfo(s.reset_timezone)
    local = datetime.fromtimestamp(now, tz=zone)
    hours, minutes = (int(x) for x in s.reset_time.split(":"))
    reset = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if reset > local:
        reset = (reset - timedelta(days=1)).replace(hour=hours, minute=minutes)
    return reset.timestamp()


def next_day_start(now: float, s: PropSettings) -> float:
    """The first reset instant after `now` (UTC seconds), DST-aware."""
    zone = ZoneInfo(s.reset_timezone)
    start = datetime.fromtimestamp(day_start(now, s), tz=zone)
    hours, minutes = (int(x) for x in s.reset_time.split(":"))
    nxt = (start + timedelta(days=1)).replace(hour=hours, minute=minutes)
    return nxt.timestamp()


@quick_init
@dataclass(frozen=True, slots=True)
class PropLimit:
    """One allowance: the equity `floor`, the `allowance` (money), the share `used` (fraction,
    ≥ 1 is a breach) and a sentence."""

    name: str
    floor: float
    allowance: float
    used: float
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class PropView:
    """The prop rules evaluated on one snapshot, with the memory they update."""

    limits: tuple[PropLimit, ...]
    breached: PropLimit | None
    memory: ControllerMemory
    unavailable: str = ""
    """Why the rules could not be evaluated (no positive initial balance), else empty."""


def _roll_day(
    now: float, balance: float, equity: float, initial: float, s: PropSettings,
    mem: ControllerMemory, history: PropHistory | None = None,
) -> ControllerMemory:
    key = day_start(now, s)
    if mem.day_key == key and mem.day_anchor is not None:
        return mem
    if history is not None and history.day_key == key:
        # the balance at the reset from the deals; the equity there only if the guard was
        # running before the reset (a fresh start cannot see it: the balance stands in)
        balance = history.balance_at_reset
        equity = equity if mem.day_key is not None else balance
    if s.daily_anchor is DailyAnchor.BALANCE:
        anchor = balance
    elif s.daily_anchor is DailyAnchor.EQUITY:
        anchor = equity
    else:
        anchor = max(balance, equity)
    dd_floor = mem.dd_floor
    if s.drawdown_mode is DrawdownMode.TRAILING_EOD_BALANCE and s.max_drawdown_fraction:
        amount = s.max_drawdown_fraction * initial
        base = initial - amount if dd_floor is None else dd_floor
        cap = initial if s.trailing_stops_at_initial else math.inf
        # the balance at the reset is the previous day's end-of-day balance
        dd_floor = min(cap, max(base, balance - amount))
        if history is not None and history.day_key == key and \
                history.peak_eod_balance is not None:
            dd_floor = max(dd_floor, min(cap, history.peak_eod_balance - amount))
    lock = mem.locked and (mem.lock_until is None or mem.lock_until > now
                           or s.lock_release is LockRelease.ACKNOWLEDGE)
    return quick_replace(
        mem, day_key=key, day_anchor=anchor, day_end_balance=balance, dd_floor=dd_floor,
        locked=lock, lock_until=mem.lock_until if lock else None,
        lock_reason=mem.lock_reason if lock else "",
    )


def _daily(
    equity: float, initial: float, s: PropSettings, mem: ControllerMemory, funding: float = 0.0,
) -> PropLimit | None:
    if s.daily_loss_fraction is None or mem.day_anchor is None:
        return None
    base = initial if s.daily_loss_basis is DailyLossBasis.INITIAL else mem.day_anchor
    allowance = s.daily_loss_fraction * base
    if allowance <= 0.0:  # a day anchor of 0 (credit only): no allowance to measure against
        return None
    floor = mem.day_anchor - allowance
    used = (mem.day_anchor - equity) / allowance
    floor += funding  # back to the account's own equity (deposits lift the floor)
    return PropLimit(
        "daily_loss", floor, allowance, used,
        f"daily loss {mem.day_anchor - equity:,.2f} of allowance {allowance:,.2f} "
        f"({s.daily_loss_fraction:.1%} of {base:,.2f}); equity floor {floor:,.2f}",
    )


def _drawdown(
    equity: float, initial: float, s: PropSettings, mem: ControllerMemory, funding: float = 0.0,
) -> PropLimit | None:
    if s.max_drawdown_fraction is None:
        return None
    allowance = s.max_drawdown_fraction * initial
    if s.drawdown_mode is DrawdownMode.STATIC:
        floor = initial - allowance
    elif s.drawdown_mode is DrawdownMode.TRAILING_EQUITY:
        floor = (mem.equity_peak or initial) - allowance
    else:
        floor = mem.dd_floor if mem.dd_floor is not None else initial - allowance
    used = (floor + allowance - equity) / allowance
    loss = floor + allowance - equity
    floor += funding  # back to the account's own equity (deposits lift the floor)
    return PropLimit(
        "max_drawdown", floor, allowance, used,
        f"drawdown {loss:,.2f} of allowance {allowance:,.2f} "
        f"({s.drawdown_mode.value}); equity floor {floor:,.2f}",
    )


def evaluate_prop(
    now: float, balance: float, equity: float, s: PropSettings, mem: ControllerMemory,
    history: PropHistory | None = None,
) -> PropView:
    """Roll the prop day if a reset passed, update the peaks and evaluate every allowance.

    `history` (the terminal's deals, `controller.prop_history`): the initial balance, the
    anchor at the reset and the funding kept out of the results. `prop.initial_balance` in the
    settings overrides the history's first deposit."""
    funding = history.funding if history is not None else 0.0
    balance, equity = balance - funding, equity - funding
    initial = s.initial_balance or (history.initial_balance if history is not None else None) \
        or mem.initial_balance or balance
    if initial <= 0.0:
        return PropView((), None, mem, unavailable=(
            f"prop rules not evaluated: no initial balance known (balance {balance:,.2f}, "
            "credit only?); set prop.initial_balance to the evaluation's starting balance. "
            "New exposure is frozen until then"))
    mem = quick_replace(mem, initial_balance=initial,
                  equity_peak=max(equity, mem.equity_peak or equity))
    mem = _roll_day(now, balance, equity, initial, s, mem, history)
    limits = tuple(x for x in (_daily(equity, initial, s, mem, funding),
                               _drawdown(equity, initial, s, mem, funding)) if x is not None)
    breached = next((x for x in limits if x.used >= 1.0), None)
    if breached is not None and not mem.locked:
        until = next_day_start(now, s) if breached.name == "daily_loss" else None
        mem = quick_replace(mem, locked=True, lock_until=until, lock_reason=breached.reason)
    return PropView(limits, breached, mem)
