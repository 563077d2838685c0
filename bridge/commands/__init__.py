"""Sub-commands of `lca`; each module has ``register(subparsers)``."""

from __future__ import annotations

from types import ModuleType

from bridge.commands import (
    check,
    decide,
    ea,
    fleet,
    init,
    record,
    run,
    serve,
    snapshot,
    status,
    stress,
)

COMMANDS: tuple[ModuleType, ...] = (run, status, check, decide, ea, stress, serve, snapshot,
                                     record, fleet, init)
