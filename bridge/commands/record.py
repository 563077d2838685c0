"""`lca record`: the connected terminal's ticks, bars, symbol specs, account levels and book into a
scenario folder that `lca run --scenario DIR/scenario.toml` replays (docs/scenarios.md "Record
your terminal"; the writing is in bridge/record)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from bridge.commands.numbers import number
from bridge.config import AppConfig, ConfigError, load_config

if TYPE_CHECKING:
    from bridge.commands.connect import Connected


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "record", help="record the terminal's ticks and bars into a scenario folder for replay",
        description="Record the connected terminal (the simulated one by default) into a "
        "scenario folder: ticks (copy_ticks_range) and M1 bars a UTC day at a time, D1/H4 "
        "history before them, the symbol specs, the account's levels and the open positions. "
        "`lca run --scenario DIR/scenario.toml` replays it with that book.")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--symbols", default="", help="comma-separated, e.g. EURUSD,GBPUSD (held "
                   "symbols and conversion pairs are added; default: the held and watched ones)")
    p.add_argument("--days", type=number(low=0.0, low_open=True, what="days of replay window"),
                   default=None, help="the window: this many days up to --to (default 1)")
    p.add_argument("--from", dest="date_from", default=None,
                   help="the window's start, UTC (e.g. 2024-03-11 or 2024-03-11T08:00:00Z)")
    p.add_argument("--to", dest="date_to", default=None, help="the window's end, UTC (default: "
                   "now; the simulated terminal plays its replay to it, default its end)")
    p.add_argument("--warmup-hours", type=number(low=0.0, what="hours of ticks before the "
                   "window"), default=None, help="ticks recorded before the window for the "
                   "guard's warm-up (default: [run] warmup_hours)")
    p.add_argument("--out", type=Path, required=True, help="the scenario folder to write")
    p.set_defaults(func=_record)


class _Refused(ValueError):
    """A flag the window cannot use; the text says which and why (exit 2)."""


def _window(args: argparse.Namespace, connected: Connected, t_from: float | None,
            t_to: float | None) -> tuple[float, float]:
    """The replay window (UTC s); the simulated terminal is played to its end first."""
    from bridge.commands.connect import utc_text

    now = connected.now()
    if connected.simulated:
        sim = connected.mt5
        end = sim.end_time if t_to is None else t_to
        if not now <= end <= sim.end_time:
            raise _Refused(f"--to {args.date_to}: outside the replay, which runs from "
                           f"{utc_text(now)} to {utc_text(sim.end_time)}")
        sim.advance_to(end)
    else:
        end = now if t_to is None else t_to
        if end > now + 60:
            raise _Refused(f"--to {args.date_to} is in the future (now {utc_text(now)})")
    start = t_from if t_from is not None else end - (args.days or 1.0) * 86_400.0
    if not start < end:
        raise _Refused(f"--from {args.date_from} is not before the end {utc_text(end)}")
    return start, end


def _flags(args: argparse.Namespace) -> tuple[AppConfig, float | None, float | None]:
    """The configuration and the --from/--to times (ConfigError, ValueError naming the flag)."""
    from bridge.commands.connect import parse_utc

    config = load_config(args.config)
    t_from = parse_utc(args.date_from, "--from") if args.date_from else None
    t_to = parse_utc(args.date_to, "--to") if args.date_to else None
    if t_from is not None and args.days is not None:
        raise ValueError("give --from or --days, not both")
    if (args.out / "scenario.toml").exists():
        raise ValueError(f"{args.out} already holds a recording (scenario.toml): choose "
                         "another --out or remove it")
    return config, t_from, t_to


def _record(args: argparse.Namespace) -> int:
    from bridge.commands.connect import connect, utc_text
    from bridge.record import RecordError, Window, record
    from bridge.sim import ScenarioError
    from bridge.terminal import TerminalError

    err = Console(stderr=True)
    out = Console()
    try:
        config, t_from, t_to = _flags(args)
    except ConfigError as exc:
        err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
        return 2
    except ValueError as exc:
        err.print(f"[red]{escape(str(exc))}[/]", highlight=False)
        return 2
    wanted = [s.strip() for s in args.symbols.split(",") if s.strip()]
    warmup = config.run.warmup_hours if args.warmup_hours is None else args.warmup_hours
    kind = config.terminal.kind
    try:
        connected = connect(config)
        start, end = _window(args, connected, t_from, t_to)
        wanted = wanted or list(dict.fromkeys([p.symbol for p in connected.port.positions()]
                                              + list(config.terminal.watch)))
        if not wanted:
            raise _Refused("nothing to record: give --symbols (no position is open and "
                           "[terminal] watch is empty)")
        out.print(f"recording {', '.join(wanted)} from the {kind} terminal: {utc_text(start)} → "
                  f"{utc_text(end)}, with {warmup:g} h of ticks before → {escape(str(args.out))}",
                  highlight=False)
        result = record(connected.port, Window(start, end, warmup), wanted, args.out,
                        source=kind, progress=lambda line: out.print(escape(line),
                                                                     highlight=False))
        connected.close()
    except (_Refused, RecordError) as exc:
        err.print(f"[red]cannot record:[/] {escape(str(exc))}", highlight=False)
        return 2
    except (TerminalError, ScenarioError, ValueError) as exc:
        err.print(f"[red]cannot record ({kind}):[/] {escape(str(exc))}", highlight=False)
        return 1
    except OSError as exc:
        err.print(f"[red]cannot write {escape(str(args.out))}:[/] "
                  f"{escape(str(exc.strerror or exc))}", highlight=False)
        return 2
    ticks = sum(result.ticks.values())
    out.print(f"wrote {escape(str(result.scenario))}: {ticks:,} ticks, "
              f"{sum(result.m1_bars.values()):,} M1 bars, {sum(result.history_bars.values()):,} "
              f"D1/H4 history bars; the folder holds {result.bytes / 1e6:.1f} MB. Replay it: "
              f"uv run lca run --scenario {escape(str(result.scenario))}", highlight=False)
    return 0
