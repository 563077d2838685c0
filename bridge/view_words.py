"""The live view's sentences: why the target is what it is, what the plan does next, and why a
reduction has nothing pending. Plain functions of a decision and the guard; no rendering.

Example: ``target 1.70: thin-hours ×0.85 (early Asia) on 2.00`` rather than ``(extras)``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from controller import Decision

if TYPE_CHECKING:
    from bridge.observe import GuardView
    from bridge.view_state import LiveState

__all__ = ["CAP_NAMES", "cap_words", "clock", "plan_words"]

#: the cap names of controller.decide, as a trader says them
CAP_NAMES = {
    "rule": "the EffLev rules", "l_safe": "safe leverage L_safe", "regime": "the regime",
    "buffer": "the cash buffer", "broker": "the broker's levels", "prop": "the prop rules",
    "extras": "the time and trend multipliers", "insolvent": "insolvent", "none": "no cap",
}


def clock(t: float) -> str:
    """HH:MM:SS UTC of an epoch time."""
    return datetime.fromtimestamp(t, tz=UTC).strftime("%H:%M:%S")


def _trend_atr(guard: GuardView | None) -> str:
    """Which held symbols are against their D1 trend, and which have an expanding ATR ratio
    (`[extras]` counter_trend_factor, atr_ratio_threshold), from the guard's indicators."""
    if guard is None or guard.snapshot is None:
        return "against the D1 trend or an expanding ATR"
    snap, x = guard.snapshot, guard.config.extras
    net: dict[str, float] = {}
    for p in snap.positions:
        net[p.symbol] = net.get(p.symbol, 0.0) + p.sign * p.volume
    against, expanding = [], []
    for sym, volume in sorted(net.items()):
        ind = guard.indicators.get(sym)
        if ind is None or volume == 0.0:
            continue
        if ind.trend != 0 and (volume > 0.0) != (ind.trend > 0):
            against.append(sym)
        ratio = ind.atr_ratio
        if ratio is not None and ratio > x.atr_ratio_threshold:
            expanding.append(f"{sym} {ratio:.2f}")
    words = []
    if against:
        words.append(f"{', '.join(against)} against the D1 trend ×{x.counter_trend_factor:g}")
    if expanding:
        words.append(f"ATR ratio above {x.atr_ratio_threshold:g}: {', '.join(expanding)}")
    return "; ".join(words) or "against the D1 trend or an expanding ATR"


def _extras_words(d: Decision, guard: GuardView | None = None) -> str:
    """The multipliers behind an `extras` cap, from the decision's clock signals: thin hours
    (factor and window name), scheduled events, and what is left (trend and ATR, named from the
    guard's indicators when `guard` is given)."""
    total = d.metrics.multiplier
    parts: list[str] = []
    thin = 1.0
    for s in d.signals:
        if s.name == "thin_hours":
            thin *= s.observed
            label = s.source.removeprefix("clock ").strip()
            parts.append(f"thin-hours ×{s.observed:g} ({label})")
    events = sorted({f"{s.source} in {s.observed:.0f} min" for s in d.signals
                     if s.name == "scheduled_event"})
    if events:
        parts.append("scheduled " + ", ".join(events))
    elif thin > 0.0 and total / thin < 0.995:
        parts.append(f"trend/ATR ×{total / thin:.2f} ({_trend_atr(guard)})")
    base = d.target_eff_lev / total if total > 0.0 else math.nan
    if not parts:
        parts.append(f"multiplier ×{total:.2f}")
    return " · ".join(parts) + (f" on {base:.2f}" if math.isfinite(base) else "")


def cap_words(d: Decision, guard: GuardView | None = None) -> str:
    """``target 1.70: <why>``: the binding cap's reason in words (`guard`, when given, names
    the symbols behind a trend or ATR multiplier)."""
    head = f"target {d.target_eff_lev:.2f}"
    if d.binding_cap == "extras":
        return f"{head}: {_extras_words(d, guard)}"
    cap = next((c for c in d.caps if c.name == d.binding_cap), None)
    if d.binding_cap == "insolvent":
        return f"{head}: insolvent (equity ≤ 0): close everything"
    if cap is None:
        return f"{head}: {CAP_NAMES.get(d.binding_cap, d.binding_cap)}"
    if cap.name == "rule" and not cap.triggered:
        return f"{head}: the EffLev rules' target (no other cap is lower)"
    return f"{head}: {cap.reason}"


def plan_words(guard: GuardView, state: LiveState | None) -> str:
    """The plan: slices pending, the next one's time and what it closes; with nothing pending
    while reducing, why (all sent, observe mode, paused) and when the next cycle re-plans."""
    d = guard.decision
    s = guard.stats
    done = f"{s.lots_closed:g} lots closed in {s.orders} order(s)"
    plan = guard.plan
    if plan:
        nxt = min(plan, key=lambda a: a.not_before)
        lots = sum(a.volume for a in plan)
        when = "now" if nxt.not_before <= guard.now() else f"at {clock(nxt.not_before)} UTC"
        held = "" if guard.mode.value == "enforce" and not guard.paused else (
            " (paused: nothing sent)" if guard.paused else
            f" ({guard.mode.value} mode: nothing sent)")
        return (f"plan: {len(plan)} slice(s) pending, {lots:g} lots, {nxt.urgency.value}; next "
                f"{when}: {nxt.side} {nxt.volume:g} {nxt.symbol}{held}; {done}")
    if d is None or d.state.value != "REDUCING":
        return f"plan: none pending; {done}"
    why = "every slice of the plan has been sent"
    if guard.mode.value == "observe":
        why = "observe mode: the guard sends nothing"
    eff = d.metrics.eff_lev
    left = f"EffLev {eff:.2f} against the target {d.target_eff_lev:.2f}" if eff is not None else ""
    nxt_cycle = state.next_cycle() if state is not None else None
    when = f" at {clock(nxt_cycle)} UTC" if nxt_cycle is not None else ""
    return (f"plan: no slice pending ({why}); {left}: the next cycle{when} re-plans what is left; "
            f"{done}")
