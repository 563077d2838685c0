"""`lca decide`: what the guard would do for one account snapshot (a JSON file)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bridge.config import ConfigError, load_settings, nesting_problem, utf8_text
from bridge.view import decision_view
from controller import (
    Settings,
    SnapshotError,
    decide,
    decision_to_dict,
    parse_snapshot,
    prepare_indicators,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "decide",
        help="decide for one account snapshot (JSON with MetaTrader5 field names)",
        description="Read an account snapshot (docs/snapshot.md) and print the controller's "
        "decision: metrics against their bands, regime, state, target and binding cap, the "
        "reduction's slices, the size limits and the warnings.",
    )
    p.add_argument("--snapshot", required=True, type=Path, help="snapshot JSON file ('-' = stdin)")
    p.add_argument("--config", type=Path, default=None,
                   help="configuration (default: config.toml if present, else the built-in "
                   "defaults)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_decide)


class _Unreadable(ValueError):
    """The snapshot file is not a JSON document lca can read; the text says why."""


_SNAPSHOT_NESTING = 16  # a real snapshot: market.X.history.rates_h1[i].close is 5 levels


def _read(path: Path) -> object:
    """The JSON document of `path` ('-': stdin); `_Unreadable` naming what is wrong."""
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except IsADirectoryError:
        raise _Unreadable("is a folder, not a file") from None
    try:
        text = utf8_text(raw)
    except ValueError as exc:
        raise _Unreadable(f"{exc} A snapshot is JSON (docs/snapshot.md)") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise _Unreadable("nested beyond reason (thousands of levels): not a snapshot") from None
    problem = nesting_problem(document, _SNAPSHOT_NESTING)
    if problem is not None:
        raise _Unreadable(f"{problem}: not a snapshot (docs/snapshot.md)")
    return document


def _decide(args: argparse.Namespace) -> int:
    err = Console(stderr=True)
    try:
        config = args.config or (Path("config.toml") if Path("config.toml").exists() else None)
        settings: Settings = load_settings(config) if config is not None else Settings()
        document = _read(args.snapshot)
        parsed = parse_snapshot(document, settings)
        indicators, portfolio = prepare_indicators(parsed.histories, settings)
        decision = decide(parsed.snapshot, settings, indicators, portfolio, parsed.memory)
    except ConfigError as exc:
        err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
        return 2
    except (OSError, json.JSONDecodeError, _Unreadable) as exc:
        err.print(f"[red]cannot read the snapshot {args.snapshot}:[/] {escape(str(exc))}",
                  highlight=False)
        return 2
    except SnapshotError as exc:
        err.print(f"[red]bad snapshot {args.snapshot}:[/] {escape(str(exc))}", highlight=False)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(decision_to_dict(decision), indent=2) + "\n")
    else:
        Console().print(decision_view(decision, parsed.snapshot.account.currency))
    return 0
