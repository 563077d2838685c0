"""Floating-margin state (DESIGN §3.1): EffLev, MU, MSI, their bands and the seed's four rules.

    EffLev = PV / E      effective leverage (position value over equity)
    MU     = M / E       margin utilisation, a fraction (= 1 / MSI)
    MSI    = E / M       margin safety index (= MT5 margin level / 100)

E ≤ 0 is its own state (insolvent): the three are then undefined (None). MSI is None when no
margin is in use.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.quick_init import quick_init
from controller.settings import Bands, RuleSettings

__all__ = [
    "LeverageMetrics",
    "band_names",
    "cut_fraction",
    "leverage_metrics",
    "msi_rule_cap",
    "rule_triggers",
]

_STATE_NAMES = ("safe", "caution", "danger", "critical")


@quick_init
@dataclass(frozen=True, slots=True)
class LeverageMetrics:
    """EffLev (multiple), MU (fraction) and MSI (multiple); None where undefined."""

    eff_lev: float | None
    mu: float | None
    msi: float | None


def leverage_metrics(equity: float, margin: float, position_value: float) -> LeverageMetrics:
    """EffLev = PV / E, MU = M / E, MSI = E / M (money in account currency)."""
    if equity <= 0.0:
        return LeverageMetrics(None, None, None)
    return LeverageMetrics(
        eff_lev=position_value / equity,
        mu=margin / equity,
        msi=equity / margin if margin > 0.0 else None,
    )


def cut_fraction(eff_lev: float, target: float) -> float:
    """Reverse pyramiding: the fraction of position value to cut, `1 − target / EffLev`
    (0 when already at or below the target)."""
    if eff_lev <= target or eff_lev <= 0.0:
        return 0.0
    return 1.0 - target / eff_lev


def msi_rule_cap(position_value: float, margin: float, msi_min: float) -> float | None:
    """The EffLev at which MSI is back at `msi_min`, with margin proportional to position value:
    E / (M × (1 − f)) ≥ msi_min  ⇔  EffLev after ≤ PV / (M × msi_min)."""
    if margin <= 0.0 or msi_min <= 0.0:
        return None
    return position_value / (margin * msi_min)


def _eff_lev_severity(eff_lev: float | None, bands: Bands) -> tuple[str, int]:
    if eff_lev is None:
        return "insolvent", 3
    if eff_lev <= bands.eff_lev_normal_max:
        return "normal", 0
    if eff_lev <= bands.eff_lev_ruin:
        return "elevated", 2
    return "ruin", 3


def _mu_severity(mu: float | None, bands: Bands) -> tuple[str, int]:
    if mu is None:
        return "insolvent", 3
    if mu <= bands.mu_safe_max:
        return "safe", 0
    if mu <= bands.mu_aggressive_max:
        return "aggressive", 1
    if mu < bands.mu_extreme:
        return "high", 2
    return "extreme", 3


def _msi_severity(msi: float | None, equity: float, bands: Bands) -> tuple[str, int]:
    if equity <= 0.0:
        return "insolvent", 3
    if msi is None or msi >= bands.msi_safe:
        return "safe", 0
    if msi >= bands.msi_caution:
        return "caution", 1
    if msi > bands.msi_danger:
        return "low", 2  # below caution, not yet at the danger level
    if msi > bands.msi_forced_close:
        return "danger", 2
    return "forced_close", 3


def band_names(m: LeverageMetrics, equity: float, bands: Bands) -> tuple[str, str, str, str]:
    """Band of EffLev, MU and MSI, and the account's leverage state: the worst of the three
    (safe, caution, danger, critical) — seed 003 §5, "EffLev × MU × MSI" read together."""
    e_name, e_sev = _eff_lev_severity(m.eff_lev, bands)
    u_name, u_sev = _mu_severity(m.mu, bands)
    s_name, s_sev = _msi_severity(m.msi, equity, bands)
    return e_name, u_name, s_name, _STATE_NAMES[max(e_sev, u_sev, s_sev)]


def rule_triggers(m: LeverageMetrics, rules: RuleSettings) -> tuple[bool, bool, bool, bool]:
    """The four threshold rules: (reduce, forced reduce, no new exposure, MSI reduce)."""
    eff = m.eff_lev or 0.0
    return (
        m.eff_lev is not None and eff > rules.eff_lev_reduce_above,
        m.eff_lev is not None and eff > rules.eff_lev_forced_above,
        m.mu is not None and m.mu > rules.mu_no_new_exposure_above,
        m.msi is not None and m.msi < rules.msi_reduce_below,
    )
