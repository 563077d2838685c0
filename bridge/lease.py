"""One guard per account: a lease row in the journal database.

Table `lease`, one row per account key (``"<server>:<login>"``; the simulated terminal's key is
``"sim:<login>"``, and since the table lives in the journal, a journal is its own scope). A guard
takes the lease at start, renews it every `[lease] renew_seconds` and deletes it on a clean
stop. A second guard for the same account refuses to start and names the holder (host, pid,
since when, last renewal); a lease not renewed for `[lease] timeout_seconds` belongs to a guard
that crashed or was orphaned, and is taken over (the caller journals the takeover). A holder on
this host whose process no longer exists (killed) is taken over at once.

Times are wall-clock UTC epoch seconds (`time.time`), never the simulated clock: two processes
compare them. Every change is one statement in its own transaction, atomic on SQLite and on
PostgreSQL: taking a free lease is an INSERT on the primary key (the loser gets an integrity
error), a takeover and a renewal are compare-and-set UPDATEs (``WHERE holder = <the one read>``:
exactly one process sees one row changed).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

__all__ = ["LEASE", "Holder", "Lease", "LeaseError", "LeaseHeld", "LeaseLost", "account_key",
           "process_gone", "read_holder"]

LEASE_META = MetaData()
LEASE = Table(
    "lease",
    LEASE_META,
    Column("account_key", String(200), primary_key=True),
    Column("token", String(64), nullable=False),  # this holder's random id
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("since", Float, nullable=False),  # wall-clock UTC epoch seconds
    Column("renewed", Float, nullable=False),  # wall-clock UTC epoch seconds
)


def account_key(terminal_kind: str, server: str, login: int) -> str:
    """The lease key of an account: ``"<server>:<login>"`` (``"sim:<login>"`` when simulated)."""
    return f"sim:{login}" if terminal_kind == "sim" else f"{server or '?'}:{login}"


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lease: host, process id, since when and last renewal (wall-clock epoch s)."""

    account_key: str
    token: str
    host: str
    pid: int
    since: float
    renewed: float

    def describe(self, now: float) -> str:
        return (f"host {self.host}, pid {self.pid}, since {_iso(self.since)}, last renewed "
                f"{_iso(self.renewed)} ({now - self.renewed:.0f} s ago)")

    def as_dict(self) -> dict[str, object]:
        return {"account_key": self.account_key, "host": self.host, "pid": self.pid,
                "since": self.since, "renewed": self.renewed}


class LeaseError(RuntimeError):
    """The guard may not act on this account (the message says why and what to do)."""


class LeaseHeld(LeaseError):
    """Another guard holds the account's lease and renews it."""

    def __init__(self, holder: Holder, now: float, timeout_s: float) -> None:
        self.holder = holder
        super().__init__(
            f"account {holder.account_key} is guarded already: lease held by "
            f"{holder.describe(now)}. Stop that guard first; a lease not renewed for "
            f"{timeout_s:g} s ([lease] timeout_seconds) is taken over")


class LeaseLost(LeaseError):
    """This guard's lease was taken over (it was not renewed in time): it must stop acting."""


def read_holder(engine: Engine, key: str) -> Holder | None:
    """The current holder of `key`, or None when the lease is free."""
    with engine.connect() as conn:
        row = conn.execute(select(LEASE).where(LEASE.c.account_key == key)).first()
    if row is None:
        return None
    return Holder(row.account_key, row.token, row.host, int(row.pid), float(row.since),
                  float(row.renewed))


class Lease:
    """This process's lease on one account (`timeout_s`: seconds without renewal after which
    the lease may be taken over)."""

    def __init__(self, engine: Engine, key: str, timeout_s: float, *,
                 wall: Callable[[], float] = time.time, host: str | None = None,
                 pid: int | None = None) -> None:
        self.engine = engine
        self.key = key
        self.timeout_s = timeout_s
        self.wall = wall
        self.token = uuid.uuid4().hex
        self.host = socket.gethostname() if host is None else host
        self.pid = os.getpid() if pid is None else pid
        self.why = ""  # why the last acquire took the lease over (empty: it was free)
        self.held = False
        self.renewed = -float("inf")

    def acquire(self) -> Holder | None:
        """Take the lease; returns the stale holder it took over (None when it was free).
        Raises `LeaseHeld` when a live guard holds it."""
        for _ in range(5):
            now = self.wall()
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(LEASE).values(
                        account_key=self.key, token=self.token, host=self.host, pid=self.pid,
                        since=now, renewed=now))
            except IntegrityError:
                pass
            else:
                self._taken(now)
                return None
            current = read_holder(self.engine, self.key)
            if current is None:
                continue  # released in between: try the INSERT again
            why = self._reclaimable(current, now)
            if not why:
                raise LeaseHeld(current, now, self.timeout_s)
            with self.engine.begin() as conn:
                changed = conn.execute(update(LEASE).where(
                    LEASE.c.account_key == self.key, LEASE.c.token == current.token,
                    LEASE.c.renewed == current.renewed).values(
                    token=self.token, host=self.host, pid=self.pid, since=now,
                    renewed=now)).rowcount
            if changed == 1:
                self._taken(now)
                self.why = why
                return current
        raise LeaseError(f"account {self.key}: the lease changed hands five times while taking "
                         "it; try again")

    def _reclaimable(self, holder: Holder, now: float) -> str:
        """Why `holder`'s lease may be taken over ("" when it may not)."""
        if now - holder.renewed > self.timeout_s:
            return f"not renewed for {now - holder.renewed:.0f} s"
        if holder.host == self.host and holder.pid == self.pid:
            return "held by this same process (a guard restarted in place)"
        if holder.host == self.host and process_gone(holder.pid):
            return "its process no longer exists"
        return ""

    def _taken(self, now: float) -> None:
        self.held = True
        self.renewed = now

    def renew(self) -> None:
        """Stamp the lease with the wall clock; `LeaseLost` when another guard took it over."""
        now = self.wall()
        with self.engine.begin() as conn:
            changed = conn.execute(update(LEASE).where(
                LEASE.c.account_key == self.key, LEASE.c.token == self.token).values(
                renewed=now)).rowcount
        if changed != 1:
            self.held = False
            taker = read_holder(self.engine, self.key)
            who = taker.describe(now) if taker is not None else "nobody (released)"
            raise LeaseLost(f"account {self.key}: this guard's lease was taken over (not renewed "
                            f"for {self.timeout_s:g} s); now held by {who}. Stopping")
        self.renewed = now

    def renew_due(self, every_s: float) -> None:
        """Renew when `every_s` wall seconds have passed since the last renewal; `LeaseLost`
        when the lease is no longer held (taken over, or released)."""
        if not self.held:
            raise LeaseLost(f"account {self.key}: this guard no longer holds the lease")
        if self.wall() - self.renewed >= every_s:
            self.renew()

    def release(self) -> None:
        """Give the lease up (a clean stop); a no-op when not held."""
        if not self.held:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(LEASE).where(LEASE.c.account_key == self.key,
                                             LEASE.c.token == self.token))
        self.held = False


def process_gone(pid: int) -> bool:
    """True when no process `pid` runs on this host (or it is a zombie: killed, not reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]
