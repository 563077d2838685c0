"""The guard's events as alerts: a `GuardObserver` that watches edges, not levels.

Sent: the guard starting and stopping; trading-state changes (REDUCING and ACTIVE as warning and
info, HALTED and INSOLVENT critical); the regime entering WAIT or MINIMUM; the crash flag; each
early warning (EffLev, MU, MSI, prop limits, L_safe and other caps) when it first appears; a
prop lock; each plan started and finished; every slice that failed, with its retcode sentence;
terminal disconnect and reconnect, stale quotes; the EA entering and leaving fail-safe and Algo
Trading switched off or on (from the EA's telemetry, when the EA link is on).

Every alert, sent or held back, is journaled as a row of kind `alert` with its delivery result
per channel (`channel`, `ok`, `error`), on the guard's thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

from bridge.alerts.dispatch import AlertDispatcher
from bridge.alerts.events import Alert, Severity
from bridge.alerts.limit import AlertLimiter
from bridge.journal_kinds import JournalKind, SliceStatus
from bridge.journal_rows import SliceRow
from bridge.observe import GuardObserver, GuardView
from bridge.retcodes import error_handling, retcode_handling

if TYPE_CHECKING:
    from controller import Decision

__all__ = ["AlertObserver", "Figures"]

_STATE_SEVERITY = {"ACTIVE": Severity.INFO, "REDUCING": Severity.WARNING,
                   "HALTED": Severity.CRITICAL, "INSOLVENT": Severity.CRITICAL}
_ALERT_REGIMES = ("WAIT", "MINIMUM")
_FAILED = (SliceStatus.FAILED, SliceStatus.PARTIAL)


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


class Figures(TypedDict):
    """The numbers of a decision an alert carries (money in the account currency)."""

    eff_lev: float | None
    mu: float | None
    msi: float | None
    lvi: float
    depth_ratio: float | None
    l_safe: float | None
    equity: float
    regime: str
    state: str
    target_eff_lev: float
    binding_cap: str
    crash_signs: list[str]


def figures_of(d: Decision) -> Figures:
    """The numbers a trader wants with an alert (money in the account currency)."""
    m = d.metrics
    return {"eff_lev": m.eff_lev, "mu": m.mu, "msi": m.msi, "lvi": m.lvi,
            "depth_ratio": m.depth_ratio, "l_safe": m.l_safe, "equity": m.equity,
            "regime": d.regime.value, "state": d.state.value, "target_eff_lev": d.target_eff_lev,
            "binding_cap": d.binding_cap, "crash_signs": list(m.crash_signs)}


def figures_line(f: Figures) -> str:
    """The figures in one line."""
    return (f"EffLev {_num(f['eff_lev'], '.2f')}, MU {_num(f['mu'], '.1%')}, MSI "
            f"{_num(f['msi'], '.2f')}, LVI {_num(f['lvi'], '.2f')}, DepthRatio "
            f"{_num(f['depth_ratio'], '.2f')}, L_safe {_num(f['l_safe'], '.2f')}, equity "
            f"{_num(f['equity'], ',.2f')}; regime {f['regime']}, state {f['state']}; target "
            f"EffLev {_num(f['target_eff_lev'], '.2f')} ({f['binding_cap']})")


class _Figures:
    """A decision's figures and their line, computed only when an alert needs them."""

    def __init__(self, d: Decision) -> None:
        self._d = d

    @cached_property
    def figures(self) -> Figures:
        return figures_of(self._d)

    @cached_property
    def line(self) -> str:
        return figures_line(self.figures)


