"""The guard beside one terminal account, in small modules by job.

- `guard` — `Guard`: the schedule's jobs (`fast_guard`, `cycle`, `recalibrate`), `start`, `stop`;
  it only orchestrates;
- `feed` — `IndicatorFeed`: the history read at start and the incremental indicators;
- `plan_store` — `PlanStore`: the plan, its re-plan (`controller.replan`) and slice execution;
- `health` — `Health`: stale quotes, the connection, the broker's stop-outs;
- the EA's limits are published by `bridge.ealink.publisher`, the lease held by
  `bridge.guard_lease`, the run's statistics and journal payloads built by
  `bridge.guard_records`, every slice-progress row written by `bridge.slice_journal`.
"""

from __future__ import annotations

from bridge.guard_records import GuardStats
from bridge.runtime.guard import Guard

__all__ = ["Guard", "GuardStats"]
