"""While a staged plan is in flight the Decision's max_eff_lev is the target (issue 10 item 14),
but the EA is told to hold the EffLev reached so far: it must not cut the whole excess at once
behind the plan's back; the plan walks EffLev down slice by slice."""

from __future__ import annotations

import pytest

from bridge.app import build_guard
from bridge.config import AppConfig, EaSettings, RunSettings
from bridge.ealink import LIMITS_FILE, parse_limits
from controller import TradingState
from controller.settings import PlanSettings


def test_ea_holds_the_reached_eff_lev_while_the_plan_walks_it_down(tmp_path):
    config = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                                       compare_unguarded=False),
                       plan=PlanSettings(slice_depth_fraction=0.01),
                       ea=EaSettings(enabled=True))
    guard = build_guard(config)
    guard.start()
    guard.cycle()  # the default demo opens with a forced, staged reduction
    guard.fast_guard()  # publishes the limits
    d = guard.decision
    assert d.state is TradingState.REDUCING
    assert d.limits.max_eff_lev == pytest.approx(d.target_eff_lev)
    assert d.metrics.eff_lev > d.target_eff_lev
    published = parse_limits((guard.ea_link.writer.folder / LIMITS_FILE).read_text())
    assert published.max_eff_lev == pytest.approx(d.metrics.eff_lev, abs=0.01)
