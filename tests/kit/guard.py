"""The sim-guard builder: a config for a scenario on a journal in a temporary folder, the guard
composed from it exactly as `lca run` composes it (`bridge.app.build_guard`), and the loop that
drives it on simulated time.

    config = sim_config(tmp_path)                     # flash-gbp-2016, thin slices
    guard, sim = sim_guard(config)                    # a fresh simulated terminal
    guard, sim = sim_guard(config, ScriptedTerminal(sim))   # the same one, scripted
    guard.start(); guard.cycle(); drive(guard, sim, 40)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings, TerminalSettings
from bridge.runtime import Guard
from bridge.sim import SimTerminal
from controller.settings import PlanSettings
from tests.kit.scripted import ScriptedTerminal

__all__ = ["MAGIC", "drive", "open_sim", "sim_config", "sim_guard", "sim_terminal", "step"]

MAGIC = 770077
"""The guard's magic number (`run.magic`'s default): its orders and deals carry it."""


def sim_config(folder: Path | None, *, scenario: str | Path | None = None,
               data_dir: str | Path | None = None, slice_depth_fraction: float | None = 0.01,
               **keys: Any) -> AppConfig:
    """The default config on the journal `folder`/journal.db (or `journal=URL`), no log file
    (or `log_file=`), no unguarded comparison (or `compare_unguarded=True`). `keys` named like a
    section of the config (`prop=PropSettings(...)`, `ea=`, `components=`, `lease=` ...)
    replace that section; the others are `[run]` keys (`mode=`, `stale_after_seconds=` ...).
    `slice_depth_fraction` 0.01 (thin slices) gives a staged plan (9 slices over 5 minutes on
    flash-gbp-2016); None (or `plan=`) keeps the default `[plan]`. `scenario` (a built-in name
    or a TOML path) and `data_dir` select the simulated terminal's scenario; None keeps the
    default `[terminal]`."""
    parts = {k: v for k, v in keys.items() if k in AppConfig.model_fields}
    run = {k: v for k, v in keys.items() if k not in parts}
    run.setdefault("log_file", "")
    run.setdefault("compare_unguarded", False)
    if "journal" not in run:
        assert folder is not None, "sim_config needs a folder for the journal, or journal=URL"
        run["journal"] = f"sqlite:///{folder}/journal.db"
    parts["run"] = RunSettings(**run)
    if slice_depth_fraction is not None and "plan" not in parts:
        parts["plan"] = PlanSettings(slice_depth_fraction=slice_depth_fraction)
    if scenario is not None or data_dir is not None:
        terminal: dict[str, str] = {"kind": "sim"}
        if scenario is not None:
            terminal["scenario"] = str(scenario)
        if data_dir is not None:
            terminal["data_dir"] = str(data_dir)
        parts["terminal"] = TerminalSettings(**terminal)
    return AppConfig(**parts)


def sim_guard(config: AppConfig,
              terminal: SimTerminal | ScriptedTerminal | Any | None = None
              ) -> tuple[Guard, Any]:
    """The guard for `config` (not started) and the simulated terminal under it: a fresh one
    from the config's scenario, or `terminal` (a `SimTerminal`, a `ScriptedTerminal` around one
    — then its `sim` is returned —, or any module-shaped object, returned as it is)."""
    if terminal is None:
        assert config.terminal.kind == "sim", "sim_guard opens only the simulated terminal"
        terminal = sim_terminal(config)
    guard = build_guard(config, module=terminal)
    return guard, terminal.sim if isinstance(terminal, ScriptedTerminal) else terminal


def sim_terminal(config: AppConfig) -> SimTerminal:
    """The simulated terminal `config` names (not initialized: the guard's start does it), as
    `sim_guard` would open it; for a test that wraps it before the guard is built."""
    t = config.terminal
    return SimTerminal.from_scenario(t.scenario, data_dir=t.data_dir or None)


def open_sim(source: str | Path = "flash-gbp-2016") -> SimTerminal:
    """A simulated terminal on a scenario (built-in name or TOML path), initialized."""
    mt5 = SimTerminal.from_scenario(source)
    assert mt5.initialize()
    return mt5


def step(guard: Guard, sim: Any, seconds: float) -> None:
    """`seconds` of simulated time, then one fast guard."""
    sim.advance(seconds)
    guard.fast_guard()


def drive(guard: Guard, sim: Any, steps: int, seconds: float = 15.0) -> None:
    """The fast guard every `seconds` of simulated time, `steps` times (stops early once the plan
    is empty and at least one slice went out)."""
    for _ in range(steps):
        step(guard, sim, seconds)
        if not guard.plan and guard.journal.rows("slice", limit=1):
            return
