"""Moved to `bridge.mt5.constants` (the module's shape, shared by the live code and the sim)."""
from bridge.mt5.constants import *  # noqa: F403
from bridge.mt5.constants import __all__ as __all__
