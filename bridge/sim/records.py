"""Moved to `bridge.mt5.records` (the module's shape, shared by the live code and the sim)."""
from bridge.mt5.records import *  # noqa: F403
from bridge.mt5.records import __all__ as __all__
