"""What the Guard journals and counts: the run's statistics, the plan's slices as journal data
and back, a decision's snapshot summary row. Money in the account currency."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from operator import attrgetter
from typing import Any

from bridge.journal import PendingRow
from bridge.journal_kinds import JournalKind
from controller import Action, Decision, Urgency

__all__ = ["GuardStats", "action_from", "decision_rows", "plain", "plan_payload",
           "snapshot_summary", "with_plan_id"]


@dataclass
class GuardStats:
    """What a run did, for the console and the end-of-run summary (money in account currency)."""

    guard_runs: int = 0
    cycles: int = 0
    orders: int = 0
    lots_closed: float = 0.0
    retcodes: dict[str, int] = field(default_factory=dict)
    first_order_time: float | None = None
    peak_equity: float = 0.0
    max_drawdown: float = 0.0
    equity: float = 0.0
    stop_outs: int = 0
    errors: int = 0
    last_orders: list[dict[str, Any]] = field(default_factory=list)

    def track_equity(self, equity: float) -> None:
        self.equity = equity
        self.peak_equity = max(self.peak_equity, equity)
        if self.peak_equity > 0.0:
            self.max_drawdown = max(self.max_drawdown, 1.0 - equity / self.peak_equity)


def plan_payload(actions: Sequence[Action]) -> list[dict[str, Any]]:
    """The plan's slices as journal data (every Action field; the urgency as its value)."""
    return [asdict(a) for a in actions]


_ACTION_FIELDS = tuple(f.name for f in fields(Action))
assert _ACTION_FIELDS[0] == "plan_id"  # with_plan_id passes the other fields after it
_AFTER_PLAN_ID = attrgetter(*_ACTION_FIELDS[1:])


def with_plan_id(action: Action, plan_id: str) -> Action:
    """`action` under another plan id: `dataclasses.replace(action, plan_id=plan_id)`, built
    positionally from the field list (a third of replace's cost; a guard cycle renames every
    slice of its plan)."""
    return Action(plan_id, *_AFTER_PLAN_ID(action))


def action_from(row: dict[str, Any]) -> Action:
    """A journaled slice back as an Action."""
    return Action(**{**row, "urgency": Urgency(row["urgency"])})


def snapshot_summary(d: Decision) -> dict[str, Any]:
    """The `snapshot` journal row of a decision: the account figures, depth sources, distances."""
    m = d.metrics
    return {"equity": m.equity, "balance": m.balance, "margin": m.margin,
            "position_value": m.position_value, "eff_lev": m.eff_lev, "mu": m.mu, "msi": m.msi,
            "lvi": m.lvi, "sigma": m.sigma, "l_safe": m.l_safe,
            "depth_sources": {s.symbol: s.depth_source for s in d.symbols},
            "positions": sum(1 for _ in d.symbols),
            "distances": {x.name: {"loss": x.loss_to_limit, "move_pct": x.adverse_move_pct}
                          for x in d.distances}}


def decision_rows(d: Decision) -> list[PendingRow]:
    """The `snapshot`, `decision` and `memory` rows of a decision, in that order (written
    together: `Journal.append_many`)."""
    decision = {"state": d.state.value, "regime": d.regime.value,
                "urgency": d.urgency.value if d.urgency else None,
                "target_eff_lev": d.target_eff_lev, "binding_cap": d.binding_cap,
                "reasons": list(d.reasons), "warnings": [w.message for w in d.warnings],
                "actions": len(d.actions), "limits": plain(d.limits)}
    return [(JournalKind.SNAPSHOT, d.time, snapshot_summary(d), None, None),
            (JournalKind.DECISION, d.time, decision,
             d.actions[0].plan_id if d.actions else None, None),
            (JournalKind.MEMORY, d.time, plain(d.memory), None, None)]


_FIELDS: dict[type, tuple[str, ...]] = {}
_ATOMS = frozenset({str, int, bool, type(None)})  # exact types: a subclass takes the checks below


def plain(value: Any) -> Any:
    """`value` as `controller.decision_to_dict` renders that part of a decision, without copying
    the rest of it: dataclasses as dicts, tuples as lists, infinities and NaN as None."""
    if type(value) in _ATOMS:  # text, whole numbers, flags, None: as they are (most leaves)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))
        return {n: plain(getattr(value, n)) for n in names}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
