"""Scenario files (TOML): market sources, symbols, account, broker policy, overlays, faults, seed.

`load_scenario(name_or_path)` reads a built-in name (`bridge/sim/scenarios/<name>.toml`) or a path
and validates every key: an unknown key or a bad value raises `ScenarioError` naming the key, the
value and what is allowed. The format is documented in docs/scenarios.md.

Times are TOML datetimes or ISO strings with a zone (``2016-10-06T23:07:03Z``), or numbers of
seconds relative to the scenario's `crash_time` (relative to `start` when it has none).

The package: `model` (the frozen values and their choices), `tables` (one reader per table),
`parse` (the whole file's checks), `catalog` (the names lca knows and loading by name or path).
"""

from __future__ import annotations

from bridge.sim.scenario.catalog import builtin_scenarios, data_scenarios, load_scenario
from bridge.sim.scenario.model import (
    BUILTIN_DIR,
    FAULT_KINDS,
    OVERLAY_KINDS,
    AccountSpec,
    BalanceOp,
    BookEntry,
    BrokerPolicy,
    DataSource,
    FaultSpec,
    GeneratorSpec,
    GeneratorSymbol,
    NoQuoteSpec,
    Overlay,
    Scenario,
)
from bridge.sim.scenario.parse import parse_scenario

__all__ = [
    "BUILTIN_DIR",
    "FAULT_KINDS",
    "OVERLAY_KINDS",
    "AccountSpec",
    "BalanceOp",
    "BookEntry",
    "BrokerPolicy",
    "DataSource",
    "FaultSpec",
    "GeneratorSpec",
    "GeneratorSymbol",
    "NoQuoteSpec",
    "Overlay",
    "Scenario",
    "builtin_scenarios",
    "data_scenarios",
    "load_scenario",
    "parse_scenario",
]
