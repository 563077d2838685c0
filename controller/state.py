"""The account's trading state after a decision (DESIGN §3.7): insolvent, halted by the prop
lock, reducing, frozen (no new exposure, nothing to cut) or active."""

from __future__ import annotations

from controller.alerts import FREEZE_REGIMES
from controller.decision_types import Action, Alert
from controller.margin_state import LeverageMetrics, rule_triggers
from controller.memory import Regime, TradingState
from controller.prop import PropView
from controller.settings import Settings

__all__ = ["new_exposure_frozen", "trading_state"]


def new_exposure_frozen(lev: LeverageMetrics, regime: Regime, prop: PropView | None,
                        held: Alert | None, target: float, s: Settings) -> bool:
    """True when nothing new may be opened: MU above its rule, a freezing regime, a prop limit
    at its warning fraction (or the prop rules unavailable), a reading held for confirmation, or
    EffLev above the target (multiples of equity)."""
    _, _, mu_high, _ = rule_triggers(lev, s.rules)
    prop_warn = prop is not None and (bool(prop.unavailable) or
                                      any(x.used >= s.prop.warning_fraction for x in prop.limits))
    return mu_high or regime in FREEZE_REGIMES or prop_warn or held is not None or \
        (lev.eff_lev or 0.0) > target


def trading_state(equity: float, locked: bool, actions: tuple[Action, ...],
                  frozen: bool) -> TradingState:
    """The state, first match: equity ≤ 0 (account currency) insolvent; prop lock halted;
    slices to send reducing; `frozen` frozen; else active."""
    if equity <= 0.0:
        return TradingState.INSOLVENT
    if locked:
        return TradingState.HALTED
    if actions:
        return TradingState.REDUCING
    if frozen:
        return TradingState.FROZEN
    return TradingState.ACTIVE
