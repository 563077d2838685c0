"""Typed, validated settings for every threshold and default of DESIGN §3.

Parsed once into frozen objects that reject unknown keys. Units are in the field names or the
descriptions: fractions are plain numbers (0.5 = 50 %), leverage is a multiple of equity
(2.0 = position value twice the equity), times are minutes unless named otherwise. The TOML file
(`config.toml`) uses the same names, one table per class below.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from controller._settings_base import FROZEN as _FROZEN
from controller._settings_base import HHMM as _HHMM
from controller._settings_base import Fraction, Leverage
from controller.appetite import RiskSettings, check_minimum, scaled_table
from controller.cap_settings import BrokerLevelSettings, ComponentSettings
from controller.indicators import IndicatorSettings
from controller.prop_settings import (
    DailyAnchor,
    DailyLossBasis,
    DrawdownMode,
    LockRelease,
    PropSettings,
)
from controller.reading_settings import ReadingSettings
from controller.signal_settings import SignalSettings

__all__ = [
    "Bands",
    "BrokerLevelSettings",
    "BufferSettings",
    "ComponentSettings",
    "DailyAnchor",
    "DailyLossBasis",
    "DrawdownMode",
    "ExtrasSettings",
    "LeverageCaps",
    "LockRelease",
    "PlanSettings",
    "PropSettings",
    "ReadingSettings",
    "RegimeSettings",
    "RiskSettings",
    "RuleSettings",
    "SafeLeverageSettings",
    "Settings",
    "SignalSettings",
    "SymbolClass",
    "ThinHours",
    "UrgencySettings",
]


class SymbolClass(StrEnum):
    """ESMA symbol classes; each has its own maximum leverage `L_max`."""

    MAJOR_FX = "major_fx"
    MINOR_FX = "minor_fx"
    GOLD = "gold"
    MAJOR_INDEX = "major_index"
    OTHER_COMMODITY = "other_commodity"
    EQUITY = "equity"
    CRYPTO = "crypto"


class Bands(BaseModel):
    """Display bands of the three leverage measures (DESIGN §3.1); the worst band sets the account's
    leverage state. EffLev and MSI are multiples, MU is a fraction of equity."""

    model_config = _FROZEN

    eff_lev_normal_max: Leverage = Field(2.5, description="top of the normal EffLev band")
    eff_lev_ruin: Leverage = Field(3.0, description="EffLev above which ruin risk climbs")
    mu_safe_max: Fraction = Field(0.35, description="MU up to this is safe (20–35 %)")
    mu_aggressive_max: Fraction = Field(0.50, description="MU up to this is aggressive (40–50 %)")
    mu_extreme: Fraction = Field(0.60, description="MU from this on is extreme (60–70 %)")
    msi_safe: Leverage = Field(1.5, description="MSI at or above this is safe")
    msi_caution: Leverage = Field(
        1.2, description="MSI below safe and at or above this: caution; below it and above "
        "msi_danger: low"
    )
    msi_danger: Leverage = Field(1.0, description="MSI at or below this: danger")
    msi_forced_close: Leverage = Field(0.8, description="MSI at or below this: forced close likely")

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if not self.eff_lev_normal_max < self.eff_lev_ruin:
            raise ValueError("bands.eff_lev_normal_max must be below bands.eff_lev_ruin")
        if not self.mu_safe_max < self.mu_aggressive_max < self.mu_extreme:
            raise ValueError("bands need mu_safe_max < mu_aggressive_max < mu_extreme")
        if not self.msi_safe > self.msi_caution > self.msi_danger > self.msi_forced_close:
            raise ValueError("bands need msi_safe > msi_caution > msi_danger > msi_forced_close")
        return self


class RuleSettings(BaseModel):
    """The seed's four threshold rules (DESIGN §3.1, §3.7)."""

    model_config = _FROZEN

    eff_lev_reduce_above: Leverage = Field(2.0, description="EffLev above this: reduce")
    eff_lev_forced_above: Leverage = Field(2.5, description="EffLev above this: forced reduce")
    eff_lev_target: Leverage = Field(
        2.0, description="EffLev a rule reduction brings the account back to"
    )
    mu_no_new_exposure_above: Fraction = Field(
        0.50, description="MU (margin / equity) above this: no new exposure"
    )
    msi_reduce_below: Leverage = Field(
        1.5, description="MSI (equity / margin) below this: reduce until it is restored"
    )

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.eff_lev_forced_above < self.eff_lev_reduce_above:
            raise ValueError(
                f"rules.eff_lev_forced_above ({self.eff_lev_forced_above}) must be at least "
                f"rules.eff_lev_reduce_above ({self.eff_lev_reduce_above})"
            )
        if self.eff_lev_target > self.eff_lev_reduce_above:
            raise ValueError(
                f"rules.eff_lev_target ({self.eff_lev_target}) must not exceed "
                f"rules.eff_lev_reduce_above ({self.eff_lev_reduce_above}), or a reduction "
                "would stop above its own trigger"
            )
        return self


