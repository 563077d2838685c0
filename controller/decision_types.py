"""The values a decision is made of. Small frozen records; the shell acts on them.

Units: money in the account currency, volumes in lots, leverage as a multiple of equity, MU as a
fraction of equity (0.5 = 50 %), MSI as equity / margin (MT5 margin level / 100), times in UTC
epoch seconds, adverse moves in percent of price.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controller.memory import ControllerMemory, Regime, TradingState
from controller.quick_init import quick_init

__all__ = [
    "Action",
    "Alert",
    "Cap",
    "CapName",
    "CrashSign",
    "Decision",
    "Distance",
    "Limits",
    "Metrics",
    "Side",
    "Signal",
    "SymbolLimit",
    "SymbolMetrics",
    "Urgency",
]


class Urgency(StrEnum):
    """How fast a reduction is spread: over about an hour, over minutes, or at once."""

    NORMAL = "normal"
    FORCED = "forced"
    EMERGENCY = "emergency"


class Side(StrEnum):
    """An order side; equal to its string ("buy", "sell") in journals and JSON."""

    BUY = "buy"
    SELL = "sell"


class CapName(StrEnum):
    """The name of a cap (an EffLev ceiling), as `binding_cap`, journals and alerts show it."""

    RULE = "rule"
    """§3.1 threshold rules: EffLev back to its target, MSI restored."""
    L_SAFE = "l_safe"
    """§3.3 L_safe = min(L_max, K / (σ × LR))."""
    REGIME = "regime"
    """§3.3 the MINIMUM regime's EffLev."""
    BUFFER = "buffer"
    """§3.3 the cash buffer: free margin ≥ M × g × D."""
    BROKER = "broker"
    """§3.1 the broker's margin-call and stop-out levels."""
    PROP = "prop"
    """§3.6 a prop limit near its floor, or the prop lock."""
    WEEKEND = "weekend"
    """Close or reduce before the Friday close."""
    WEEKEND_GAP = "weekend_gap"
    """A book held over the weekend survives the Monday gap."""
    EXTRAS = "extras"
    """§3.5 trend, ATR, thin-hours and event multipliers."""
    NONE = "none"
    """No cap applies (every one switched off or unavailable)."""
    INSOLVENT = "insolvent"
    """Not a cap: `binding_cap` when equity ≤ 0 (close everything)."""


@quick_init
@dataclass(frozen=True, slots=True)
class Cap:
    """One ceiling on EffLev. `value` is None when the cap is unavailable (too little history);
    `triggered` says whether it asks for a reduction now; `reason` says why, in words."""

    name: CapName
    value: float | None
    triggered: bool
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class CrashSign:
    """One observed sign of the liquidity-crash flag (DESIGN §3.2).

    `sign` is "depth_collapsing", "spread_blowout", "slippage" or "correlation_spike";
    `source` where it was measured: "book" (the broker's depth), "telemetry" (the EA's depth),
    "proxy" (depth inferred from the spread), "spread", "slippage" or "correlation". `observed`
    and `threshold` are in the sign's own unit (DepthRatio, spread / median, observed / modelled
    slippage, average correlation); `shown` says whether it crossed; `independent` is False for
    the spread proxy of depth, which restates the spread and never counts as a second sign.
    """

    sign: str
    source: str
    observed: float
    threshold: float
    shown: bool
    independent: bool = True


@quick_init
@dataclass(frozen=True, slots=True)
class Signal:
    """One early-warning signal that is on.

    `symbol` is None for an account-wide signal. `observed` and `threshold` are in `unit`;
    `source` says where the value was measured ("sigma_now", "book", "telemetry", "proxy",
    "spread", "margin", "correlation", "crash_flag", "clock", "calendar"). `market` is True for
    the market-derived signals (they count as a warning of a crash), False for clock-based ones.
    """

    name: str
    symbol: str | None
    observed: float
    threshold: float
    unit: str
    source: str
    market: bool


