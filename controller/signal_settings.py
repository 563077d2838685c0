"""Thresholds of the early-warning signals (controller.signals) that no other table holds."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from controller._settings_base import FROZEN as _FROZEN
from controller._settings_base import HHMM as _HHMM

__all__ = ["SignalSettings"]


class SignalSettings(BaseModel):
    """Early-warning signals (controller.signals) whose thresholds no other table holds. The
    volatility, depth, correlation and thin-hours signals use `[regime]`, `[indicators]` and
    `[extras]`; the margin-pressure signal uses `[buffer].growth_floor`. Each value here was set
    from calm data or published market hours only, never from a crash window."""

    model_config = _FROZEN

    spread_accel_above: Annotated[float, Field(gt=0.0, le=1000.0)] = Field(
        2.0, description="liquidity acceleration (curvature of the smoothed spread over its "
        "median, per bucket²) above this: spreads widening faster and faster. Chosen as the "
        "largest value on the calm control (real EURUSD ticks of 4-5 Feb 2019, rollovers "
        "included: 1.94 at the 22:00 UTC rollover of 4 Feb), rounded up to 2.0, so that an "
        "ordinary day's rollover never switches it on (its 99.9th percentile is 0.78)"
    )
    weekend_from_utc: str = Field(
        "20:55", description="Friday HH:MM UTC from which the weekend signal is on: the start of "
        "the week's last rollover (New York 17:00 close, 21:00/22:00 UTC)"
    )
    weekend_until_utc: str = Field(
        "22:15", description="Sunday HH:MM UTC until which the weekend signal is on: the end of "
        "the rollover window after the Sunday reopen"
    )

    @field_validator("weekend_from_utc", "weekend_until_utc")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a clock time HH:MM (00:00 to 23:59)")
        return value
