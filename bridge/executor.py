"""The executor: one Decision slice (`controller.Action`) → `order_send` requests, until it is done.

Request (shared/reference/mt5-api.md §2.1/§2.2, "close / partial close"): ``action``
TRADE_ACTION_DEAL, ``symbol``, ``volume`` (float lots), ``type`` the opposite of the position
(ORDER_TYPE_SELL closes a long, ORDER_TYPE_BUY a short), ``position`` the ticket, ``price`` from a
fresh tick (bid for a sell, ask for a buy), ``deviation`` (int points), ``type_filling`` a mode the
symbol's ``filling_mode`` bits allow (FOK, then IOC; RETURN when neither bit is set),
``type_time`` ORDER_TIME_GTC, ``magic`` and ``comment`` ``"lca <tag> <slice>/<slices>"`` (≤ 31
characters; `<tag>` is 8 hex digits of the plan id, see `plan_tag`).

On a netting account the slice is checked against the symbol's net position
(``positions_get(symbol=...)``) and the opposite deal carries that position's ticket too
(mql5-testing.md: "mandatory on hedging, recommended on netting"): without it, a deal sent just
after the position shrank (a stop-out, the trader) would reverse the position and open exposure;
with it the server refuses instead (10036 / 10038).

Safety rules:

- never more than the position holds: the position is read before every send and the volume is
  the smaller of what the slice still needs, what the position holds and ``volume_max``, rounded
  down to ``volume_step``;
- never without a trail: an ``intent`` row (the full request) is committed to the journal before
  each ``order_send`` and a ``result`` row after it (retcode, deal, order, volume, price, comment,
  attempt, conclusion, lots filled);
- never twice: after a timeout, a lost connection or any answer that may hide an execution
  (10008, 10011, 10012, 10031, a None answer with an IPC error) the position is read back
  before anything is resent. What executed is taken from the deals on the position that carry
  this slice's magic and comment and are not yet credited in the journal (exact); without such
  a deal, from the position's drop, capped at the request (it may include someone else's close,
  so it can only under-count our fill). If the position cannot be read back nothing is resent:
  the outcome is ``failed`` and the next call settles the unknown attempt first. An attempt
  read back as "not executed" may still fill later: before every later send of the slice its
  tagged deals are looked up again and credited ("late fill");
- idempotent: a slice is known by (plan id, slice index, ticket); it closes at most the volume
  of its first send minus what the journal says is already filled, so calling `execute` again
  after ``partial``, ``postponed`` or ``failed`` (with the same action, or with
  ``replace(action, volume=outcome.remaining)``) closes only what is left, also after a
  restart.

The filling mode goes FOK first: a slice is already sized to the book (DESIGN §3.4), so
all-or-nothing is the expected fill; IOC is the fallback when the broker refuses FOK (10030).
Retcodes are handled per `bridge.retcodes` (done, partial, fresh-price retries, postpone, filling
switch, back-off, volume re-rounding, read-back, gone, fail); at most `max_attempts` sends per call.
Waiting goes through the injected `wait` (a simulated clock in replays; `time.sleep` live).

Not modelled: pending orders, close-by (TRADE_ACTION_CLOSE_BY), asynchronous sends.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from bridge.journal import Journal
from bridge.mt5 import constants as mt5c
from bridge.mt5.port import Mt5Module
from bridge.retcodes import Handling, Retcode, error_handling, retcode_handling
from controller import Action

__all__ = ["Executor", "SliceOutcome", "comment_for", "plan_tag"]

SYMBOL_FILLING_FOK = mt5c.SYMBOL_FILLING_FOK
"""`symbol_info().filling_mode` bit for fill-or-kill (not exported by the MetaTrader5 module)."""
SYMBOL_FILLING_IOC = mt5c.SYMBOL_FILLING_IOC
"""`symbol_info().filling_mode` bit for immediate-or-cancel."""
MARKET_CLOSED_RETRY_S = 60.0
"""After 10018 (market closed) the slice is postponed by this many seconds."""

_TOL = 1e-8  # lots: volumes closer than this are equal
# conclusions after which the attempt may still execute on the server (a late fill)
_UNCERTAIN = frozenset({"not executed", "partly executed", "not executed (resolved)"})
_COMMENT_MAX = 31
# Documented MT5 values (mt5-api.md §3), used only if the terminal object lacks the attribute.
_DEFAULTS = {name: getattr(mt5c, name) for name in (
    "TRADE_ACTION_DEAL", "ORDER_TYPE_BUY", "ORDER_TYPE_SELL", "ORDER_FILLING_FOK",
    "ORDER_FILLING_IOC", "ORDER_FILLING_RETURN", "ORDER_TIME_GTC", "POSITION_TYPE_BUY",
    "POSITION_TYPE_SELL", "SYMBOL_TRADE_EXECUTION_MARKET")}


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

    status: str
    filled: float
    remaining: float
    retcode: int | None
    attempts: int
    message: str
    retry_at: float | None


@dataclass(frozen=True, slots=True)
class _Held:
    """A position as read from the terminal: its ticket and volume (0 = gone)."""

    ticket: int
    volume: float


@dataclass
class _Run:
    """The mutable state of one `execute` call."""

    action: Action
    todo: float  # lots this call aims to close
    comment: str
    fillings: list[int] = field(default_factory=list)
    info: Any = None
    filled: float = 0.0
    attempts: int = 0
    fill_index: int = 0
    backoffs: int = 0
    rerounded: bool = False
    uncertain: bool = False  # an earlier attempt may still execute: look for late fills
    credited: set[int] = field(default_factory=set)  # deal tickets the journal counts already
    last: Retcode | None = None
    note: str = ""

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


def _lots(v: float) -> str:
    return f"{v:.2f}"


class Executor:
    """Sends one slice at a time through a `MetaTrader5`-shaped `terminal` (see the module doc).

    `now()` gives UTC epoch seconds; `wait(seconds)` pauses (``time.sleep`` live, a simulated
    clock in replays). `deviation_points` is the accepted slippage in points for instant/request
    execution; `max_attempts` bounds the sends (and the reads while the link is down) per call;
    back-off waits are `backoff_seconds` × 2^k.
    """

    def __init__(
        self,
        terminal: Mt5Module,
        journal: Journal,
        now: Callable[[], float],
        *,
        magic: int = 770077,
        deviation_points: int = 20,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
        wait: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts = {max_attempts} must be ≥ 1")
        if backoff_seconds < 0 or not math.isfinite(backoff_seconds):
            raise ValueError(f"backoff_seconds = {backoff_seconds} must be a finite number ≥ 0")
        if deviation_points < 0:
            raise ValueError(f"deviation_points = {deviation_points} must be ≥ 0")
        self._t = terminal
        self._journal = journal
        self._now = now
        self.magic = int(magic)
        self.deviation_points = int(deviation_points)
        self.max_attempts = int(max_attempts)
        self.backoff_seconds = float(backoff_seconds)
        self._wait = wait
        self._raised: tuple[int, str] | None = None  # the last terminal call raised this

    # ------------------------------------------------------------------ public
    def execute(self, action: Action) -> SliceOutcome:
        """Close `action.volume` lots of the position (or what is left of it); see the module doc.

        Raises ValueError for a malformed action (side not "buy"/"sell", volume ≤ 0) and lets a
        journal failure propagate (nothing is sent without its intent row).
        """
        now = self._now()
        if now < action.not_before:
            return SliceOutcome("not_due", 0.0, action.volume, None, 0,
                                f"slice {action.slice_index}/{action.slices} of {action.symbol} "
                                f"is due at {action.not_before:.0f}, now {now:.0f}",
                                action.not_before)
        _check(action)
        run = _Run(action, action.volume, comment_for(action))
        rows = self._slice_rows(action)
        run.credited = _credited(rows)
        total = float(rows[0].get("slice_volume", action.volume)) if rows else action.volume
        closed = sum(float(r.get("filled", 0.0)) for r in rows)
        run.todo = max(min(action.volume, total - closed), 0.0)
        run.uncertain = any(r.get("conclusion") in _UNCERTAIN for r in rows)
        if run.todo <= _TOL:
            run.note = f"the journal shows {_lots(closed)} lots already closed"
            return self._finish(run, "done", "slice already closed")
        if rows and rows[-1].get("conclusion") == "unknown":
            unresolved = self._resolve_unknown(run, rows[-1])
            if unresolved is not None:
                return unresolved
            if run.remaining <= _TOL:
                return self._finish(run, "done", "an earlier attempt had executed")
        return self._loop(run)

    # ------------------------------------------------------------------ the send loop
    def _loop(self, run: _Run) -> SliceOutcome:
        a = run.action
        run.info = self._read(lambda: self._call("symbol_info", a.symbol))
        if run.info is None:
            return self._unreachable(run, f"symbol_info({a.symbol!r}) could not be read")
        run.fillings = self._fillings(run.info)
        while run.attempts < self.max_attempts:
            held = self._position(a)
            if held is None:
                return self._unreachable(run, f"position #{a.ticket} could not be read")
            if run.uncertain and self._late_fills(run, held.ticket) and run.remaining <= _TOL:
                return self._finish(run, "done", "an earlier attempt filled late")
            if held.volume <= _TOL:
                return self._finish(run, "done" if run.filled > _TOL else "gone",
                                    "the position is closed" if run.filled > _TOL
                                    else "the position is no longer open")
            if held.volume < run.remaining - _TOL:
                run.note = f"the position held only {_lots(held.volume)} lots"
            vol = self._volume(run, held)
            if vol is None:
                return self._finish(run, "failed",
                                    f"{_lots(run.remaining)} lots left are below the symbol's "
                                    f"minimum volume {run.info.volume_min}")
            price = self._price(a)
            if price is None:
                return self._unreachable(run, f"no fresh price for {a.symbol}")
            stop = self._send(run, held, vol, price)
            if stop is not None:
                return stop
            if run.remaining <= _TOL:
                return self._finish(run, "done", "")
        return self._exhausted(run)

    def _send(self, run: _Run, held: _Held, vol: float, price: float) -> SliceOutcome | None:
        """One intent, one `order_send`, one result; None to go round the loop again."""
        a = run.action
        request = self._request(run, held, vol, price)
        self._journal.append("intent", self._now(), {
            "request": request, "slice_index": a.slice_index, "slices": a.slices,
            "slice_volume": a.volume, "attempt": run.attempts + 1, "held_before": held.volume,
            "position": held.ticket, "tag": plan_tag(a.plan_id),
        }, plan_id=a.plan_id, ticket=a.ticket)
        result = self._call("order_send", request)
        run.attempts += 1
        if result is None:
            code, text = self._last_error()
            entry = error_handling(code)
            base: dict[str, Any] = {"retcode": None, "error": [code, text]}
        else:
            entry = retcode_handling(int(result.retcode))
            base = {"retcode": int(result.retcode), "deal": int(result.deal),
                    "order": int(result.order), "volume": float(result.volume),
                    "price": float(result.price), "comment": str(result.comment)}
        run.last = entry
        return self._handle(run, held, vol, result, entry, base)

    def _handle(self, run: _Run, held: _Held, vol: float, result: Any, entry: Retcode,
                base: dict[str, Any]) -> SliceOutcome | None:
        h = entry.handling
        if h in (Handling.DONE, Handling.PARTIAL):
            got = float(result.volume) if result.volume > _TOL else vol
            got = min(got, vol) if h is Handling.PARTIAL else got
            run.filled += got
            self._result(run, base, h.value, got, vol)
            return None
        if h is Handling.READ_BACK:
            return self._read_back(run, held, vol, base)
        self._result(run, base, h.value, 0.0, vol)
        if h is Handling.REREAD_POSITION:
            return None  # the loop reads the position before the next send
        if h is Handling.RETRY_FRESH_PRICE:
            if entry.code == mt5c.TRADE_RETCODE_PRICE_OFF:  # off quotes: give the feed a moment
                self._wait(self.backoff_seconds)
            return None
        if h is Handling.BACK_OFF:
            self._wait(self.backoff_seconds * 2.0**run.backoffs)
            run.backoffs += 1
            return None
        if h is Handling.SWITCH_FILLING:
            run.fill_index += 1
            if run.fill_index < len(run.fillings):
                return None
            return self._finish(run, "failed", "no filling mode the symbol allows was accepted")
        if h is Handling.FIX_VOLUME and not run.rerounded:
            run.rerounded = True
            fresh = self._read(lambda: self._call("symbol_info", run.action.symbol))
            run.info = fresh if fresh is not None else run.info
            return None
        if h is Handling.POSTPONE:
            return self._finish(run, "postponed", "", self._now() + MARKET_CLOSED_RETRY_S)
        if h is Handling.GONE:
            return self._finish(run, "done" if run.filled > _TOL else "gone", "")
        return self._finish(run, "failed", "")

    def _read_back(self, run: _Run, held: _Held, vol: float,
                   base: dict[str, Any]) -> SliceOutcome | None:
        """After an answer that may hide an execution: did the position shrink by `vol`?"""
        self._wait(self.backoff_seconds)  # let a late execution land before looking
        after = self._position(run.action)
        if after is None:
            self._result(run, base, "unknown", 0.0, vol, held_before=held.volume,
                         position=held.ticket)
            return self._unreachable(run, "the order may have executed and the position could "
                                          "not be read back; nothing is resent until it is")
        got, deals, source = self._attribute(run, held.ticket, held.volume, after.volume, vol)
        conclusion = ("executed" if got >= vol - _TOL else
                      "partly executed" if got > 0 else "not executed")
        run.filled += got
        run.uncertain = run.uncertain or got < vol - _TOL
        self._result(run, base, conclusion, got, vol, held_before=held.volume,
                     held_after=after.volume, deals=deals, evidence=source)
        return None

    def _attribute(self, run: _Run, ticket: int, before: float, after: float,
                   requested: float) -> tuple[float, list[int], str]:
        """Lots of an unconfirmed request that executed: (lots, deal tickets, evidence).

        First choice: deals on the position carrying this slice's magic and comment that the
        journal has not credited yet (exact). Otherwise the position's drop, capped at the
        request: it may include someone else's close (the trader, the EA, a stop-out), so it can
        only under-count our fill, never make us close twice.
        """
        found = self._tagged_deals(run, ticket)
        if found[0] > _TOL:
            return min(found[0], requested), found[1], "deals"
        drop = before - after
        return (min(drop, requested) if drop > _TOL else 0.0), [], "position"

    def _tagged_deals(self, run: _Run, ticket: int) -> tuple[float, list[int]]:
        """(lots, tickets) of deals on the position with this slice's magic and comment that
        the journal has not credited yet; (0, []) when the history cannot be read."""
        deals = self._call("history_deals_get", position=ticket)
        if not deals:
            return 0.0, []
        ours = [d for d in deals if int(d.magic) == self.magic and str(d.comment) == run.comment
                and int(d.entry) != 0 and int(d.ticket) not in run.credited]
        return sum(float(d.volume) for d in ours), [int(d.ticket) for d in ours]

    def _late_fills(self, run: _Run, ticket: int) -> bool:
        """Credit deals of an attempt that was answered "not executed" but filled later."""
        lots, deals = self._tagged_deals(run, ticket)
        if lots <= _TOL:
            return False
        got = min(lots, run.remaining)
        run.filled += got
        self._record(run, {"retcode": None, "attempt": run.attempts, "requested": 0.0,
                           "filled": got, "deals": deals, "evidence": "deals",
                           "conclusion": "late fill"})
        return True

    def _exhausted(self, run: _Run) -> SliceOutcome:
        status = "partial" if run.filled > _TOL else "failed"
        return self._finish(run, status, f"gave up after {run.attempts} attempts",
                            self._later(run))

    def _unreachable(self, run: _Run, why: str) -> SliceOutcome:
        code, text = self._last_error()
        if code != 1:
            why = f"{why} (terminal: {text}, {code})"
        return self._finish(run, "partial" if run.filled > _TOL else "failed", why,
                            self._later(run))

    def _later(self, run: _Run) -> float:
        return self._now() + max(self.backoff_seconds * 2.0 ** min(run.backoffs, 6), 1.0)

    # ------------------------------------------------------------------ unknown attempts
    def _resolve_unknown(self, run: _Run, last: dict[str, Any]) -> SliceOutcome | None:
        """Settle an earlier attempt that ended unknown (no answer, or the process died during
        the send) from the position and its deals, before anything is sent; None when settled.
        Lots it turns out to have closed count as filled by this call (no outcome has reported
        them yet)."""
        after = self._position(run.action)
        if after is None:
            return self._unreachable(run, "an earlier attempt may have executed and the "
                                          "position still cannot be read back")
        requested = float(last.get("requested", 0.0))
        ticket = int(last.get("position", after.ticket))
        got, deals, source = self._attribute(
            run, ticket, float(last.get("held_before", after.volume)), after.volume, requested)
        got = min(got, run.remaining)
        run.filled += got
        run.uncertain = run.uncertain or got < requested - _TOL
        self._record(run, {
            "retcode": None, "attempt": last.get("attempt"), "requested": requested,
            "filled": got, "held_after": after.volume, "deals": deals, "evidence": source,
            "conclusion": "executed (resolved)" if got > 0 else "not executed (resolved)"})
        return None

    def _slice_rows(self, action: Action) -> list[dict[str, Any]]:
        """This slice's `result` payloads, oldest first. An `intent` with no result after it
        (the process died during the send) is returned as a last, "unknown" result."""
        rows = [r for r in self._journal.rows(plan_id=action.plan_id)
                if r.kind in ("intent", "result") and r.ticket == action.ticket
                and r.payload.get("slice_index") == action.slice_index]
        out = [r.payload for r in rows if r.kind == "result"]
        if rows and rows[-1].kind == "intent":
            i = rows[-1].payload
            out.append({"conclusion": "unknown", "attempt": i.get("attempt"), "filled": 0.0,
                        "requested": float(i["request"]["volume"]),
                        "held_before": i.get("held_before"), "position": i.get("position"),
                        "slice_volume": i.get("slice_volume", action.volume)})
        return out

    # ------------------------------------------------------------------ terminal reads
    def _read(self, call: Callable[[], Any], *, none_is_empty: bool = False) -> Any:
        """`call()` until it answers (not None), at most `max_attempts` times with back-off.

        With `none_is_empty`, None while `last_error()` says success is an empty answer (`()`):
        mt5-api.md §0.2, "treat None and an empty result alike as nothing"."""
        for k in range(self.max_attempts):
            got = call()
            if got is not None:
                return got
            if none_is_empty and self._last_error()[0] == mt5c.RES_S_OK:
                return ()
            if k + 1 < self.max_attempts:
                self._wait(self.backoff_seconds * 2.0**k)
        return None

    def _position(self, action: Action) -> _Held | None:
        """The position the slice reduces (volume 0 when gone), or None when it cannot be read."""
        if action.close_by_ticket:
            found = self._read(lambda: self._call("positions_get", ticket=action.ticket),
                               none_is_empty=True)
        else:
            found = self._read(lambda: self._call("positions_get", symbol=action.symbol),
                               none_is_empty=True)
        if found is None:
            return None
        want = self._c("POSITION_TYPE_BUY" if action.side == "sell" else "POSITION_TYPE_SELL")
        for p in found:
            ok = p.ticket == action.ticket or not action.close_by_ticket
            if ok and p.symbol == action.symbol and p.type == want:
                return _Held(int(p.ticket), float(p.volume))
        if action.close_by_ticket and found:
            raise ValueError(f"position #{action.ticket} is not a "
                             f"{'long' if action.side == 'sell' else 'short'} {action.symbol} "
                             f"position; the action's side '{action.side}' would not reduce it")
        return _Held(action.ticket, 0.0)

    def _price(self, action: Action) -> float | None:
        tick = self._read(lambda: self._call("symbol_info_tick", action.symbol))
        if tick is None:
            return None
        price = float(tick.bid if action.side == "sell" else tick.ask)
        return price if price > 0 and math.isfinite(price) else None

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """One terminal call. A transport that raises instead of answering None (mt5linux/RPyC:
        "result expired", a dropped connection; mt5-api.md §5.3) counts as a lost answer:
        None, with `_last_error()` giving RES_E_INTERNAL_FAIL and the exception's text."""
        self._raised = None
        try:
            return getattr(self._t, name)(*args, **kwargs)
        except Exception as exc:
            self._raised = (mt5c.RES_E_INTERNAL_FAIL,
                            f"{name}() raised {type(exc).__name__}: {exc}")
            return None

    def _last_error(self) -> tuple[int, str]:
        if self._raised is not None:
            return self._raised
        try:
            err = self._t.last_error()
            return int(err[0]), str(err[1])
        except Exception as exc:
            return mt5c.RES_E_INTERNAL_FAIL, f"last_error() raised {type(exc).__name__}: {exc}"

    def _c(self, name: str) -> int:
        return int(getattr(self._t, name, _DEFAULTS[name]))

    # ------------------------------------------------------------------ the request
    def _fillings(self, info: Any) -> list[int]:
        """Filling modes to try, in order: FOK and IOC as the bits allow; RETURN when neither
        bit is set or the symbol is not on market execution."""
        bits = int(info.filling_mode)
        out = []
        if bits & SYMBOL_FILLING_FOK:
            out.append(self._c("ORDER_FILLING_FOK"))
        if bits & SYMBOL_FILLING_IOC:
            out.append(self._c("ORDER_FILLING_IOC"))
        if not out or int(info.trade_exemode) != self._c("SYMBOL_TRADE_EXECUTION_MARKET"):
            out.append(self._c("ORDER_FILLING_RETURN"))
        return out

    def _volume(self, run: _Run, held: _Held) -> float | None:
        """Lots for the next send: ≤ what is left, ≤ the position, ≤ volume_max, on the step."""
        info = run.info
        step = float(info.volume_step) or 0.01
        vmin = float(info.volume_min)
        want = min(run.remaining, held.volume, float(info.volume_max))
        if want < vmin - _TOL:
            # A remainder below the minimum: close the whole position if that is all it holds.
            return held.volume if held.volume <= run.remaining + _TOL else None
        k = math.floor((want - vmin) / step + 1e-6)
        digits = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 2
        return round(vmin + k * step, digits)

    def _request(self, run: _Run, held: _Held, vol: float, price: float) -> dict[str, Any]:
        a = run.action
        return {
            "action": self._c("TRADE_ACTION_DEAL"),
            "symbol": a.symbol,
            "volume": float(vol),
            "type": self._c("ORDER_TYPE_SELL" if a.side == "sell" else "ORDER_TYPE_BUY"),
            "position": int(held.ticket),
            "price": float(price),
            "deviation": self.deviation_points,
            "type_filling": run.fillings[run.fill_index],
            "type_time": self._c("ORDER_TIME_GTC"),
            "magic": self.magic,
            "comment": run.comment,
        }

    # ------------------------------------------------------------------ journal and outcome
    def _result(self, run: _Run, base: dict[str, Any], conclusion: str, filled: float,
                requested: float, **extra: Any) -> None:
        self._record(run, {**base, "attempt": run.attempts, "requested": requested,
                           "filled": filled, "conclusion": conclusion, **extra})

    def _record(self, run: _Run, payload: dict[str, Any]) -> dict[str, Any]:
        """Append one `result` row for this slice; its deals count as credited from now on."""
        a = run.action
        row = {"slice_index": a.slice_index, "ticket": a.ticket, "slice_volume": a.volume,
               **payload}
        self._journal.append("result", self._now(), row, plan_id=a.plan_id, ticket=a.ticket)
        run.credited |= _credited([row])
        return row

    def _finish(self, run: _Run, status: str, why: str,
                retry_at: float | None = None) -> SliceOutcome:
        a = run.action
        remaining = 0.0 if status in ("done", "gone") else run.remaining
        parts = [f"{a.symbol} #{a.ticket} slice {a.slice_index}/{a.slices}: {status}, closed "
                 f"{_lots(run.filled)} of {_lots(run.todo)} lots"]
        if run.last is not None and status != "done":
            parts.append(f"last answer {run.last.code} ({run.last.sentence})")
        parts += [p for p in (why, run.note) if p]
        if retry_at is not None:
            parts.append(f"retry at {retry_at:.0f}")
        message = "; ".join(parts)
        level = {"done": "INFO", "gone": "INFO", "partial": "WARNING",
                 "postponed": "WARNING"}.get(status, "ERROR")
        logger.log(level, message)
        return SliceOutcome(status, run.filled, remaining, run.retcode, run.attempts, message,
                            retry_at)


def _credited(rows: list[dict[str, Any]]) -> set[int]:
    """Deal tickets that result rows count as filled."""
    out: set[int] = set()
    for r in rows:
        if int(r.get("deal") or 0) > 0 and float(r.get("filled") or 0.0) > 0:
            out.add(int(r["deal"]))
        out.update(int(d) for d in r.get("deals") or ())
    return out


def _check(action: Action) -> None:
    if action.side not in ("buy", "sell"):
        raise ValueError(f"action side = {action.side!r} must be 'buy' or 'sell'")
    if not (action.volume > 0 and math.isfinite(action.volume)):
        raise ValueError(f"action volume = {action.volume} lots must be a finite number > 0")
