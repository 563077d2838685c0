"""`decide`: from one snapshot (plus prepared indicators and the previous memory) to a Decision.

Every number in the Decision is recomputed from its inputs alone: no I/O, no clock (the snapshot
carries its time), no randomness. The order of work:

1. book: position value per symbol (gross, account currency), net volumes, unit notionals;
2. §3.1 EffLev, MU, MSI and their bands; §3.2 depth, DepthRatio, LVI, crash flag;
3. §3.3 σ, LR, L_safe, the regime step, the cash buffer; §3.5 multipliers; §3.6 prop rules;
4. caps → target (the lowest cap, which `binding_cap` names) → urgency → plan → state → limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from controller.alerts import FREEZE_REGIMES, decision_warnings
from controller.book import Book, read_book, value_weights
from controller.book_liquidity import BookLiquidity, assess_liquidity
from controller.broker_levels import BROKER_KEEP, broker_caps, broker_floor
from controller.decision_types import (
    Action,
    Cap,
    Decision,
    Limits,
    Metrics,
    SymbolLimit,
    Urgency,
)
from controller.extras import (
    atr_multiplier,
    event_name,
    mtf_multiplier,
    symbol_events,
    time_of_day_factor,
    weighted,
)
from controller.indicators import (
    PortfolioIndicators,
    SymbolIndicators,
)
from controller.margin_state import (
    LeverageMetrics,
    band_names,
    leverage_metrics,
    msi_rule_cap,
    rule_triggers,
)
from controller.memory import ControllerMemory, Regime, TradingState
from controller.outliers import screen_reading
from controller.planner import PlanSymbol, close_all, plan_reduction, round_down_to_step
from controller.prop import PropView, evaluate_prop
from controller.prop_positions import prop_extra_positions, prop_lot_excess
from controller.prop_trail import with_equity_stops
from controller.prop_weekend import weekend_caps, weekend_urgency
from controller.regime import RegimeInputs, next_regime
from controller.settings import Settings
from controller.signals import decision_signals
from controller.snapshot import Event, Snapshot
from controller.structure import Structure, assess_structure
from controller.urgency import limit_distances, reduction_urgency

__all__ = ["decide"]


def _regime_inputs(book: Book, weights: Mapping[str, float], ind: Mapping[str, SymbolIndicators],
                   liq: BookLiquidity) -> RegimeInputs:
    now_sum = enter_sum = exit_sum = 0.0
    known = False
    for sym, w in weights.items():
        si = ind.get(sym)
        if si is None or si.sigma_now is None or si.sigma_enter is None or si.sigma_exit is None:
            continue
        known = True
        now_sum += w * si.sigma_now
        enter_sum += w * si.sigma_enter
        exit_sum += w * si.sigma_exit
    depth_ratio = liq.depth_ratio
    if not book.positions:
        ratios = [si.spread_median / si.spread for si in ind.values()
                  if si.spread and si.spread_median]
        depth_ratio = sum(ratios) / len(ratios) if ratios else None
    return RegimeInputs(
        sigma_now=now_sum if known else None, sigma_enter=enter_sum if known else None,
        sigma_exit=exit_sum if known else None, depth_ratio=depth_ratio,
        crash_flag=liq.crash_flag,
    )


_Events = Mapping[str, tuple[Event, ...]]


def _event_factor(events: _Events, symbol: str) -> float:
    return min((e.cap_factor for e in events.get(symbol, ())), default=1.0)


def _multiplier(snapshot: Snapshot, book: Book, weights: Mapping[str, float],
                ind: Mapping[str, SymbolIndicators], events_by_symbol: _Events,
                s: Settings) -> tuple[float, float]:
    """The §3.5 multiplier on the target, and the part of it that asks for a reduction
    (scheduled events and an expanding ATR ratio; trend and time of day only lower limits)."""
    x = s.extras
    mtf = {k: mtf_multiplier(book.net.get(k, 0.0), ind[k].trend if k in ind else 0,
                             x.counter_trend_factor) for k in weights}
    atr = {k: atr_multiplier(ind[k].atr_ratio if k in ind else None, x.atr_ratio_threshold,
                             x.atr_ratio_floor) for k in weights}
    events = {k: _event_factor(events_by_symbol, k) for k in weights}
    reducing = weighted(atr, weights) * weighted(events, weights)
    total = reducing * weighted(mtf, weights) * time_of_day_factor(snapshot.time, x)
    return total, reducing


def _rule_cap(snapshot: Snapshot, book: Book, lev: LeverageMetrics, s: Settings) -> Cap:
    """The §3.1 threshold rules as one cap (EffLev back to its target, MSI restored)."""
    acct = snapshot.account
    eff = lev.eff_lev or 0.0
    reduce, forced, _, msi_low = rule_triggers(lev, s.rules)
    rule_value = s.rules.eff_lev_target
    msi_cap = msi_rule_cap(book.total_pv, acct.margin, s.rules.msi_reduce_below)
    if msi_low and msi_cap is not None and msi_cap < rule_value:
        rule_value = msi_cap
    rule_reason = f"EffLev target {s.rules.eff_lev_target:.2f}"
    if forced:
        rule_reason = (f"EffLev {eff:.2f} above the forced-reduction threshold "
                       f"{s.rules.eff_lev_forced_above:.2f}: back to {s.rules.eff_lev_target:.2f}")
    elif reduce:
        rule_reason = (f"EffLev {eff:.2f} above the reduction threshold "
                       f"{s.rules.eff_lev_reduce_above:.2f}: back to {s.rules.eff_lev_target:.2f}")
    elif msi_low:
        rule_reason = (f"MSI {lev.msi:.2f} below {s.rules.msi_reduce_below:.2f}: reduce until "
                       "it is restored")
    return Cap("rule", rule_value, reduce or msi_low, rule_reason)


def _caps(snapshot: Snapshot, book: Book, lev: LeverageMetrics, st: Structure,
          regime: Regime, prop: PropView | None, mult: tuple[float, float],
          events: _Events, s: Settings) -> list[Cap]:
    acct = snapshot.account
    eff = lev.eff_lev or 0.0
    on = s.components
    caps: list[Cap] = [_rule_cap(snapshot, book, lev, s)] if on.rules else []
    if on.safe_leverage and st.l_safe is not None:
        caps.append(Cap("l_safe", st.l_safe, eff > st.l_safe,
                        f"L_safe {st.l_safe:.2f} = min(L_max {st.l_max or 0:.1f}, "
                        f"K {s.safe_leverage.k_daily_equity_vol:g} / (σ {st.sigma or 0:.4f} × "
                        f"LR {st.lr or 1:.2f}))"))
    elif on.safe_leverage:
        caps.append(Cap("l_safe", None, False, "L_safe unavailable: too little history for σ"))
    if on.regime and regime is Regime.MINIMUM:
        caps.append(Cap("regime", s.regime.minimum_eff_lev, eff > s.regime.minimum_eff_lev,
                        f"MINIMUM regime: step down to EffLev {s.regime.minimum_eff_lev:.2f}"))
    if on.buffer and st.buffer_cap is not None:
        free = acct.equity - acct.margin
        caps.append(Cap("buffer", st.buffer_cap, free < st.buffer_required,
                        f"cash buffer: free margin {free:,.2f} must cover M × g × D = "
                        f"{st.buffer_required:,.2f} (g {st.growth:.2f}/day, "
                        f"D {s.buffer.stress_days:g} days)"))
    if on.broker_levels:
        caps.extend(broker_caps(snapshot, book, lev, st.sigma, s))
    if prop is not None:
        caps.extend(_prop_caps(snapshot, book, lev, st, prop, s))
        caps.extend(weekend_caps(snapshot.time, eff, acct.equity, book.total_pv, st.sigma, prop,
                                 s.prop))
    total, reducing = mult
    if on.extras and total < 1.0:
        base = min(s.rules.eff_lev_target, st.l_safe if st.l_safe is not None else float("inf"))
        value = base * total
        reason = f"trend, ATR, thin-hours and event multiplier {total:.2f} on {base:.2f}"
        held = sorted(k for k in book.positions if k in events)
        if held:
            names = sorted({f"{event_name(e)} ({'/'.join(e.currencies)} ×{e.cap_factor:g})"
                            for k in held for e in events[k]})
            reason += f"; scheduled {', '.join(names)}: {', '.join(held)} cut first"
        caps.append(Cap("extras", value, reducing < 1.0 and eff > value, reason))
    return caps


def _prop_caps(snapshot: Snapshot, book: Book, lev: LeverageMetrics, st: Structure,
               prop: PropView, s: Settings) -> list[Cap]:
    equity = snapshot.account.equity
    eff = lev.eff_lev or 0.0
    caps: list[Cap] = []
    if prop.memory.locked:
        caps.append(Cap("prop", 0.0, book.total_pv > 0.0,
                        f"prop lock: {prop.memory.lock_reason}"))
        return caps
    move = 2.0 * st.sigma if st.sigma else s.prop.reference_move
    for limit in prop.limits:
        if limit.used < s.prop.warning_fraction or equity <= 0.0:
            continue
        value = max(0.0, (equity - limit.floor) / (equity * move))
        caps.append(Cap("prop", value, eff > value,
                        f"{limit.name} {limit.used:.0%} used: survive a {move:.2%} adverse move "
                        f"without reaching the floor {limit.floor:,.2f}"))
    return caps


def _plan_symbols(snapshot: Snapshot, book: Book, ind: Mapping[str, SymbolIndicators],
                  liq: BookLiquidity, events: _Events) -> dict[str, PlanSymbol]:
    contributions = {m.symbol: m.lvi_contribution for m in liq.symbol_metrics}
    out = {}
    for sym in book.positions:
        si = ind.get(sym)
        out[sym] = PlanSymbol(
            spec=snapshot.symbols[sym], unit_notional=book.unit[sym],
            depth_notional=liq.depth[sym].notional,
            sigma_now=si.sigma_now if si is not None else None,
            sigma_ref=si.sigma_long if si is not None else None,
            lvi_contribution=contributions[sym], event_factor=_event_factor(events, sym),
        )
    return out


def _actions(snapshot: Snapshot, book: Book, ind: Mapping[str, SymbolIndicators],
             liq: BookLiquidity, target: float, triggered: bool, urgency: Urgency,
             close_everything: bool, reason: str, events: _Events,
             s: Settings) -> tuple[Action, ...]:
    acct = snapshot.account
    extra = () if close_everything else prop_extra_positions(snapshot, s)
    closed = {p.ticket for p in extra}
    rest = [p for p in snapshot.positions if p.ticket not in closed]
    excess = prop_lot_excess(rest, s)
    cut = book.total_pv - target * acct.equity if triggered else 0.0
    cut -= sum(p.volume * book.unit[p.symbol] for p in extra)
    small = cut <= s.plan.min_cut_fraction * book.total_pv
    if not (close_everything or extra or excess) and small:
        return ()
    plan_syms = _plan_symbols(snapshot, book, ind, liq, events)  # only built when something is cut
    plan_id = f"{acct.login}-{int(snapshot.time)}"
    hedging = acct.hedging
    if close_everything:
        return close_all(snapshot.positions, plan_syms, urgency, snapshot.time, plan_id, hedging,
                         s.plan, s.urgency, reason)
    actions: list[Action] = []
    if extra:
        actions.extend(close_all(extra, plan_syms, Urgency.FORCED, snapshot.time, plan_id,
                                 hedging, s.plan, s.urgency, "prop: too many open positions"))
    if excess or not small:
        actions.extend(plan_reduction(rest, plan_syms, 0.0 if small else cut, urgency,
                                      snapshot.time, plan_id, hedging, s.plan, s.urgency, reason,
                                      excess))
    return tuple(actions)


def _state(equity: float, locked: bool, actions: tuple[Action, ...], frozen: bool) -> TradingState:
    if equity <= 0.0:
        return TradingState.INSOLVENT
    if locked:
        return TradingState.HALTED
    if actions:
        return TradingState.REDUCING
    if frozen:
        return TradingState.FROZEN
    return TradingState.ACTIVE


def _limits(snapshot: Snapshot, book: Book, lev: LeverageMetrics, target: float,
            allowed: bool, headroom_ok: bool, locked: bool, lock_until: float | None,
            events: _Events, s: Settings) -> Limits:
    acct = snapshot.account
    headroom_value = max(0.0, target * acct.equity - book.total_pv) if allowed and headroom_ok \
        else 0.0
    prop_cap = s.prop.max_lots_per_symbol if s.prop.enabled else None
    frozen_reason = "no new exposure" if not allowed else "no headroom below the target"
    rows = []
    for sym in sorted(book.unit):
        spec = snapshot.symbols[sym]
        current = book.gross.get(sym, 0.0)
        max_volume, reason = current, frozen_reason
        if headroom_value > 0.0:
            extra = round_down_to_step(headroom_value / book.unit[sym], spec.volume_step)
            if extra > 0.0:
                max_volume = min(current + extra, spec.volume_max)
                reason = "headroom up to the target"
        if sym in events:  # ahead of a scheduled event: no new exposure on this symbol
            max_volume = current
            reason = "scheduled " + ", ".join(event_name(e) for e in events[sym]) + \
                ": no new exposure"
        if prop_cap is not None and max_volume > prop_cap:
            max_volume, reason = prop_cap, f"prop-firm cap {prop_cap:g} lots"
        if locked:
            max_volume, reason = 0.0, "prop lock: close only"
        rows.append(SymbolLimit(sym, round(max_volume, 8), round(current, 8), reason))
    # the EA holds this when Python is dead: the level the broker cap keeps (1.2 × the broker
    # floor), not the margin call itself
    floor = BROKER_KEEP * (broker_floor(snapshot, s) or 0.0) if s.components.broker_levels \
        else 0.0
    return Limits(
        max_eff_lev=round(target, 6),  # the target, also while reducing toward it
        msi_floor=round(floor, 6), new_exposure_allowed=allowed and not locked,
        prop_lock=locked, lock_until=lock_until, symbols=tuple(rows),
    )


def decide(
    snapshot: Snapshot,
    settings: Settings,
    indicators: Mapping[str, SymbolIndicators] | None = None,
    portfolio: PortfolioIndicators | None = None,
    memory: ControllerMemory | None = None,
) -> Decision:
    """The controller's decision for `snapshot`, given prepared indicators and the previous memory.

    Without indicators (a pasted snapshot) L_safe and the regime are unavailable and do not bind;
    the §3.1 rules, the broker's levels and the prop caps still do.
    """
    s = settings
    ind = indicators or {}
    screened = screen_reading(snapshot, memory or ControllerMemory(), s.readings)
    snapshot, mem, held = screened.snapshot, screened.memory, screened.warning
    acct = snapshot.account
    book = read_book(snapshot)
    lev = leverage_metrics(acct.equity, acct.margin, book.total_pv)
    eff_band, mu_band, msi_band, lev_state = band_names(lev, acct.equity, s.bands)
    weights = value_weights(book, snapshot)
    liq = assess_liquidity(snapshot, book, ind, portfolio, acct.equity, s)
    regime_in = _regime_inputs(book, weights, ind, liq)
    if not s.components.liquidity:  # evaluation policies: no depth, spread or crash flag
        liq = replace(liq, crash_flag=False, crash_signs=(), crash_evidence=())
        regime_in = replace(regime_in, depth_ratio=1.0, crash_flag=False)
    st = assess_structure(snapshot, book, weights, ind, portfolio, liq, s)
    step = next_regime(snapshot.time, regime_in, mem.regime,
                       mem.regime_since, mem.vol_high, mem.depth_thin, s.regime)
    events = symbol_events(snapshot.time, snapshot.symbols, snapshot.events) \
        if s.components.extras else {}
    mult = _multiplier(snapshot, book, weights, ind, events, s)
    prop = evaluate_prop(snapshot.time, acct.balance, acct.equity, s.prop, mem,
                         snapshot.prop_history) \
        if s.prop.enabled else None
    prop = with_equity_stops(snapshot.time, acct.equity, s.prop, prop)
    mem = prop.memory if prop is not None else mem
    caps = _caps(snapshot, book, lev, st, step.regime, prop, mult, events, s)
    valued = [c for c in caps if c.value is not None]
    if not valued:  # every cap switched off or unavailable: nothing binds, nothing is cut
        valued = [Cap("none", max(lev.eff_lev or 0.0, s.rules.eff_lev_target), False,
                      "no cap applies (components switched off or unavailable)")]
    binding = min(valued, key=lambda c: c.value if c.value is not None else float("inf"))
    target = binding.value if binding.value is not None else s.rules.eff_lev_target
    triggered = any(c.triggered for c in caps)
    distances = limit_distances(snapshot, book, prop)
    urgency = weekend_urgency(caps, reduction_urgency(snapshot, lev, st, liq, distances, prop, s))
    insolvent = acct.equity <= 0.0
    breach = prop is not None and prop.memory.locked and book.total_pv > 0.0
    close_everything = insolvent or breach
    if close_everything:
        urgency = Urgency.EMERGENCY
        target = 0.0
    if insolvent:
        reason, binding_name = "insolvent: equity ≤ 0", "insolvent"
    else:
        reason, binding_name = binding.reason, binding.name
    actions = _actions(snapshot, book, ind, liq, target, triggered, urgency, close_everything,
                       reason, events, s)
    _, _, mu_high, _ = rule_triggers(lev, s.rules)
    prop_warn = prop is not None and (bool(prop.unavailable) or
                                      any(x.used >= s.prop.warning_fraction for x in prop.limits))
    frozen = mu_high or step.regime in FREEZE_REGIMES or prop_warn or held is not None or \
        (lev.eff_lev or 0.0) > target
    locked = prop is not None and prop.memory.locked
    state = _state(acct.equity, locked, actions, frozen)
    allowed = state is TradingState.ACTIVE
    headroom_ok = s.plan.allow_headroom_in_loss or book.floating >= 0.0
    limits = _limits(snapshot, book, lev, target, allowed, headroom_ok, locked,
                     mem.lock_until if locked else None, events, s)
    metrics = Metrics(
        equity=acct.equity, balance=acct.balance, margin=acct.margin,
        free_margin=acct.equity - acct.margin, position_value=book.total_pv,
        net_notional=book.net_notional, eff_lev=lev.eff_lev, mu=lev.mu, msi=lev.msi,
        margin_level_pct=100.0 * lev.msi if lev.msi is not None else None,
        eff_lev_band=eff_band, mu_band=mu_band, msi_band=msi_band, leverage_state=lev_state,
        lvi=liq.lvi, depth_ratio=liq.depth_ratio, sigma=st.sigma, liquidity_risk=st.lr,
        l_safe=st.l_safe, l_max=st.l_max, stress_margin=st.stress_margin,
        margin_growth=st.growth, cash_buffer_required=st.buffer_required,
        crash_flag=liq.crash_flag, crash_signs=liq.crash_signs, multiplier=mult[0],
        crash_evidence=liq.crash_evidence,
    )
    new_memory = replace(mem, regime=step.regime, regime_since=step.since,
                         vol_high=step.vol_high, depth_thin=step.depth_thin, state=state)
    reasons = tuple(c.reason for c in caps if c.triggered) or (binding.reason,)
    return Decision(
        time=snapshot.time, metrics=metrics, symbols=liq.symbol_metrics, regime=step.regime,
        state=state, urgency=urgency if actions else None, target_eff_lev=target,
        binding_cap=binding_name, caps=tuple(caps), actions=actions, limits=limits,
        warnings=(() if held is None else (held,)) +
        decision_warnings(snapshot, lev, liq, step.regime, prop, caps, s),
        distances=distances, reasons=reasons, memory=new_memory,
        signals=decision_signals(snapshot, book, ind, liq, st.stress_margin, events, s),
    )
