"""Settings of the indicators (DESIGN §3.2, §3.3, §3.5, defaults from §3.7).

Nested in the main settings as the `[indicators]` TOML table. Units are in the field names:
minutes, days, hours, seconds, buckets (one bucket = `bucket_seconds`), percentiles in percent
(0-100). Every count of samples is the minimum before the indicator reports a value; below it the
indicator is `None` ("not enough history"), never a guess.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["IndicatorSettings"]


class IndicatorSettings(BaseModel):
    """How the per-symbol and portfolio indicators are estimated.

    σ_now is an EWMA of 1-minute log returns (half-life `vol_halflife_minutes`) scaled to a day
    (× 1440 minutes); the long-run σ is an EWMA of daily log returns from D1 closes. Spread and
    depth are resampled onto uniform buckets of `bucket_seconds` (the value in force at the
    bucket's close) before their rolling medians and the spread's curvature are taken.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    vol_halflife_minutes: float = Field(
        default=1440.0,
        gt=0.0,
        le=525_600.0,
        description="half-life of the EWMA variance of 1-minute log returns behind σ_now, in "
        "minutes (1440 = one day)",
    )
    vol_long_halflife_days: float = Field(
        default=60.0,
        gt=0.0,
        le=3650.0,
        description="half-life of the EWMA variance of daily log returns (D1 closes) behind the "
        "long-run σ, in days",
    )
    vol_percentile_window_days: int = Field(
        default=60,
        ge=2,
        le=3650,
        description="trailing window of daily σ_now samples (one per UTC day) for the "
        "high-volatility percentiles, in days",
    )
    vol_high_enter_percentile: float = Field(
        default=80.0,
        gt=0.0,
        lt=100.0,
        description="σ_now above this percentile (0-100) of its trailing window enters high "
        "volatility",
    )
    vol_high_exit_percentile: float = Field(
        default=70.0,
        gt=0.0,
        lt=100.0,
        description="σ_now below this percentile (0-100) of its trailing window leaves high "
        "volatility; at most the enter percentile",
    )
    bucket_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="width of the uniform resampling bucket for spread and depth, in seconds",
    )
    median_window_buckets: int = Field(
        default=240,
        ge=3,
        le=10_080,
        description="window of the rolling medians of spread and depth, in buckets (240 × 60 s "
        "= 4 h)",
    )
    max_fill_buckets: int = Field(
        default=15,
        ge=1,
        le=10_080,
        description="buckets a gap without samples is filled with the value in force (sample-and-"
        "hold); a longer gap is a market closure (weekend, halt) and fills only this many, so the "
        "closed hours do not crowd the rolling medians",
    )
    spread_smoothing_buckets: float = Field(
        default=5.0,
        ge=1.0,
        le=1000.0,
        description="EWMA span of the spread smoothing before its curvature is taken, in buckets "
        "(alpha = 2 / (span + 1); 1 = no smoothing)",
    )
    atr_period: int = Field(
        default=14, ge=1, le=1000, description="Wilder ATR period, in bars (H1 and D1)"
    )
    trend_ema_days: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="span of the EMA of D1 closes that sets the higher-timeframe trend, in days",
    )
    corr_fast_halflife_minutes: float = Field(
        default=60.0,
        gt=0.0,
        le=525_600.0,
        description="half-life of the fast EWMA covariance of 1-minute returns behind the "
        "average pairwise correlation (the correlation-spike sign), in minutes",
    )
    margin_history_hours: int = Field(
        default=1440,
        ge=2,
        le=87_600,
        description="history of hourly margin-rate samples kept for MPG and the margin growth, "
        "in hours (1440 = 60 days)",
    )
    margin_growth_window_hours: int = Field(
        default=24,
        ge=1,
        le=87_600,
        description="span over which a rise of the margin rate is measured for the cash buffer's "
        "growth rate g, in hours (24 = per day)",
    )
    min_vol_minutes: int = Field(
        default=30,
        ge=1,
        le=525_600,
        description="1-minute returns needed before σ_now (and the portfolio σ) is reported",
    )
    min_median_buckets: int = Field(
        default=10,
        ge=1,
        le=10_080,
        description="closed buckets needed before a rolling median of spread or depth is "
        "reported; at most median_window_buckets",
    )
    min_vol_days: int = Field(
        default=20,
        ge=1,
        le=3650,
        description="daily σ_now samples needed before the high-volatility percentiles are "
        "reported; at most vol_percentile_window_days",
    )
    min_long_vol_days: int = Field(
        default=20,
        ge=1,
        le=3650,
        description="daily returns (D1 closes) needed before the long-run σ is reported",
    )
    min_mpg_points: int = Field(
        default=24,
        ge=3,
        le=87_600,
        description="hourly (σ_now, margin rate) pairs needed before MPG is fitted; at most "
        "margin_history_hours",
    )

    @model_validator(mode="after")
    def _cross_checks(self) -> Self:
        if self.vol_high_exit_percentile > self.vol_high_enter_percentile:
            raise ValueError(
                f"vol_high_exit_percentile ({self.vol_high_exit_percentile}) is above "
                f"vol_high_enter_percentile ({self.vol_high_enter_percentile}): the exit must "
                "be at or below the entry, or the high-volatility state flaps"
            )
        pairs = (
            ("min_median_buckets", "median_window_buckets"),
            ("min_vol_days", "vol_percentile_window_days"),
            ("min_mpg_points", "margin_history_hours"),
            ("margin_growth_window_hours", "margin_history_hours"),
        )
        for low, high in pairs:
            if getattr(self, low) > getattr(self, high):
                raise ValueError(
                    f"{low} ({getattr(self, low)}) exceeds {high} ({getattr(self, high)}): "
                    f"it could never be reached; lower {low} or raise {high}"
                )
        return self
