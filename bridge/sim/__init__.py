"""The simulated MetaTrader 5 terminal: the MetaTrader5 API on a market replay and a broker model.

    from bridge.sim import SimTerminal
    mt5 = SimTerminal.from_scenario("gbp-flash-2016")
    mt5.initialize()
    mt5.advance(3600)            # play one simulated hour
    mt5.account_info().margin_level

See shared/DESIGN.md §5 and docs/scenarios.md.
"""

from __future__ import annotations

from bridge.sim.errors import ScenarioError
from bridge.sim.scenario import Scenario, builtin_scenarios, data_scenarios, load_scenario
from bridge.sim.terminal import SimTerminal

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimTerminal",
    "builtin_scenarios",
    "data_scenarios",
    "load_scenario",
]
