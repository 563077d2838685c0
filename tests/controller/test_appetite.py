"""risk.appetite (issue 12 item 5): one knob scales K and the EffLev rule thresholds together;
the margin rules, L_max, the MINIMUM step-down, the prop rules and the bands do not scale; a
profile names an appetite and keys written in the file override it."""

from __future__ import annotations

import pytest

from bridge.config import AppConfig, ConfigError, settings_from_dict
from controller.appetite import PROFILES, Profile, RiskSettings, appetite_of
from controller.settings import Settings


def test_appetite_1_leaves_the_settings_equal_to_the_defaults():
    one = Settings(risk=RiskSettings(appetite=1.0))
    assert one.model_copy(update={"risk": RiskSettings()}) == Settings()
    assert settings_from_dict({"risk": {"appetite": 1}}).rules == AppConfig().rules
    assert settings_from_dict({"risk": {"profile": "seed"}}) == AppConfig()
    assert appetite_of(RiskSettings()) == 1.0


def test_appetite_4_scales_k_and_the_eff_lev_rules_by_hand():
    s = settings_from_dict({"risk": {"appetite": 4}})
    # the seed's 0.02, 2.0, 2.5, 2.0 times 4
    assert s.safe_leverage.k_daily_equity_vol == 0.08
    assert s.rules.eff_lev_reduce_above == 8.0
    assert s.rules.eff_lev_forced_above == 10.0
    assert s.rules.eff_lev_target == 8.0


def test_appetite_leaves_margin_rules_caps_minimum_prop_and_bands_alone():
    base, s = AppConfig(), settings_from_dict({"risk": {"appetite": 4}})
    assert s.rules.msi_reduce_below == base.rules.msi_reduce_below == 1.5
    assert s.rules.mu_no_new_exposure_above == base.rules.mu_no_new_exposure_above == 0.5
    assert s.safe_leverage.l_max == base.safe_leverage.l_max
    assert s.regime.minimum_eff_lev == base.regime.minimum_eff_lev == 1.0
    for table in ("bands", "buffer", "urgency", "prop", "extras", "plan", "indicators"):
        assert getattr(s, table) == getattr(base, table), table


def test_the_retail_profile_is_appetite_5_and_a_written_appetite_overrides_it():
    assert PROFILES[Profile.RETAIL] == 5.0
    retail = settings_from_dict({"risk": {"profile": "retail"}})
    assert retail.rules.eff_lev_target == 10.0
    assert retail.rules.eff_lev_forced_above == 12.5
    assert retail.safe_leverage.k_daily_equity_vol == pytest.approx(0.10)
    mine = settings_from_dict({"risk": {"profile": "retail", "appetite": 3}})
    assert mine.rules.eff_lev_target == 6.0


def test_a_key_written_in_the_file_is_taken_as_written_not_scaled():
    s = settings_from_dict({"risk": {"profile": "retail"},
                            "rules": {"eff_lev_target": 8.0},
                            "safe_leverage": {"k_daily_equity_vol": 0.05}})
    assert s.rules.eff_lev_target == 8.0  # written
    assert s.rules.eff_lev_reduce_above == 10.0  # not written: 2.0 × 5
    assert s.safe_leverage.k_daily_equity_vol == 0.05
    # the same from Python: a built table keeps the keys it was given
    from controller.settings import RuleSettings

    py = Settings(risk=RiskSettings(appetite=2.0), rules=RuleSettings(eff_lev_target=1.5))
    assert (py.rules.eff_lev_target, py.rules.eff_lev_reduce_above) == (1.5, 4.0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"risk": {"appetite": 60}},
         ["risk.appetite 60", "safe_leverage.k_daily_equity_vol = 0.02 × 60 = 1.2",
          "less than or equal to 1"]),
        ({"risk": {"appetite": 2}, "rules": {"eff_lev_reduce_above": 3.0}},
         ["risk.appetite 2 (written)", "rules.eff_lev_target = 2 × 2 = 4",
          "must not exceed rules.eff_lev_reduce_above (3.0)"]),
        ({"risk": {"appetite": 0.4}},
         ["risk.appetite 0.4", "rules.eff_lev_target at 0.8",
          "below regime.minimum_eff_lev (1)"]),
        ({"risk": {"profile": "yolo"}}, ["[risk] profile = 'yolo'", "'seed' or 'retail'"]),
        ({"risk": {"appetite": 0}}, ["[risk] appetite = 0", "greater than 0"]),
        ({"risk": {"appetit": 2}}, ["[risk] appetit: unknown key (allowed: appetite, profile)"]),
    ],
)
def test_a_bad_appetite_is_refused_naming_the_keys(data, expected):
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data, "config.toml")
    message = str(info.value)
    assert message.startswith("config.toml: ")
    assert "{" not in message  # no dump of the table
    for text in expected:
        assert text in message
