"""Balances from the terminal's own deal history (DESIGN §3.6, issue 15 item 2). Pure.

The prop rules need figures a guard cannot see when it starts in the middle of a challenge: the
initial balance (the first deposit), the balance at the firm's last reset (the day's anchor) and,
for a trailing end-of-day floor, the balance at every reset since the challenge began. They are
rebuilt here from the deals, backwards from the balance now: the balance at an instant t is the
balance now minus every balance-changing deal after t.

Deposits and withdrawals are not trading results. Balance operations (deposit or withdrawal,
`DEAL_TYPE_BALANCE`), credit (`DEAL_TYPE_CREDIT`: in equity, not in the balance) and bonuses
(`DEAL_TYPE_BONUS`) after the first deposit are summed into `funding`; the prop rules then run on
balance and equity *minus* `funding`, and report their floors plus `funding`. So a deposit D
moves every floor up by D and a withdrawal W moves them down by W, and neither is profit or
loss. Every other deal (trades, commissions, swaps, charges, corrections, interest) is a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from controller.prop import day_start, next_day_start
from controller.settings import PropSettings

__all__ = [
    "DEAL_BALANCE",
    "DEAL_BONUS",
    "DEAL_CREDIT",
    "DEAL_SELL",
    "FUNDING_TYPES",
    "LedgerEntry",
    "PropHistory",
    "read_prop_history",
]

DEAL_SELL = 1
DEAL_BALANCE = 2
DEAL_CREDIT = 3
DEAL_BONUS = 6
FUNDING_TYPES = frozenset({DEAL_BALANCE, DEAL_CREDIT, DEAL_BONUS})
"""Deal types that move money in or out of the account: never profit or loss."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One deal as the rules see it: `time` (UTC epoch seconds), `kind` (the MT5 deal type) and
    `amount` (profit + commission + swap + fee, account currency)."""

    time: float
    kind: int
    amount: float


@dataclass(frozen=True, slots=True)
class PropHistory:
    """What the deal history says, at the instant it was read. Money in account currency.

    `initial_balance`: the first deposit. `funding`: net deposits, withdrawals, credit and bonus
    after it, up to now. `day_key`: the firm's last reset (UTC epoch seconds).
    `balance_at_reset`: the balance at `day_key`, net of funding (the initial balance on the
    challenge's first day). `peak_eod_balance`: the highest balance, net of funding, at any
    reset since the first deposit up to `day_key` (None on the first day).
    """

    initial_balance: float
    funding: float
    day_key: float
    balance_at_reset: float
    peak_eod_balance: float | None


def read_prop_history(
    entries: Sequence[LedgerEntry], now: float, balance: float, s: PropSettings,
) -> PropHistory | None:
    """Rebuild the prop figures from `entries` (any order) and the `balance` now (account
    currency). None when the history holds no deposit (the rules then use what they see)."""
    seen = sorted((e for e in entries if e.time <= now), key=lambda e: e.time)
    first = next((e for e in seen if e.kind == DEAL_BALANCE and e.amount > 0.0), None)
    if first is None:
        return None
    after = [e for e in seen if e is not first and e.time >= first.time]
    in_balance = [e for e in seen if e.kind != DEAL_CREDIT]

    def net_balance_at(t: float) -> float:
        gross = balance - sum(e.amount for e in in_balance if e.time > t)
        return gross - sum(e.amount for e in after if e.kind in FUNDING_TYPES and e.time <= t)

    key = day_start(now, s)
    initial = first.amount
    at_reset = net_balance_at(key) if key >= first.time else initial
    peak: float | None = None
    reset = next_day_start(first.time, s)
    while reset <= key:
        value = net_balance_at(reset)
        peak = value if peak is None else max(peak, value)
        reset = next_day_start(reset, s)
    funding = sum(e.amount for e in after if e.kind in FUNDING_TYPES)
    return PropHistory(initial, funding, key, at_reset, peak)
