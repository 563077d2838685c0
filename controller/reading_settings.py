"""The `[readings]` table: when one terminal reading is held for confirmation (issue 15 item 6)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from controller._settings_base import FROZEN as _FROZEN
from controller._settings_base import Fraction

__all__ = ["ReadingSettings"]


class ReadingSettings(BaseModel):
    """One outlier reading is held for confirmation on the next one before a breach action."""

    model_config = _FROZEN

    hold_outliers: bool = Field(
        True, description="hold one outlier reading (equity jumping with no deal, equity 0) for "
        "confirmation on the next reading before flattening or locking; false acts at once")
    max_equity_jump_fraction: Fraction = Field(
        0.05, description="an equity reading that moves by more than this fraction of the last "
        "confirmed equity, with no deal between them (same balance, credit and positions), is an "
        "outlier")
