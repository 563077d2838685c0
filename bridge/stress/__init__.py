"""`lca stress`: the same book on the same real crash windows under four policies, side by side
(shared/DESIGN.md §6; docs/stress.md).

    from bridge.stress import run_stress
    summary = run_stress(data_dir="../shared/data", out_dir="runs/stress")

Every policy runs the live code path: a `Guard` built by `bridge.app.build_guard` from a
policy-specific `AppConfig`, driven by `bridge.driver.run_replay` on the simulated clock. `none`
is the same replay with the guard in observe mode: it watches and journals, sends nothing, and the
book is left to the broker's stop-out.
"""

from __future__ import annotations

from bridge.stress.runner import RunSpec, run_one
from bridge.stress.suite import run_stress
from bridge.stress.windows import POLICIES, PRESETS, WINDOWS, Preset, Window

__all__ = [
    "POLICIES",
    "PRESETS",
    "WINDOWS",
    "Preset",
    "RunSpec",
    "Window",
    "run_one",
    "run_stress",
]
