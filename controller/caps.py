"""The caps: EffLev ceilings, one small rule each (like freqtrade's protections).

A rule has a `name` (a `CapName`) and `__call__(ctx) -> tuple[Cap, ...]`: the caps it sets on
this snapshot, none when it does not apply. One rule may set several caps (a prop cap per prop
limit near its floor, a weekend-gap cap per floor), so a rule returns a tuple rather than one
`Cap | None`: the decision lists every cap. `RULES` lists them in the order the decision shows
them; `[components]` selects them by name (`active_rules`); the lowest value binds
(`binding_cap`: the first of equals, in `RULES` order).

| rule    | caps EffLev at                                                              |
|---------|-----------------------------------------------------------------------------|
| rule    | §3.1: the EffLev target, lower when MSI is below its rule (MSI restored)    |
| l_safe  | §3.3: L_safe = min(L_max, K / (σ × LR)); unavailable without σ              |
| regime  | §3.3: the MINIMUM regime's EffLev, while that regime holds                  |
| buffer  | §3.3: the EffLev at which free margin covers M × g × D                      |
| broker  | §3.1: MSI ≥ keep factor × the broker's floor (money mode: survive a move)   |
| prop    | §3.6: survive a 2σ move above each prop floor in use; 0 under the prop lock |
| weekend | before the Friday close: 0 (close) or the weekend EffLev; the Monday gap    |
| extras  | §3.5: min(rule target, L_safe) × the trend, ATR, thin-hours, event factor  |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from controller.book import Book
from controller.broker_levels import broker_caps
from controller.cap_settings import ComponentSettings
from controller.decision_types import Cap, CapName
from controller.extras import Events, Multiplier, event_name
from controller.margin_state import LeverageMetrics, msi_rule_cap, rule_triggers
from controller.memory import Regime
from controller.prop import PropView
from controller.prop_weekend import weekend_caps
from controller.quick_init import quick_init
from controller.settings import Settings
from controller.snapshot import Snapshot
from controller.structure import Structure

__all__ = ["RULES", "CapContext", "CapRule", "active_rules", "binding_cap", "evaluate_caps"]


@quick_init
@dataclass(frozen=True, slots=True)
class CapContext:
    """What the cap rules read: the snapshot and its book, the leverage metrics, the §3.3
    structure, the regime after this step, the prop view (None: prop rules off), the §3.5
    multiplier, the scheduled events per symbol and the settings."""

    snapshot: Snapshot
    book: Book
    lev: LeverageMetrics
    structure: Structure
    regime: Regime
    prop: PropView | None
    multiplier: Multiplier
    events: Events
    settings: Settings

    @property
    def eff_lev(self) -> float:
        """EffLev now (a multiple of equity; 0 when equity ≤ 0)."""
        return self.lev.eff_lev or 0.0


@dataclass(frozen=True, slots=True)
class CapRule:
    """One cap rule: its name (what `[components]` selects) and the function that sets its caps."""

    name: CapName
    caps: Callable[[CapContext], tuple[Cap, ...]]

    def __call__(self, ctx: CapContext) -> tuple[Cap, ...]:
        """The caps this rule sets on `ctx` (empty when it does not apply)."""
        return self.caps(ctx)


def _rule(ctx: CapContext) -> tuple[Cap, ...]:
    """The §3.1 threshold rules as one cap (EffLev back to its target, MSI restored)."""
    r = ctx.settings.rules
    reduce, forced, _, msi_low = rule_triggers(ctx.lev, r)
    value = r.eff_lev_target
    msi_cap = msi_rule_cap(ctx.book.total_pv, ctx.snapshot.account.margin, r.msi_reduce_below)
    if msi_low and msi_cap is not None and msi_cap < value:
        value = msi_cap
    reason = f"EffLev target {r.eff_lev_target:.2f}"
    if forced:
        reason = (f"EffLev {ctx.eff_lev:.2f} above the forced-reduction threshold "
                  f"{r.eff_lev_forced_above:.2f}: back to {r.eff_lev_target:.2f}")
    elif reduce:
        reason = (f"EffLev {ctx.eff_lev:.2f} above the reduction threshold "
                  f"{r.eff_lev_reduce_above:.2f}: back to {r.eff_lev_target:.2f}")
    elif msi_low:
        reason = (f"MSI {ctx.lev.msi:.2f} below {r.msi_reduce_below:.2f}: reduce until "
                  "it is restored")
    return (Cap(CapName.RULE, value, reduce or msi_low, reason),)


def _l_safe(ctx: CapContext) -> tuple[Cap, ...]:
    """§3.3 L_safe; unavailable (value None, never binding) without enough history for σ."""
    st = ctx.structure
    if st.l_safe is None:
        return (Cap(CapName.L_SAFE, None, False, "L_safe unavailable: too little history for σ"),)
    k = ctx.settings.safe_leverage.k_daily_equity_vol
    return (Cap(CapName.L_SAFE, st.l_safe, ctx.eff_lev > st.l_safe,
                f"L_safe {st.l_safe:.2f} = min(L_max {st.l_max or 0:.1f}, K {k:g} / "
                f"(σ {st.sigma or 0:.4f} × LR {st.lr or 1:.2f}))"),)


def _regime(ctx: CapContext) -> tuple[Cap, ...]:
    """The MINIMUM regime steps EffLev down to `regime.minimum_eff_lev`."""
    if ctx.regime is not Regime.MINIMUM:
        return ()
    floor = ctx.settings.regime.minimum_eff_lev
    return (Cap(CapName.REGIME, floor, ctx.eff_lev > floor,
                f"MINIMUM regime: step down to EffLev {floor:.2f}"),)


def _buffer(ctx: CapContext) -> tuple[Cap, ...]:
    """The cash buffer: free margin must cover M × g × D (account currency)."""
    st = ctx.structure
    if st.buffer_cap is None:
        return ()
    acct = ctx.snapshot.account
    free = acct.equity - acct.margin
    return (Cap(CapName.BUFFER, st.buffer_cap, free < st.buffer_required,
                f"cash buffer: free margin {free:,.2f} must cover M × g × D = "
                f"{st.buffer_required:,.2f} (g {st.growth:.2f}/day, "
                f"D {ctx.settings.buffer.stress_days:g} days)"),)


def _broker(ctx: CapContext) -> tuple[Cap, ...]:
    """The broker's margin-call and stop-out levels (controller/broker_levels.py)."""
    return tuple(broker_caps(ctx.snapshot, ctx.book, ctx.lev, ctx.structure.sigma, ctx.settings))


