"""IndicatorSettings: the defaults of DESIGN §3.7 and errors that name the field and the fix."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from controller.indicators import IndicatorSettings


def test_defaults_are_design_section_3_7() -> None:
    s = IndicatorSettings()
    assert s.vol_halflife_minutes == 1440.0  # half-life 1 day on 1-minute returns
    assert s.vol_long_halflife_days == 60.0
    assert s.vol_percentile_window_days == 60
    assert (s.vol_high_enter_percentile, s.vol_high_exit_percentile) == (80.0, 70.0)
    assert s.bucket_seconds * s.median_window_buckets == 4 * 3600  # 4 h of rolling median
    assert s.margin_history_hours == 60 * 24
    assert s.margin_growth_window_hours == 24
    assert s.atr_period == 14


def test_every_field_states_a_unit_or_meaning() -> None:
    for name, field in IndicatorSettings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert len(field.description) > 30, name


def test_frozen_and_rejects_unknown_keys() -> None:
    s = IndicatorSettings()
    with pytest.raises(ValidationError):
        s.atr_period = 3  # type: ignore[misc]
    with pytest.raises(ValidationError, match="vol_halflife_min"):
        IndicatorSettings(vol_halflife_min=5)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vol_halflife_minutes", 0.0),
        ("bucket_seconds", 0),
        ("median_window_buckets", 2),
        ("vol_high_enter_percentile", 100.0),
        ("min_mpg_points", 2),
    ],
)
def test_bounds_name_the_field(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        IndicatorSettings(**{field: value})


def test_exit_percentile_above_enter_is_rejected_with_the_reason() -> None:
    with pytest.raises(ValidationError, match=r"vol_high_exit_percentile \(85.0\).*flaps"):
        IndicatorSettings(vol_high_exit_percentile=85.0)


def test_minimum_above_its_window_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"min_median_buckets .*median_window_buckets"):
        IndicatorSettings(min_median_buckets=300)
    with pytest.raises(ValidationError, match=r"min_vol_days .*vol_percentile_window_days"):
        IndicatorSettings(min_vol_days=61)
