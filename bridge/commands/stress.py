"""`lca stress`: the same book on real crash windows under four guard policies and static books."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bridge.commands.numbers import number, whole_number

if TYPE_CHECKING:
    from bridge.stress.executors import ExecutorSpec
    from bridge.stress.summary_types import Summary, Timing

_DEFAULT_DATA = os.environ.get("LCA_SHARED_DATA", "../shared/data")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "stress", help="replay real crash windows: none / vol-only / rules-only / full (at each "
        "--appetite) / static books",
        description="Replay the real crash windows (and the calm control) with a documented "
        "retail book under both broker presets (esma, offshore) and four policies, on the live "
        "code path; write summary.json, one PNG per scenario and report.html (docs/stress.md). "
        "Your own scenario file and your own book (--book) run the same way.")
    p.add_argument("--data-dir", default=_DEFAULT_DATA,
                   help="the real market data folder (default: $LCA_SHARED_DATA or "
                   "../shared/data)")
    p.add_argument("--scenario", nargs="+", metavar="NAME|FILE",
                   help="windows (snb-2015, …: both presets), window-preset names "
                   "(snb-2015-offshore) or your own scenario .toml files (or recorded scenario "
                   "folders: their own account and book); default: all built-in windows")
    p.add_argument("--book", type=Path, metavar="BOOK.toml",
                   help="your positions ([[book]] symbol, side, lots; optional balance) put on "
                   "every window instead of its book (docs/stress.md)")
    p.add_argument("--preset", nargs="+", metavar="PRESET", choices=("esma", "offshore"),
                   help="broker presets to apply: esma, offshore (default: both on the built-in "
                   "windows, none on your own file: it keeps its broker settings)")
    p.add_argument("--policy", nargs="+", metavar="POLICY",
                   help="a subset of none, vol-only, rules-only, full, static-<L> (default: "
                   "the four guard policies and the static books of --static)")
    p.add_argument("--static", nargs="*", type=number(low=0.0, high=1000.0, low_open=True,
                                                      what="an EffLev"), metavar="L", default=None,
                   help="EffLev of the static books (the book scaled at the start, never "
                   "touched) run beside the guard policies (default: 1 2 3 5 10 20; none given: "
                   "no static book)")
    p.add_argument("--appetite", nargs="+", type=number(low=0.0, high=100.0, low_open=True,
                                                        what="a risk.appetite, 1 = the seed's "
                                                        "defaults"), metavar="A", default=None,
                   help="also run the full guard at each risk.appetite A (policies full@A; 1 is "
                   "full itself) for the risk-appetite frontier (e.g. --appetite 1 2 4 8)")
    p.add_argument("--out", type=Path, default=Path("runs/stress"), help="output folder")
    p.add_argument("--jobs", type=whole_number(low=1, high=256, what="processes"), default=None,
                   help="parallel processes (default: the number of CPUs)")
    p.add_argument("--executor", default="local", metavar="local|dask://HOST:PORT",
                   help="where the runs execute: local processes (default) or the Dask "
                        "distributed scheduler at HOST:PORT (docs/fleet.md; uv sync --extra dask)")
    p.add_argument("--no-plots", action="store_true", help="summary.json and tables only")
    p.set_defaults(func=_stress)


def _policies(args: argparse.Namespace) -> list[str] | str:
    """The policies the flags ask for, or what is wrong with a flag."""
    from bridge.stress.frontier import appetite_name
    from bridge.stress.static import STATIC_GRID, static_name
    from bridge.stress.suite import default_policies

    grid = STATIC_GRID if args.static is None else tuple(args.static)
    bad = [x for x in grid if not 0.0 < x <= 1000.0]
    if bad:
        return f"--static {bad[0]:g}: an EffLev above 0 and at most 1000"
    appetites = tuple(args.appetite or ())
    bad = [x for x in appetites if not 0.0 < x <= 100.0]
    if bad:
        return (f"--appetite {bad[0]:g}: a risk.appetite above 0 and at most 100 (1 = the "
                "seed's defaults)")
    policies = list(args.policy or default_policies(grid, appetites))
    if args.policy and args.static:
        policies = [*policies, *(static_name(x) for x in grid)]
    if args.policy and appetites:
        policies = [*policies, *(appetite_name(a) for a in appetites)]
    return list(dict.fromkeys(policies))


def _stress(args: argparse.Namespace) -> int:
    from bridge.sim.names import rename_note
    from bridge.stress.executors import ExecutorError, parse_executor

    policies = _policies(args)
    if isinstance(policies, str):
        Console(stderr=True).print(f"[red]cannot run:[/] {escape(policies)}", highlight=False)
        return 2

    try:
        executor = parse_executor(args.executor)
    except ExecutorError as exc:
        Console(stderr=True).print(f"[red]cannot run:[/] {escape(str(exc))}", highlight=False)
        return 2

    err = Console(stderr=True)
    for note in filter(None, map(rename_note, args.scenario or ())):
        err.print(escape(note), highlight=False)
    out = Console()
    if not out.is_terminal:
        out = Console(width=170)  # a pasted or logged table keeps its columns
    summary = _run_with_progress(args, policies, executor, err)
    if summary is None:
        return 2
    _print_summary(out, summary, args.out)
    return 0


def _run_with_progress(args: argparse.Namespace, policies: list[str], executor: ExecutorSpec,
                       err: Console) -> Summary | None:
    """Run the stress suite with a progress bar on `err` (one line per finished run when `err`
    is a log, not a terminal); the summary as `bridge.stress.run_stress` returns it, or None
    once the reason it cannot run is printed."""
    from bridge.stress import run_stress
    from bridge.stress.runner import RunSpec

    columns = (TextColumn("[bold]stress[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("starting", total=None)

        def on_total(n: int) -> None:
            progress.update(task, total=n, description="")

        def on_done(spec: RunSpec, result: dict[str, Any]) -> None:
            m = result["metrics"]
            line = (f"{spec.scenario} {spec.policy}: {m['stop_outs']} stop-out(s), max DD "
                    f"{m['max_drawdown']:.1%} ({m['wall_seconds']:.0f} s)")
            progress.update(task, advance=1, description=line)
            if not err.is_terminal:  # no live bar in a log: one line per finished run
                done = progress.tasks[0].completed
                err.print(f"[{done:.0f}/{progress.tasks[0].total or 0:.0f}] {line}",
                          highlight=False)

        try:
            return run_stress(data_dir=args.data_dir, out_dir=args.out,
                              scenarios=args.scenario, policies=list(dict.fromkeys(policies)),
                              jobs=args.jobs, on_done=on_done, on_total=on_total,
                              plots=not args.no_plots, book=args.book,
                              presets=args.preset, executor=executor)
        except (ValueError, FileNotFoundError) as exc:
            err.print(f"[red]cannot run:[/] {escape(str(exc))}", highlight=False)
            return None


def _print_summary(out: Console, summary: Summary, out_dir: Path) -> None:
    """The tables of a finished stress run (equal-exposure, frontier and checks only when the
    run has them) and the closing line naming the files written to `out_dir`."""
    from bridge.stress.frontier import frontier_table
    from bridge.stress.report import checks_table, console_table, equal_exposure_table

    out.print(console_table(summary))
    if any(sc.get("equal_exposure") for sc in summary["scenarios"].values()):
        out.print(equal_exposure_table(summary))
    if summary.get("frontier"):
        out.print(frontier_table(summary))
    if summary["checks"]:
        out.print(checks_table(summary))
    timing = summary["timing"]
    out.print(f"{timing['runs']} runs in {timing['total_wall_seconds']:.0f} s wall "
              f"({timing['cpu_seconds']:.0f} s of runs on {_where(timing)}). "
              f"Wrote {out_dir / 'summary.json'} and {out_dir / 'report.html'}.")


def _where(timing: Timing) -> str:
    """Where the runs ran, for the closing line."""
    executor = timing.get("executor", "local processes")
    return f"{timing['jobs']} processes" if executor == "local processes" else executor
