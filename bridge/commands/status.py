"""`lca status`: what the guard did, from the journal (works while it runs or after)."""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError

from bridge.commands.journal_open import open_for_reading
from bridge.commands.numbers import whole_number
from bridge.fleet import UnknownAccount, use_account
from bridge.journal import Journal, JournalRow
from bridge.journal_kinds import JournalKind
from bridge.journal_rows import (
    DecisionRow,
    PlanRow,
    ResultRow,
    RunRow,
    ShadowMarkRow,
    SliceRow,
    StateRow,
    StopRow,
    open_slices,
)
from bridge.lease import Holder, process_gone


class _Window(TypedDict):
    """The rows of one run (or of all runs): `after_id` < id < `before_id` (None: no end)."""

    after_id: int
    before_id: int | None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="state, last decision, open plan and orders, from the "
                       "journal")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--journal", help="SQLAlchemy URL of the journal (default: run.journal)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--decisions", type=whole_number(low=1, what="recent decisions shown"),
                   default=20, help="how many recent decisions")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--run", metavar="ID", help="show this run (e.g. R42; default: the "
                       "latest; the list of runs is in --json under `runs`)")
    which.add_argument("--all", action="store_true", help="show every run of the account")
    p.add_argument("--account", metavar="LOGIN[@SERVER]", help="the account to show, in a "
                   "journal of many (default: the most recently active; `lca fleet status` "
                   "lists them)")
    p.set_defaults(func=_status)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class UnknownRun(ValueError):
    """`--run ID` names no run of the journal."""


def _run_id(row: JournalRow) -> str:
    return f"R{row.id}"


def _ended(journal: Journal, run: JournalRow, before: int | None) -> dict[str, Any]:
    """How the run ended: "end" (replay over), "stop" (a clean stop), "running" (its lease is
    renewed) or "killed" (no stop row: killed or crashed; `since` its last row)."""
    window: _Window = {"after_id": run.id - 1, "before_id": before}
    ends = [r for kind in (JournalKind.END, JournalKind.STOP)
            for r in journal.rows(kind, limit=1, newest_first=True, **window)]
    if ends:
        r = max(ends, key=lambda e: e.id)
        return {"how": "end" if r.kind == JournalKind.END else "stop", "time": _iso(r.time),
                "reason": StopRow.from_payload(r.payload).reason}
    newest = journal.rows(limit=1, newest_first=True, **window)
    last = newest[0] if newest else run
    started = RunRow.from_payload(run.payload)
    lease = started.lease
    holder = _lease_holder(journal, lease) if lease and before is None else None
    if holder is not None and started.pid in (None, holder.pid) and \
            time.time() - holder.renewed <= started.lease_timeout and \
            not (holder.host == socket.gethostname() and process_gone(holder.pid)):
        return {"how": "running", "time": _iso(last.time), "lease": holder.as_dict()}
    out: dict[str, Any] = {"how": "killed", "since": _iso(last.time),
                           "reason": "no stop row: the guard was killed or crashed"}
    if holder is not None:
        out["lease_last_renewed"] = _iso(holder.renewed)
    return out


def _lease_holder(journal: Journal, key: str) -> Holder | None:
    from bridge.lease import read_holder

    try:
        return read_holder(journal.engine, key)
    except DBAPIError:  # a journal from before the lease table
        return None


