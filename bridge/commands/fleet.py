"""`lca fleet status`: one line per account of a journal (many guards, one database)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from bridge.commands.journal_open import open_for_reading
from bridge.fleet import AccountStatus, fleet_rows, fleet_status


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("fleet", help="every account of a journal, one line each",
                       description="Every account (login and trade server) a journal holds: "
                       "trading state, EffLev, MSI, the distance to the stop-out and to the "
                       "nearest prop-firm limit, the guard holding its lease, the last "
                       "snapshot's age (docs/fleet.md).")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    st = what.add_parser("status", help="one line per account")
    st.add_argument("--config", type=Path, default=Path("config.toml"))
    st.add_argument("--journal", help="SQLAlchemy URL of the journal (default: run.journal)")
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.set_defaults(func=_fleet_status)


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = max(0.0, seconds)
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min" if s < 7200 else f"{s / 3600:.0f} h"


def _money(loss: float | None, move: float | None, sep: str) -> str:
    if loss is None:
        return "—"
    return f"{loss:,.0f}" + (f"{sep}{move:.1f} %" if move is not None else "")


def _lease(a: AccountStatus, sep: str) -> str:
    if a.holder is None:
        return "[yellow]no guard[/]"
    return f"{a.holder.host}{sep}pid {a.holder.pid}, {_ago(a.lease_age)} ago"


def _snapshot(a: AccountStatus, sep: str) -> str:
    if a.snapshot_time is None:
        return "—"
    if a.simulated:
        stamp = datetime.fromtimestamp(a.snapshot_time, tz=UTC).strftime("%Y-%m-%d %H:%M")
        return f"{stamp}{sep}(sim)"
    return f"{_ago(a.snapshot_age)} ago"


def table(rows: list[AccountStatus], width: int = 160) -> Table:
    """The fleet table: one line per account from 120 columns; below, two or three lines per
    account with the lease and the snapshot's age in one column (80 columns fit)."""
    wide = width >= 120
    sep = " " if wide else "\n"
    t = Table(title=f"{len(rows)} account(s)", header_style="bold", expand=False,
              box=box.HEAVY_HEAD if wide else box.SIMPLE_HEAD, pad_edge=wide)
    columns = [("account", False, True), ("state", False, False), ("EffLev", True, False),
               ("MSI", True, False), ("to stop-out", True, False),
               ("to prop limit", True, False)]
    columns += [("lease", False, True), ("last snapshot", False, False)] if wide else \
        [("lease, last snapshot", False, True)]
    for col, right, fold in columns:
        t.add_column(col if wide else col.replace(" ", "\n", 1),
                     justify="right" if right else "left", no_wrap=not fold,
                     overflow="fold", min_width=12 if fold else None)
    for a in rows:
        who = a.account.name if wide or not a.account.server else \
            f"{a.account.login}\n@{a.account.server}"  # a long server name folds
        prop = "—" if a.prop_limit is None else \
            f"{a.prop_limit.replace('_', ' ')}:{sep}{_money(a.prop_loss, a.prop_move_pct, ', ')}"
        where = [_lease(a, sep), _snapshot(a, " ")]
        t.add_row(who, a.state or "—",
                  "—" if a.eff_lev is None else f"{a.eff_lev:.2f}",
                  "—" if a.msi is None else f"{a.msi:.2f}",
                  _money(a.stop_out_loss, a.stop_out_move_pct, ", " if wide else sep), prop,
                  *(where if wide else ["\n".join(where)]))
    return t


def _fleet_status(args: argparse.Namespace) -> int:
    err = Console(stderr=True)
    journal = open_for_reading(args.config, args.journal, err)
    if isinstance(journal, int):
        return journal
    now = time.time()
    try:
        rows = fleet_status(journal, now)
        if args.json:
            sys.stdout.write(json.dumps(fleet_rows(journal, now), indent=2) + "\n")
            return 0
    finally:
        journal.close()
    if not rows:
        err.print("the journal holds no account yet: run `uv run lca run` first")
        return 1
    out = Console()
    out.print(table(rows, out.width))
    return 0