def _prop(ctx: CapContext) -> tuple[Cap, ...]:
    """The prop lock (EffLev 0), else a cap per prop limit used beyond its warning fraction."""
    prop, s = ctx.prop, ctx.settings
    if prop is None:
        return ()
    if prop.memory.locked:
        return (Cap(CapName.PROP, 0.0, ctx.book.total_pv > 0.0,
                    f"prop lock: {prop.memory.lock_reason}"),)
    equity = ctx.snapshot.account.equity
    sigma = ctx.structure.sigma
    move = 2.0 * sigma if sigma else s.prop.reference_move
    caps: list[Cap] = []
    for limit in prop.limits:
        if limit.used < s.prop.warning_fraction or equity <= 0.0:
            continue
        value = max(0.0, (equity - limit.floor) / (equity * move))
        caps.append(Cap(CapName.PROP, value, ctx.eff_lev > value,
                        f"{limit.name} {limit.used:.0%} used: survive a {move:.2%} adverse move "
                        f"without reaching the floor {limit.floor:,.2f}"))
    return tuple(caps)


def _weekend(ctx: CapContext) -> tuple[Cap, ...]:
    """The weekend rules of a prop account (controller/prop_weekend.py)."""
    if ctx.prop is None:
        return ()
    acct = ctx.snapshot.account
    return tuple(weekend_caps(ctx.snapshot.time, ctx.eff_lev, acct.equity, ctx.book.total_pv,
                              ctx.structure.sigma, ctx.prop, ctx.settings.prop))


def _extras(ctx: CapContext) -> tuple[Cap, ...]:
    """§3.5: the multiplier below 1 lowers min(rule target, L_safe); only its reducing part (ATR,
    events) asks for a cut."""
    total, reducing = ctx.multiplier.total, ctx.multiplier.reducing
    if total >= 1.0:
        return ()
    l_safe = ctx.structure.l_safe
    base = min(ctx.settings.rules.eff_lev_target, l_safe if l_safe is not None else float("inf"))
    value = base * total
    reason = f"trend, ATR, thin-hours and event multiplier {total:.2f} on {base:.2f}"
    held = sorted(k for k in ctx.book.positions if k in ctx.events)
    if held:
        names = sorted({f"{event_name(e)} ({'/'.join(e.currencies)} ×{e.cap_factor:g})"
                        for k in held for e in ctx.events[k]})
        reason += f"; scheduled {', '.join(names)}: {', '.join(held)} cut first"
    return (Cap(CapName.EXTRAS, value, reducing < 1.0 and ctx.eff_lev > value, reason),)


RULES: tuple[CapRule, ...] = (
    CapRule(CapName.RULE, _rule),
    CapRule(CapName.L_SAFE, _l_safe),
    CapRule(CapName.REGIME, _regime),
    CapRule(CapName.BUFFER, _buffer),
    CapRule(CapName.BROKER, _broker),
    CapRule(CapName.PROP, _prop),
    CapRule(CapName.WEEKEND, _weekend),
    CapRule(CapName.EXTRAS, _extras),
)
"""Every cap rule, in the order the decision lists their caps."""


@lru_cache(maxsize=16)  # a pure function of frozen values, asked once per decision
def active_rules(components: ComponentSettings,
                 rules: tuple[CapRule, ...] = RULES) -> tuple[CapRule, ...]:
    """The rules `[components]` lets bind, in their order (the prop and weekend rules always)."""
    names = components.cap_names()
    return tuple(r for r in rules if r.name in names)


def evaluate_caps(ctx: CapContext, rules: Sequence[CapRule]) -> tuple[Cap, ...]:
    """Every cap the `rules` set on `ctx`, in rule order."""
    return tuple(cap for rule in rules for cap in rule(ctx))


def binding_cap(caps: Sequence[Cap], lev: LeverageMetrics, s: Settings) -> Cap:
    """The lowest cap with a value (the first of equals). When none has one (every cap switched
    off or unavailable), a cap named `none` at max(EffLev, rule target) that asks for nothing."""
    valued = [c for c in caps if c.value is not None]
    if not valued:
        return Cap(CapName.NONE, max(lev.eff_lev or 0.0, s.rules.eff_lev_target), False,
                   "no cap applies (components switched off or unavailable)")
    return min(valued, key=lambda c: c.value if c.value is not None else float("inf"))
