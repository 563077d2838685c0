"""What the controller carries from one decision to the next.

The regime's hysteresis and dwell, the trading state, and the prop-firm anchors need the past. It
is a plain frozen value: `decide` takes the previous memory and returns the next one inside the
`Decision`, so replaying the same snapshots from the same memory gives the same decisions. The
shell persists it (in the journal) between runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controller.quick_init import quick_init

__all__ = ["ControllerMemory", "Regime", "TradingState"]


class Regime(StrEnum):
    """Volatility × depth regime (DESIGN §3.3)."""

    NORMAL = "NORMAL"
    NO_EXPANSION = "NO_EXPANSION"
    WAIT = "WAIT"
    MINIMUM = "MINIMUM"
    UNAVAILABLE = "UNAVAILABLE"

    @classmethod
    def _missing_(cls, value: object) -> Regime | None:
        """Accept the spelling journals written before 2026-12 used ("unavailable")."""
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        return None


class TradingState(StrEnum):
    """The account's trading state.

    ACTIVE: no reduction needed; headroom up to the target may be published.
    REDUCING: a reduction plan is in flight (this decision has actions); new exposure is frozen.
    FROZEN: no new exposure (margin use, regime, prop warning, a target below the current EffLev
    too small to cut), but nothing to cut.
    HALTED: a prop-firm limit was breached: the rule's close, and no new exposure until the reset.
    INSOLVENT: equity ≤ 0: close everything.
    Closes are never blocked in any state.
    """

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    FROZEN = "FROZEN"
    HALTED = "HALTED"
    INSOLVENT = "INSOLVENT"


@quick_init
@dataclass(frozen=True, slots=True)
class ControllerMemory:
    """State carried between decisions. Times in UTC epoch seconds, money in account currency.

    `vol_high` / `depth_thin` are the hysteresis flags of the regime matrix; `regime_since` is
    when the current regime was entered. `day_key` names the current prop-firm day (its reset
    instant), `day_anchor` the balance/equity the daily loss is measured from, `equity_peak` the
    highest equity seen (trailing drawdown), `dd_floor` the trailing end-of-day-balance floor,
    `lock_until` the end of a prop lock (None with `locked` = until a manual reset).
    `reading_equity` / `reading_key` are the last confirmed equity reading and what a deal
    changes (controller/outliers.py), `held_equity` an outlier reading held for confirmation.
    `day_profit_peak` is the day's best profit over its anchor (daily profit lock), `trail_peak`
    the equity trailing stop's high-water mark, `trail_day_key` the prop day they belong to.
    """

    regime: Regime = Regime.UNAVAILABLE
    regime_since: float | None = None
    vol_high: bool = False
    depth_thin: bool = False
    state: TradingState = TradingState.ACTIVE
    initial_balance: float | None = None
    day_key: float | None = None
    day_anchor: float | None = None
    day_end_balance: float | None = None
    equity_peak: float | None = None
    dd_floor: float | None = None
    locked: bool = False
    lock_until: float | None = None
    lock_reason: str = ""
    reading_equity: float | None = None
    reading_key: str = ""
    held_equity: float | None = None
    day_profit_peak: float | None = None
    trail_peak: float | None = None
    trail_day_key: float | None = None