class LeverageCaps(BaseModel):
    """Maximum leverage `L_max` per symbol class (default: the ESMA retail caps)."""

    model_config = _FROZEN

    major_fx: Leverage = Field(
        30.0, description="L_max of major FX pairs (EURUSD, GBPUSD, …), a multiple of equity")
    minor_fx: Leverage = Field(
        20.0, description="L_max of minor FX pairs, e.g. EURTRY, a multiple of equity")
    gold: Leverage = Field(
        20.0, description="L_max of gold, a multiple of equity")
    major_index: Leverage = Field(
        20.0, description="L_max of major stock indices, a multiple of equity")
    other_commodity: Leverage = Field(
        10.0, description="L_max of commodities other than gold, a multiple of equity")
    equity: Leverage = Field(
        5.0, description="L_max of single equities, a multiple of equity")
    crypto: Leverage = Field(
        2.0, description="L_max of crypto-currencies, a multiple of equity")

    def for_class(self, symbol_class: SymbolClass) -> float:
        """`L_max` of `symbol_class`, a multiple of equity."""
        value: float = getattr(self, symbol_class.value)
        return value


class SafeLeverageSettings(BaseModel):
    """Structural control: `L_safe = min(L_max, K / (σ × LR))` (DESIGN §3.3)."""

    model_config = _FROZEN

    k_daily_equity_vol: Fraction = Field(
        0.02, description="K: tolerated daily volatility of equity, a fraction (0.02 = 2 %/day)"
    )
    l_max: LeverageCaps = Field(default_factory=LeverageCaps)
    symbol_classes: dict[str, SymbolClass] = Field(
        default_factory=dict,
        description="override the class guessed from a symbol's name and path, e.g. "
        '{ "GER40.cash" = "major_index" }',
    )


class RegimeSettings(BaseModel):
    """Volatility × depth regime matrix with hysteresis and minimum dwell (DESIGN §3.3).

    The high-volatility percentiles live in `[indicators]` (they are computed with the history).
    """

    model_config = _FROZEN

    thin_depth_enter: Fraction = Field(0.5, description="DepthRatio below this: thin book")
    thin_depth_exit: Annotated[float, Field(gt=0.0, le=5.0)] = Field(
        0.6, description="a thin book counts as thick again only above this DepthRatio"
    )
    min_dwell_minutes: Annotated[float, Field(ge=0.0, le=1440.0)] = Field(
        15.0, description="a regime is held at least this long before it may relax"
    )
    minimum_eff_lev: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        1.0, description="EffLev the MINIMUM regime steps down to"
    )
    crash_depth_ratio: Fraction = Field(
        0.3, description="crash sign 1: DepthRatio at or below this (depth collapsing)"
    )
    crash_spread_ratio: Annotated[float, Field(gt=1.0, le=1000.0)] = Field(
        3.0, description="crash sign 2: spread at least this multiple of its median"
    )
    crash_slippage_ratio: Annotated[float, Field(gt=1.0, le=1000.0)] = Field(
        2.0, description="crash sign 3: observed slippage at least this multiple of the model's"
    )
    crash_correlation: Annotated[float, Field(gt=0.0, lt=1.0)] = Field(
        0.8, description="crash sign 4: average pairwise correlation of the book at or above"
    )

    @model_validator(mode="after")
    def _check_hysteresis(self) -> Self:
        if self.thin_depth_exit <= self.thin_depth_enter:
            raise ValueError(
                f"regime.thin_depth_exit ({self.thin_depth_exit}) must be above "
                f"regime.thin_depth_enter ({self.thin_depth_enter}) for hysteresis"
            )
        return self


