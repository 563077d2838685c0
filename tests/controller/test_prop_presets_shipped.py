"""Prop presets through the shipped config.toml (issue 15 item 1): a user who switches on the
commented `preset` line gets that firm's figures, not the file's; the file carries no firm's
figures uncommented."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bridge.config import settings_from_dict
from controller.prop_settings import PROP_PRESETS

REPO = Path(__file__).parents[2]


def _shipped_with(preset: str) -> dict:
    """The shipped config.toml with its commented preset line switched on (as a user does)."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.lstrip().startswith("# preset ="))
    text = text.replace(line, f'preset = "{preset}"', 1)
    return tomllib.loads(text)


def test_ftmo_1step_through_the_shipped_config_gives_the_1step_figures():
    prop = settings_from_dict(_shipped_with("ftmo-1step"), "config.toml").prop
    assert prop.daily_loss_fraction == 0.03
    assert prop.drawdown_mode.value == "trailing_eod_balance"
    assert (prop.reset_time, prop.reset_timezone) == ("00:00", "Europe/Prague")


def test_the5ers_through_the_shipped_config_resets_at_5pm_new_york_on_the_higher_anchor():
    prop = settings_from_dict(_shipped_with("the5ers-high-stakes"), "config.toml").prop
    assert (prop.reset_time, prop.reset_timezone) == ("17:00", "America/New_York")
    assert prop.daily_anchor.value == "higher"
    assert prop.daily_loss_basis.value == "anchor"


@pytest.mark.parametrize("name", sorted(PROP_PRESETS))
def test_every_preset_through_the_shipped_config_sets_every_key_it_defines(name):
    prop = settings_from_dict(_shipped_with(name), "config.toml").prop
    for key, value in PROP_PRESETS[name].items():
        got = getattr(prop, key)
        assert getattr(got, "value", got) == value, key


def test_the_shipped_config_writes_no_firm_figure_uncommented():
    table = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))["prop"]
    firm_keys = {k for rules in PROP_PRESETS.values() for k in rules}
    assert not firm_keys & set(table), sorted(firm_keys & set(table))
