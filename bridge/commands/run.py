"""`lca run`: the guard beside a terminal (the runtime is not built yet)."""

from __future__ import annotations

import argparse

from rich.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the guard beside a terminal (simulated by default)")
    p.add_argument("--config", default="config.toml", help="configuration file (TOML)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    Console(stderr=True).print(
        "[yellow]lca run: the runtime (terminal port, executor, scheduler) is not built yet.[/]\n"
        "Try [bold]uv run lca decide --snapshot examples/seed-003-worked-example.json[/] "
        "to see what the controller decides for an account snapshot."
    )
    return 0
