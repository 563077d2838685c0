"""`lca status`: what the guard did, from the journal (works while it runs or after)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bridge.config import ConfigError, load_config
from bridge.journal import Journal, JournalRow

_FINISHED = ("done", "gone")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="state, last decision, open plan and orders, from the "
                       "journal")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--journal", help="SQLAlchemy URL of the journal (default: run.journal)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--decisions", type=int, default=20, help="how many recent decisions")
    p.set_defaults(func=_status)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(journal: Journal, decisions: int = 20) -> dict[str, Any]:
    """Everything `lca status` shows, as plain data."""
    account = journal.latest_account()
    if account is not None:
        journal.account = account
    run = journal.last("run")
    since = run.id if run else 0
    last = journal.last("decision")
    plan_row = journal.last("plan")
    open_plan: list[dict[str, Any]] = []
    if plan_row is not None and plan_row.payload.get("actions"):
        finished = {(r.payload["ticket"], r.payload["slice_index"])
                    for r in journal.rows("slice", plan_id=plan_row.plan_id)
                    if r.payload["status"] in _FINISHED}
        open_plan = [a for a in plan_row.payload["actions"]
                     if (a["ticket"], a["slice_index"]) not in finished]
    results = journal.rows("result", after_id=since)
    end = journal.last("end")
    slices = journal.rows("slice", after_id=since)
    return {
        "account": run.account if run else None,
        "run": {**run.payload, "started": _iso(run.time)} if run else None,
        "state": last.payload["state"] if last else None,
        "last_decision": _decision(last) if last else None,
        "open_plan": {"plan_id": plan_row.plan_id, "slices": open_plan} if open_plan and
        plan_row else None,
        "orders": [_order(r) for r in results],
        "slices": [{"time": _iso(r.time), "plan_id": r.plan_id, **r.payload} for r in slices],
        "decisions": [_decision(r) for r in journal.rows("decision", newest_first=True,
                                                         limit=decisions)],
        "stop_outs": [{"time": _iso(r.time), **r.payload} for r in journal.rows("stop_out")],
        "states": [{"time": _iso(r.time), **r.payload}
                   for r in journal.rows("state", after_id=since)][-20:],
        "end": end.payload if end is not None else None,
    }


def _order(r: JournalRow) -> dict[str, Any]:
    """One order_send answer. `retcode` is the trade server's retcode, or the terminal's
    last_error() code (negative) when order_send returned None; `error` keeps its text."""
    p = r.payload
    error = p.get("error")
    retcode = p.get("retcode")
    if retcode is None and error:
        retcode = error[0]
    return {"time": _iso(r.time), "plan_id": r.plan_id, "ticket": r.ticket, "retcode": retcode,
            "error": error, **{k: p.get(k) for k in ("volume", "price", "comment", "deal",
                                                     "conclusion", "attempt")}}


def _decision(r: JournalRow) -> dict[str, Any]:
    p = r.payload
    return {"time": _iso(r.time), "state": p["state"], "regime": p["regime"],
            "target_eff_lev": p["target_eff_lev"], "binding_cap": p["binding_cap"],
            "urgency": p.get("urgency"), "actions": p.get("actions"), "reasons": p.get("reasons"),
            "warnings": p.get("warnings")}


def _status(args: argparse.Namespace) -> int:
    err = Console(stderr=True)
    url = args.journal
    if url is None:
        try:
            url = load_config(args.config).run.journal if args.config.exists() else \
                "sqlite:///runs/journal.db"
        except ConfigError as exc:
            err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
            return 2
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        err.print(f"no journal at {url}: run `uv run lca run` first")
        return 1
    journal = Journal(url)
    data = collect(journal, args.decisions)
    journal.close()
    if args.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    _print(Console(), data)
    return 0


def _print(out: Console, data: dict[str, Any]) -> None:
    last = data["last_decision"]
    out.print(f"[bold]account {data['account']}[/]  state [bold]{data['state']}[/]")
    if last:
        out.print(f"last decision {last['time']}: regime {last['regime']}, target "
                  f"{last['target_eff_lev']:.2f} bound by {last['binding_cap']}")
    if data["open_plan"]:
        out.print(f"open plan {data['open_plan']['plan_id']}: "
                  f"{len(data['open_plan']['slices'])} slice(s) pending")
    table = Table(title="orders", header_style="bold")
    for col in ("time", "ticket", "volume", "price", "retcode", "comment"):
        table.add_column(col)
    for o in data["orders"][-15:]:
        table.add_row(o["time"], str(o["ticket"]), str(o.get("volume")), str(o.get("price")),
                      str(o.get("retcode")), str(o.get("comment")))
    out.print(table)
    dec = Table(title="recent decisions", header_style="bold")
    for col in ("time", "state", "regime", "target", "binding cap", "slices"):
        dec.add_column(col)
    for d in data["decisions"][:10]:
        dec.add_row(d["time"], d["state"], d["regime"], f"{d['target_eff_lev']:.2f}",
                    d["binding_cap"], str(d["actions"]))
    out.print(dec)
    out.print(f"broker stop-outs seen: {len(data['stop_outs'])}")
