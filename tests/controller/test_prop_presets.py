"""Prop presets that hold (issue 15 item 1): a preset sets every key it defines, a key the user
wrote overrides it and is listed next to the preset's value, the shipped config.toml carries no
firm's figures uncommented, every preset names its source and the day it was last verified."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.config import settings_from_dict
from controller.prop_presets import (
    PRESET_SOURCES,
    PROP_PRESETS,
    preset_age_warning,
    preset_overrides,
)


def test_a_key_the_user_wrote_overrides_the_preset_and_is_listed_next_to_the_preset_value():
    data = {"prop": {"enabled": True, "preset": "ftmo-1step", "daily_loss_fraction": 0.04,
                     "reset_time": "00:00"}}
    assert settings_from_dict(data).prop.daily_loss_fraction == 0.04
    lines = [o.line() for o in preset_overrides("ftmo-1step", data["prop"])]
    # reset_time equals the preset's value: not an override
    assert lines == ["prop.daily_loss_fraction = 0.04 (you) — preset ftmo-1step says 0.03"]


def test_a_key_the_preset_does_not_define_is_not_an_override():
    assert preset_overrides("ftmo-2step", {"preset": "ftmo-2step", "warning_fraction": 0.7}) == ()
    assert preset_overrides("", {"daily_loss_fraction": 0.04}) == ()


@pytest.mark.parametrize("name", sorted(PROP_PRESETS))
def test_every_preset_names_its_source_and_the_day_it_was_last_verified(name):
    source = PRESET_SOURCES[name]
    assert source.urls
    assert all(u.startswith("https://") for u in source.urls)
    assert source.verified <= date(2026, 12, 1)
    assert source.program


def test_a_preset_verified_more_than_180_days_ago_is_warned_about():
    verified = PRESET_SOURCES["ftmo-1step"].verified
    assert preset_age_warning("ftmo-1step", verified.fromordinal(verified.toordinal() + 180)) \
        is None
    late = verified.fromordinal(verified.toordinal() + 181)
    warning = preset_age_warning("ftmo-1step", late)
    assert warning is not None
    assert "181 days" in warning
    assert "ftmo-1step" in warning
    assert PRESET_SOURCES["ftmo-1step"].urls[0] in warning
    assert preset_age_warning("", late) is None