def collect(journal: Journal, decisions: int = 20, run_id: str | None = None,
            all_runs: bool = False, account: str | None = None) -> dict[str, Any]:
    """Everything `lca status` shows, as plain data: the latest run by default, the run
    `run_id` ("R<row id>"), or every run of the account with `all_runs`; of the account
    `account` ("LOGIN[@SERVER]"; default: the most recently active)."""
    use_account(journal, account)
    run_rows = journal.rows(JournalKind.RUN)
    run = run_rows[-1] if run_rows else None
    if run_id is not None:
        run = next((r for r in run_rows if _run_id(r) == run_id), None)
        if run is None:
            known = ", ".join(_run_id(r) for r in run_rows) or "none"
            raise UnknownRun(f"no run {run_id} in the journal (runs: {known})")
    later = [r.id for r in run_rows if run is not None and r.id > run.id]
    before = None if all_runs or not later else later[0]
    since = 0 if all_runs or run is None else run.id - 1
    window: _Window = {"after_id": since, "before_id": before}
    last = _last(journal, JournalKind.DECISION, window)
    plan_row = _last(journal, JournalKind.PLAN, window)
    open_plan = [] if plan_row is None else _open_plan(journal, plan_row)
    results = journal.rows(JournalKind.RESULT, **window)
    plans = _plan_symbols(journal, window)
    states = journal.rows(JournalKind.STATE, newest_first=True, limit=20, **window)[::-1]
    end = _last(journal, JournalKind.END, window)
    shadow = _last(journal, JournalKind.SHADOW_MARK, window)
    slices = journal.rows(JournalKind.SLICE, **window)
    return {
        "account": run.account if run else None,
        "server": run.server if run else None,
        "run": {**run.payload, "id": _run_id(run), "started": _iso(run.time),
                "ended": _ended(journal, run, before)} if run else None,
        "runs": [_run_line(r) for r in run_rows],
        "shown": "all runs" if all_runs else (_run_id(run) if run else None),
        "state": DecisionRow.from_payload(last.payload).state if last else None,
        "last_decision": _decision(last, plans) if last else None,
        "open_plan": {"plan_id": plan_row.plan_id, "slices": open_plan} if open_plan and
        plan_row else None,
        "orders": [_order(r, plans) for r in results],
        "slices": [{"time": _iso(r.time), "plan_id": r.plan_id, **r.payload} for r in slices],
        "decisions": [_decision(r, plans) for r in journal.rows(
            JournalKind.DECISION, newest_first=True, limit=decisions, **window)],
        "stop_outs": [{"time": _iso(r.time), **r.payload}
                      for r in journal.rows(JournalKind.STOP_OUT, **window)],
        "states": [{"time": _iso(r.time), **r.payload} for r in states],
        "trade_warnings": _trade_warnings(journal, window),
        "end": end.payload if end is not None else None,
        "shadow": {**shadow.payload, "marked_at": _iso(
            ShadowMarkRow.from_payload(shadow.payload).marked_at or shadow.time)}
        if shadow is not None else None,
    }


def _open_plan(journal: Journal, plan_row: JournalRow) -> list[dict[str, Any]]:
    """The slices of the plan in `plan_row` that no `slice` row says are finished."""
    plan = PlanRow.from_payload(plan_row.payload)
    if not plan.actions:
        return []
    return open_slices(plan, (SliceRow.from_payload(r.payload) for r in
                              journal.rows(JournalKind.SLICE, plan_id=plan_row.plan_id)))


def _run_line(r: JournalRow) -> dict[str, Any]:
    """One run of the account, for the list of runs (`--run ID` picks one)."""
    started = RunRow.from_payload(r.payload)
    return {"id": _run_id(r), "started": _iso(r.time), "mode": started.mode,
            "scenario": started.scenario}

_PERMISSIONS = ("algo_trading", "expert", "ea_attached")  # bridge.permissions


def _trade_warnings(journal: Journal, window: _Window) -> list[dict[str, Any]]:
    """The permissions (bridge.permissions) whose latest `state` row says they are off:
    Algo Trading, the account's expert permission, the EA's heartbeat."""
    warnings = []
    for what in _PERMISSIONS:
        found = journal.rows(JournalKind.STATE, what=what, limit=1, newest_first=True, **window)
        state = StateRow.from_payload(found[0].payload) if found else None
        if state is not None and state.ok is False:
            warnings.append({"time": _iso(found[0].time), "what": what,
                             "message": state.message})
    return warnings


def _last(journal: Journal, kind: JournalKind, window: _Window) -> JournalRow | None:
    found = journal.rows(kind, limit=1, newest_first=True, **window)
    return found[0] if found else None


_Plans = dict[str, dict[int, tuple[str, str]]]


def _plan_symbols(journal: Journal, window: _Window) -> _Plans:
    """Per plan id, per ticket: the symbol and the closing side ("sell" closes a long)."""
    out: _Plans = {}
    for r in journal.rows(JournalKind.PLAN, **window):
        if r.plan_id:
            for ticket, held in PlanRow.from_payload(r.payload).symbols().items():
                out.setdefault(r.plan_id, {})[ticket] = held
    return out


def _order(r: JournalRow, plans: _Plans | None = None) -> dict[str, Any]:
    """One order_send answer. `retcode` is the trade server's retcode, or the terminal's
    last_error() code (negative) when order_send returned None; `error` keeps its text.
    `symbol` and `side` (the order's: "sell" closes a long) come from the slice's plan."""
    o = ResultRow.from_payload(r.payload)
    symbol, side = (plans or {}).get(r.plan_id or "", {}).get(r.ticket or 0, (None, None))
    return {"time": _iso(r.time), "plan_id": r.plan_id, "ticket": r.ticket, "symbol": symbol,
            "side": side, "retcode": o.code, "error": None if o.error is None else list(o.error),
            "volume": o.volume, "price": o.price, "comment": o.comment, "deal": o.deal,
            "conclusion": o.conclusion, "attempt": o.attempt}