class AlertObserver(GuardObserver):
    """Turns guard events into alerts, limits them, queues them, journals the outcomes."""

    def __init__(self, dispatcher: AlertDispatcher, limiter: AlertLimiter | None = None,
                 label: str = "lca") -> None:
        self.dispatcher = dispatcher
        self.limiter = limiter or AlertLimiter()
        self.label = label
        self._state: str | None = None
        self._regime: str | None = None
        self._crash = False
        self._lock = False
        self._warnings: set[str] = set()
        self._plan: str | None = None
        self._failsafe: bool | None = None
        self._algo: bool | None = None
        self.journaled = 0
        self._inspected: Decision | None = None

    # -- hooks -------------------------------------------------------------------------------
    def on_start(self, guard: GuardView) -> None:
        account = guard.journal.account
        self._alert(guard, "guard", Severity.INFO, "guard started",
                    f"account {account}, {guard.mode.value} mode, {len(guard.watch)} symbols, "
                    f"{len(guard.plan)} slices resumed")
        if guard.decision is None and guard.plan:
            self._plan = guard.plan[0].plan_id

    def on_decision(self, guard: GuardView, decision: Decision) -> None:
        self._inspect(guard, decision)

    def on_step(self, guard: GuardView, seconds: float) -> None:
        if guard.decision is not None:
            self._inspect(guard, guard.decision)
        self._watch_ea(guard)
        for alert in self.limiter.due(guard.now()):
            self.dispatcher.submit(alert)
        self._journal(guard)

    def on_order(self, guard: GuardView, row: dict[str, Any]) -> None:
        done = SliceRow.from_payload(row)
        if done.status not in _FAILED:
            return
        code = done.retcode
        sentence = "" if code is None else (
            retcode_handling(code) if code >= 0 else error_handling(-code)).sentence
        self._alert(guard, f"order:{done.symbol}", Severity.CRITICAL,
                    f"order {done.status}: {done.symbol} #{done.ticket}",
                    f"retcode {code}: {sentence}. {done.message}",
                    {"retcode": code, "filled": done.filled, "remaining": done.remaining})

    def on_state(self, guard: GuardView, what: str, message: str) -> None:
        if what == "state":
            return  # trading states come with their figures from the decision
        titles = {"connection": "terminal", "stale": "market data", "mode": "mode",
                  "data": "snapshot"}
        back = "again" in message
        self._alert(guard, what, Severity.INFO if back else Severity.WARNING,
                    f"{titles.get(what, what)}: {'back' if back else 'problem'}", message)

    def on_stop(self, guard: GuardView, reason: str) -> None:
        for alert in self.limiter.pending():
            self.dispatcher.submit(alert)
        self._alert(guard, "guard", Severity.WARNING, "guard stopped", reason)
        self._journal(guard, final=True)

    # -- edges -------------------------------------------------------------------------------
    def _inspect(self, guard: GuardView, d: Decision) -> None:
        fx = _Figures(d)
        if d is not self._inspected:  # on_step after on_decision sees the same decision
            self._inspected = d
            self._edges_of_decision(guard, d, fx)
        self._edges_of_plan(guard, d, fx)

    def _edges_of_decision(self, guard: GuardView, d: Decision, fx: _Figures) -> None:
        state, regime = d.state.value, d.regime.value
        if d.metrics.crash_flag and not self._crash:
            self._alert(guard, "crash_flag", Severity.CRITICAL, "CRASH FLAG",
                        "liquidity-crash signs at once: " + ", ".join(d.metrics.crash_signs)
                        + f". {fx.line}", fx.figures)
        self._crash = d.metrics.crash_flag
        if state != self._state:
            if self._state is not None or state != "ACTIVE":
                self._alert(guard, "state", _STATE_SEVERITY.get(state, Severity.WARNING),
                            f"state {state}", f"{self._state or 'start'} → {state}: "
                            + "; ".join(d.reasons) + f". {fx.line}", fx.figures)
            self._state = state
        if regime != self._regime:
            if regime in _ALERT_REGIMES or self._regime in _ALERT_REGIMES:
                self._alert(guard, "regime", Severity.CRITICAL if regime == "MINIMUM"
                            else Severity.WARNING, f"regime {regime}",
                            f"{self._regime} → {regime}. {fx.line}", fx.figures)
            self._regime = regime
        self._edges_of_warnings(guard, d, fx)
        lock = d.limits.prop_lock
        if lock and not self._lock:
            self._alert(guard, "prop_lock", Severity.CRITICAL, "PROP LIMIT BREACHED",
                        f"{d.memory.lock_reason}: no new exposure until "
                        f"{d.limits.lock_until or 'a manual reset'}. {fx.line}", fx.figures)
        self._lock = lock

    def _edges_of_warnings(self, guard: GuardView, d: Decision, fx: _Figures) -> None:
        now = {w.code: w for w in d.warnings if w.code not in ("crash_flag", "regime")}
        for code in sorted(set(now) - self._warnings):
            w = now[code]
            self._alert(guard, f"warning:{code}", Severity.WARNING, f"warning: {code}",
                        f"{w.message}. {fx.line}",
                        {**fx.figures, "observed": w.observed, "limit": w.limit})
        self._warnings = set(now)

    def _edges_of_plan(self, guard: GuardView, d: Decision, fx: _Figures) -> None:
        plan = guard.plan[0].plan_id if guard.plan else None
        if plan == self._plan:
            return
        if self._plan is not None:
            self._alert(guard, "plan_finished", Severity.INFO, "plan finished",
                        f"plan {self._plan} finished ({guard.stats.lots_closed:g} lots closed "
                        f"so far). {fx.line}", fx.figures)
        if plan is not None:
            lots = sum(a.volume for a in guard.plan)
            urgency = guard.plan[0].urgency.value
            self._alert(guard, "plan_started", Severity.WARNING, "plan started",
                        f"plan {plan}: {len(guard.plan)} slices, {lots:g} lots, {urgency}, "
                        f"target EffLev {d.target_eff_lev:.2f} ({d.binding_cap}). {fx.line}",
                        fx.figures)
        self._plan = plan

    def _watch_ea(self, guard: GuardView) -> None:
        link = guard.ea_link
        t = link.last_telemetry if link is not None else None
        if t is None:
            return
        if self._failsafe is not None and t.failsafe != self._failsafe:
            self._alert(guard, "ea_failsafe", Severity.CRITICAL if t.failsafe else Severity.INFO,
                        "EA fail-safe " + ("ON" if t.failsafe else "off"),
                        "the guard EA entered its fail-safe (stale heartbeat): its own hard "
                        "limits apply" if t.failsafe else "the guard EA left its fail-safe")
        if self._algo is not None and t.trade_allowed != self._algo:
            self._alert(guard, "algo_trading", Severity.INFO if t.trade_allowed
                        else Severity.CRITICAL,
                        "Algo Trading " + ("on" if t.trade_allowed else "OFF"),
                        "Algo Trading is on again" if t.trade_allowed else
                        "Algo Trading is off in the terminal: neither the EA nor the guard can "
                        "close anything; switch it on")
        self._failsafe, self._algo = t.failsafe, t.trade_allowed

    # -- queue and journal -------------------------------------------------------------------
    def _alert(self, guard: GuardView, key: str, severity: Severity, title: str, body: str,
               figures: Mapping[str, object] | None = None) -> None:
        alert = Alert(key, severity, f"{self.label}: {title}", body, guard.now(),
                      dict(figures or {}))
        ready, held = self.limiter.offer(alert)
        for a in ready:
            self.dispatcher.submit(a)
        if held:
            row = {**alert.as_dict(), "channel": None, "ok": None,
                   "result": "held back: goes in the next summary"}
            guard.journal.append(JournalKind.ALERT, alert.time, row)
            guard.notify("on_alert", row)

    def _journal(self, guard: GuardView, *, final: bool = False) -> None:
        deliveries = self.dispatcher.close() if final else self.dispatcher.drain()
        for dl in deliveries:
            row = {**dl.alert.as_dict(), "channel": dl.channel, "ok": dl.ok, "error": dl.error,
                   "result": "sent" if dl.ok else "failed", "seconds": round(dl.seconds, 4),
                   "latency_seconds": round(dl.latency, 4)}
            guard.journal.append(JournalKind.ALERT, guard.now(), row)
            guard.notify("on_alert", row)
            self.journaled += 1
