"""What the dashboard shows, kept up to date by the guard (a `GuardObserver`), read by the web
thread. Every read returns a copy taken under a lock; the guard's thread is the only writer.

- `state()`: EffLev, MU, MSI, LVI with their bands and limits, regime, state, binding cap and
  reason, mode, paused, connection, crash flag, warnings;
- `series()`: time, equity, EffLev, MU, MSI, LVI since the guard started (decimated: at most
  `max_points`, the spacing doubles when full, so the whole run stays on the chart);
- `plan()`, `orders()`, `alerts()`, `controls()`: the open plan with its slices, the last slice
  outcomes with retcodes, alerts sent, control actions.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import asdict
from typing import Any

from bridge.fleet import fleet_rows
from bridge.observe import GuardObserver
from bridge.web.lift import prop_lock_state

__all__ = ["LiveBoard"]


def decision_state(d: Any, config: Any) -> dict[str, Any]:
    """The dashboard's view of one decision (units as in controller.decision_types)."""
    m = d.metrics
    rules, bands = config.rules, config.bands
    return {
        "time": d.time, "equity": m.equity, "balance": m.balance, "margin": m.margin,
        "eff_lev": m.eff_lev, "mu": m.mu, "msi": m.msi, "lvi": m.lvi, "l_safe": m.l_safe,
        "depth_ratio": m.depth_ratio, "eff_lev_band": m.eff_lev_band, "mu_band": m.mu_band,
        "msi_band": m.msi_band, "leverage_state": m.leverage_state,
        "limits": {"eff_lev_reduce_above": rules.eff_lev_reduce_above,
                   "eff_lev_forced_above": rules.eff_lev_forced_above,
                   "mu_no_new_exposure_above": rules.mu_no_new_exposure_above,
                   "msi_reduce_below": rules.msi_reduce_below,
                   "msi_danger": bands.msi_danger, "eff_lev_ruin": bands.eff_lev_ruin},
        "regime": d.regime.value, "state": d.state.value, "target_eff_lev": d.target_eff_lev,
        "binding_cap": d.binding_cap, "reasons": list(d.reasons),
        "crash_flag": m.crash_flag, "crash_signs": list(m.crash_signs),
        "warnings": [{"code": w.code, "message": w.message, "observed": w.observed,
                      "limit": w.limit} for w in d.warnings],
    }


def _lease(guard: Any) -> dict[str, Any] | None:
    """The lease this guard holds (one guard per account): key, host, pid; None without one."""
    lease = getattr(guard, "lease", None)
    return None if lease is None else {"key": lease.key, "host": lease.host, "pid": lease.pid}


class LiveBoard(GuardObserver):
    """The live dashboard data of one guard."""

    def __init__(self, max_points: int = 2000, spacing_seconds: float = 5.0,
                 keep: int = 200) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, Any] = {"running": False}
        self._points: list[list[float | None]] = []
        self._spacing = spacing_seconds
        self._max_points = max_points
        self._plan: list[dict[str, Any]] = []
        self._orders: deque[dict[str, Any]] = deque(maxlen=keep)
        self._alerts: deque[dict[str, Any]] = deque(maxlen=keep)
        self._controls: deque[dict[str, Any]] = deque(maxlen=keep)
        self._journal: Any = None  # the guard's journal: the fleet page reads every account
        self.read_only = False

    # -- reads (web thread) ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._state)

    def series(self) -> dict[str, Any]:
        with self._lock:
            points = [list(p) for p in self._points]
        names = ("time", "equity", "eff_lev", "mu", "msi", "lvi")
        return {n: [p[i] for p in points] for i, n in enumerate(names)}

    def plan(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(a) for a in self._plan]

    def orders(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(o) for o in reversed(self._orders)]

    def alerts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(a) for a in reversed(self._alerts)]

    def controls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in reversed(self._controls)]

    def fleet(self) -> list[dict[str, Any]]:
        """Every account of the guard's journal (bridge.fleet; the guard's own account is not
        changed: the reads use their own view of the journal)."""
        return [] if self._journal is None else fleet_rows(self._journal, time.time())

    # -- hooks (guard thread) ----------------------------------------------------------------
    def on_start(self, guard: Any) -> None:
        self._journal = guard.journal
        self._refresh(guard)

    def on_step(self, guard: Any, seconds: float) -> None:
        self._refresh(guard)

    def on_decision(self, guard: Any, decision: Any) -> None:
        self._refresh(guard)

    def on_order(self, guard: Any, row: dict[str, Any]) -> None:
        with self._lock:
            self._orders.append({"time": guard.now(), **row})

    def on_alert(self, guard: Any, row: dict[str, Any]) -> None:
        with self._lock:
            self._alerts.append(dict(row))

    def on_control(self, guard: Any, row: dict[str, Any]) -> None:
        with self._lock:
            self._controls.append(dict(row))

    def on_stop(self, guard: Any, reason: str) -> None:
        with self._lock:
            self._state = {**self._state, "running": False, "stopped": reason}

    def _refresh(self, guard: Any) -> None:
        d = guard.decision
        state: dict[str, Any] = {
            "running": True, "account": guard.journal.account, "mode": guard.mode.value,
            "paused": guard.paused, "connected": guard.connection_ok, "stale": guard.stale,
            "now": guard.now(), "guard_runs": guard.stats.guard_runs,
            "orders": guard.stats.orders, "lots_closed": guard.stats.lots_closed,
            "currency": guard.snapshot.account.currency if guard.snapshot else "",
            "prop_lock": prop_lock_state(guard), "lease": _lease(guard)}
        if d is not None:
            state.update(decision_state(d, guard.config))
        if guard.mode.value == "shadow" or guard.shadow.fills:  # the virtual book's ledger
            state["shadow"] = {"lots": guard.shadow.lots, "saved": guard.shadow.saved,
                               "marked_at": guard.shadow.marked_at}
        plan = [asdict(a) for a in guard.plan]
        with self._lock:
            self._state = state
            self._plan = plan
            if d is not None:
                self._add_point(d)

    def _add_point(self, d: Any) -> None:
        if self._points and d.time - float(self._points[-1][0] or 0.0) < self._spacing:
            return
        m = d.metrics
        self._points.append([d.time, m.equity, m.eff_lev, m.mu, m.msi, m.lvi])
        if len(self._points) > self._max_points:
            self._points = self._points[::2]
            self._spacing *= 2.0
