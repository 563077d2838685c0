"""Composition root: configuration → terminal, journal, executor, guard → driver → summary."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bridge.alerts import attach_alerts
from bridge.clock import Replay
from bridge.compose import ea_link_opener, open_terminal, real_account_check
from bridge.config import AppConfig, Mode
from bridge.driver import StopRequest, run_live, run_replay
from bridge.executor import Executor
from bridge.journal import Journal
from bridge.lease import LeaseError
from bridge.logsetup import replay_clock, setup_logging
from bridge.runtime import Guard, GuardStats
from bridge.terminal import Credentials, TerminalPort

__all__ = ["RunResult", "build_guard", "run", "run_guard", "setup_logging", "unguarded_run"]


StepHook = Callable[[Guard], None]
"""Called after every fast-guard step (the console's live view)."""


class Closeable(Protocol):
    """What `run`'s `setup` may return (the dashboard): closed at the end of the run."""

    def close(self) -> None: ...


@dataclass
class RunResult:
    """The end of a run: its summary (JSON-ready), the account currency and, when it was stopped
    before its end (SIGTERM, Ctrl-C on the live scheduler, a lost lease), why."""

    summary: dict[str, Any]
    currency: str
    stopped: str | None = None


def build_guard(config: AppConfig, module: Any | None = None) -> Guard:
    """The guard over the terminal of `config` (or `module`, shaped like it); for a replay the
    simulated terminal is `guard.replay`. The journal is opened, and found writable, before the
    terminal is touched (`JournalError`)."""
    journal = Journal(config.run.journal, password_env=config.run.journal_password_env)
    t = config.terminal
    opened = open_terminal(config, module)
    credentials = Credentials.from_env(t.login_env, t.password_env, t.server_env)
    port = TerminalPort(opened.module, credentials, path=t.path or None, timeout_ms=t.timeout_ms,
                        server_clock=opened.server_clock, sleep=opened.connect_sleep,
                        symbol_classes=config.safe_leverage.symbol_classes)
    executor = Executor(port, journal, opened.clock, magic=config.run.magic,
                        deviation_points=config.run.deviation_points)
    return Guard(port, executor, journal, config, opened.clock, replay=opened.replay,
                 open_ea_link=ea_link_opener(config), mode_check=real_account_check(config))


def unguarded_run(config: AppConfig,
                  progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """The same scenario and book left to the broker's stop-out: no guard, no orders.
    `progress(fraction)` hears how far the replay is, every simulated hour."""
    opened = open_terminal(config)  # a fresh simulated terminal of the same scenario
    sim = opened.replay
    if sim is None:
        raise ValueError("the unguarded comparison replays a scenario: terminal.kind must be "
                         "\"sim\"")
    port = TerminalPort(opened.module, server_clock=opened.server_clock)
    port.connect(attempts=1)
    drawdown = GuardStats()  # the same drawdown as the guarded run's
    drawdown.track_equity(port.account().equity)
    start, span, told = sim.now(), max(sim.end_time - sim.now(), 1.0), sim.now()
    while not sim.finished:
        sim.advance(config.run.guard_seconds)  # sampled like the guarded run
        if progress is not None and sim.now() - told >= 3600.0:
            told = sim.now()
            progress(min(1.0, (told - start) / span))
        drawdown.track_equity(port.account().equity)
    info = port.account()
    return {"stop_outs": sim.stop_outs, "max_drawdown": drawdown.max_drawdown,
            "final_equity": info.equity, "final_balance": info.balance, "orders": 0,
            "lots_closed": 0.0}


def run(config: AppConfig, *, on_step: StepHook | None = None, speed: float | None = None,
        setup: Callable[[Guard], Closeable | None] | None = None) -> RunResult:
    """Run the guard: over the whole replay for a simulated terminal, forever for a live one.
    `setup(guard)`, before the start, may add observers (the dashboard); what it returns is
    closed at the end."""
    guard = build_guard(config)
    attach_alerts(guard, os.environ)  # LCA_ALERT_URLS (docs/operator.md)
    extra = setup(guard) if setup is not None else None
    try:
        return run_guard(guard, config, on_step=on_step, speed=speed)
    finally:
        if extra is not None:
            extra.close()


def run_guard(guard: Guard, config: AppConfig, *, on_step: StepHook | None = None,
              speed: float | None = None, live: bool | None = None) -> RunResult:
    """Start `guard` (taking the lease) and run it: under APScheduler when `live` (default: a
    live terminal), else over its replay (`guard.replay`). SIGTERM, Ctrl-C and a lost lease are
    clean stops: a `stop` row, the lease released."""
    live = guard.replay is None if live is None else live
    try:
        with replay_clock(None if live else guard.clock.now):  # log lines in simulated time
            guard.start()
            return _drive(guard, config, on_step, speed, live)
    except KeyboardInterrupt:
        if guard.run_id:  # started: journal the stop, release the lease
            guard.stop("Ctrl-C")
        raise
    except LeaseError as exc:
        if guard.run_id:  # the lease was lost while running (a refused start writes nothing)
            guard.stop(f"lease lost: {exc}")
        raise
    finally:
        guard.journal.close()


def _drive(guard: Guard, config: AppConfig, on_step: StepHook | None, speed: float | None,
           live: bool) -> RunResult:
    stop = StopRequest()
    with stop.on_sigterm():  # to the end row: a SIGTERM during the comparison waits for it
        if live:
            run_live(guard, on_step=on_step, stop=stop)
            guard.stop(stop.reason or "scheduler ended")
            currency = guard.snapshot.account.currency if guard.snapshot else ""
            return RunResult({"guarded": _guarded(guard), **_shadow(guard)}, currency,
                             stop.reason)
        mt5 = guard.replay
        assert mt5 is not None, "a replay needs a simulated terminal (terminal.kind = \"sim\")"
        run_replay(guard, mt5, speed=config.run.speed if speed is None else speed,
                   on_step=on_step, stop=stop)
        if stop.reason is not None:
            guard.stop(stop.reason)
            return RunResult({"guarded": _guarded(guard, mt5)}, guard.port.account().currency,
                             stop.reason)
        summary: dict[str, Any] = {
            "scenario": mt5.scenario.name,
            "start": mt5.start_time, "end": mt5.end_time, "crash_time": mt5.crash_time,
            "guarded": _guarded(guard, mt5), **_shadow(guard),
        }
        if config.run.compare_unguarded:
            phase = "replaying the unguarded book (the same book left to the broker's stop-out)…"
            guard.notify("on_phase", phase, 0.0)
            summary["unguarded"] = unguarded_run(
                config, progress=lambda done: guard.notify("on_phase", phase, done))
            guard.notify("on_phase", None, None)
        guard.journal.append("end", mt5.now(), summary)
        guard.stop("end of the replay")
    currency = guard.port.account().currency
    return RunResult(summary, currency)


def _shadow(guard: Guard) -> dict[str, Any]:
    """The shadow ledger (bridge.shadow) when the run was in shadow mode or filled virtually."""
    if guard.mode is not Mode.SHADOW and not guard.shadow.fills:
        return {}
    return {"shadow": guard.shadow.summary()}


def _guarded(guard: Guard, sim: Replay | None = None) -> dict[str, Any]:
    s = guard.stats
    stop_outs = sim.stop_outs if sim is not None else s.stop_outs
    # the replay ended after the last guard step: read the account once more
    final = guard.port.account().equity if sim is not None else s.equity
    return {"stop_outs": stop_outs, "max_drawdown": s.max_drawdown, "final_equity": final,
            "orders": s.orders, "lots_closed": round(s.lots_closed, 8),
            "first_order_time": s.first_order_time, "retcodes": dict(s.retcodes),
            "state": guard.decision.state.value if guard.decision else None}