@quick_init
@dataclass(frozen=True, slots=True)
class Alert:
    """Something a trader should see: the observed value against its limit, in words."""

    code: str
    message: str
    observed: float | None = None
    limit: float | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Action:
    """One slice of a reduction: close `volume` lots of position `ticket`.

    `side` is the order side that reduces it ("sell" closes a long). `close_by_ticket` is True on
    hedging accounts (send `position` = ticket) and False on netting accounts (an opposite deal).
    `not_before` is the earliest time the slice may be sent. `full_close` marks the slice that
    closes what is left of the position.
    """

    plan_id: str
    ticket: int
    symbol: str
    side: Side
    volume: float
    urgency: Urgency
    not_before: float
    slice_index: int
    slices: int
    close_by_ticket: bool
    full_close: bool
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class SymbolLimit:
    """Per-symbol size limit for the EA and the trader: gross open volume at most `max_volume`."""

    symbol: str
    max_volume: float
    current_volume: float
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class Limits:
    """What may be held: account EffLev cap, MSI floor, whether new exposure is allowed, the prop
    lock and per-symbol volume caps."""

    max_eff_lev: float
    msi_floor: float
    new_exposure_allowed: bool
    prop_lock: bool
    lock_until: float | None
    symbols: tuple[SymbolLimit, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class Distance:
    """How far a limit is: the loss (account currency) and the adverse move of the current net
    book (percent of price) that would reach it. None when the book has no net exposure."""

    name: str
    loss_to_limit: float
    adverse_move_pct: float | None


@quick_init
@dataclass(frozen=True, slots=True)
class SymbolMetrics:
    """Per-symbol quantities of §3.2. `position_value` and `depth` in account currency;
    `depth_ratio` = depth / its rolling median; `depth_source` is "book", "proxy" or None."""

    symbol: str
    position_value: float
    net_volume: float
    gross_volume: float
    depth: float | None
    depth_ratio: float | None
    depth_source: str | None
    spread_ratio: float | None
    liq_accel: float | None
    lvi_contribution: float
    sigma_now: float | None
    sigma_long: float | None
    mpg: float | None


@quick_init
@dataclass(frozen=True, slots=True)
class Metrics:
    """Account quantities of §3.1–3.3."""

    equity: float
    balance: float
    margin: float
    free_margin: float
    position_value: float
    net_notional: float
    eff_lev: float | None
    mu: float | None
    msi: float | None
    margin_level_pct: float | None
    eff_lev_band: str
    mu_band: str
    msi_band: str
    leverage_state: str
    lvi: float
    depth_ratio: float | None
    sigma: float | None
    liquidity_risk: float | None
    l_safe: float | None
    l_max: float | None
    stress_margin: float | None
    margin_growth: float
    cash_buffer_required: float
    crash_flag: bool
    crash_signs: tuple[str, ...]
    multiplier: float
    crash_evidence: tuple[CrashSign, ...] = ()
    """Every crash sign observed, with its source and whether it showed."""


@quick_init
@dataclass(frozen=True, slots=True)
class Decision:
    """What the controller decides for one snapshot, and why.

    `target_eff_lev` is the lowest cap; `binding_cap` names it. `actions` are the reduction's
    slices (empty when nothing needs cutting). `memory` is what the next decision starts from.
    """

    time: float
    metrics: Metrics
    symbols: tuple[SymbolMetrics, ...]
    regime: Regime
    state: TradingState
    urgency: Urgency | None
    target_eff_lev: float
    binding_cap: CapName
    caps: tuple[Cap, ...]
    actions: tuple[Action, ...]
    limits: Limits
    warnings: tuple[Alert, ...]
    distances: tuple[Distance, ...]
    reasons: tuple[str, ...]
    memory: ControllerMemory
    signals: tuple[Signal, ...] = ()
    """The early-warning signals that are on (controller.signals), market-derived first."""
