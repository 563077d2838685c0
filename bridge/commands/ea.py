"""`lca ea`: install the guard EA into a terminal, and show what it reports."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from bridge.config import AppConfig, ConfigError, load_config
from bridge.ealink import (
    EaLinkError,
    EaTelemetry,
    TelemetryReader,
    resolve_link_folder,
)
from bridge.ealink.install import EXPERT_SUBFOLDER, install_ea

if TYPE_CHECKING:
    from bridge.mt5.port import Mt5Module

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ea", help="the guard EA inside the terminal: install it, see its state")
    ea_sub = p.add_subparsers(dest="ea_command", metavar="ACTION", required=True)
    inst = ea_sub.add_parser(
        "install", help="copy LiquidityGuard into a terminal's MQL5/Experts folder"
    )
    inst.add_argument(
        "--data-folder",
        type=Path,
        help="the terminal's data folder (File > Open Data Folder); default: ask the running "
        "terminal through the MetaTrader5 package",
    )
    _config_flag(inst)
    inst.set_defaults(func=_install)
    status = ea_sub.add_parser("status", help="read the EA's telemetry file and show its state")
    status.add_argument(
        "--common-folder",
        type=Path,
        help="the terminals' common data folder (…/MetaQuotes/Terminal/Common); default: ask "
        "the running terminal",
    )
    _config_flag(status)
    status.set_defaults(func=_status)


def _config_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration (default: config.toml if present, else the built-in "
                        "defaults): its [terminal] and [ea] common_folder are used")


def _config(args: argparse.Namespace, err: Console) -> AppConfig | None:
    """The configuration of --config (default: config.toml if present, else the defaults), or
    None once its problems are printed."""
    path: Path | None = args.config
    if path is None and Path("config.toml").exists():
        path = Path("config.toml")
    try:
        return load_config(path) if path is not None else AppConfig()
    except ConfigError as exc:
        err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
        return None


def _terminal(config: AppConfig) -> Mt5Module | None:
    """The terminal of the configuration's [terminal] (the one terminal port), connected, or None
    when there is none here (the simulated terminal has no data folder worth installing into)."""
    from bridge.compose import open_module
    from bridge.terminal import Credentials, TerminalError, TerminalPort

    t = config.terminal
    if t.kind == "sim":
        return None
    try:
        mt5 = open_module(t.kind, host=t.host, port=t.port, allow_remote=t.allow_remote,
                          timeout_ms=t.timeout_ms)
        port = TerminalPort(mt5, Credentials.from_env(t.login_env, t.password_env, t.server_env),
                            path=t.path or None, timeout_ms=t.timeout_ms)
        port.connect(attempts=1)
    except (TerminalError, ValueError):
        return None
    return port.mt5


def _install(args: argparse.Namespace) -> int:
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    config = _config(args, err)
    if config is None:
        return 2
    data_folder: Path | None = args.data_folder
    if data_folder is None:
        mt5 = _terminal(config)
        info = mt5.terminal_info() if mt5 is not None else None
        if info is None:
            err.print(
                "[red]lca ea install: no running MetaTrader 5 terminal found[/] (config.toml "
                "\\[terminal] kind = \"mt5\" or \"mt5linux\"). Pass the data folder: in the "
                "terminal use File > Open Data Folder, then [bold]lca ea install --data-folder "
                "PATH[/]."
            )
            return 2
        from bridge.winepath import native_path

        data_folder = native_path(info.data_path)  # under Wine: inside the Wine prefix
    try:
        written = install_ea(data_folder)
    except EaLinkError as exc:
        err.print(f"[red]lca ea install:[/] {exc}")
        return 2
    target = data_folder / EXPERT_SUBFOLDER
    out.print(f"Installed the guard EA into [bold]{target}[/]:")
    for path in written:
        out.print(f"  {path.name}")
    out.print(
        "\nNext, in the terminal:\n"
        "  1. Open MetaEditor (F4), open Experts\\LiquidityGuard\\LiquidityGuard.mq5 and press "
        "Compile (F7); it must report 0 errors.\n"
        "  2. In the Navigator, drag Expert Advisors > LiquidityGuard onto ONE chart "
        "(any symbol).\n"
        "  3. In its properties: Common tab, tick 'Allow Algo Trading'; Inputs tab, review the "
        "hard limits (max leverage, MSI floor, lots per symbol, heartbeat timeout).\n"
        "  4. Turn on 'Algo Trading' on the toolbar. The Experts tab of the journal shows "
        "'LiquidityGuard: started ...'.\n"
        "lca and the EA talk through <Common>\\Files\\lca\\limits.txt and telemetry.txt. "
        "If lca stops for longer than the heartbeat timeout, the EA enters FAIL-SAFE: its own "
        "hard limits apply and new positions are closed. See docs/ea.md."
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    config = _config(args, err)
    if config is None:
        return 2
    common = args.common_folder or config.ea.common_folder or None
    if common is None and config.terminal.kind == "sim":
        out.print(
            "EA link off: the configured terminal is the built-in simulated terminal "
            "(\\[terminal] kind = \"sim\"), which runs no EA. For a terminal's EA pass "
            "[bold]--common-folder PATH[/] "
            "(…/MetaQuotes/Terminal/Common), set \\[ea] common_folder, or use a configuration "
            "with \\[terminal] kind = \"mt5\" or \"mt5linux\" (--config PATH); docs/ea.md.")
        return 0
    try:
        terminal = None if common is not None else _terminal(config)
        folder = resolve_link_folder(terminal, common)
        t = TelemetryReader(folder).read()
    except EaLinkError as exc:
        err.print(f"[red]lca ea status:[/] {exc}")
        return 2
    age = time.time() - t.written_utc  # shell: the wall clock is right here
    mode = "[red]FAIL-SAFE[/]" if t.failsafe else "[green]normal[/]"
    out.print(
        f"EA {mode}, telemetry {age:.0f} s old, limits sequence {t.limits_sequence} applied, "
        f"Algo Trading {'on' if t.trade_allowed else '[red]OFF[/]'}"
    )
    for s in t.symbols.values():
        out.print(
            f"  {s.symbol:<10} bid {s.bid:.5f} ask {s.ask:.5f} spread {s.spread_mean:.5f} "
            f"depth {s.bid_depth:.2f}/{s.ask_depth:.2f} lots ({s.depth_source}), "
            f"{s.tick_count} ticks"
        )
    _print_calendar(out, t)
    return 0


def _print_calendar(out: Console, t: EaTelemetry) -> None:
    """The broker's calendar events of a version 2 telemetry (docs/ea.md), times in UTC."""
    if t.version < 2:
        out.print("  calendar: none in this telemetry (version 1: the EA's InpCalendarHours is 0, "
                  "or the EA predates the calendar)")
        return
    if t.calendar_utc == 0:
        out.print("  calendar: not read yet (the terminal has not synced its economic calendar, "
                  "or the broker serves none; see the EA's Experts log)")
        return
    out.print(f"  calendar: {len(t.events)} events in the next {t.calendar_hours} h (high and "
              f"medium, the book's currencies), read {time.time() - t.calendar_utc:.0f} s ago")
    for e in t.events:
        when = datetime.fromtimestamp(e.time_utc, UTC).strftime("%Y-%m-%d %H:%M UTC")
        out.print(f"    {when}  {e.currency} {e.importance:<7} {escape(e.name)}",
                  highlight=False)
