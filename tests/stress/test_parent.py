"""The parent process of the stress workers reads no market data: ordering the runs and writing
the summary need the parsed scenario only (the workers build each window's market)."""

from __future__ import annotations

from pathlib import Path

from bridge.stress import runner
from bridge.stress.runner import RunSpec, scenario_for, spec_scenario
from bridge.stress.suite import _cost


def test_ordering_the_runs_builds_no_market_and_sees_the_scenario_the_run_sees(
        shared_data: Path):
    spec = RunSpec("gbp-flash-2016", "offshore", "full", str(shared_data))
    runner._CACHE.clear()
    assert _cost(spec) > 0.0
    scenario, window = spec_scenario(spec)
    assert runner._CACHE == {}, "the parent built a market it never replays"
    ran, market, ran_window = scenario_for(spec)
    assert (ran, ran_window) == (scenario, window)
    assert scenario.account.margin_so_so == 20.0  # the preset's levels
    assert market.streams
