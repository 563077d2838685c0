"""The "closed twice" oracle: the terminal's deal history is the only ground truth.

- `closed_twice(sim, journal)`: every planned slice the terminal closed more of than the plan
  asked (a close sent twice), by how many lots, and every guard deal that belongs to no planned
  slice; empty when nothing was closed twice. It needs the journal's plan rows.
- `overclosed_positions(sim)`: per position, without a journal: a deal that closes more lots
  than the position still held, or reverses it (netting IN/OUT); `assert_never_closed_twice`
  fails with the first of them.
- `completed(sim, journal)`: every slice of the newest plan closed in full.

`sim` is the simulated terminal (or any module-shaped object with `history_deals_get`); a slice
is keyed by (plan tag, slice index, ticket), read from the deal comment "lca TAG k/n".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bridge.executor import plan_tag
from bridge.journal import Journal
from bridge.mt5 import constants as c
from tests.kit.guard import MAGIC

__all__ = ["all_deals", "assert_never_closed_twice", "closed_by_slice", "closed_twice",
           "closing_deals", "completed", "guard_deals", "overclosed_positions",
           "planned_slices"]

SliceKey = tuple[str, int, int]
TOL = 1e-8  # lots: the volume step is 0.01, so anything above this is a real excess


def guard_deals(sim: Any) -> list[Any]:
    """The deals the guard made (its magic), from the terminal's history."""
    return [d for d in sim.history_deals_get(0, 2**31 - 1) if d.magic == MAGIC]


def planned_slices(journal: Journal) -> dict[SliceKey, float]:
    """(plan tag, slice index, ticket) → lots, over every plan the journal holds."""
    out: dict[SliceKey, float] = {}
    for row in journal.rows("plan"):
        for a in row.payload.get("actions", []):
            out[(plan_tag(a["plan_id"]), a["slice_index"], a["ticket"])] = a["volume"]
    return out


def closed_by_slice(sim: Any) -> dict[SliceKey, float]:
    """(plan tag, slice index, ticket) → lots closed, from the guard deals' comments."""
    out: dict[SliceKey, float] = defaultdict(float)
    for d in guard_deals(sim):
        _, tag, frac = d.comment.split()
        out[(tag, int(frac.split("/")[0]), int(d.position_id))] += d.volume
    return dict(out)


def closed_twice(sim: Any, journal: Journal) -> list[str]:
    """Which slice was closed more than planned and by how much, and every guard deal for no
    planned slice. Empty when nothing was closed twice."""
    planned = planned_slices(journal)
    found = []
    for key, lots in closed_by_slice(sim).items():
        if key not in planned:
            found.append(f"deal for unplanned slice {key}: {lots} lots")
        elif lots > planned[key] + TOL:
            found.append(f"slice {key}: closed {lots} lots of {planned[key]} "
                         f"({lots - planned[key]:.8g} lots too many)")
    return found


def completed(sim: Any, journal: Journal) -> bool:
    """Every slice of the newest plan with actions closed in full (per the deal history); a
    later "target reached" row (an empty plan) does not count as completing it."""
    rows = [r for r in journal.rows("plan", newest_first=True) if r.payload.get("actions")]
    assert rows, "no plan in the journal"
    closed = closed_by_slice(sim)
    return all(abs(closed.get((plan_tag(a["plan_id"]), a["slice_index"], a["ticket"]), 0.0)
                   - a["volume"]) < 1e-6 for a in rows[0].payload["actions"])


def all_deals(sim: Any) -> tuple[Any, ...]:
    """Every buy and sell deal in the history (balance operations left out)."""
    deals = sim.history_deals_get(0, 2**33)
    assert deals is not None
    return tuple(d for d in deals if d.type in (c.DEAL_TYPE_BUY, c.DEAL_TYPE_SELL))


def overclosed_positions(sim: Any) -> list[str]:
    """Per position: every deal that reverses it, or closes more lots than it still held
    (which is also what trading on a position after it reached zero does), and by how much."""
    found = []
    opened: dict[int, float] = {}
    for d in all_deals(sim):
        if d.entry == c.DEAL_ENTRY_INOUT:
            found.append(f"deal {d.ticket} reversed position {d.position_id}")
        elif d.entry == c.DEAL_ENTRY_IN:
            opened[d.position_id] = opened.get(d.position_id, 0.0) + d.volume
        else:
            left = opened.get(d.position_id, 0.0)
            if d.volume > left + 1e-9:
                found.append(f"deal {d.ticket} closes {d.volume} lots of position "
                             f"{d.position_id}, which held only {left} "
                             f"({d.volume - left:.8g} lots too many)")
            opened[d.position_id] = left - d.volume
    return found


def assert_never_closed_twice(sim: Any) -> None:
    """Per position: closing volume never exceeds what was opened, no deal reverses a position,
    and nothing trades on a position after it reached zero."""
    found = overclosed_positions(sim)
    assert not found, found[0]


def closing_deals(sim: Any, comment_prefix: str = "lca ") -> list[Any]:
    """The closing deals whose comment starts with `comment_prefix` (the guard's: "lca ")."""
    return [d for d in all_deals(sim)
            if d.entry == c.DEAL_ENTRY_OUT and d.comment.startswith(comment_prefix)]
