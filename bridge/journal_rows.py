"""Typed journal payloads for the readers (`lca status`, the dashboard, the fleet, the observers):
one frozen dataclass per row kind they read, instead of `payload.get("…")` at every reader.

`from_payload(payload)` is as tolerant as the readers were: a field every lca version has
written is required (a `KeyError` names it, as ``payload["…"]`` did); a field a reader took with
``.get`` keeps that reader's default. Money is in the account currency, times are UTC epoch
seconds, volumes in lots, levels and moves in percent. docs/journal.md describes every field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from bridge.journal_kinds import FINISHED, SliceStatus

__all__ = [
    "AlertRow", "DecisionRow", "Distance", "IntentRow", "PlanRow", "ResultRow", "RunRow",
    "ShadowMarkRow", "SliceRow", "SnapshotRow", "StateRow", "StopRow", "open_slices",
]

Payload = Mapping[str, Any]


_STATUSES = frozenset(s.value for s in SliceStatus)


def _status(value: object) -> SliceStatus | str:
    """The `SliceStatus` of `value`, or the text itself when it is none (a newer lca's)."""
    text = str(value)
    return SliceStatus(text) if text in _STATUSES else text


@dataclass(frozen=True, slots=True)
class SliceRow:
    """A `slice` row (and the row the guard hands its observers' `on_order`): one attempt at
    one slice of a plan. `volume` is the slice's lots, `filled` what this attempt closed,
    `remaining` what is left of the slice; `retcode` the last trade-server retcode (negative:
    the terminal's `last_error()`), None when nothing was sent."""

    ticket: int
    symbol: str
    slice_index: int
    volume: float
    status: SliceStatus | str
    filled: float
    remaining: float
    slices: int = 1
    retcode: int | None = None
    message: str = ""

    @classmethod
    def from_payload(cls, p: Payload) -> SliceRow:
        return cls(ticket=int(p["ticket"]), symbol=str(p["symbol"]),
                   slice_index=int(p["slice_index"]), volume=float(p["volume"]),
                   status=_status(p["status"]), filled=float(p["filled"]),
                   remaining=float(p["remaining"]), slices=int(p.get("slices", 1)),
                   retcode=p.get("retcode"), message=str(p.get("message", "")))

    @property
    def key(self) -> tuple[int, int]:
        """(position ticket, slice index): the slice within its plan."""
        return self.ticket, self.slice_index

    @property
    def finished(self) -> bool:
        """True when the slice needs nothing more (done, or its position is gone)."""
        return self.status in FINISHED


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A `plan` row: the plan's slices as journaled (every `controller.Action` field, as plain
    data: shown as they are), the target EffLev it was made for and its binding cap; no
    slices (`why` says so) clears the plan."""

    actions: tuple[dict[str, Any], ...] = ()
    target: float | None = None
    binding_cap: str | None = None
    why: str | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> PlanRow:
        return cls(actions=tuple(p.get("actions") or ()), target=p.get("target"),
                   binding_cap=p.get("binding_cap"), why=p.get("why"))

    def symbols(self) -> dict[int, tuple[str, str]]:
        """Per position ticket: the symbol and the closing side ("sell" closes a long)."""
        return {int(a["ticket"]): (a["symbol"], a["side"]) for a in self.actions}


def open_slices(plan: PlanRow, slices: Iterable[SliceRow]) -> list[dict[str, Any]]:
    """The slices of `plan` that no `slice` row of it says are finished, in the plan's order."""
    finished = {s.key for s in slices if s.finished}
    return [a for a in plan.actions if (int(a["ticket"]), int(a["slice_index"])) not in finished]


@dataclass(frozen=True, slots=True)
class IntentRow:
    """An `intent` row: the `order_send` request (`requested` its lots) written before it is
    sent, the attempt's number, the position's lots before it (`held_before`), the position
    ticket and the slice's lots (`slice_volume`); None where an older row has no such field."""

    requested: float
    slice_index: int | None = None
    attempt: int | None = None
    held_before: float | None = None
    position: int | None = None
    slice_volume: float | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> IntentRow:
        return cls(requested=float(p["request"]["volume"]), slice_index=p.get("slice_index"),
                   attempt=p.get("attempt"), held_before=p.get("held_before"),
                   position=p.get("position"), slice_volume=p.get("slice_volume"))


