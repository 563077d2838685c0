"""The journal's vocabulary: the kind of every row (docs/journal.md lists each one: who writes it,
when, its payload) and the status of a slice in a `slice` row.

Both are `StrEnum`s: a member equals its text (``JournalKind.SLICE == "slice"``), so rows written
with the plain text by an older lca, or by a writer not converted yet, read back the same.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FINISHED", "JournalKind", "SliceStatus"]


class JournalKind(StrEnum):
    """The `kind` column of a journal row (one row per event, in the order they happened)."""

    RUN = "run"  # a guard started: mode, terminal, account, lease
    LEASE = "lease"  # the account's lease taken over from a guard that stopped renewing it
    SNAPSHOT = "snapshot"  # a decision's account figures, depth sources, distances to limits
    DECISION = "decision"  # state, regime, target EffLev, binding cap, reasons, warnings
    MEMORY = "memory"  # the controller memory after a decision (the resume point)
    PLAN = "plan"  # a new plan's slices (or an empty one: the plan is cleared)
    INTENT = "intent"  # an order request, durable before `order_send`
    RESULT = "result"  # what `order_send` answered, or what a restart resolved
    SLICE = "slice"  # the outcome of one attempt at a slice (a `SliceStatus`)
    STATE = "state"  # a change of trading, connection, data or permission state
    STOP_OUT = "stop_out"  # a broker stop-out deal seen in the terminal's history
    ALERT = "alert"  # an alert sent, failed or held back (bridge.alerts)
    CONTROL = "control"  # an action from the dashboard: pause, resume, mode, flatten, lift
    SHADOW_FILL = "shadow_fill"  # shadow mode: a slice filled virtually (never sent)
    SHADOW_MARK = "shadow_mark"  # shadow mode: the virtual book's ledger at a cycle
    STOP = "stop"  # a clean stop: Ctrl-C, SIGTERM, a lost lease, the end of a replay
    END = "end"  # a replay's summary (guarded and unguarded)


class SliceStatus(StrEnum):
    """What one attempt at a slice achieved (bridge.executor `SliceOutcome.status`)."""

    DONE = "done"  # nothing left to close
    GONE = "gone"  # the position is no longer there
    PARTIAL = "partial"  # some lots closed, the rest retried later
    POSTPONED = "postponed"  # the market is closed: retried later
    FAILED = "failed"  # not closed (the message says why; retried when it may pass)
    NOT_DUE = "not_due"  # before the slice's not-before time: nothing sent

    @property
    def finished(self) -> bool:
        """True when the slice needs nothing more (done, or its position is gone)."""
        return self in FINISHED


#: the statuses after which a slice needs nothing more
FINISHED = frozenset({SliceStatus.DONE, SliceStatus.GONE})
