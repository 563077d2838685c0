"""The dashboard over a journal, read-only (`lca serve`): the same reads as `LiveBoard`, taken
from the journal's rows at each request (SQLite WAL: it can be read while a guard writes).

The live state is the newest `decision` row with the newest `snapshot` row; the charts are the
`snapshot` rows (one per controller cycle, and one per escalation); the plan is the newest
`plan` row minus its finished slices; orders, alerts and control actions are their rows.
"""

from __future__ import annotations

import time
from typing import Any

from bridge.fleet import fleet_rows
from bridge.journal import Journal
from bridge.journal_kinds import JournalKind
from bridge.journal_rows import (
    DecisionRow,
    PlanRow,
    RunRow,
    ShadowMarkRow,
    SliceRow,
    SnapshotRow,
    open_slices,
)

__all__ = ["JournalBoard"]

_LIVE = ("equity", "balance", "margin", "eff_lev", "mu", "msi", "lvi", "l_safe")
_SERIES = ("equity", "eff_lev", "mu", "msi", "lvi")


class JournalBoard:
    """Reads for the dashboard from `journal` (the newest account in it)."""

    read_only = True

    def __init__(self, journal: Journal, max_points: int = 2000) -> None:
        self.journal = journal
        self.max_points = max_points

    def _account(self) -> None:
        account = self.journal.latest_account()
        if account is not None:
            self.journal.account = account

    def state(self) -> dict[str, Any]:
        self._account()
        out: dict[str, Any] = {"running": None, "account": self.journal.account}
        run = self.journal.last(JournalKind.RUN)
        if run is not None:
            started = RunRow.from_payload(run.payload)
            out.update(mode=started.mode, currency=started.currency)
        snap = self.journal.last(JournalKind.SNAPSHOT)
        if snap is not None:
            figures = SnapshotRow.from_payload(snap.payload)
            out.update({k: figures.figure(k) for k in _LIVE})
        row = self.journal.last(JournalKind.DECISION)
        if row is not None:
            d = DecisionRow.from_payload(row.payload)
            warnings = list(d.warnings or ())
            out.update(time=row.time, regime=d.regime, state=d.state,
                       target_eff_lev=d.target_eff_lev, binding_cap=d.binding_cap,
                       reasons=list(d.reasons or ()),
                       crash_flag=any("liquidity-crash" in w for w in warnings),
                       warnings=[{"code": "", "message": w} for w in warnings])
        mark = self.journal.last(JournalKind.SHADOW_MARK)
        if mark is not None and (run is None or mark.id > run.id):  # the shadow ledger
            ledger = ShadowMarkRow.from_payload(mark.payload)
            out["shadow"] = {"lots": ledger.lots, "saved": ledger.saved,
                             "marked_at": ledger.marked_at}
        end = self.journal.last(JournalKind.END)
        if end is not None and (run is None or end.id > run.id):
            out["running"] = False
        return out

    def series(self) -> dict[str, Any]:
        self._account()
        rows = self.journal.rows(JournalKind.SNAPSHOT)
        step = max(1, len(rows) // self.max_points)
        rows = rows[::step]
        figures = [SnapshotRow.from_payload(r.payload) for r in rows]
        out: dict[str, Any] = {"time": [r.time for r in rows]}
        for name in _SERIES:
            out[name] = [f.figure(name) for f in figures]
        return out

    def plan(self) -> list[dict[str, Any]]:
        self._account()
        row = self.journal.last(JournalKind.PLAN)
        if row is None:
            return []
        return open_slices(PlanRow.from_payload(row.payload),
                           (SliceRow.from_payload(r.payload)
                            for r in self.journal.rows(JournalKind.SLICE, plan_id=row.plan_id)))

    def _rows(self, kind: JournalKind, limit: int = 200) -> list[dict[str, Any]]:
        self._account()
        return [{"time": r.time, **r.payload}
                for r in self.journal.rows(kind, newest_first=True, limit=limit)]

    def orders(self) -> list[dict[str, Any]]:
        return self._rows(JournalKind.SLICE)

    def alerts(self) -> list[dict[str, Any]]:
        return self._rows(JournalKind.ALERT)

    def controls(self) -> list[dict[str, Any]]:
        return self._rows(JournalKind.CONTROL)

    def fleet(self) -> list[dict[str, Any]]:
        """Every account of the journal (bridge.fleet), for the fleet page."""
        return fleet_rows(self.journal, time.time())
