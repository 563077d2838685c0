"""Configuration: the shipped file is valid; bad keys, types and ranges are named with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import AppConfig, ConfigError, load_settings, settings_from_dict

REPO = Path(__file__).resolve().parents[2]


def test_shipped_config_equals_the_defaults():
    assert load_settings(REPO / "config.toml") == AppConfig()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"rules": {"eff_lev_reduce_abve": 2.0}},
         ["[rules] eff_lev_reduce_abve: unknown key (allowed:", "eff_lev_reduce_above"]),
        ({"rulez": {}}, ["rulez: unknown key (allowed:", "rules"]),
        ({"rules": {"eff_lev_reduce_above": "two"}},
         ["[rules] eff_lev_reduce_above = 'two'", "valid number"]),
        ({"rules": {"eff_lev_reduce_above": -1}},
         ["[rules] eff_lev_reduce_above = -1", "greater than 0"]),
        ({"rules": {"mu_no_new_exposure_above": 1.5}},
         ["[rules] mu_no_new_exposure_above = 1.5", "less than or equal to 1"]),
        ({"rules": {"eff_lev_reduce_above": 3.0, "eff_lev_forced_above": 2.5}},
         ["eff_lev_forced_above (2.5) must be at least", "eff_lev_reduce_above (3.0)"]),
        ({"regime": {"thin_depth_enter": 0.6, "thin_depth_exit": 0.5}},
         ["thin_depth_exit (0.5) must be above"]),
        ({"prop": {"reset_timezone": "Mars/Olympus"}},
         ["[prop] reset_timezone = 'Mars/Olympus'", "IANA time zone"]),
        ({"prop": {"preset": "ftmo-3step"}}, ["ftmo-3step", "allowed: ftmo-1step"]),
        ({"extras": {"thin_hours": [{"start_utc": "25:00", "end_utc": "01:00", "factor": 0.5}]}},
         ["'25:00' is not a clock time"]),
        ({"safe_leverage": {"l_max": {"major_fx": 0}}},
         ["[safe_leverage.l_max] major_fx = 0", "greater than 0"]),
    ],
)
def test_errors_name_key_value_and_what_is_allowed(data, expected):
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data, "config.toml")
    message = str(info.value)
    assert message.startswith("config.toml: ")
    for text in expected:
        assert text in message


def test_prop_preset_fills_in_and_keys_override():
    s = settings_from_dict({"prop": {"enabled": True, "preset": "ftmo-1step",
                                     "warning_fraction": 0.7}})
    assert s.prop.daily_loss_fraction == 0.03
    assert s.prop.drawdown_mode.value == "trailing_eod_balance"
    assert s.prop.warning_fraction == 0.7


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
