"""`lca snapshot`: the connected account as a snapshot file that `lca decide --snapshot` reads.

What the guard knows at its start, dumped (docs/snapshot.md "Dump your own account"): the account,
the held and watched symbols with the pairs that convert them to the account currency, the
positions, the quotes and the broker's book, and for every symbol the history the guard warms its
indicators on (bridge/warmup.py: the last `run.warmup_hours` of ticks, M1, H1, H4 and D1 bars, the
margin rate now), and with the EA link on the EA's depth per side for the symbols without a book.
`lca decide` on the file gives the guard's own decision at that instant.

No password, server or account name is written (the snapshot format has no field for them); the
login is kept, as `lca check` and the journal show it, and `--hide-login` writes 0 instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.markup import escape

from bridge.config import AppConfig, ConfigError, load_config

if TYPE_CHECKING:
    from bridge.commands.connect import Connected
    from controller import Snapshot


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "snapshot", help="dump the connected account as a snapshot JSON for `lca decide`",
        description="Connect to the configured terminal (the simulated one by default: at its "
        "scenario's start, or --at) and write the account, symbols, positions, quotes, book and "
        "recent history (and the EA's depth telemetry where the link is on) as a snapshot "
        "(docs/snapshot.md) that `lca decide --snapshot FILE` reads back. No password or server "
        "is written.")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--out", type=Path, default=None, help="the JSON file (default: stdout)")
    p.add_argument("--at", default=None, help="sim: play the replay to this UTC time first "
                   "(e.g. 2016-10-06T23:30:00Z)")
    p.add_argument("--hide-login", action="store_true", help="write login 0 instead of the "
                   "account number (for a file you share)")
    p.set_defaults(func=_snapshot)


def _ea_depth(connected: Connected, config: AppConfig, now: float
              ) -> dict[str, tuple[float, float]] | None:
    """The EA's depth telemetry (lots per side) where the link is on, as the running guard
    reads it (on for a live terminal unless `[ea] enabled = false`); None without it."""
    from bridge.ealink import EaLink
    from bridge.ealink.errors import EaLinkError
    from bridge.ealink.folder import resolve_link_folder

    enabled = config.ea.enabled
    if enabled is None:
        enabled = not connected.simulated
    if not enabled:
        return None
    try:
        link = EaLink(resolve_link_folder(connected.mt5, config.ea.common_folder or None))
        return link.depth(now, config.ea.telemetry_max_age_seconds)
    except (EaLinkError, OSError):
        return None


def dump(connected: Connected, config: AppConfig) -> tuple[dict[str, Any], Snapshot]:
    """The snapshot document of the connected terminal now, and the checked snapshot."""
    from bridge.warmup import Warmup
    from controller.snapshot_document import snapshot_document

    now = connected.now()
    snap = connected.port.snapshot(now, config.terminal.watch,
                                   _ea_depth(connected, config, now))
    warmup = Warmup(connected.port, config)
    histories = {}
    for name in sorted(snap.market):  # the guard warms these, in this order
        history = warmup.read(name, now).history
        rate = warmup.margin_rate(name, snap)
        if rate is not None:
            history = replace(history, margin_time=np.array([snap.time]),
                              margin_rate=np.array([rate]))
        histories[name] = history
    return snapshot_document(snap, histories), snap


def _snapshot(args: argparse.Namespace) -> int:
    from bridge.commands.connect import connect, parse_utc, utc_text
    from bridge.sim import ScenarioError
    from bridge.terminal import TerminalError
    from controller import SnapshotError

    err = Console(stderr=True)
    try:
        config = load_config(args.config)
        at = parse_utc(args.at, "--at") if args.at else None
    except ConfigError as exc:
        err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
        return 2
    except ValueError as exc:
        err.print(f"[red]{escape(str(exc))}[/]", highlight=False)
        return 2
    if at is not None and config.terminal.kind != "sim":
        err.print("--at is for the simulated terminal; a live terminal is dumped as it is now",
                  highlight=False)
        return 2
    try:
        connected = connect(config)
        if at is not None:
            sim = connected.mt5
            if not sim.start_time <= at <= sim.end_time:
                err.print(f"--at {args.at}: outside the replay, which runs from "
                          f"{utc_text(sim.start_time)} to {utc_text(sim.end_time)}",
                          highlight=False)
                return 2
            sim.advance_to(at)
        document, snap = dump(connected, config)
        connected.close()
    except (TerminalError, ScenarioError, SnapshotError, ValueError) as exc:
        err.print(f"[red]cannot take the snapshot ({config.terminal.kind}):[/] "
                  f"{escape(str(exc))}", highlight=False)
        return 1
    if args.hide_login:
        document["account"]["login"] = 0
    text = json.dumps(document, indent=1) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            err.print(f"[red]cannot write {escape(str(args.out))}:[/] "
                      f"{escape(str(exc.strerror or exc))}", highlight=False)
            return 2
    where = "stdout" if args.out is None else str(args.out)
    err.print(f"snapshot of account {document['account']['login']} at {utc_text(snap.time)}: "
              f"{len(snap.positions)} position(s), {len(snap.market)} symbol(s) with their "
              f"history → {escape(where)} ({len(text.encode()) / 1e6:.1f} MB). "
              f"`uv run lca decide --snapshot {escape(where if args.out else 'FILE')}` decides "
              "on it.", highlight=False)
    return 0
