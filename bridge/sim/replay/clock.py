"""The broker's server clock; it lives in `bridge.servertime` (the terminal port needs it too,
without importing the simulator)."""

from __future__ import annotations

from bridge.servertime import DST_RULES, ServerClock

__all__ = ["DST_RULES", "ServerClock"]