class BufferSettings(BaseModel):
    """Cash buffer: free margin ≥ M × g × D (DESIGN §3.3)."""

    model_config = _FROZEN

    stress_days: Annotated[float, Field(ge=0.0, le=30.0)] = Field(
        3.0, description="D: days of margin growth the free margin must absorb"
    )
    growth_floor: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.25, description="g is at least this daily rise of the margin rate (0.25 = +25 %/day)"
    )
    stress_vol_shock: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="volatility shock for the stress margin, Δσ = shock × σ (1.0 doubles σ)"
    )


class PlanSettings(BaseModel):
    """Time-sliced, depth-sized deleveraging (DESIGN §3.4)."""

    model_config = _FROZEN

    slice_depth_fraction: Fraction = Field(
        0.2, description="α: one slice is at most this fraction of the hitting-side depth"
    )
    min_cut_fraction: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.005,
        description="do not plan a reduction smaller than this fraction of position value",
    )
    max_slices_per_position: Annotated[int, Field(ge=1, le=1000)] = Field(
        20, description="a position is never cut in more slices than this"
    )
    min_slices_normal: Annotated[int, Field(ge=1, le=100)] = Field(
        4, description="a normal reduction of a symbol is staged in at least this many slices "
        "(when its volume allows), even where the book could take it at once"
    )
    min_slices_forced: Annotated[int, Field(ge=1, le=100)] = Field(
        3, description="the same for a forced reduction (spread over minutes)"
    )
    proxy_depth_notional: dict[SymbolClass, Annotated[float, Field(gt=0.0)]] = Field(
        default_factory=lambda: {
            SymbolClass.MAJOR_FX: 10e6,
            SymbolClass.MINOR_FX: 3e6,
            SymbolClass.GOLD: 2e6,
            SymbolClass.MAJOR_INDEX: 2e6,
            SymbolClass.OTHER_COMMODITY: 1e6,
            SymbolClass.EQUITY: 0.5e6,
            SymbolClass.CRYPTO: 0.5e6,
        },
        description="where no book is published: normal top-of-book depth per class, in USD "
        "(converted to the account currency at the USD rate), scaled by the spread proxy of the "
        "DepthRatio",
    )
    allow_headroom_in_loss: bool = Field(
        False,
        description="publish headroom up to the target also while the book is in a floating "
        "loss (default: headroom only when in profit, i.e. no averaging down)",
    )


class UrgencySettings(BaseModel):
    """How fast a reduction is spread (DESIGN §3.7)."""

    model_config = _FROZEN

    normal_minutes: Annotated[float, Field(ge=0.0, le=1440.0)] = Field(
        60.0, description="normal reductions: slices spread over this many minutes"
    )
    forced_minutes: Annotated[float, Field(ge=0.0, le=1440.0)] = Field(
        5.0, description="forced reductions: slices spread over this many minutes"
    )
    emergency_stop_out_multiple: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        2.0, description="emergency when MSI is below this multiple of the broker stop-out level"
    )
    emergency_sigma_moves: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="emergency when stop-out is closer than this many daily σ moves"
    )

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.forced_minutes > self.normal_minutes:
            raise ValueError(
                f"urgency.forced_minutes ({self.forced_minutes}) must not exceed "
                f"urgency.normal_minutes ({self.normal_minutes})"
            )
        return self


