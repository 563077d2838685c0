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

__all__ = ["JournalBoard"]

_DONE = ("done", "gone")


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
        run = self.journal.last("run")
        if run is not None:
            out.update(mode=run.payload.get("mode"), currency=run.payload.get("currency"))
        snap = self.journal.last("snapshot")
        if snap is not None:
            out.update({k: snap.payload.get(k) for k in ("equity", "balance", "margin",
                                                         "eff_lev", "mu", "msi", "lvi",
                                                         "l_safe")})
        d = self.journal.last("decision")
        if d is not None:
            p = d.payload
            out.update(time=d.time, regime=p["regime"], state=p["state"],
                       target_eff_lev=p["target_eff_lev"], binding_cap=p["binding_cap"],
                       reasons=p["reasons"],
                       crash_flag=any("liquidity-crash" in w for w in p["warnings"]),
                       warnings=[{"code": "", "message": w} for w in p["warnings"]])
        mark = self.journal.last("shadow_mark")
        if mark is not None and (run is None or mark.id > run.id):  # the shadow ledger
            out["shadow"] = {k: mark.payload.get(k) for k in ("lots", "saved", "marked_at")}
        end = self.journal.last("end")
        if end is not None and (run is None or end.id > run.id):
            out["running"] = False
        return out

    def series(self) -> dict[str, Any]:
        self._account()
        rows = self.journal.rows("snapshot")
        step = max(1, len(rows) // self.max_points)
        rows = rows[::step]
        out: dict[str, Any] = {"time": [r.time for r in rows]}
        for name in ("equity", "eff_lev", "mu", "msi", "lvi"):
            out[name] = [r.payload.get(name) for r in rows]
        return out

    def plan(self) -> list[dict[str, Any]]:
        self._account()
        row = self.journal.last("plan")
        if row is None:
            return []
        done = {(r.payload["ticket"], r.payload["slice_index"])
                for r in self.journal.rows("slice", plan_id=row.plan_id)
                if r.payload["status"] in _DONE}
        return [a for a in row.payload.get("actions", [])
                if (a["ticket"], a["slice_index"]) not in done]

    def _rows(self, kind: str, limit: int = 200) -> list[dict[str, Any]]:
        self._account()
        return [{"time": r.time, **r.payload}
                for r in self.journal.rows(kind, newest_first=True, limit=limit)]

    def orders(self) -> list[dict[str, Any]]:
        return self._rows("slice")

    def alerts(self) -> list[dict[str, Any]]:
        return self._rows("alert")

    def controls(self) -> list[dict[str, Any]]:
        return self._rows("control")

    def fleet(self) -> list[dict[str, Any]]:
        """Every account of the journal (bridge.fleet), for the fleet page."""
        return fleet_rows(self.journal, time.time())
