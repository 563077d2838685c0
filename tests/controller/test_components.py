"""The `[components]` switches: all on by default (the decision is unchanged); each one off removes
its cap, and `liquidity` off takes depth and spread out of LR, the regime and the crash flag."""

from __future__ import annotations

import pytest

from controller import Settings, decide
from controller.settings import ComponentSettings
from tests.controller.builders import seed_example


def _with(**on: bool) -> Settings:
    return Settings(components=ComponentSettings(**on))


def test_defaults_are_all_on_and_change_nothing():
    assert all(Settings().components.model_dump().values())
    a = decide(seed_example(), Settings())
    b = decide(seed_example(), _with())
    assert a == b


def test_rules_off_removes_the_rule_cap():
    d = decide(seed_example(), _with(rules=False))
    assert "rule" not in {c.name for c in d.caps}
    assert d.binding_cap != "rule"


def test_everything_off_cuts_nothing():
    off = dict.fromkeys(ComponentSettings.model_fields, False)
    d = decide(seed_example(), _with(**off))
    assert d.actions == ()
    assert d.binding_cap == "none"
    assert d.target_eff_lev == pytest.approx(d.metrics.eff_lev)


def test_rules_alone_still_cut_the_seed_example_by_30_percent():
    only_rules = {k: k == "rules" for k in ComponentSettings.model_fields}
    d = decide(seed_example(), _with(**only_rules))
    assert {a.ticket for a in d.actions} == {5001}
    assert sum(a.volume for a in d.actions) == pytest.approx(0.6)
