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
Every terminal call goes through the `bridge.terminal.TerminalPort` (a failed call raises
`TerminalError`); time and waiting through the injected `bridge.clock.Clock` (the replay's clock
in a replay, the wall clock live). The slice's bookkeeping and request are in
`bridge.executor_slice`.

Not modelled: pending orders, close-by (TRADE_ACTION_CLOSE_BY), asynchronous sends.
"""

from __future__ import annotations

import math
from typing import Any

from bridge.clock import Clock
from bridge.executor_reads import SliceReads
from bridge.executor_slice import (
    MARKET_CLOSED_RETRY_S,
    TOL,
    UNCERTAIN,
    SliceOutcome,
    SliceRun,
    check_action,
    comment_for,
    credited_deals,
    fillings,
    finish,
    lots,
    next_volume,
    order_request,
    plan_tag,
)
from bridge.journal import Journal
from bridge.journal_kinds import SliceStatus
from bridge.mt5 import constants as mt5c
from bridge.retcodes import Handling, Retcode, error_handling, retcode_handling
from bridge.slice_journal import SliceJournal
from bridge.terminal import HeldPosition, OrderResult, TerminalError, TerminalPort
from controller import Action

__all__ = ["MARKET_CLOSED_RETRY_S", "Executor", "SliceOutcome", "comment_for", "plan_tag"]



class Executor:
    """Sends one slice at a time through the terminal `port` (see the module doc).

    `clock.now()` gives UTC epoch seconds; `clock.sleep(seconds)` pauses (the wall clock live,
    the replay's clock in replays). `deviation_points` is the accepted slippage in points for
    instant/request execution; `max_attempts` bounds the sends (and the reads while the link is
    down) per call; back-off waits are `backoff_seconds` × 2^k.
    """

    def __init__(
        self,
        port: TerminalPort,
        journal: Journal,
        clock: Clock,
        *,
        magic: int = 770077,
        deviation_points: int = 20,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts = {max_attempts} must be ≥ 1")
        if backoff_seconds < 0 or not math.isfinite(backoff_seconds):
            raise ValueError(f"backoff_seconds = {backoff_seconds} must be a finite number ≥ 0")
        if deviation_points < 0:
            raise ValueError(f"deviation_points = {deviation_points} must be ≥ 0")
        self._port = port
        self.slices = SliceJournal(journal, clock.now)  # its intent and result rows
        self._clock = clock
        self.magic = int(magic)
        self.deviation_points = int(deviation_points)
        self.max_attempts = int(max_attempts)
        self.backoff_seconds = float(backoff_seconds)
        self._reads = SliceReads(port, clock, self.max_attempts, self.backoff_seconds)

    def _now(self) -> float:
        return self._clock.now()

    def _wait(self, seconds: float) -> None:
        self._clock.sleep(seconds)

    # ------------------------------------------------------------------ public
    def execute(self, action: Action) -> SliceOutcome:
        """Close `action.volume` lots of the position (or what is left of it); see the module doc.

        Raises ValueError for a malformed action (side not "buy"/"sell", volume ≤ 0) and lets a
        journal failure propagate (nothing is sent without its intent row).
        """
        now = self._now()
        if now < action.not_before:
            return SliceOutcome(SliceStatus.NOT_DUE, 0.0, action.volume, None, 0,
                                f"slice {action.slice_index}/{action.slices} of {action.symbol} "
                                f"is due at {action.not_before:.0f}, now {now:.0f}",
                                action.not_before)
        check_action(action)
        run = SliceRun(action, action.volume, comment_for(action))
        rows = self.slices.attempts(action)
        run.credited = credited_deals(rows)
        total = float(rows[0].get("slice_volume", action.volume)) if rows else action.volume
        closed = sum(float(r.get("filled", 0.0)) for r in rows)
        run.todo = max(min(action.volume, total - closed), 0.0)
        run.uncertain = any(r.get("conclusion") in UNCERTAIN for r in rows)
        if run.todo <= TOL:
            run.note = f"the journal shows {lots(closed)} lots already closed"
            return self._finish(run, SliceStatus.DONE, "slice already closed")
        if rows and rows[-1].get("conclusion") == "unknown":
            unresolved = self._resolve_unknown(run, rows[-1])
            if unresolved is not None:
                return unresolved
            if run.remaining <= TOL:
                return self._finish(run, SliceStatus.DONE, "an earlier attempt had executed")
        return self._loop(run)

    # ------------------------------------------------------------------ the send loop
    def _loop(self, run: SliceRun) -> SliceOutcome:
        a = run.action
        run.rules = self._reads.read(run, lambda: self._port.trade_rules(a.symbol))
        if run.rules is None:
            return self._unreachable(run, f"symbol_info({a.symbol!r}) could not be read")
        run.fillings = fillings(run.rules)
        while run.attempts < self.max_attempts:
            stop = self._attempt(run)
            if stop is not None:
                return stop
            if run.remaining <= TOL:
                return self._finish(run, SliceStatus.DONE, "")
        return self._exhausted(run)

    def _attempt(self, run: SliceRun) -> SliceOutcome | None:
        """Read the position, size the volume, take a fresh price, send; None to go on."""
        a = run.action
        held = self._reads.position(run)
        if held is None:
            return self._unreachable(run, f"position #{a.ticket} could not be read")
        if run.uncertain and self._late_fills(run, held.ticket) and run.remaining <= TOL:
            return self._finish(run, SliceStatus.DONE, "an earlier attempt filled late")
        if held.volume <= TOL:
            return self._finish(run, SliceStatus.DONE if run.filled > TOL else SliceStatus.GONE,
                                "the position is closed" if run.filled > TOL
                                else "the position is no longer open")
        if held.volume < run.remaining - TOL:
            run.note = f"the position held only {lots(held.volume)} lots"
        vol = next_volume(run, held)
        if vol is None:
            assert run.rules is not None
            return self._finish(run, SliceStatus.FAILED,
                                f"{lots(run.remaining)} lots left are below the symbol's "
                                f"minimum volume {run.rules.volume_min}")
        price = self._reads.price(run)
        if price is None:
            return self._unreachable(run, f"no fresh price for {a.symbol}")
        return self._send(run, held, vol, price)

    def _send(self, run: SliceRun, held: HeldPosition, vol: float,
              price: float) -> SliceOutcome | None:
        """One intent, one `order_send`, one result; None to go round the loop again."""
        a = run.action
        request = order_request(run, self.magic, self.deviation_points, held, vol, price)
        self.slices.intent(a, {
            "request": request, "slice_index": a.slice_index, "slices": a.slices,
            "slice_volume": a.volume, "attempt": run.attempts + 1, "held_before": held.volume,
            "position": held.ticket, "tag": plan_tag(a.plan_id),
        })
        result: OrderResult | None
        try:
            result = self._port.send(request)
            run.error = None
        except TerminalError as exc:
            result, run.error = None, exc
        run.attempts += 1
        if result is None:
            assert run.error is not None
            entry = error_handling(run.error.code)
            base: dict[str, Any] = {"retcode": None, "error": [run.error.code, run.error.message]}
        else:
            entry = retcode_handling(result.retcode)
            base = {"retcode": result.retcode, "deal": result.deal, "order": result.order,
                    "volume": result.volume, "price": result.price, "comment": result.comment}
        run.last = entry
        return self._handle(run, held, vol, result, entry, base)

    def _handle(self, run: SliceRun, held: HeldPosition, vol: float, result: OrderResult | None,
                entry: Retcode, base: dict[str, Any]) -> SliceOutcome | None:
        h = entry.handling
        if h in (Handling.DONE, Handling.PARTIAL):
            assert result is not None
            got = result.volume if result.volume > TOL else vol
            got = min(got, vol) if h is Handling.PARTIAL else got
            run.filled += got
            self._result(run, base, h.value, got, vol)
            return None
        if h is Handling.READ_BACK:
            return self._read_back(run, held, vol, base)
        self._result(run, base, h.value, 0.0, vol)
        if h is Handling.REREAD_POSITION:
            return None  # the loop reads the position before the next send
        return self._retry_or_stop(run, entry)

    def _retry_or_stop(self, run: SliceRun, entry: Retcode) -> SliceOutcome | None:
        """After a refused send: wait, switch filling or re-round and go on (None), or stop."""
        h = entry.handling
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
            return self._finish(run, SliceStatus.FAILED,
                                "no filling mode the symbol allows was accepted")
        if h is Handling.FIX_VOLUME and not run.rerounded:
            run.rerounded = True
            fresh = self._reads.read(run, lambda: self._port.trade_rules(run.action.symbol))
            run.rules = fresh if fresh is not None else run.rules
            return None
        if h is Handling.POSTPONE:
            return self._finish(run, SliceStatus.POSTPONED, "", self._now() + MARKET_CLOSED_RETRY_S)
        if h is Handling.GONE:
            return self._finish(run, SliceStatus.DONE if run.filled > TOL else SliceStatus.GONE, "")
        return self._finish(run, SliceStatus.FAILED, "")

    def _read_back(self, run: SliceRun, held: HeldPosition, vol: float,
                   base: dict[str, Any]) -> SliceOutcome | None:
        """After an answer that may hide an execution: did the position shrink by `vol`?"""
        self._wait(self.backoff_seconds)  # let a late execution land before looking
        after = self._reads.position(run)
        if after is None:
            self._result(run, base, "unknown", 0.0, vol, held_before=held.volume,
                         position=held.ticket)
            return self._unreachable(run, "the order may have executed and the position could "
                                          "not be read back; nothing is resent until it is")
        got, deals, source = self._attribute(run, held.ticket, held.volume, after.volume, vol)
        conclusion = ("executed" if got >= vol - TOL else
                      "partly executed" if got > 0 else "not executed")
        run.filled += got
        run.uncertain = run.uncertain or got < vol - TOL
        self._result(run, base, conclusion, got, vol, held_before=held.volume,
                     held_after=after.volume, deals=deals, evidence=source)
        return None

    def _attribute(self, run: SliceRun, ticket: int, before: float, after: float,
                   requested: float) -> tuple[float, list[int], str]:
        """Lots of an unconfirmed request that executed: (lots, deal tickets, evidence).

        First choice: deals on the position carrying this slice's magic and comment that the
        journal has not credited yet (exact). Otherwise the position's drop, capped at the
        request: it may include someone else's close (the trader, the EA, a stop-out), so it can
        only under-count our fill, never make us close twice.
        """
        found = self._tagged_deals(run, ticket)
        if found[0] > TOL:
            return min(found[0], requested), found[1], "deals"
        drop = before - after
        return (min(drop, requested) if drop > TOL else 0.0), [], "position"

    def _tagged_deals(self, run: SliceRun, ticket: int) -> tuple[float, list[int]]:
        """(lots, tickets) of deals on the position with this slice's magic and comment that
        the journal has not credited yet; (0, []) when the history cannot be read."""
        deals = self._reads.ask(run, lambda: self._port.position_deals(ticket))
        if not deals:
            return 0.0, []
        ours = [d for d in deals if d.magic == self.magic and d.comment == run.comment
                and d.entry != 0 and d.ticket not in run.credited]
        return sum(d.volume for d in ours), [d.ticket for d in ours]

    def _late_fills(self, run: SliceRun, ticket: int) -> bool:
        """Credit deals of an attempt that was answered "not executed" but filled later."""
        lots_found, deals = self._tagged_deals(run, ticket)
        if lots_found <= TOL:
            return False
        got = min(lots_found, run.remaining)
        run.filled += got
        self._record(run, {"retcode": None, "attempt": run.attempts, "requested": 0.0,
                           "filled": got, "deals": deals, "evidence": "deals",
                           "conclusion": "late fill"})
        return True

    def _exhausted(self, run: SliceRun) -> SliceOutcome:
        status = SliceStatus.PARTIAL if run.filled > TOL else SliceStatus.FAILED
        return self._finish(run, status, f"gave up after {run.attempts} attempts",
                            self._later(run))

    def _unreachable(self, run: SliceRun, why: str) -> SliceOutcome:
        if run.error is not None and run.error.code != mt5c.RES_S_OK:
            why = f"{why} (terminal: {run.error.message}, {run.error.code})"
        status = SliceStatus.PARTIAL if run.filled > TOL else SliceStatus.FAILED
        return self._finish(run, status, why, self._later(run))

    def _later(self, run: SliceRun) -> float:
        return self._now() + max(self.backoff_seconds * 2.0 ** min(run.backoffs, 6), 1.0)

    # ------------------------------------------------------------------ unknown attempts
    def _resolve_unknown(self, run: SliceRun, last: dict[str, Any]) -> SliceOutcome | None:
        """Settle an earlier attempt that ended unknown (no answer, or the process died during
        the send) from the position and its deals, before anything is sent; None when settled.
        Lots it turns out to have closed count as filled by this call (no outcome has reported
        them yet)."""
        after = self._reads.position(run)
        if after is None:
            return self._unreachable(run, "an earlier attempt may have executed and the "
                                          "position still cannot be read back")
        requested = float(last.get("requested", 0.0))
        ticket = int(last.get("position", after.ticket))
        got, deals, source = self._attribute(
            run, ticket, float(last.get("held_before", after.volume)), after.volume, requested)
        got = min(got, run.remaining)
        run.filled += got
        run.uncertain = run.uncertain or got < requested - TOL
        self._record(run, {
            "retcode": None, "attempt": last.get("attempt"), "requested": requested,
            "filled": got, "held_after": after.volume, "deals": deals, "evidence": source,
            "conclusion": "executed (resolved)" if got > 0 else "not executed (resolved)"})
        return None

    # ------------------------------------------------------------------ journal and outcome
    def _result(self, run: SliceRun, base: dict[str, Any], conclusion: str, filled: float,
                requested: float, **extra: Any) -> None:
        self._record(run, {**base, "attempt": run.attempts, "requested": requested,
                           "filled": filled, "conclusion": conclusion, **extra})

    def _record(self, run: SliceRun, payload: dict[str, Any]) -> dict[str, Any]:
        """Append one `result` row for this slice; its deals count as credited from now on."""
        row = self.slices.result(run.action, payload)
        run.credited |= credited_deals([row])
        return row

    def _finish(self, run: SliceRun, status: SliceStatus, why: str,
                retry_at: float | None = None) -> SliceOutcome:
        return finish(run, status, why, retry_at)
