"""`decide`: from one snapshot (plus prepared indicators and the previous memory) to a Decision.

Every number in the Decision is recomputed from its inputs alone: no I/O, no clock (the snapshot
carries its time), no randomness. The pipeline:

1. reading: an outlier equity reading is held for confirmation (controller/outliers.py);
2. book: position value per symbol (gross, account currency), net volumes, unit notionals;
3. §3.1 EffLev, MU, MSI; §3.2 depth, DepthRatio, LVI, crash flag; §3.3 σ, LR, L_safe, the cash
   buffer and the regime step; §3.5 the multiplier; §3.6 the prop rules;
4. caps (controller/caps.py: one rule per cap, `[components]` selects them) → target (the lowest
   cap, which `binding_cap` names) → urgency → slices → state → limits.
"""

from __future__ import annotations

from collections.abc import Mapping

from controller.account_metrics import decision_metrics
from controller.alerts import decision_warnings
from controller.book import read_book, value_weights
from controller.book_liquidity import assess_liquidity
from controller.caps import CapContext, active_rules, binding_cap, evaluate_caps
from controller.decision_types import CapName, Decision, Urgency
from controller.extras import symbol_events, target_multiplier
from controller.indicators import PortfolioIndicators, SymbolIndicators
from controller.limits import decision_limits
from controller.margin_state import leverage_metrics
from controller.memory import ControllerMemory, TradingState
from controller.outliers import screen_reading
from controller.prop import evaluate_prop
from controller.prop_trail import with_equity_stops
from controller.prop_weekend import weekend_urgency
from controller.quick_init import quick_replace
from controller.reduction import reduction_actions
from controller.regime import next_regime
from controller.settings import Settings
from controller.signals import decision_signals
from controller.snapshot import Snapshot
from controller.state import new_exposure_frozen, trading_state
from controller.structure import assess_structure, regime_inputs
from controller.urgency import limit_distances, reduction_urgency

__all__ = ["decide"]


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
    weights = value_weights(book, snapshot)
    liq = assess_liquidity(snapshot, book, ind, portfolio, acct.equity, s)
    regime_in = regime_inputs(book, weights, ind, liq)
    if not s.components.liquidity:  # evaluation policies: no depth, spread or crash flag
        liq = quick_replace(liq, crash_flag=False, crash_signs=(), crash_evidence=())
        regime_in = quick_replace(regime_in, depth_ratio=1.0, crash_flag=False)
    st = assess_structure(snapshot, book, weights, ind, portfolio, liq, s)
    step = next_regime(snapshot.time, regime_in, mem.regime,
                       mem.regime_since, mem.vol_high, mem.depth_thin, s.regime)
    events = symbol_events(snapshot.time, snapshot.symbols, snapshot.events) \
        if s.components.extras else {}
    mult = target_multiplier(snapshot, book, weights, ind, events, s)
    prop = evaluate_prop(snapshot.time, acct.balance, acct.equity, s.prop, mem,
                         snapshot.prop_history) if s.prop.enabled else None
    prop = with_equity_stops(snapshot.time, acct.equity, s.prop, prop)
    mem = prop.memory if prop is not None else mem
    locked = prop is not None and prop.memory.locked

    ctx = CapContext(snapshot, book, lev, st, step.regime, prop, mult, events, s)
    caps = evaluate_caps(ctx, active_rules(s.components))
    binding = binding_cap(caps, lev, s)
    target = binding.value if binding.value is not None else s.rules.eff_lev_target
    distances = limit_distances(snapshot, book, prop)
    urgency = weekend_urgency(caps, reduction_urgency(snapshot, lev, st, liq, distances, prop, s))
    insolvent = acct.equity <= 0.0
    close_everything = insolvent or (locked and book.total_pv > 0.0)
    if close_everything:
        urgency, target = Urgency.EMERGENCY, 0.0
    reason, binding_name = ("insolvent: equity ≤ 0", CapName.INSOLVENT) if insolvent \
        else (binding.reason, binding.name)
    actions = reduction_actions(snapshot, book, ind, liq, target, any(c.triggered for c in caps),
                                urgency, close_everything, reason, events, s)

    frozen = new_exposure_frozen(lev, step.regime, prop, held, target, s)
    state = trading_state(acct.equity, locked, actions, frozen)
    headroom_ok = s.plan.allow_headroom_in_loss or book.floating >= 0.0
    limits = decision_limits(snapshot, book, target, state is TradingState.ACTIVE, headroom_ok,
                             locked, mem.lock_until if locked else None, events, s)
    new_memory = quick_replace(mem, regime=step.regime, regime_since=step.since,
                         vol_high=step.vol_high, depth_thin=step.depth_thin, state=state)
    return Decision(
        time=snapshot.time, metrics=decision_metrics(acct, book, lev, s.bands, liq, st,
                                                     mult.total),
        symbols=liq.symbol_metrics, regime=step.regime, state=state,
        urgency=urgency if actions else None, target_eff_lev=target, binding_cap=binding_name,
        caps=caps, actions=actions, limits=limits,
        warnings=(() if held is None else (held,)) +
        decision_warnings(snapshot, lev, liq, step.regime, prop, caps, s),
        distances=distances, reasons=tuple(c.reason for c in caps if c.triggered)
        or (binding.reason,), memory=new_memory,
        signals=decision_signals(snapshot, book, ind, liq, st.stress_margin, events, s),
    )
