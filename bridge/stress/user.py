"""A trader's own scenario file as a stress window (`lca stress --scenario FILE.toml`).

The file is the simulated terminal's scenario format (docs/scenarios.md), the one `lca run
--scenario FILE` reads, a recorded scenario folder's TOML included. It runs with its own account
and book; a broker preset (esma, offshore) is applied only when `--preset` asks for it.

What the built-in windows state by hand is read from the file:

- name: the file's stem (a folder's name for `scenario.toml`), with `-mine` added when it is
  already a built-in window's name;
- kind: `crash` when the file has a `crash_time`, else `calm`;
- guard period: about 8 640 fast-guard steps over the window (the sterling flash's 12 hours at
  5 s), rounded up to 5, 10, 15, 30, 60, 120 or 300 s;
- main symbol (the price band of the plot): the largest position of the book;
- modelled: whether any symbol's prices are modelled (bars or the generator), from the market.
"""

from __future__ import annotations

import functools
from pathlib import Path

from bridge.sim.scenario import Scenario, load_scenario
from bridge.stress.windows import WINDOWS, Window

__all__ = ["GUARD_STEPS", "guard_seconds_for", "main_symbol", "resolve", "user_window"]

#: the fast-guard steps a user's window is cut into, about (the sterling flash: 12 h at 5 s)
GUARD_STEPS = 8640
_PERIODS = (5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)


def resolve(name: str) -> str | None:
    """The resolved path of a scenario file (or of a scenario folder's TOML) named by `name`;
    None when `name` is not a path (a built-in window's name). Raises ValueError naming the file
    when it is a path that cannot be used."""
    from bridge.sim.names import folder_scenario

    p = Path(name)
    if p.is_dir():
        p = folder_scenario(p)
    elif p.suffix.lower() != ".toml":
        return None
    if not p.is_file():
        raise ValueError(f"scenario file {p} not found (a built-in window's name or a "
                         "scenario .toml file: docs/scenarios.md)")
    return str(p.resolve())


def guard_seconds_for(duration_s: float) -> float:
    """The fast guard's period for a window of `duration_s` seconds (see the module doc)."""
    want = duration_s / GUARD_STEPS
    return next((x for x in _PERIODS if x >= want), _PERIODS[-1])


def main_symbol(window: Window, scenario: Scenario) -> str:
    """The symbol whose prices the plot shows: the window's, unless the book (a --book) holds
    none of it, then the book's largest position."""
    held = {b.symbol for b in scenario.book}
    if not scenario.book or window.main_symbol in held:
        return window.main_symbol
    return max(scenario.book, key=lambda b: b.volume).symbol


def _name(path: Path) -> str:
    name = path.parent.name if path.stem == "scenario" and path.parent.name else path.stem
    return f"{name}-mine" if name in WINDOWS else name


@functools.lru_cache(maxsize=64)
def user_window(key: str) -> Window:
    """The window of the scenario file at `key` (a path from `resolve`)."""
    path = Path(key)
    s = load_scenario(path)
    if s.generator is not None:
        data = f"generated (preset {s.generator.preset})"
    else:
        data = ", ".join(f"{d.symbol} {d.path.name}" for d in s.data)
    first = max(s.book, key=lambda b: b.volume).symbol if s.book else s.symbols[0].name
    return Window(_name(path), "crash" if s.crash_time is not None else "calm",
                  guard_seconds_for(s.end - s.start), False, first, data, source=str(path))
