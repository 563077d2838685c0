"""The executor's slice bookkeeping and request: pure pieces of `bridge.executor.Executor`.

A slice's outcome (`SliceOutcome`), the mutable state of one `execute` call (`SliceRun`), the deal
comment that ties a deal to its plan and slice, the journal rows of a slice read back, and the
`order_send` request (volume on the symbol's step, filling mode, price). Volumes in lots, times in
UTC epoch seconds.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from bridge.journal_kinds import SliceStatus
from bridge.mt5 import constants as mt5c
from bridge.retcodes import Retcode
from bridge.terminal_errors import TerminalError
from bridge.terminal_values import HeldPosition, TradeRules
from controller import Action

__all__ = ["MARKET_CLOSED_RETRY_S", "SYMBOL_FILLING_FOK", "SYMBOL_FILLING_IOC", "SliceOutcome",
           "SliceRun", "check_action", "comment_for", "credited_deals", "fillings", "finish",
           "lots", "next_volume", "order_request", "plan_tag", "reduced_position"]

SYMBOL_FILLING_FOK = mt5c.SYMBOL_FILLING_FOK
"""`symbol_info().filling_mode` bit for fill-or-kill (not exported by the MetaTrader5 module)."""
SYMBOL_FILLING_IOC = mt5c.SYMBOL_FILLING_IOC
"""`symbol_info().filling_mode` bit for immediate-or-cancel."""
MARKET_CLOSED_RETRY_S = 60.0
"""After 10018 (market closed) the slice is postponed by this many seconds."""

TOL = 1e-8  # lots: volumes closer than this are equal
# conclusions after which the attempt may still execute on the server (a late fill)
UNCERTAIN = frozenset({"not executed", "partly executed", "not executed (resolved)"})
_COMMENT_MAX = 31


@dataclass(frozen=True, slots=True)
class SliceOutcome:
    """What one `Executor.execute` call achieved for one slice.

    `status`: ``done`` (nothing left to close), ``partial`` (some lots closed, the rest to retry at
    `retry_at`), ``postponed`` (market closed; retry at `retry_at`), ``failed`` (see `message`;
    `retry_at` is set when the cause may pass by itself, None when a person has to act),
    ``gone`` (the position is no longer there), ``not_due`` (before the slice's not-before time;
    nothing sent). `filled` and `remaining` are in lots; `retry_at` in UTC epoch seconds.
    `filled` counts this call's fills plus fills of earlier attempts that this call settled (a
    late fill, an unknown attempt after a restart) and no earlier outcome reported, so summing
    `filled` over the calls of a slice gives exactly the lots the terminal booked for it.
    `retcode` is the last trade-server retcode, or the negative `last_error()` code when
    `order_send` returned None (e.g. -10005 IPC timeout); None when nothing was sent.
    """

    status: SliceStatus
    filled: float
    remaining: float
    retcode: int | None
    attempts: int
    message: str
    retry_at: float | None


@dataclass
class SliceRun:
    """The mutable state of one `execute` call (lots; `error` the last failed terminal call of
    this run, None after a call that answered)."""

    action: Action
    todo: float  # lots this call aims to close
    comment: str
    fillings: list[int] = field(default_factory=list)
    rules: TradeRules | None = None
    filled: float = 0.0
    attempts: int = 0
    fill_index: int = 0
    backoffs: int = 0
    rerounded: bool = False
    uncertain: bool = False  # an earlier attempt may still execute: look for late fills
    credited: set[int] = field(default_factory=set)  # deal tickets the journal counts already
    last: Retcode | None = None
    note: str = ""
    error: TerminalError | None = None

    @property
    def remaining(self) -> float:
        return max(self.todo - self.filled, 0.0)

    @property
    def retcode(self) -> int | None:
        return None if self.last is None else self.last.code


def plan_tag(plan_id: str) -> str:
    """8 hex digits naming a plan in deal comments: the start of SHA-1 of the plan id."""
    return hashlib.sha1(plan_id.encode("utf-8")).hexdigest()[:8]


def comment_for(action: Action) -> str:
    """The deal comment tying a deal to its plan and slice, e.g. ``"lca 1a2b3c4d 2/5"``."""
    return f"lca {plan_tag(action.plan_id)} {action.slice_index}/{action.slices}"[:_COMMENT_MAX]


def lots(v: float) -> str:
    """Lots as the messages show them (two decimals)."""
    return f"{v:.2f}"


def check_action(action: Action) -> None:
    """ValueError naming the field for a side not "buy"/"sell" or a volume not > 0."""
    if action.side not in ("buy", "sell"):
        raise ValueError(f"action side = {action.side!r} must be 'buy' or 'sell'")
    if not (action.volume > 0 and math.isfinite(action.volume)):
        raise ValueError(f"action volume = {action.volume} lots must be a finite number > 0")


def credited_deals(rows: list[dict[str, Any]]) -> set[int]:
    """Deal tickets that result rows count as filled."""
    out: set[int] = set()
    for r in rows:
        if int(r.get("deal") or 0) > 0 and float(r.get("filled") or 0.0) > 0:
            out.add(int(r["deal"]))
        out.update(int(d) for d in r.get("deals") or ())
    return out


def fillings(rules: TradeRules) -> list[int]:
    """Filling modes to try, in order: FOK and IOC as the bits allow; RETURN when neither bit is
    set or the symbol is not on market execution."""
    bits = rules.filling_mode
    out = []
    if bits & SYMBOL_FILLING_FOK:
        out.append(mt5c.ORDER_FILLING_FOK)
    if bits & SYMBOL_FILLING_IOC:
        out.append(mt5c.ORDER_FILLING_IOC)
    if not out or rules.trade_exemode != mt5c.SYMBOL_TRADE_EXECUTION_MARKET:
        out.append(mt5c.ORDER_FILLING_RETURN)
    return out


def next_volume(run: SliceRun, held: HeldPosition) -> float | None:
    """Lots for the next send: ≤ what is left, ≤ the position, ≤ volume_max, on the step; None
    when what is left is below the minimum and the position holds more."""
    rules = run.rules
    assert rules is not None
    step = rules.volume_step or 0.01
    vmin = rules.volume_min
    want = min(run.remaining, held.volume, rules.volume_max)
    if want < vmin - TOL:
        # A remainder below the minimum: close the whole position if that is all it holds.
        return held.volume if held.volume <= run.remaining + TOL else None
    k = math.floor((want - vmin) / step + 1e-6)
    digits = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 2
    return round(vmin + k * step, digits)


def order_request(run: SliceRun, magic: int, deviation_points: int, held: HeldPosition,
                  vol: float, price: float) -> dict[str, Any]:
    """The `order_send` request closing `vol` lots of `held` at `price`."""
    a = run.action
    return {
        "action": mt5c.TRADE_ACTION_DEAL,
        "symbol": a.symbol,
        "volume": float(vol),
        "type": mt5c.ORDER_TYPE_SELL if a.side == "sell" else mt5c.ORDER_TYPE_BUY,
        "position": int(held.ticket),
        "price": float(price),
        "deviation": deviation_points,
        "type_filling": run.fillings[run.fill_index],
        "type_time": mt5c.ORDER_TIME_GTC,
        "magic": magic,
        "comment": run.comment,
    }


def reduced_position(action: Action, found: Sequence[HeldPosition]) -> HeldPosition:
    """The position among `found` that `action` reduces (volume 0 when gone); ValueError when
    the ticket is held on the side the action would add to."""
    want = mt5c.POSITION_TYPE_BUY if action.side == "sell" else mt5c.POSITION_TYPE_SELL
    for p in found:
        ok = p.ticket == action.ticket or not action.close_by_ticket
        if ok and p.symbol == action.symbol and p.type == want:
            return p
    if action.close_by_ticket and found:
        raise ValueError(f"position #{action.ticket} is not a "
                         f"{'long' if action.side == 'sell' else 'short'} {action.symbol} "
                         f"position; the action's side '{action.side}' would not reduce it")
    return HeldPosition(action.ticket, action.symbol, want, 0.0)


def finish(run: SliceRun, status: SliceStatus, why: str,
           retry_at: float | None = None) -> SliceOutcome:
    """The outcome of `run` with `status`, its message (logged at the status's level)."""
    a = run.action
    remaining = 0.0 if status.finished else run.remaining
    parts = [f"{a.symbol} #{a.ticket} slice {a.slice_index}/{a.slices}: {status}, closed "
             f"{lots(run.filled)} of {lots(run.todo)} lots"]
    if run.last is not None and status is not SliceStatus.DONE:
        parts.append(f"last answer {run.last.code} ({run.last.sentence})")
    parts += [p for p in (why, run.note) if p]
    if retry_at is not None:
        parts.append(f"retry at {retry_at:.0f}")
    message = "; ".join(parts)
    level = {SliceStatus.DONE: "INFO", SliceStatus.GONE: "INFO", SliceStatus.PARTIAL: "WARNING",
             SliceStatus.POSTPONED: "WARNING"}.get(status, "ERROR")
    logger.log(level, message)
    return SliceOutcome(status, run.filled, remaining, run.retcode, run.attempts, message,
                        retry_at)
