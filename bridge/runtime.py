"""The guard: the job functions that run beside a terminal.

- `fast_guard` (every `guard_seconds`): one snapshot, indicator updates, a decision; acts at once
  when the state escalates (a more urgent reduction, a lower target, a prop lock); sends the
  slices that are due.
- `cycle` (every `cycle_minutes`): the journaled controller decision and the plan refresh.
- `recalibrate` (every `recalibrate_minutes`): the H1/D1 bars closed since (ATR, trend, long-run
  σ) and the margin rate per symbol (for the margin-pressure gradient); `bridge.warmup` reads the
  terminal's history for both, and at start.

The same functions run under APScheduler against a live terminal and under the deterministic
driver (`bridge.driver`) against the simulated clock. A restarted process resumes the unfinished
plan and the controller memory from the journal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from loguru import logger

from bridge.clock import Clock, Replay
from bridge.config import AppConfig, Mode
from bridge.ealink import EaLink
from bridge.ealink.errors import EaLinkError
from bridge.ealink.folder import resolve_link_folder
from bridge.executor import Executor
from bridge.guard_lease import LeaseHolding
from bridge.guard_records import GuardStats, action_from, plan_payload, snapshot_summary
from bridge.journal import Journal
from bridge.lease import Lease
from bridge.mt5 import constants as mt5c
from bridge.news import NewsSource
from bridge.permissions import TradePermissions
from bridge.prop_ledger import PropLedger
from bridge.shadow import ShadowBook
from bridge.terminal import TerminalError, TerminalPort
from bridge.warmup import Warmup
from controller import (
    Action,
    ControllerMemory,
    Decision,
    Regime,
    Snapshot,
    SnapshotError,
    TradingState,
    decide,
    decision_to_dict,
)
from controller.indicators import (
    PortfolioIndicators,
    SymbolIndicators,
    new_portfolio_indicators,
    new_symbol_indicators,
    on_depth,
    on_margin_rate,
    on_minute_returns,
    on_quote,
)
from controller.liquidity import hit_side_depth
from controller.regime import severity
from controller.replan import PlanInProgress, Replan, escalates, replan

__all__ = ["Guard", "GuardStats"]

_STATE_RANK = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2,
               TradingState.INSOLVENT: 3}
_DONE = ("done", "gone")


class Guard(LeaseHolding):
    """The guard beside one terminal account."""

    def __init__(self, port: TerminalPort, executor: Executor, journal: Journal,
                 config: AppConfig, clock: Clock, *, replay: Replay | None = None,
                 ea_link: EaLink | None = None, wall: Callable[[], float] = time.time) -> None:
        self.port = port
        self.executor = executor
        self.journal = journal
        self.config = config
        self.clock = clock  # UTC now and waits: the wall clock live, the replay's in a replay
        self.now = clock.now
        self.replay = replay  # the simulated terminal of a replay (None live)
        self.mode = config.run.mode
        self.memory = ControllerMemory()
        self.indicators: dict[str, SymbolIndicators] = {}
        self.portfolio: PortfolioIndicators | None = None
        self.plan: list[Action] = []
        self.decision: Decision | None = None
        self.snapshot: Snapshot | None = None
        self.stats = GuardStats()
        self.connection_ok = True
        self.stale = False
        self._last_minute_fed: float | None = None
        self._last_journal_cycle = -math.inf
        self._deals_seen_until = 0.0
        self._stop_out_deals: set[int] = set()
        self.warmup = Warmup(port, config)
        self.prop_ledger = PropLedger(port, config.prop)
        self.listeners: list[Callable[[Guard], None]] = []
        self.observers: list[Any] = []  # bridge.observe.GuardObserver: alerts, metrics, web
        self.paused = False  # the operator's pause (bridge.web): decisions go on, no slices sent
        self.decide_seconds = 0.0
        self._plan_target_value = math.inf
        self.ea_link = ea_link
        # symbols once held stay watched: their limits keep being published to the EA
        self.watch: list[str] = list(config.terminal.watch)
        self._last_beat = -math.inf
        self._published: tuple[Any, ...] | None = None
        self.wall = wall  # the lease's clock: wall-clock epoch seconds, even in a replay
        self.sleep_wall: Callable[[float], None] = time.sleep  # a standby's wait for the lease
        self.standby_waited: float | None = None  # wall seconds a standby waited (None: none)
        self.lease: Lease | None = None
        self.run_id = ""  # "R<id of the run row>", the prefix of every plan id of this run
        self.stopped: str | None = None
        # shadow mode: the virtual book of what the guard would have closed (bridge.shadow)
        self.shadow = ShadowBook(journal, config.run.stale_after_seconds)
        # Algo Trading, the expert permission, the EA's heartbeat (bridge.permissions)
        self.permissions = TradePermissions()
        # the news rule's scheduled events: the EA's calendar and the calendar file (bridge.news)
        self.news = NewsSource(config.news)

    # -- start-up ----------------------------------------------------------------------------
    def start(self) -> None:
        """Connect, check the account type, resume from the journal, prepare the indicators."""
        self.port.connect()
        ea_on = self.config.ea.enabled
        if ea_on is None:
            ea_on = self.config.terminal.kind != "sim"
        if ea_on and self.ea_link is None:
            try:
                self.ea_link = EaLink(resolve_link_folder(self.port.mt5,
                                                          self.config.ea.common_folder or None))
            except (EaLinkError, OSError) as exc:
                logger.warning("EA link off: {}", exc)
        account = self.port.account()
        server = self.port.server_name()
        self.journal.use_account(account.login,
                                 "sim" if self.config.terminal.kind == "sim" else server)
        self._take_lease(account.login, server)
        if self.mode is Mode.ENFORCE and account.trade_mode == mt5c.ACCOUNT_TRADE_MODE_REAL and \
                not self.config.run.allow_real_account:
            self.mode = Mode.OBSERVE
            logger.warning("REAL account {}: orders refused (set run.allow_real_account = true "
                           "to enforce); observing only", account.login)
            self._record_state("mode", "observe: real account without allow_real_account")
        self._resume()
        now = self.now()
        snap = self.port.snapshot(now, self.watch)
        symbols = sorted(snap.market)
        self.watch = symbols
        self.indicators, self.portfolio = self.warmup.prepare(symbols, snap)
        for name in symbols:
            self.indicators.setdefault(name, new_symbol_indicators(self.config.indicators))
        if self.portfolio is None or set(self.portfolio.symbols) != set(symbols):
            self.portfolio = new_portfolio_indicators(symbols, self.config.indicators)
        fed = [i.minute_return_time for i in self.indicators.values()
               if i.minute_return_time is not None]
        self._last_minute_fed = max(fed) if fed else None  # the history is already folded in
        self.snapshot = snap
        self.stats.track_equity(snap.account.equity)
        self._deals_seen_until = now
        run_row = self.journal.append("run", now, {
            "mode": self.mode.value, "terminal": self.config.terminal.kind,
            "scenario": self.config.terminal.scenario if self.config.terminal.kind == "sim"
            else None, "login": account.login, "currency": account.currency,
            "symbols": symbols, "resumed_slices": len(self.plan),
            "lease": self.lease.key if self.lease else None, "wall_start": self.wall(),
            "host": self.lease.host if self.lease else None,
            "pid": self.lease.pid if self.lease else None,
            "lease_timeout": self.config.lease.timeout_seconds})
        self.run_id = f"R{run_row}"
        logger.info("guard started on account {} ({} mode), {} symbols, {} slices resumed",
                    account.login, self.mode.value, len(symbols), len(self.plan))
        self._say_waiting()  # after the run row: what the history could not warm
        self.notify("on_start")

    def stop(self, reason: str) -> None:
        """A clean stop: a `stop` row, the lease released. Idempotent."""
        if self.stopped is not None:
            return
        self.stopped = reason
        try:
            if self.mode is Mode.SHADOW:
                self.shadow.journal_mark(self.now())
            self.journal.append("stop", self.now(), {"reason": reason,
                                                     "wall_time": self.wall()})
        finally:
            if self.lease is not None:
                self.lease.release()
        logger.info("guard stopped: {}", reason)
        self.notify("on_stop", reason)

    def _resume(self) -> None:
        newest = self.journal.rows(limit=1, newest_first=True)
        if self.config.terminal.kind == "sim" and newest and newest[0].time > self.now():
            # the simulated clock is behind the journal: a new replay, not a restart
            logger.info("a new replay: the journal's previous runs are not resumed")
            return
        row = self.journal.last("memory")
        if row is not None:
            data = dict(row.payload)
            data["regime"] = Regime(data["regime"])
            data["state"] = TradingState(data["state"])
            self.memory = ControllerMemory(**data)
        plan_row = self.journal.last("plan")
        if plan_row is None or not plan_row.payload.get("actions"):
            return
        finished = {(r.payload["ticket"], r.payload["slice_index"])
                    for r in self.journal.rows("slice", plan_id=plan_row.plan_id)
                    if r.payload["status"] in _DONE}
        self.plan = [action_from(a) for a in plan_row.payload["actions"]
                     if (a["ticket"], a["slice_index"]) not in finished]
        self._plan_target_value = float(plan_row.payload.get("target", math.inf))

    # -- jobs --------------------------------------------------------------------------------
    def fast_guard(self) -> None:
        """Snapshot, indicators, decision; act at once on escalation; send due slices."""
        started = time.perf_counter()
        self.renew_lease()
        self.stats.guard_runs += 1
        snap = self._read_snapshot()
        if snap is None:
            return
        self._update_indicators(snap)
        decision = self._decide(snap)
        if self._escalated(decision):
            self._adopt(decision, journal=True)
        else:
            self.decision = decision
            self.memory = decision.memory
        self._execute_due()
        self._publish_limits()
        self._watch_stop_outs()
        self.permissions.check(self)
        for listener in self.listeners:
            listener(self)
        self.notify("on_step", time.perf_counter() - started)

    def cycle(self) -> None:
        """The controller cycle: a journaled decision and a plan refresh."""
        started = time.perf_counter()
        self.renew_lease()
        self.stats.cycles += 1
        snap = self._read_snapshot()
        if snap is None:
            return
        decision = self._decide(snap)
        self._adopt(decision, journal=True)
        self._execute_due()
        if self.mode is Mode.SHADOW:
            self.shadow.journal_mark(self.now())
        self.notify("on_cycle", time.perf_counter() - started)

    def _decide(self, snap: Snapshot) -> Decision:
        """The controller's decision; its wall-clock time in `decide_seconds`."""
        started = time.perf_counter()
        if self.mode is Mode.SHADOW:  # decide on the book as the virtual closes left it
            self.shadow.mark(snap, self.port)
            snap = self.shadow.view(snap)
        decision = decide(snap, self.config, self.indicators, self.portfolio, self.memory)
        self.decide_seconds = time.perf_counter() - started
        return decision

    def recalibrate(self) -> None:
        """Hourly: the last closed H1/D1 bars and the margin rate of every symbol."""
        snap = self.snapshot
        if snap is None:
            return
        for name, ind in list(self.indicators.items()):
            try:
                ind = self.warmup.refresh(name, ind, snap.time)
                rate = self.port.margin_rate(name, snap)
                if rate is not None:
                    ind = on_margin_rate(ind, snap.time, rate)
            except (TerminalError, ValueError) as exc:
                logger.warning("recalibration of {} skipped: {}", name, exc)
                continue
            self.indicators[name] = ind
        self._say_waiting()

    # -- internals ---------------------------------------------------------------------------
    def _say_waiting(self) -> None:
        """Each indicator the terminal's history could not warm, said once (log and journal)."""
        for message in self.warmup.waiting(self.indicators):
            logger.warning("warm-up: {}", message)
            self.journal.append("state", self.now(), {"what": "warmup", "message": message})

    def _read_snapshot(self) -> Snapshot | None:
        now = self.now()
        try:
            self.port.ensure_connected()
            snap = self.port.snapshot(now, self.watch, self._ea_depth(now))
            snap = self.news.apply(snap, self.ea_link.last_telemetry if self.ea_link else None)
        except TerminalError as exc:
            self.stats.errors += 1
            if self.connection_ok:
                self._record_state("connection", f"terminal unreachable: {exc}")
            self.connection_ok = False
            self._check_stale(now)
            return None
        except SnapshotError as exc:
            self.stats.errors += 1
            logger.error("corrupt snapshot rejected: {}", exc)
            self._record_state("data", f"corrupt snapshot rejected: {exc}")
            return None
        if not self.connection_ok:
            self._record_state("connection", "terminal reachable again")
        self.connection_ok = True
        self._check_quotes(snap)
        for name in snap.market:
            if name not in self.watch:
                self.watch.append(name)
        snap = self.prop_ledger.attach(snap)  # the prop figures from the deal history
        self.snapshot = snap
        self.stats.track_equity(snap.account.equity)
        return snap

    def _ea_depth(self, now: float) -> dict[str, tuple[float, float]] | None:
        """Depth per side (lots) from the EA's telemetry, for symbols with a published book;
        screened field by field (`EaLink.depth`): a bad value costs that symbol alone."""
        if self.ea_link is None:
            return None
        return self.ea_link.depth(now, self.config.ea.telemetry_max_age_seconds)

    def _publish_limits(self) -> None:
        """Write the EA's limits when they change, and a heartbeat every few seconds."""
        if self.ea_link is None or self.decision is None:
            return
        now = self.now()
        lim = self.decision.limits
        symbols = {row.symbol: row.max_volume for row in lim.symbols}
        max_eff_lev = lim.max_eff_lev
        if self.decision.state is TradingState.REDUCING and self.decision.metrics.eff_lev:
            # a staged plan walks EffLev down to the target: the EA holds the level reached,
            # so it does not cut the whole excess at once behind the plan's back
            max_eff_lev = max(max_eff_lev, self.decision.metrics.eff_lev)
        # rewrite on a material change only (EffLev to 0.01); heartbeats carry the rest
        allowed = lim.new_exposure_allowed and not self.stale and self.connection_ok
        key = (round(max_eff_lev, 2), lim.msi_floor, lim.prop_lock, allowed,
               tuple(sorted(symbols.items())))
        try:
            if key != self._published:
                self.ea_link.publish(now_utc=now, max_eff_lev=max(max_eff_lev, 1e-6),
                                     msi_floor=lim.msi_floor, prop_lock=lim.prop_lock,
                                     symbols=symbols, new_exposure_allowed=allowed)
                self._published = key
                self._last_beat = now
            elif now - self._last_beat >= self.config.ea.heartbeat_seconds:
                self.ea_link.heartbeat(now)
                self._last_beat = now
        except (EaLinkError, OSError) as exc:
            logger.warning("EA limits not written: {}", exc)

    def _check_quotes(self, snap: Snapshot) -> None:
        """Stale when even the freshest quote is older than `stale_after_seconds` (a market
        closed, or a terminal that answers but lost its trade server)."""
        newest = max((m.time for m in snap.market.values() if m.time > 0.0), default=snap.time)
        age = snap.time - newest
        if age > self.config.run.stale_after_seconds:
            if not self.stale:
                self.stale = True
                self._record_state("stale", f"quotes frozen for {age:.0f} s (market closed or "
                                   "the trade server lost): no new exposure")
        elif self.stale:
            self.stale = False
            self._record_state("stale", "quotes fresh again")

    def _check_stale(self, now: float) -> None:
        last = self.snapshot.time if self.snapshot is not None else now
        if not self.stale and now - last > self.config.run.stale_after_seconds:
            self.stale = True
            self._record_state("stale", f"no fresh data for {now - last:.0f} s: no new exposure; "
                               "the EA's fail-safe guards the terminal")

    def _update_indicators(self, snap: Snapshot) -> None:
        minute_returns: dict[str, float] = {}
        minute_time: float | None = None
        for name, market in snap.market.items():
            ind = self.indicators.get(name)
            if ind is None:
                ind = new_symbol_indicators(self.config.indicators)
            try:
                ind = on_quote(ind, snap.time, market.bid, market.ask)
                if market.book:
                    bids = hit_side_depth(market, 1.0) or 0.0
                    asks = hit_side_depth(market, -1.0) or 0.0
                    ind = on_depth(ind, snap.time, bids, asks)
                elif market.bid_depth is not None and market.ask_depth is not None:
                    ind = on_depth(ind, snap.time, market.bid_depth, market.ask_depth)
            except ValueError as exc:
                logger.warning("indicator update for {} skipped: {}", name, exc)
                continue
            self.indicators[name] = ind
            t = ind.minute_return_time
            if t is not None and ind.minute_return is not None and \
                    (self._last_minute_fed is None or t > self._last_minute_fed):
                minute_returns[name] = ind.minute_return
                minute_time = t if minute_time is None else max(minute_time, t)
        if minute_returns and minute_time is not None and self.portfolio is not None:
            known = {k: v for k, v in minute_returns.items() if k in self.portfolio.symbols}
            if known:
                self.portfolio = on_minute_returns(self.portfolio, minute_time, known)
            self._last_minute_fed = minute_time

    def _escalated(self, d: Decision) -> bool:
        """Act now (not at the next cycle) when the decision is more severe than the plan's."""
        prev = self.decision
        if prev is None and self.plan:
            # the first decision after a restart: the resumed plan carries on unless this one
            # is more severe than the journaled state and plan (a milder one, e.g. the target
            # met by a slice whose answer was lost, leaves the plan to the next cycle)
            if _STATE_RANK[d.state] > _STATE_RANK[self.memory.state] or \
                    severity(d.regime) > severity(self.memory.regime):
                return True
            return escalates(PlanInProgress(tuple(self.plan), self._plan_target()), d)
        if prev is None or d.state is not prev.state or d.regime is not prev.regime:
            return True
        # the running plan against the previous decision's target (the plan's own target is the
        # one it was made for, possibly several decisions ago)
        return escalates(PlanInProgress(tuple(self.plan), prev.target_eff_lev), d)

    def _adopt(self, d: Decision, *, journal: bool) -> None:
        now = d.time
        if self.run_id and d.actions:  # plan ids unique per run: "R<run row>-<login>-<time>"
            d = replace(d, actions=tuple(replace(a, plan_id=f"{self.run_id}-{a.plan_id}")
                                         for a in d.actions))
        if journal:
            self.journal.append("snapshot", now, snapshot_summary(d))
            self.journal.append("decision", now, {
                "state": d.state.value, "regime": d.regime.value,
                "urgency": d.urgency.value if d.urgency else None,
                "target_eff_lev": d.target_eff_lev, "binding_cap": d.binding_cap,
                "reasons": list(d.reasons), "warnings": [w.message for w in d.warnings],
                "actions": len(d.actions), "limits": decision_to_dict(d)["limits"],
            }, plan_id=d.actions[0].plan_id if d.actions else None)
            self.journal.append("memory", now, decision_to_dict(d)["memory"])
        if self.decision is not None and self.decision.state is not d.state:
            self._record_state("state", f"{self.decision.state.value} → {d.state.value}: "
                               + "; ".join(d.reasons))
        self.decision = d
        self.memory = d.memory
        verdict = replan(PlanInProgress(tuple(self.plan), self._plan_target()), d)
        if verdict is Replan.CLEAR:
            if self.plan:
                self.journal.append("plan", now, {"actions": [], "why": "target reached"},
                                    plan_id=self.plan[0].plan_id)
            self.plan = []
        elif verdict is Replan.REPLACE:
            self.plan = list(d.actions)
            self._plan_target_value = d.target_eff_lev
            self.journal.append("plan", now, {"actions": plan_payload(d.actions),
                                              "target": d.target_eff_lev,
                                              "binding_cap": d.binding_cap},
                                plan_id=d.actions[0].plan_id)
        self.notify("on_decision", d)

    def _plan_target(self) -> float:
        return self._plan_target_value

    def _execute_due(self) -> None:
        if not self.plan:
            return
        now = self.now()
        if self.mode is not Mode.ENFORCE or self.paused:
            self._virtual_due(now)
            return
        open_tickets = {p.ticket for p in self.snapshot.positions} if self.snapshot else set()
        remaining: list[Action] = []
        for action in self.plan:
            if action.not_before > now:
                remaining.append(action)
                continue
            if action.ticket not in open_tickets:
                self._record_slice(action, "gone", 0.0, 0.0, None, "position no longer open")
                continue
            self._confirm_lease()
            outcome = self.executor.execute(action)
            self.stats.orders += outcome.attempts
            if outcome.retcode is not None:
                key = str(outcome.retcode)
                self.stats.retcodes[key] = self.stats.retcodes.get(key, 0) + 1
            if outcome.filled > 0.0:
                self.stats.lots_closed += outcome.filled
                if self.stats.first_order_time is None:
                    self.stats.first_order_time = now
            self._record_slice(action, outcome.status, outcome.filled, outcome.remaining,
                               outcome.retcode, outcome.message)
            if outcome.status in _DONE:
                continue
            if outcome.status == "not_due":
                remaining.append(action)
            elif outcome.remaining > 0.0:
                retry = outcome.retry_at if outcome.retry_at is not None else now + 60.0
                remaining.append(replace(action, volume=outcome.remaining, not_before=retry))
        self.plan = remaining

    def _virtual_due(self, now: float) -> None:
        """Shadow mode, not paused: the due slices filled virtually (bridge.shadow); nothing
        reaches the terminal. Observe mode: nothing at all."""
        if self.mode is Mode.SHADOW and not self.paused:
            self.plan = self.shadow.execute_due(self.plan, self.snapshot, now)

    def _record_slice(self, action: Action, status: str, filled: float, remaining: float,
                      retcode: int | None, message: str) -> None:
        row = {"ticket": action.ticket, "symbol": action.symbol, "slice_index": action.slice_index,
               "slices": action.slices, "volume": action.volume, "status": status,
               "filled": filled, "remaining": remaining, "retcode": retcode, "message": message}
        self.journal.append("slice", self.now(), row, plan_id=action.plan_id,
                            ticket=action.ticket)
        self.stats.last_orders = ([row, *self.stats.last_orders])[:8]
        self.notify("on_order", row)

    def _record_state(self, what: str, message: str) -> None:
        logger.info("{}: {}", what, message)
        self.journal.append("state", self.now(), {"what": what, "message": message})
        self.notify("on_state", what, message)

    def notify(self, hook: str, *args: Any) -> None:
        """Call `hook` on every observer (bridge.observe); one that raises is logged, skipped."""
        for observer in self.observers:
            try:
                getattr(observer, hook)(self, *args)
            except Exception as exc:
                logger.error("observer {} failed in {}: {}", type(observer).__name__, hook, exc)

    def _watch_stop_outs(self) -> None:
        now = self.now()
        if now - self._deals_seen_until < 60.0:
            return
        try:
            deals = self.port.stop_out_deals(self._deals_seen_until - 1.0, now + 86_400.0)
        except TerminalError:
            return
        for deal in deals:
            if deal.ticket not in self._stop_out_deals:
                self._stop_out_deals.add(deal.ticket)
                self.stats.stop_outs += 1
                self.journal.append("stop_out", deal.time, {
                    "ticket": deal.ticket, "position": deal.position, "symbol": deal.symbol,
                    "volume": deal.volume, "price": deal.price, "profit": deal.profit,
                    "comment": deal.comment})
                logger.warning("broker stop-out: {} {} lots at {}", deal.symbol, deal.volume,
                               deal.price)
        self._deals_seen_until = now