def _decision(r: JournalRow, plans: _Plans | None = None) -> dict[str, Any]:
    """One journaled decision; `symbols` ("GBPUSD sell", …) are what its plan closes."""
    d = DecisionRow.from_payload(r.payload)
    held = (plans or {}).get(r.plan_id or "", {}) if d.actions else {}
    return {"time": _iso(r.time), "state": d.state, "regime": d.regime,
            "target_eff_lev": d.target_eff_lev, "binding_cap": d.binding_cap,
            "urgency": d.urgency, "actions": d.actions,
            "reasons": None if d.reasons is None else list(d.reasons),
            "warnings": None if d.warnings is None else list(d.warnings),
            "symbols": sorted({f"{sym} {side}" for sym, side in held.values()})}


def _status(args: argparse.Namespace) -> int:
    err = Console(stderr=True)
    journal = open_for_reading(args.config, args.journal, err)
    if isinstance(journal, int):
        return journal
    try:
        data = collect(journal, args.decisions, args.run, args.all, account=args.account)
    except (UnknownRun, UnknownAccount) as exc:
        err.print(f"[red]{escape(str(exc))}[/]", highlight=False)
        return 2
    finally:
        journal.close()
    if args.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    _print(Console(), data)
    return 0


def _ended_text(ended: dict[str, Any]) -> str:
    how = ended["how"]
    if how == "killed":
        lease = f", lease last renewed {ended['lease_last_renewed']} (wall clock)" \
            if "lease_last_renewed" in ended else ""
        return f"[bold red]ended without a stop row (killed or crashed) since {ended['since']}" \
               f"[/]{lease}"
    if how == "running":
        return f"running (lease renewed {_iso(ended['lease']['renewed'])})"
    return f"{'ended' if how == 'end' else 'stopped'} {ended['time']} ({ended['reason']})"


def _print(out: Console, data: dict[str, Any]) -> None:
    """The status for a person, laid out for the console's width (bridge.commands.status_tables:
    whole times at 80 columns; tickets, retcode sentences and reasons from 120)."""
    from bridge.commands.status_tables import decisions_table, orders_table

    last = data["last_decision"]
    out.print(f"[bold]account {data['account']}[/]  state [bold]{data['state']}[/]")
    run = data["run"]
    if run:
        ended = run["ended"]
        shown = "all runs" if data["shown"] == "all runs" else f"run {run['id']}"
        out.print(f"{shown} (of {len(data['runs'])}; --run ID, --all): started "
                  f"{run['started']}, {_ended_text(ended)}", highlight=False)
    for w in data.get("trade_warnings", []):
        out.print(f"[bold red]⚠ {escape(w['message'])}[/] (since {w['time']})", highlight=False)
    if last:
        out.print(f"last decision {last['time']}: regime {last['regime']}, target "
                  f"{last['target_eff_lev']:.2f} bound by {last['binding_cap']}", highlight=False)
    if data["open_plan"]:
        out.print(f"open plan {data['open_plan']['plan_id']}: "
                  f"{len(data['open_plan']['slices'])} slice(s) pending")
    wide = out.width >= 120
    out.print(orders_table(data["orders"][-15:], wide))
    out.print(decisions_table(data["decisions"][:10], wide))
    out.print(f"broker stop-outs seen: {len(data['stop_outs'])}")
    if data.get("shadow"):
        _print_shadow(out, data["shadow"])


def _level(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} %"


def _print_shadow(out: Console, s: dict[str, Any]) -> None:
    """The shadow ledger (bridge.shadow): what the guard would have closed and saved or cost."""
    word = "saved" if s["saved"] >= 0.0 else "cost"
    ccy = s.get("currency", "")
    out.print(f"shadow: would have closed {s['lots']:.2f} lots; {word} {abs(s['saved']):,.2f} "
              f"{ccy} so far (marked at {s['marked_at']})", highlight=False)
    out.print(f"  equity: real {s['real_equity']:,.2f}, shadow {s['shadow_equity']:,.2f} {ccy}; "
              f"lowest margin level seen: real {_level(s['min_real_margin_level'])}, shadow "
              f"{_level(s['min_shadow_margin_level'])} (estimate; stop-out at "
              f"{s['stop_out_level']:g} %)", highlight=False)
    out.print("  not modelled: " + "; ".join(s.get("not_modelled", [])), highlight=False)
