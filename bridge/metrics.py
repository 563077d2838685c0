"""Prometheus metrics of the guard (prometheus_client), served on `/metrics` by bridge.web.

| metric                                   | type      | what                                    |
|------------------------------------------|-----------|-----------------------------------------|
| `lca_eff_lev{account}`                   | gauge     | EffLev (position value / equity, ×)     |
| `lca_mu{account}`                        | gauge     | margin / equity (fraction)              |
| `lca_msi{account}`                       | gauge     | equity / margin (MT5 margin level / 100)|
| `lca_lvi{account}`                       | gauge     | leverage vulnerability index            |
| `lca_l_safe{account}`                    | gauge     | L_safe (×); NaN while unavailable       |
| `lca_target_eff_lev{account}`            | gauge     | the binding cap's EffLev target (×)     |
| `lca_equity{account}`                    | gauge     | equity, account currency                |
| `lca_regime{account,regime}`             | gauge     | 1 for the current regime, 0 for others  |
| `lca_state{account,state}`               | gauge     | 1 for the current trading state         |
| `lca_crash_flag{account}`                | gauge     | 1 while the liquidity-crash flag is up  |
| `lca_paused{account}`, `lca_connected`, `lca_stale` | gauge | 1 / 0                            |
| `lca_orders_total{account,retcode,status}` | counter | slice outcomes by last retcode          |
| `lca_alerts_total{channel,result}`       | counter   | alert deliveries (sent, failed, held)   |
| `lca_step_seconds`, `lca_cycle_seconds`, `lca_decide_seconds` | histogram | wall-clock latency |
| `lca_snapshot_age_seconds{account}`      | gauge     | guard clock − the last snapshot's time  |
| `lca_lease_holder{account,host,pid}`     | gauge     | 1 for the lease holder (one guard)      |

Each `MetricsObserver` owns its `CollectorRegistry` (no global state: tests and several guards
in one process do not collide).
"""

from __future__ import annotations

import math
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bridge.journal_rows import AlertRow, SliceRow
from bridge.observe import GuardObserver, GuardView
from controller import Decision, Regime, TradingState

__all__ = ["MetricsObserver"]

_LATENCY = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def _value(x: float | None) -> float:
    return math.nan if x is None else float(x)


class MetricsObserver(GuardObserver):
    """Keeps the guard's metrics in `registry`, updated on the guard's thread."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r, a = self.registry, ["account"]
        self.gauges = {name: Gauge(f"lca_{name}", doc, a, registry=r) for name, doc in (
            ("eff_lev", "EffLev: position value / equity (multiple)"),
            ("mu", "MU: margin / equity (fraction)"),
            ("msi", "MSI: equity / margin (MT5 margin level / 100)"),
            ("lvi", "LVI: sum of position value / equity over DepthRatio"),
            ("l_safe", "L_safe: the safe leverage (multiple); NaN while unavailable"),
            ("target_eff_lev", "the binding cap's EffLev target (multiple)"),
            ("equity", "equity (account currency)"),
            ("crash_flag", "1 while the liquidity-crash flag is up"),
            ("paused", "1 while the operator has paused the guard's orders"),
            ("connected", "1 while the terminal answers"),
            ("stale", "1 while the quotes are stale"))}
        self.regime = Gauge("lca_regime", "1 for the current regime", ["account", "regime"],
                            registry=r)
        self.state = Gauge("lca_state", "1 for the current trading state", ["account", "state"],
                           registry=r)
        self.orders = Counter("lca_orders", "slice outcomes by last retcode and status",
                              ["account", "retcode", "status"], registry=r)
        self.alerts = Counter("lca_alerts", "alert deliveries by channel and result",
                              ["channel", "result"], registry=r)
        self.step = Histogram("lca_step_seconds", "fast-guard step, wall clock (s)",
                              buckets=_LATENCY, registry=r)
        self.cycle = Histogram("lca_cycle_seconds", "controller cycle, wall clock (s)",
                               buckets=_LATENCY, registry=r)
        self.decide = Histogram("lca_decide_seconds", "one controller decision, wall clock (s)",
                                buckets=_LATENCY, registry=r)
        self.snapshot_age = Gauge("lca_snapshot_age_seconds",
                                  "guard clock minus the last snapshot's time (s)", a, registry=r)
        self.lease_holder = Gauge("lca_lease_holder",
                                  "1 for the guard process holding the account's lease",
                                  ["account", "host", "pid"], registry=r)
        self._account = "0"

    def on_start(self, guard: GuardView) -> None:
        self._account = str(guard.journal.account)
        self._refresh(guard)

    def on_decision(self, guard: GuardView, decision: Decision) -> None:
        self._refresh(guard)

    def on_stop(self, guard: GuardView, reason: str) -> None:
        self.lease_holder.clear()  # a clean stop releases the lease

    def on_step(self, guard: GuardView, seconds: float) -> None:
        self.step.observe(seconds)
        self.decide.observe(guard.decide_seconds)
        self._refresh(guard)

    def on_cycle(self, guard: GuardView, seconds: float) -> None:
        self.cycle.observe(seconds)
        self.decide.observe(guard.decide_seconds)

    def on_order(self, guard: GuardView, row: dict[str, Any]) -> None:
        done = SliceRow.from_payload(row)
        code = done.retcode
        self.orders.labels(self._account, "none" if code is None else str(code),
                           str(done.status)).inc()

    def on_alert(self, guard: GuardView, row: dict[str, Any]) -> None:
        alert = AlertRow.from_payload(row)
        result = "held" if alert.result is None else alert.result
        self.alerts.labels(alert.channel or "none", result).inc()

    def _refresh(self, guard: GuardView) -> None:
        acct = self._account
        g = self.gauges
        g["paused"].labels(acct).set(1.0 if guard.paused else 0.0)
        g["connected"].labels(acct).set(1.0 if guard.connection_ok else 0.0)
        g["stale"].labels(acct).set(1.0 if guard.stale else 0.0)
        lease = getattr(guard, "lease", None)
        if lease is not None:
            self.lease_holder.labels(acct, lease.host, str(lease.pid)).set(1.0)
        if guard.snapshot is not None:
            self.snapshot_age.labels(acct).set(max(0.0, guard.now() - guard.snapshot.time))
        d = guard.decision
        if d is None:
            return
        m = d.metrics
        for name, value in (("eff_lev", m.eff_lev), ("mu", m.mu), ("msi", m.msi),
                            ("lvi", m.lvi), ("l_safe", m.l_safe),
                            ("target_eff_lev", d.target_eff_lev), ("equity", m.equity)):
            g[name].labels(acct).set(_value(value))
        g["crash_flag"].labels(acct).set(1.0 if m.crash_flag else 0.0)
        for regime in Regime:
            self.regime.labels(acct, regime.value).set(1.0 if regime is d.regime else 0.0)
        for state in TradingState:
            self.state.labels(acct, state.value).set(1.0 if state is d.state else 0.0)
