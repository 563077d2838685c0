"""The Guard's lease on its account (bridge/lease.py): taken at start — a standby waits for
it —, renewed by the wall clock, confirmed before each order. Wall-clock UTC epoch seconds."""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger

from bridge.config import AppConfig
from bridge.journal import Journal
from bridge.journal_kinds import JournalKind
from bridge.lease import Holder, Lease, LeaseHeld, account_key

__all__ = ["LeaseHolding"]


class LeaseHolding:
    """The lease part of `bridge.runtime.Guard` (it provides `config`, `journal`, `now`, `wall`,
    `sleep_wall`, `lease` and `standby_waited`)."""

    config: AppConfig
    journal: Journal
    now: Callable[[], float]
    wall: Callable[[], float]
    sleep_wall: Callable[[float], None]
    lease: Lease | None
    standby_waited: float | None

    def _take_lease(self, login: int, server: str) -> None:
        """Take the lease of `login` on `server` (`LeaseHeld` when another guard runs); journal
        a takeover."""
        key = account_key(self.config.terminal.kind, server, login)
        self.lease = Lease(self.journal.engine, key, self.config.lease.timeout_seconds,
                           wall=self.wall)
        previous = self._acquire_lease(key)
        if previous is not None:
            logger.warning("lease of account {} taken over ({}) from {}", key, self.lease.why,
                           previous.describe(self.wall()))
            self.journal.append(JournalKind.LEASE, self.now(), {
                "event": "takeover", "why": self.lease.why, "previous": previous.as_dict(),
                "holder": {"host": self.lease.host, "pid": self.lease.pid},
                "standby_waited_seconds": self.standby_waited,
                "unrenewed_seconds": self.wall() - previous.renewed})

    def _acquire_lease(self, key: str) -> Holder | None:
        """The lease, or `LeaseHeld`; a standby (`[run] standby`) waits for it instead, asking
        every second of wall time (or every `renew_seconds`, if shorter)."""
        assert self.lease is not None
        waiting_since: float | None = None
        while True:
            try:
                previous = self.lease.acquire()
            except LeaseHeld as exc:
                if not self.config.run.standby:
                    raise
                if waiting_since is None:
                    waiting_since = self.wall()
                    logger.info("standby for account {}: held by {}; taking over when it stops "
                                "renewing (within {:g} s)", key, exc.holder.describe(self.wall()),
                                self.config.lease.timeout_seconds)
                self.sleep_wall(min(1.0, self.config.lease.renew_seconds))
                continue
            if waiting_since is not None:
                self.standby_waited = self.wall() - waiting_since
            return previous

    def renew_lease(self) -> None:
        """Renew the lease when `[lease] renew_seconds` of wall time have passed (`LeaseLost`
        when another guard took it over: this one must stop acting)."""
        if self.lease is not None:
            self.lease.renew_due(self.config.lease.renew_seconds)

    def _confirm_lease(self) -> None:
        """Before each order: the lease is still ours (a hung terminal call may have outlasted
        it and another guard taken over: `LeaseLost`, nothing sent)."""
        if self.lease is not None:
            self.lease.renew()
