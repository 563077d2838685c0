"""The warnings of a decision: observed value and limit in one unit, and a sentence."""

from __future__ import annotations

from collections.abc import Sequence

from controller.book_liquidity import BookLiquidity
from controller.decision_types import Alert, Cap, CapName
from controller.margin_state import LeverageMetrics, rule_triggers
from controller.memory import Regime
from controller.prop import PropView
from controller.settings import Settings
from controller.snapshot import Snapshot

__all__ = ["FREEZE_REGIMES", "decision_warnings"]

FREEZE_REGIMES = (Regime.NO_EXPANSION, Regime.WAIT, Regime.MINIMUM)
_WARNED_CAPS = (CapName.L_SAFE, CapName.BUFFER, CapName.BROKER, CapName.EXTRAS, CapName.WEEKEND,
                CapName.WEEKEND_GAP)


def decision_warnings(snapshot: Snapshot, lev: LeverageMetrics, liq: BookLiquidity, regime: Regime,
              prop: PropView | None, caps: Sequence[Cap], s: Settings) -> tuple[Alert, ...]:
    """Every warning of the decision; `observed` and `limit` are in one unit (EffLev for caps,
    MU and MSI as fractions and multiples, money for prop limits)."""
    out: list[Alert] = []
    acct = snapshot.account
    if acct.equity <= 0.0:
        out.append(Alert("insolvent", f"equity {acct.equity:,.2f} ≤ 0: close everything",
                           acct.equity, 0.0))
    reduce, forced, mu_high, msi_low = rule_triggers(lev, s.rules)
    if reduce and lev.eff_lev is not None:
        limit = s.rules.eff_lev_forced_above if forced else s.rules.eff_lev_reduce_above
        kind = "forced-reduction" if forced else "reduction"
        out.append(Alert("eff_lev", f"EffLev {lev.eff_lev:.2f} above the {kind} threshold "
                           f"{limit:.2f}", lev.eff_lev, limit))
    if mu_high and lev.mu is not None:
        out.append(Alert("mu", f"margin utilisation {lev.mu:.1%} above "
                           f"{s.rules.mu_no_new_exposure_above:.1%}: no new exposure",
                           lev.mu, s.rules.mu_no_new_exposure_above))
    if msi_low and lev.msi is not None:
        out.append(Alert("msi", f"MSI {lev.msi:.2f} (margin level {100 * lev.msi:.1f} %) "
                           f"below {s.rules.msi_reduce_below:.2f} "
                           f"({100 * s.rules.msi_reduce_below:.1f} %): reduce risk",
                           lev.msi, s.rules.msi_reduce_below))
    if liq.crash_flag:
        out.append(Alert("crash_flag", "liquidity-crash signs at once: " + ", ".join(
            f"{x.sign} ({x.source} {x.observed:.2f}, threshold {x.threshold:.2f})"
            for x in liq.crash_evidence if x.shown and x.independent)))
    if regime in FREEZE_REGIMES:
        out.append(Alert("regime", f"{regime.value} regime: no new exposure"))
    if prop is not None and prop.unavailable:
        out.append(Alert("prop_unavailable", prop.unavailable))
    if prop is not None:
        warn = s.prop.warning_fraction
        # observed = the loss so far, limit = the allowance: both money (account currency)
        out.extend(
            Alert(f"prop_{x.name}",
                    f"{x.name.replace('_', ' ')} limit breached: {x.reason}" if x.used >= 1.0
                    else f"{x.reason} ({x.used:.0%} used, warning at {warn:.0%})",
                    x.used * x.allowance, x.allowance)
            for x in prop.limits if x.used >= warn
        )
    # a cap is an EffLev ceiling: observed = the current EffLev, limit = the cap (multiples)
    out.extend(Alert(f"cap_{c.name}", c.reason, lev.eff_lev, c.value) for c in caps
               if c.triggered and c.name in _WARNED_CAPS
               and lev.eff_lev is not None and c.value is not None)
    return tuple(out)
