"""The guard beside one terminal account, in small modules by job.

- `guard` — `Guard`: the schedule's jobs (`fast_guard`, `cycle`, `recalibrate`), `start`, `stop`;
  it only orchestrates;
- `feed` — `IndicatorFeed`: the history read at start and the incremental indicators;
- `plan_store` — `PlanStore`: the plan, its re-plan (`controller.replan`) and slice execution;
- `health` — `Health`: stale quotes, the connection, the broker's stop-outs;
- the EA's limits are published by `bridge.ealink.publisher`, the lease held by
  `bridge.runtime.lease`, the run's statistics and journal payloads built by
  `bridge.runtime.records`, every slice-progress row written by `bridge.slice_journal`.
"""

from __future__ import annotations

from bridge.runtime.guard import Guard
from bridge.runtime.records import GuardStats

__all__ = ["Guard", "GuardStats"]