@dataclass(frozen=True, slots=True)
class ResultRow:
    """A `result` row: what one `order_send` answered (`retcode`, `deal`, `volume` and `price`
    filled, the server's `comment`), or, with no answer, `error` = [code, text] from
    `last_error()`; `conclusion` is how the executor read it, `attempt` its number."""

    retcode: int | None = None
    error: tuple[int, str] | None = None
    volume: float | None = None
    price: float | None = None
    comment: str | None = None
    deal: int | None = None
    conclusion: str | None = None
    attempt: int | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> ResultRow:
        error = p.get("error")
        return cls(retcode=p.get("retcode"), error=None if not error else (error[0], error[1]),
                   volume=p.get("volume"), price=p.get("price"), comment=p.get("comment"),
                   deal=p.get("deal"), conclusion=p.get("conclusion"), attempt=p.get("attempt"))

    @property
    def code(self) -> int | None:
        """The trade server's retcode, else the terminal's `last_error()` code."""
        return self.error[0] if self.retcode is None and self.error else self.retcode


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """A `decision` row: trading state, regime, target EffLev and the cap that bound it, the
    urgency of its plan, how many slices it planned (`actions`), its reasons and warnings."""

    state: str
    regime: str
    target_eff_lev: float
    binding_cap: str
    urgency: str | None = None
    actions: int | None = None
    reasons: tuple[str, ...] | None = None
    warnings: tuple[str, ...] | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> DecisionRow:
        reasons, warnings = p.get("reasons"), p.get("warnings")
        return cls(state=p["state"], regime=p["regime"], target_eff_lev=p["target_eff_lev"],
                   binding_cap=p["binding_cap"], urgency=p.get("urgency"),
                   actions=p.get("actions"),
                   reasons=None if reasons is None else tuple(reasons),
                   warnings=None if warnings is None else tuple(warnings))


class Distance(TypedDict):
    """How far one limit is: the `loss` (account currency) that reaches it, and the adverse
    move of the net book (`move_pct`, percent; None without a net exposure)."""

    loss: float
    move_pct: float | None


#: the `snapshot` row's figures the readers show
SNAPSHOT_FIGURES = ("equity", "balance", "margin", "position_value", "eff_lev", "mu", "msi",
                    "lvi", "sigma", "l_safe")


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """A `snapshot` row: equity, balance, margin and position value (account currency), EffLev,
    MU, MSI, LVI, σ, L_safe, and per limit (``stop_out``, ``margin_call``, the prop limits) the
    `loss` that reaches it and the adverse `move_pct` of the net book; None when not known."""

    equity: float | None = None
    balance: float | None = None
    margin: float | None = None
    position_value: float | None = None
    eff_lev: float | None = None
    mu: float | None = None
    msi: float | None = None
    lvi: float | None = None
    sigma: float | None = None
    l_safe: float | None = None
    distances: Mapping[str, Distance] | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> SnapshotRow:
        return cls(**{k: p.get(k) for k in SNAPSHOT_FIGURES}, distances=p.get("distances"))

    def figure(self, name: str) -> float | None:
        """The figure `name` (one of SNAPSHOT_FIGURES)."""
        value: float | None = getattr(self, name)
        return value


@dataclass(frozen=True, slots=True)
class StateRow:
    """A `state` row: `what` changed (state, connection, data, stale, mode, warmup, or a trade
    permission: algo_trading, expert, ea_attached, with `ok`) and the message saying how."""

    what: str | None = None
    message: str = ""
    ok: bool | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> StateRow:
        return cls(what=p.get("what"), message=p.get("message", ""), ok=p.get("ok"))


@dataclass(frozen=True, slots=True)
class RunRow:
    """A `run` row: the guard's mode, the terminal kind, the scenario (simulated terminal), the
    account currency, its lease key, process id and lease timeout (wall-clock seconds)."""

    mode: str | None = None
    scenario: str | None = None
    currency: str | None = None
    lease: str | None = None
    pid: int | None = None
    lease_timeout: float = 30.0

    @classmethod
    def from_payload(cls, p: Payload) -> RunRow:
        return cls(mode=p.get("mode"), scenario=p.get("scenario"), currency=p.get("currency"),
                   lease=p.get("lease"), pid=p.get("pid"),
                   lease_timeout=p.get("lease_timeout", 30.0))


@dataclass(frozen=True, slots=True)
class StopRow:
    """A `stop` row's `reason`; an `end` row has none: the replay is over."""

    reason: str = "end of the replay"

    @classmethod
    def from_payload(cls, p: Payload) -> StopRow:
        return cls(reason=p.get("reason", "end of the replay"))


@dataclass(frozen=True, slots=True)
class ShadowMarkRow:
    """A `shadow_mark` row's headline: the lots the guard would have closed, what that `saved`
    (negative: cost) in account currency, and when the book was last marked."""

    lots: float | None = None
    saved: float | None = None
    marked_at: float | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> ShadowMarkRow:
        return cls(lots=p.get("lots"), saved=p.get("saved"), marked_at=p.get("marked_at"))


@dataclass(frozen=True, slots=True)
class AlertRow:
    """An `alert` row (and the row observers hear in `on_alert`): the alert, the `channel` it
    went to (None: held back for the next summary) and the `result` (sent, failed, held back)."""

    channel: str | None = None
    result: str | None = None

    @classmethod
    def from_payload(cls, p: Payload) -> AlertRow:
        channel = p.get("channel")
        return cls(channel=channel, result=None if channel is None else str(p["result"]))
