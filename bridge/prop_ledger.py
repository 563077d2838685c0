"""The terminal's deal history for the prop rules (issue 15 item 2): read, keep, attach.

`PropLedger.attach(snapshot)` returns the snapshot with `prop_history` (controller.prop_history):
the first deposit, the balance at the firm's last reset and the deposits, withdrawals and credit
since, rebuilt from `history_deals_get`. The history is read again only when the balance or the
credit moved or a reset passed (every closed trade, deposit or withdrawal moves one of them), so
a withdrawal is never seen as a loss; a failed read keeps the last good one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from loguru import logger

from bridge.terminal import TerminalError
from controller.prop import day_start
from controller.prop_history import LedgerEntry, PropHistory, read_prop_history
from controller.settings import PropSettings
from controller.snapshot import Snapshot

__all__ = ["PropLedger", "ledger_entries"]


def ledger_entries(deals: Any, to_utc: Any) -> tuple[LedgerEntry, ...]:
    """MT5 `TradeDeal`s as ledger entries: UTC time, the deal type, profit + commission + swap
    + fee (account currency)."""
    return tuple(LedgerEntry(float(to_utc(float(d.time))), int(d.type),
                             float(d.profit) + float(d.commission) + float(d.swap)
                             + float(getattr(d, "fee", 0.0)))
                 for d in deals)


class PropLedger:
    """The prop figures from the deal history of the terminal behind `port`."""

    def __init__(self, port: Any, settings: PropSettings) -> None:
        self.port = port
        self.settings = settings
        self.history: PropHistory | None = None
        self._read_for: tuple[float, float, float] | None = None

    def attach(self, snap: Snapshot) -> Snapshot:
        """`snap` with the history's figures (unchanged when prop is off or nothing is known)."""
        if not self.settings.enabled:
            return snap
        acct = snap.account
        state = (round(acct.balance, 2), round(acct.credit, 2), day_start(snap.time, self.settings))
        if state != self._read_for:
            self._read(snap)
            self._read_for = state
        return snap if self.history is None else replace(snap, prop_history=self.history)

    def _read(self, snap: Snapshot) -> None:
        clock = self.port.clock
        try:
            deals = self.port.call("history_deals_get", 0, int(clock.to_server(snap.time)) + 86_400)
        except TerminalError as exc:
            logger.warning("deal history unreadable, the last reading stands: {}", exc)
            return
        history = read_prop_history(ledger_entries(deals, clock.to_utc), snap.time,
                                    snap.account.balance, self.settings)
        if history is None and self._read_for is None:
            logger.warning("no deposit in the terminal's deal history: the prop rules take the "
                           "balance they see as the initial balance (set prop.initial_balance)")
        self.history = history
