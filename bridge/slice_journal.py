"""The one record of a slice's progress: every journal row about a plan's slices is written and
read back here.

- `intent` — the full `order_send` request, committed before the send (the executor);
- `result` — one per answer or settlement: retcode, deal, order, volume, price, comment,
  attempt, conclusion, lots filled (the executor);
- `slice` — one per execution call of a slice, what it achieved: status, lots filled and left,
  the last retcode, the message (the guard's plan store; `lca status`, the dashboard and the
  restart read it).

The rows and their fields are the journal's format (docs/journal.md); times in UTC epoch seconds
(simulated time in a replay), volumes in lots.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.journal import Journal
from bridge.journal_kinds import FINISHED, JournalKind, SliceStatus
from controller import Action

__all__ = ["SliceJournal"]


class SliceJournal:
    """Writes and reads the `intent`, `result` and `slice` rows of slices in `journal`; `now()`
    stamps them (UTC epoch seconds)."""

    def __init__(self, journal: Journal, now: Callable[[], float]) -> None:
        self.journal = journal
        self._now = now

    def intent(self, action: Action, payload: dict[str, Any]) -> None:
        """The `intent` row of one send (`payload`: request, slice, attempt, position…)."""
        self.journal.append(JournalKind.INTENT, self._now(), payload, plan_id=action.plan_id,
                            ticket=action.ticket)

    def result(self, action: Action, payload: dict[str, Any]) -> dict[str, Any]:
        """One `result` row of the slice (its index, ticket and volume first); the row."""
        row = {"slice_index": action.slice_index, "ticket": action.ticket,
               "slice_volume": action.volume, **payload}
        self.journal.append(JournalKind.RESULT, self._now(), row, plan_id=action.plan_id,
                            ticket=action.ticket)
        return row

    def attempts(self, action: Action) -> list[dict[str, Any]]:
        """This slice's `result` payloads, oldest first. An `intent` with no result after it
        (the process died during the send) is returned as a last, "unknown" result."""
        # the database picks the slice's own intent and result rows: a send decodes what its
        # slice wrote, not every row of a plan of hundreds of slices and retries
        rows = self.journal.rows((JournalKind.INTENT, JournalKind.RESULT),
                                 plan_id=action.plan_id, ticket=action.ticket,
                                 slice_index=action.slice_index)
        out = [r.payload for r in rows if r.kind == JournalKind.RESULT]
        if rows and rows[-1].kind == JournalKind.INTENT:
            i = rows[-1].payload
            out.append({"conclusion": "unknown", "attempt": i.get("attempt"), "filled": 0.0,
                        "requested": float(i["request"]["volume"]),
                        "held_before": i.get("held_before"), "position": i.get("position"),
                        "slice_volume": i.get("slice_volume", action.volume)})
        return out

    def outcome(self, action: Action, status: SliceStatus, filled: float, remaining: float,
                retcode: int | None, message: str) -> dict[str, Any]:
        """The `slice` row of one execution call of `action`; the row."""
        row = {"ticket": action.ticket, "symbol": action.symbol,
               "slice_index": action.slice_index, "slices": action.slices,
               "volume": action.volume, "status": status, "filled": filled,
               "remaining": remaining, "retcode": retcode, "message": message}
        self.journal.append(JournalKind.SLICE, self._now(), row, plan_id=action.plan_id,
                            ticket=action.ticket)
        return row

    def finished(self, plan_id: str | None) -> set[tuple[int, int]]:
        """(ticket, slice index) of the plan's slices whose `slice` row says done or gone."""
        return {(r.payload["ticket"], r.payload["slice_index"])
                for r in self.journal.rows(JournalKind.SLICE, plan_id=plan_id)
                if r.payload["status"] in FINISHED}