class ThinHours(BaseModel):
    """A daily window of thin liquidity (UTC clock times); the target is multiplied by `factor`."""

    model_config = _FROZEN

    start_utc: str = Field(description="HH:MM, UTC")
    end_utc: str = Field(description="HH:MM, UTC; may be before start (window over midnight)")
    factor: Fraction = Field(description="the target is multiplied by this inside the window")
    label: str = Field("", description="a name for the window, shown in the reasons")
    spread_multiple: Annotated[float, Field(ge=1.0, le=1000.0)] = Field(
        1.0, description="the spread's usual multiple of its rolling median inside this window "
        "(a known, daily widening): LR counts only the widening beyond it, so that the "
        "window's ordinary spread is compared with itself, not with the day's (1 = no allowance)"
    )

    @field_validator("start_utc", "end_utc")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a clock time HH:MM (00:00 to 23:59)")
        return value


class ExtrasSettings(BaseModel):
    """Dynamic leverage multipliers on the target (DESIGN §3.5)."""

    model_config = _FROZEN

    counter_trend_factor: Fraction = Field(
        0.75, description="weight of a position against the D1 trend in the MTF multiplier"
    )
    atr_ratio_threshold: Annotated[float, Field(gt=0.0, le=100.0)] = Field(
        1.5, description="ATR ratio (H1·√24 / D1) above this lowers the cap"
    )
    atr_ratio_floor: Fraction = Field(0.5, description="the ATR multiplier never goes below this")
    thin_hours: tuple[ThinHours, ...] = Field(
        default=(
            # spread_multiple: the 99th percentile of the spread ratio (spread / its 4-h median)
            # over the window's guard steps on the calm control (real EURUSD ticks, 4 Feb 2019,
            # the one full rollover of its two days): 14.3 at the rollover, 4.5 in early Asia
            ThinHours(start_utc="20:55", end_utc="22:15", factor=0.75, label="rollover",
                      spread_multiple=14.3),
            ThinHours(start_utc="22:15", end_utc="00:30", factor=0.85, label="early Asia",
                      spread_multiple=4.5),
        ),
        description="thin hours; the product of overlapping factors applies",
    )


class Settings(BaseModel):
    """All controller settings; one TOML table per field.

    `risk` comes first: its appetite (controller/appetite.py) fills in K and the EffLev rule
    thresholds the file does not write, once, while the settings are built."""

    model_config = _FROZEN

    risk: RiskSettings = Field(default_factory=RiskSettings)
    bands: Bands = Field(default_factory=Bands)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    safe_leverage: SafeLeverageSettings = Field(default_factory=SafeLeverageSettings)
    regime: RegimeSettings = Field(default_factory=RegimeSettings)
    buffer: BufferSettings = Field(default_factory=BufferSettings)
    plan: PlanSettings = Field(default_factory=PlanSettings)
    urgency: UrgencySettings = Field(default_factory=UrgencySettings)
    broker_levels: BrokerLevelSettings = Field(default_factory=BrokerLevelSettings)
    extras: ExtrasSettings = Field(default_factory=ExtrasSettings)
    prop: PropSettings = Field(default_factory=PropSettings)
    indicators: IndicatorSettings = Field(default_factory=IndicatorSettings)
    components: ComponentSettings = Field(default_factory=ComponentSettings)
    signals: SignalSettings = Field(default_factory=SignalSettings)
    readings: ReadingSettings = Field(default_factory=ReadingSettings)

    @field_validator("rules", "safe_leverage", mode="before")
    @classmethod
    def _apply_appetite(cls, value: object, info: ValidationInfo) -> object:
        risk = info.data.get("risk")
        if not isinstance(risk, RiskSettings):  # [risk] itself is invalid: that error is named
            return value
        model = RuleSettings if info.field_name == "rules" else SafeLeverageSettings
        return scaled_table(str(info.field_name), value, model, risk)

    @model_validator(mode="after")
    def _minimum_below_target(self) -> Self:
        check_minimum(self.regime.minimum_eff_lev, self.rules.eff_lev_target, self.risk)
        return self
