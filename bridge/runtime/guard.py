"""The guard: the job functions that run beside a terminal. It only orchestrates; each job's
work is done by its own part (`bridge.runtime` lists them).

- `fast_guard` (every `guard_seconds`): one snapshot, indicator updates, a decision; acts at once
  when the state escalates (a more urgent reduction, a lower target, a prop lock); sends the
  slices that are due.
- `cycle` (every `cycle_minutes`): the journaled controller decision and the plan refresh.
- `recalibrate` (every `recalibrate_minutes`): the H1/D1 bars closed since (ATR, trend, long-run
  σ) and the margin rate per symbol (for the margin-pressure gradient); `bridge.warmup` reads the
  terminal's history for both, and at start.

The same functions run under APScheduler against a live terminal and under the deterministic
driver (`bridge.driver`) against the simulated clock. A restarted process resumes the unfinished
plan and the controller memory from the journal. The EA link and the account's mode check (a
REAL account without `allow_real_account` is only observed) are built by the composition root
(`bridge.compose`) and handed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from loguru import logger

from bridge.clock import Clock, Replay
from bridge.config import AppConfig, Mode
from bridge.ealink import EaLink
from bridge.ealink.publisher import LimitsPublisher
from bridge.executor import Executor
from bridge.journal import Journal
from bridge.journal_kinds import JournalKind
from bridge.lease import Lease
from bridge.news import NewsSource
from bridge.permissions import TradePermissions
from bridge.prop_ledger import PropLedger
from bridge.runtime.feed import IndicatorFeed
from bridge.runtime.health import Health
from bridge.runtime.lease import LeaseHolding
from bridge.runtime.plan_store import PlanStore
from bridge.runtime.records import GuardStats, decision_rows, with_plan_id
from bridge.shadow import ShadowBook
from bridge.terminal import TerminalError, TerminalPort
from bridge.warmup import Warmup
from controller import (
    Account,
    Action,
    ControllerMemory,
    Decision,
    Regime,
    Snapshot,
    SnapshotError,
    TradingState,
    decide,
)
from controller.indicators import PortfolioIndicators, SymbolIndicators

__all__ = ["Guard", "GuardStats", "ModeCheck"]

ModeCheck = Callable[[Account, Mode], tuple[Mode, str | None]]
"""The account's mode check: (the mode to run in, why it differs from the configured one)."""


def _keep_mode(account: Account, mode: Mode) -> tuple[Mode, str | None]:
    return mode, None


