"""`lca run`: the guard beside a terminal (the built-in simulated terminal by default)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.markup import escape

from bridge.commands.numbers import number
from bridge.config import AppConfig, ConfigError, load_config

if TYPE_CHECKING:
    from bridge.app import Closeable, RunResult
    from bridge.runtime import Guard

_Setup = Callable[["Guard"], "Closeable | None"]
"""Run before the guard starts (adds observers); what it returns is closed at the end."""

# exit code of a login the broker refused (RES_E_AUTH_FAILED): a service must not restart into
# it (deploy/lca.service RestartPreventExitStatus), a broker locks an account after repeats
_LOGIN_REFUSED = 4


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run", help="run the guard beside a terminal (simulated by default)",
        description="Run the guard. With the default config.toml it replays a built-in crash "
        "scenario on the simulated terminal and compares the guarded book with the same book "
        "left to the broker's stop-out.")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--scenario", help="sim: a built-in scenario name or a scenario TOML file")
    p.add_argument("--data-dir", help="sim: the real market data folder of a data scenario "
                   "(default: [terminal] data_dir, else $LCA_SHARED_DATA)")
    p.add_argument("--speed", type=number(low=0.0, what="simulated seconds per wall second, "
                                          "0 = as fast as possible"),
                   help="sim: simulated seconds per wall second (0 = as fast as possible)")
    p.add_argument("--quiet", action="store_true", help="no live view (for services)")
    p.add_argument("--standby", action="store_true", help="a hot standby for an account another "
                   "guard runs: wait for its lease, take over when it stops renewing, resume its "
                   "plan (docs/fleet.md)")
    p.add_argument("--summary-json", type=Path, help="write the end-of-run summary here")
    p.add_argument("--dashboard", action="store_true", help="serve the web dashboard with "
                   "control beside the guard (token: LCA_DASHBOARD_TOKEN; docs/operator.md)")
    p.add_argument("--dashboard-bind", default="127.0.0.1:8787", help="HOST:PORT")
    p.add_argument("--dashboard-public-reason", default="",
                   help="why a non-loopback bind is wanted (required for one)")
    p.set_defaults(func=_run)


def _load(args: argparse.Namespace) -> AppConfig:
    config = load_config(args.config)
    if args.standby:
        config = config.model_copy(update={"run": config.run.model_copy(
            update={"standby": True})})
    if args.scenario:
        terminal = config.terminal.model_copy(update={"scenario": args.scenario})
        config = config.model_copy(update={"terminal": terminal})
    if args.data_dir:
        terminal = config.terminal.model_copy(update={"data_dir": args.data_dir})
        config = config.model_copy(update={"terminal": terminal})
    return config


def _say_renamed(config: AppConfig, err: Console) -> None:
    """One line when the scenario is an old name (bridge/sim/names.py): it still runs; one per
    table whose keys moved to another (bridge/config_moved.py): they are still taken."""
    from bridge.sim.names import rename_note

    note = rename_note(config.terminal.scenario) if config.terminal.kind == "sim" else None
    if note:
        err.print(escape(note), highlight=False)
    for moved in config.moved_keys:  # keys in their old table (bridge.config_moved)
        err.print(escape(moved), highlight=False)


def _dashboard_setup(args: argparse.Namespace) -> _Setup | None:
    """With --dashboard: the token and bind checked now, the server started beside the guard."""
    if not args.dashboard:
        return None
    import os

    from bridge.web import attach_dashboard, token_from_env
    from bridge.web.server import check_bind, parse_bind

    token_from_env(os.environ)
    check_bind(parse_bind(args.dashboard_bind)[0], args.dashboard_public_reason)

    def setup(guard: Guard) -> Closeable | None:
        return attach_dashboard(guard, os.environ, args.dashboard_bind,
                                args.dashboard_public_reason)
    return setup


def _run_live(config: AppConfig, args: argparse.Namespace, out: Console, title: str,
              setup: _Setup | None) -> RunResult:
    """The run under a rich Live view: redrawn every 20 guard steps and when a phase begins."""
    from bridge.app import run
    from bridge.console import guard_view
    from bridge.view_state import LiveState

    with Live(console=out, refresh_per_second=8, transient=False) as live:
        step = {"n": 0}
        shown: dict[str, Guard] = {}

        def redraw() -> None:
            if "guard" in shown:
                live.update(guard_view(shown["guard"], title, state, out.width))

        state = LiveState(refresh=redraw)

        def on_step(guard: Guard) -> None:
            step["n"] += 1
            if step["n"] % 20 == 0:
                live.update(guard_view(guard, title, state, out.width))

        def live_setup(guard: Guard) -> Closeable | None:
            shown["guard"] = guard
            guard.observers.append(state)
            return setup(guard) if setup is not None else None

        return run(config, on_step=on_step, speed=args.speed, setup=live_setup)


def _phase_printer(out: Console, quiet: bool, setup: _Setup | None) -> _Setup | None:
    """Without a live view: say so when a phase outside the guard's steps begins (the unguarded
    replay can take a minute)."""
    if quiet:
        return setup
    from bridge.observe import GuardObserver, GuardView

    class Phases(GuardObserver):
        def on_phase(self, guard: GuardView, text: str | None, fraction: float | None) -> None:
            if text is not None and not fraction:
                out.print(text, highlight=False)

    def printer_setup(guard: Guard) -> Closeable | None:
        guard.observers.append(Phases())
        return setup(guard) if setup is not None else None
    return printer_setup


def _log_problem(path: Path, exc: OSError) -> str:
    """What is wrong with the log path, in words."""
    if path.is_dir():
        return "it is a folder, not a file"
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a folder"
    return str(exc.strerror or exc)


def _run(args: argparse.Namespace) -> int:
    from bridge.app import run, setup_logging
    from bridge.journal import JournalError, mask_url
    from bridge.lease import LeaseError, LeaseLost
    from bridge.sim import ScenarioError
    from bridge.terminal import TerminalError
    from controller import SnapshotError

    err = Console(stderr=True)
    out = Console()
    try:
        config = _load(args)
    except ConfigError as exc:
        err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
        return 2
    _say_renamed(config, err)
    live_view = not args.quiet and out.is_terminal
    try:  # before the journal and the terminal: nothing is started when the log is unwritable
        setup_logging(config.run.log_file, args.quiet, live_view)
    except OSError as exc:
        err.print(f"[red]cannot write the log file {escape(config.run.log_file)}:[/] "
                  f"{escape(_log_problem(Path(config.run.log_file), exc))}; fix \\[run] log_file "
                  "(a file in a folder lca can write) or the folder's permissions. Nothing was "
                  "started.", highlight=False)
        return 2
    title = f"lca · {config.terminal.kind}" + (
        f" · {args.scenario or config.terminal.scenario}" if config.terminal.kind == "sim" else "")
    if not args.quiet:
        out.print(f"[bold]{title}[/]: guard every {config.run.guard_seconds:g} s, cycle every "
                  f"{config.run.cycle_minutes:g} min, mode {config.run.mode.value}; journal "
                  f"{escape(mask_url(config.run.journal))}")
    try:
        setup = _dashboard_setup(args)
    except ValueError as exc:
        err.print(f"[red]cannot serve the dashboard:[/] {escape(str(exc))}", highlight=False)
        return 2
    try:
        if live_view:
            result = _run_live(config, args, out, title, setup)
        else:
            result = run(config, speed=args.speed, setup=_phase_printer(out, args.quiet, setup))
    except JournalError as exc:
        err.print(f"[red]journal error:[/] {escape(str(exc))}", highlight=False)
        return 2
    except LeaseError as exc:  # another guard holds the account, or took it over
        err.print(f"[red]{'stopped' if isinstance(exc, LeaseLost) else 'not started'}:[/] "
                  f"{escape(str(exc))}", highlight=False)
        return 3
    except (ScenarioError, TerminalError, SnapshotError, ValueError, RuntimeError) as exc:
        err.print(f"[red]cannot run:[/] {escape(str(exc))}", highlight=False)
        return _LOGIN_REFUSED if getattr(exc, "code", None) == -6 else 2
    except KeyboardInterrupt:
        err.print("stopped (Ctrl-C): stop journaled, lease released")
        return 130
    return _report(args, result, out, err)


def _report(args: argparse.Namespace, result: RunResult, out: Console, err: Console) -> int:
    if result.stopped is not None:
        lost = result.stopped.startswith("lease lost")
        err.print(f"stopped ({escape(result.stopped)}): stop journaled"
                  f"{'' if lost else ', lease released'}; `uv run lca status` shows the run so "
                  "far", highlight=False)
        return 3 if lost else 0
    from bridge.console import summary_table

    if args.summary_json:
        args.summary_json.parent.mkdir(parents=True, exist_ok=True)
        args.summary_json.write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
    if not args.quiet or not args.summary_json:
        out.print(summary_table(result.summary, result.currency))
        g = result.summary.get("guarded", {})
        if "shadow" in result.summary:  # bridge.shadow: the real account was left as it was
            s = result.summary["shadow"]
            word = "saved" if s["saved"] >= 0.0 else "cost"
            out.print(f"shadow mode: nothing was sent (the guarded column is the real account "
                      f"as it went); the guard would have closed {s['lots']:.2f} lots and "
                      f"{word} {abs(s['saved']):,.2f} {result.currency} (shadow equity "
                      f"{s['shadow_equity']:,.2f}).", highlight=False)
        if "unguarded" in result.summary:
            out.print(f"guarded: {g.get('stop_outs')} stop-out(s); unguarded: "
                      f"{result.summary['unguarded']['stop_outs']} stop-out(s). "
                      "`uv run lca status` shows the journal.")
    return 0
