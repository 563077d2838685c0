"""Constants derived once from `IndicatorSettings`, so an update does no settings arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

from controller.indicators._kernels import ewma_alpha
from controller.indicators._settings import IndicatorSettings

__all__ = ["MINUTES_PER_DAY", "Params", "params_from"]

MINUTES_PER_DAY = 1440
"""1-minute variance × 1440 = daily variance (FX trades around the clock on weekdays)."""


@dataclass(frozen=True, slots=True)
class Params:
    """Decays (1 − α) and counts taken from the settings; see `IndicatorSettings` for units."""

    vol_decay: float
    long_vol_decay: float
    smooth_alpha: float
    trend_alpha: float
    bucket_seconds: int
    median_window: int
    max_fill: int
    min_median: int
    vol_window_days: int
    enter_pct: float
    exit_pct: float
    min_vol_minutes: int
    min_vol_days: int
    min_long_vol_days: int
    atr_period: int
    trend_days: int
    margin_hours: int
    growth_hours: int
    min_mpg_points: int


def params_from(s: IndicatorSettings) -> Params:
    """Derive the update constants from validated settings."""
    return Params(
        vol_decay=1.0 - ewma_alpha(s.vol_halflife_minutes),
        long_vol_decay=1.0 - ewma_alpha(s.vol_long_halflife_days),
        smooth_alpha=2.0 / (s.spread_smoothing_buckets + 1.0),
        trend_alpha=2.0 / (s.trend_ema_days + 1.0),
        bucket_seconds=s.bucket_seconds,
        median_window=s.median_window_buckets,
        max_fill=min(s.max_fill_buckets, s.median_window_buckets),
        min_median=s.min_median_buckets,
        vol_window_days=s.vol_percentile_window_days,
        enter_pct=s.vol_high_enter_percentile,
        exit_pct=s.vol_high_exit_percentile,
        min_vol_minutes=s.min_vol_minutes,
        min_vol_days=s.min_vol_days,
        min_long_vol_days=s.min_long_vol_days,
        atr_period=s.atr_period,
        trend_days=s.trend_ema_days,
        margin_hours=s.margin_history_hours,
        growth_hours=s.margin_growth_window_hours,
        min_mpg_points=s.min_mpg_points,
    )
