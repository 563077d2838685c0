"""The shared test kit: one sim-guard builder, one "closed twice" oracle, one scripted terminal.

- `tests.kit.guard`: `sim_config(folder, ...)` → `sim_guard(config, terminal)` → (guard, sim),
  `drive` / `step` on simulated time, `sim_terminal(config)`, `open_sim`, the guard's `MAGIC`;
- `tests.kit.oracle`: `closed_twice(sim, journal)` (which slice, by how much),
  `overclosed_positions(sim)` / `assert_never_closed_twice(sim)` (per position, no journal),
  `completed`, `guard_deals`, `all_deals`, `closing_deals`;
- `tests.kit.scripted`: `ScriptedTerminal(sim)` (records every call; `Fault`s, `before`,
  `replace`, `after` per function call), `real_account(sim)`, `MT5_FUNCTIONS`.
"""

from tests.kit.guard import MAGIC, drive, open_sim, sim_config, sim_guard, sim_terminal, step
from tests.kit.oracle import (
    all_deals,
    assert_never_closed_twice,
    closed_by_slice,
    closed_twice,
    closing_deals,
    completed,
    guard_deals,
    overclosed_positions,
    planned_slices,
)
from tests.kit.scripted import MT5_FUNCTIONS, Call, Fault, ScriptedTerminal, real_account

__all__ = ["MAGIC", "MT5_FUNCTIONS", "Call", "Fault", "ScriptedTerminal", "all_deals",
           "assert_never_closed_twice", "closed_by_slice", "closed_twice", "closing_deals",
           "completed", "drive", "guard_deals", "open_sim", "overclosed_positions",
           "planned_slices", "real_account", "sim_config", "sim_guard", "sim_terminal", "step"]