class Guard(LeaseHolding):
    """The guard beside one terminal account."""

    def __init__(self, port: TerminalPort, executor: Executor, journal: Journal,
                 config: AppConfig, clock: Clock, *, replay: Replay | None = None,
                 ea_link: EaLink | None = None,
                 open_ea_link: Callable[[TerminalPort], EaLink | None] | None = None,
                 mode_check: ModeCheck = _keep_mode,
                 wall: Callable[[], float] = time.time) -> None:
        self.port = port
        self.executor = executor
        self.journal = journal
        self.config = config  # its run.mode is the mode (the `mode` property)
        self.clock = clock  # UTC now and waits: the wall clock live, the replay's in a replay
        self.now = clock.now
        self.replay = replay  # the simulated terminal of a replay (None live)
        self._open_ea_link = open_ea_link
        self._mode_check = mode_check
        self._resumed_memory = ControllerMemory()  # until the first decision (then its memory)
        self.decision: Decision | None = None
        self.snapshot: Snapshot | None = None
        self.stats = GuardStats()
        self.feed = IndicatorFeed(port, config)
        self.health = Health(port, journal, config, self.stats, self._record_state)
        self.prop_ledger = PropLedger(port, config.prop)
        self.publisher = LimitsPublisher(ea_link, config.ea)
        # shadow mode: the virtual book of what the guard would have closed (bridge.shadow)
        self.shadow = ShadowBook(journal, config.run.stale_after_seconds)
        self.plans = PlanStore(journal, executor, self.shadow, self.stats, self.now, self.notify)
        self.listeners: list[Callable[[Guard], None]] = []
        self.observers: list[Any] = []  # bridge.observe.GuardObserver: alerts, metrics, web
        self.paused = False  # the operator's pause (bridge.web): decisions go on, no slices sent
        self.decide_seconds = 0.0
        # symbols once held stay watched: their limits keep being published to the EA
        self.watch: list[str] = list(config.terminal.watch)
        self.wall = wall  # the lease's clock: wall-clock epoch seconds, even in a replay
        self.sleep_wall: Callable[[float], None] = time.sleep  # a standby's wait for the lease
        self.standby_waited: float | None = None  # wall seconds a standby waited (None: none)
        self.lease: Lease | None = None
        self.run_id = ""  # "R<id of the run row>", the prefix of every plan id of this run
        self.stopped: str | None = None
        # Algo Trading, the expert permission, the EA's heartbeat (bridge.permissions)
        self.permissions = TradePermissions()
        # the news rule's scheduled events: the EA's calendar and the calendar file (bridge.news)
        self.news = NewsSource(config.news)

    # -- state, held once (read by the console, the dashboard, alerts and tests) -------------
    @property
    def mode(self) -> Mode:
        """The run's mode: the configuration's `run.mode` (changed by the operator or the
        account's mode check)."""
        mode: Mode = self.config.run.mode
        return mode

    @mode.setter
    def mode(self, mode: Mode) -> None:
        self.config = self.config.model_copy(
            update={"run": self.config.run.model_copy(update={"mode": mode})})

    @property
    def memory(self) -> ControllerMemory:
        """The controller memory: the last decision's (the journal's before the first)."""
        return self.decision.memory if self.decision is not None else self._resumed_memory

    @memory.setter
    def memory(self, memory: ControllerMemory) -> None:  # the operator's lift of a prop lock
        if self.decision is None:
            self._resumed_memory = memory
        else:
            self.decision = replace(self.decision, memory=memory)

    @property
    def plan(self) -> list[Action]:
        """The running plan's slices (`controller.Action`), oldest first."""
        return self.plans.plan

    @plan.setter
    def plan(self, actions: list[Action]) -> None:
        self.plans.plan = actions

    @property
    def indicators(self) -> dict[str, SymbolIndicators]:
        return self.feed.indicators

    @property
    def portfolio(self) -> PortfolioIndicators | None:
        return self.feed.portfolio

    @property
    def warmup(self) -> Warmup:
        return self.feed.warmup

    @property
    def ea_link(self) -> EaLink | None:
        return self.publisher.link

    @ea_link.setter
    def ea_link(self, link: EaLink | None) -> None:
        self.publisher.link = link

    @property
    def stale(self) -> bool:
        return self.health.stale

    @property
    def connection_ok(self) -> bool:
        return self.health.connection_ok

    # -- start-up ----------------------------------------------------------------------------
    def start(self) -> None:
        """Connect, check the account type, resume from the journal, prepare the indicators."""
        self.port.connect()
        if self.publisher.link is None and self._open_ea_link is not None:
            self.publisher.link = self._open_ea_link(self.port)
        account = self.port.account()
        server = self.port.server_name()
        self.journal.use_account(account.login,
                                 "sim" if self.config.terminal.kind == "sim" else server)
        self._take_lease(account.login, server)
        mode, why = self._mode_check(account, self.mode)
        if why is not None:
            self.mode = mode
            self._record_state("mode", why)
        self._resume()
        now = self.now()
        snap = self.port.snapshot(now, self.watch)
        symbols = sorted(snap.market)
        self.watch = symbols
        self.feed.prepare(symbols, snap)
        self.snapshot = snap
        self.stats.track_equity(snap.account.equity)
        self.health.deals_seen_until = now
        self._run_row(now, account, symbols)
        logger.info("guard started on account {} ({} mode), {} symbols, {} slices resumed",
                    account.login, self.mode.value, len(symbols), len(self.plan))
        self._say_waiting()  # after the run row: what the history could not warm
        self.notify("on_start")

    def _run_row(self, now: float, account: Account, symbols: list[str]) -> None:
        lease, kind = self.lease, self.config.terminal.kind
        run_row = self.journal.append(JournalKind.RUN, now, {
            "mode": self.mode.value, "terminal": kind,
            "scenario": self.config.terminal.scenario if kind == "sim" else None,
            "login": account.login, "currency": account.currency,
            "symbols": symbols, "resumed_slices": len(self.plan),
            "lease": lease.key if lease else None, "wall_start": self.wall(),
            "host": lease.host if lease else None, "pid": lease.pid if lease else None,
            "lease_timeout": self.config.lease.timeout_seconds})
        self.run_id = f"R{run_row}"

    def stop(self, reason: str) -> None:
        """A clean stop: a `stop` row, the lease released. Idempotent."""
        if self.stopped is not None:
            return
        self.stopped = reason
        try:
            if self.mode is Mode.SHADOW:
                self.shadow.journal_mark(self.now())
            self.journal.append(JournalKind.STOP, self.now(), {"reason": reason,
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
        row = self.journal.last(JournalKind.MEMORY)
        if row is not None:
            data = dict(row.payload)
            data["regime"] = Regime(data["regime"])
            data["state"] = TradingState(data["state"])
            self._resumed_memory = ControllerMemory(**data)
        self.plans.resume()

    # -- jobs --------------------------------------------------------------------------------
    def fast_guard(self) -> None:
        """Snapshot, indicators, decision; act at once on escalation; send due slices."""
        started = time.perf_counter()
        self.renew_lease()
        self.stats.guard_runs += 1
        snap = self._read_snapshot()
        if snap is None:
            return
        self.feed.update(snap)
        decision = self._decide(snap)
        if self.plans.escalated(decision, self.decision, self.memory):
            self._adopt(decision, journal=True)
        else:
            self.decision = decision
        self._execute_due()
        self.publisher.publish(self.decision, self.now(),
                               healthy=not self.health.stale and self.health.connection_ok)
        self.health.watch_stop_outs(self.now())
        self.permissions.check(self, self.port.account_record)  # the snapshot's, this step
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

    def recalibrate(self) -> None:
        """Hourly: the last closed H1/D1 bars and the margin rate of every symbol."""
        if self.snapshot is None:
            return
        self.feed.recalibrate(self.snapshot)
        self._say_waiting()

    # -- internals ---------------------------------------------------------------------------
    def _decide(self, snap: Snapshot) -> Decision:
        """The controller's decision; its wall-clock time in `decide_seconds`."""
        started = time.perf_counter()
        if self.mode is Mode.SHADOW:  # decide on the book as the virtual closes left it
            self.shadow.mark(snap, self.port)
            snap = self.shadow.view(snap)
        decision = decide(snap, self.config, self.feed.indicators, self.feed.portfolio,
                          self.memory)
        self.decide_seconds = time.perf_counter() - started
        return decision

    def _say_waiting(self) -> None:
        """Each indicator the terminal's history could not warm, said once (log and journal)."""
        for message in self.feed.waiting():
            logger.warning("warm-up: {}", message)
            self.journal.append(JournalKind.STATE, self.now(),
                                {"what": "warmup", "message": message})

    def _read_snapshot(self) -> Snapshot | None:
        now = self.now()
        try:
            self.port.ensure_connected()
            snap = self.port.snapshot(now, self.watch, self.publisher.depth(now))
            snap = self.news.apply(snap, self.ea_link.last_telemetry if self.ea_link else None)
        except TerminalError as exc:
            self.health.unreachable(exc, now, self.snapshot.time if self.snapshot else None)
            return None
        except SnapshotError as exc:
            self.stats.errors += 1
            logger.error("corrupt snapshot rejected: {}", exc)
            self._record_state("data", f"corrupt snapshot rejected: {exc}")
            return None
        self.health.reachable(snap)
        for name in snap.market:
            if name not in self.watch:
                self.watch.append(name)
        snap = self.prop_ledger.attach(snap)  # the prop figures from the deal history
        self.snapshot = snap
        self.stats.track_equity(snap.account.equity)
        return snap

    def _adopt(self, d: Decision, *, journal: bool) -> None:
        now = d.time
        if self.run_id and d.actions:  # plan ids unique per run: "R<run row>-<login>-<time>"
            d = replace(d, actions=tuple(with_plan_id(a, f"{self.run_id}-{a.plan_id}")
                                         for a in d.actions))
        if journal:
            # one transaction: nothing acts on the decision before its three rows are durable
            self.journal.append_many(decision_rows(d))
        if self.decision is not None and self.decision.state is not d.state:
            self._record_state("state", f"{self.decision.state.value} → {d.state.value}: "
                               + "; ".join(d.reasons))
        self.decision = d
        self.plans.adopt(d, now)
        self.notify("on_decision", d)

    def flatten(self, actions: list[Action], why: str) -> None:
        """The operator's flatten (bridge.web.control), on the guard's thread between two
        steps: `actions` become the plan (target EffLev 0, journaled with `why`) and are sent
        now, even while paused."""
        self.plans.replace(actions, 0.0, "flatten", self.now(), why=why)
        self.plans.execute_due(self.snapshot, self.mode, False, self._confirm_lease)

    def _execute_due(self) -> None:
        """The due slices: sent (enforce), filled virtually (shadow) or left (observe)."""
        self.plans.execute_due(self.snapshot, self.mode, self.paused, self._confirm_lease)

    def _record_state(self, what: str, message: str) -> None:
        logger.info("{}: {}", what, message)
        self.journal.append(JournalKind.STATE, self.now(), {"what": what, "message": message})
        self.notify("on_state", what, message)

    def notify(self, hook: str, *args: Any) -> None:
        """Call `hook` on every observer (bridge.observe); one that raises is logged, skipped."""
        for observer in self.observers:
            try:
                getattr(observer, hook)(self, *args)
            except Exception as exc:
                logger.error("observer {} failed in {}: {}", type(observer).__name__, hook, exc)
