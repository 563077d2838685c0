"""The guard's health watch: the connection to the terminal, stale quotes, and the broker's
stop-outs in the deal history. Ages in seconds; times in UTC epoch seconds."""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger

from bridge.config import AppConfig
from bridge.journal import Journal
from bridge.journal_kinds import JournalKind
from bridge.runtime.records import GuardStats
from bridge.terminal import TerminalError, TerminalPort
from controller import Snapshot

__all__ = ["STOP_OUT_CHECK_SECONDS", "Health"]

STOP_OUT_CHECK_SECONDS = 60.0
"""The deal history is searched for stop-outs at most this often."""


class Health:
    """`connection_ok` and `stale` (no new exposure while either is bad), each change said once
    through `record_state(what, message)`; stop-out deals journaled once each."""

    def __init__(self, port: TerminalPort, journal: Journal, config: AppConfig,
                 stats: GuardStats, record_state: Callable[[str, str], None]) -> None:
        self.port = port
        self.journal = journal
        self.config = config
        self.stats = stats
        self._say = record_state
        self.connection_ok = True
        self.stale = False
        self.deals_seen_until = 0.0  # set to the start time by `Guard.start`
        self._stop_out_deals: set[int] = set()

    # -- the connection ----------------------------------------------------------------------
    def unreachable(self, exc: TerminalError, now: float, last_snapshot: float | None) -> None:
        """A snapshot could not be read: said once; stale when no data came for too long."""
        self.stats.errors += 1
        if self.connection_ok:
            self._say("connection", f"terminal unreachable: {exc}")
        self.connection_ok = False
        last = last_snapshot if last_snapshot is not None else now
        if not self.stale and now - last > self.config.run.stale_after_seconds:
            self.stale = True
            self._say("stale", f"no fresh data for {now - last:.0f} s: no new exposure; "
                      "the EA's fail-safe guards the terminal")

    def reachable(self, snap: Snapshot) -> None:
        """A snapshot was read: the connection is back (said once), and its quotes' age."""
        if not self.connection_ok:
            self._say("connection", "terminal reachable again")
        self.connection_ok = True
        self._check_quotes(snap)

    def _check_quotes(self, snap: Snapshot) -> None:
        """Stale when even the freshest quote is older than `stale_after_seconds` (a market
        closed, or a terminal that answers but lost its trade server)."""
        newest = max((m.time for m in snap.market.values() if m.time > 0.0), default=snap.time)
        age = snap.time - newest
        if age > self.config.run.stale_after_seconds:
            if not self.stale:
                self.stale = True
                self._say("stale", f"quotes frozen for {age:.0f} s (market closed or the trade "
                          "server lost): no new exposure")
        elif self.stale:
            self.stale = False
            self._say("stale", "quotes fresh again")

    # -- stop-outs ---------------------------------------------------------------------------
    def watch_stop_outs(self, now: float) -> None:
        """Journal each broker stop-out deal (DEAL_REASON_SO) once, at its own time."""
        if now - self.deals_seen_until < STOP_OUT_CHECK_SECONDS:
            return
        try:
            deals = self.port.stop_out_deals(self.deals_seen_until - 1.0, now + 86_400.0)
        except TerminalError:
            return
        for deal in deals:
            if deal.ticket not in self._stop_out_deals:
                self._stop_out_deals.add(deal.ticket)
                self.stats.stop_outs += 1
                self.journal.append(JournalKind.STOP_OUT, deal.time, {
                    "ticket": deal.ticket, "position": deal.position, "symbol": deal.symbol,
                    "volume": deal.volume, "price": deal.price, "profit": deal.profit,
                    "comment": deal.comment})
                logger.warning("broker stop-out: {} {} lots at {}", deal.symbol, deal.volume,
                               deal.price)
        self.deals_seen_until = now
