"""The settings of the caps themselves: which caps may bind (`[components]`) and how far above
the broker's levels the broker cap keeps the account (`[broker_levels]`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from controller._settings_base import FROZEN as _FROZEN
from controller.decision_types import CapName

__all__ = ["BrokerLevelSettings", "ComponentSettings"]

#: the caps no switch removes: the prop rules (on with `[prop] enabled`) and the weekend rules
_ALWAYS = frozenset({CapName.PROP, CapName.WEEKEND})


class ComponentSettings(BaseModel):
    """Which parts of the risk model may cap the target. All on by default, and a live account
    should keep them on: switching parts off exists to evaluate reduced policies side by side
    (`lca stress`: `vol-only` keeps L_safe without liquidity, `rules-only` keeps the §3.1 rules).

    `liquidity` off: LR counts no depth or spread (LR = 1), the regime sees a thick book, and the
    liquidity-crash flag is never raised. The other switches remove one cap each."""

    model_config = _FROZEN

    rules: bool = Field(True, description="the §3.1 threshold rules (EffLev, MSI) cap the target")
    safe_leverage: bool = Field(True, description="L_safe = min(L_max, K / (σ × LR)) caps it")
    liquidity: bool = Field(True, description="depth and spread enter LR, the regime and the "
                            "crash flag")
    regime: bool = Field(True, description="the MINIMUM regime caps the target")
    buffer: bool = Field(True, description="the cash buffer caps the target")
    broker_levels: bool = Field(True, description="the broker's margin-call and stop-out levels "
                                "cap the target")
    extras: bool = Field(True, description="the §3.5 multipliers cap the target")

    def cap_names(self) -> frozenset[CapName]:
        """The names of the cap rules these switches let bind (controller/caps.py `RULES`)."""
        switched = {CapName.RULE: self.rules, CapName.L_SAFE: self.safe_leverage,
                    CapName.REGIME: self.regime, CapName.BUFFER: self.buffer,
                    CapName.BROKER: self.broker_levels, CapName.EXTRAS: self.extras}
        return _ALWAYS | {name for name, on in switched.items() if on}


class BrokerLevelSettings(BaseModel):
    """The broker cap (DESIGN §3.1): the controller's own trigger sits above the broker's levels.

    In percent mode the broker's levels imply an MSI floor, max(margin call, 2 × stop-out) / 100
    (2 = `urgency.emergency_stop_out_multiple`); the broker cap keeps MSI at `keep_factor` times
    that floor, and `limits.msi_floor` publishes the same level for the EA to hold when Python is
    dead. 1.2 is the value of the first controller (DESIGN §3.1: "the controller's own triggers
    must sit well above the broker's"): a 20 % margin, a judgement, not a measurement."""

    model_config = _FROZEN

    keep_factor: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        1.2, description="the broker cap keeps MSI at this multiple of the MSI floor the broker's "
        "levels imply (a multiple; 1.2 = 20 % above max(margin call, 2 × stop-out))"
    )
