"""Moved to `bridge.sim.scenario.model`; this old path keeps working."""
from bridge.sim.scenario.model import *  # noqa: F403
from bridge.sim.scenario.model import __all__ as __all__
