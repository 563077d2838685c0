"""Sub-commands of `lca`; each module has ``register(subparsers)``."""

from __future__ import annotations

from types import ModuleType

from bridge.commands import decide, ea, run

COMMANDS: tuple[ModuleType, ...] = (run, decide, ea)
