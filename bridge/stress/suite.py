"""The whole evaluation: every (window, preset, policy) run in parallel across processes, then the
summary, the checks of the issue's "must show" list, the plots and the report.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

from bridge.mt5 import constants as mt5c
from bridge.stress.executors import LOCAL, ExecutorSpec, default_jobs, open_executor
from bridge.stress.frontier import appetite_name, frontier, parse_appetite, policy_appetite
from bridge.stress.runner import RunSpec, run_one
from bridge.stress.static import STATIC_GRID, equal_exposure, parse_static, static_name
from bridge.stress.summary_types import Check, Summary, Timing
from bridge.stress.windows import OWN, POLICIES, PRESETS, WINDOWS, policy_config, window_for

__all__ = ["SUMMARY_VERSION", "Check", "checks", "default_policies", "policy_order",
           "pooled_equal_exposure", "resolve_scenarios", "run_stress", "summarise"]

SUMMARY_VERSION = 1
#: the issue's thresholds: full's drawdown at most this share of none's; on the calm control the
#: return given up at most this share of none's return
DD_SHARE = 0.5
CALM_GIVE_UP = 0.10
_EPS = 1e-9


def resolve_scenarios(names: Sequence[str] | None,
                      presets: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(window, preset) pairs for names given as `window` (the `presets`, default both),
    `window-preset`, or a user's scenario file or folder (its resolved path, with the `presets`
    if given, else OWN: the file's own broker settings)."""
    from bridge.sim.names import canonical
    from bridge.stress.user import resolve

    for p in presets or ():
        if p not in PRESETS:
            raise ValueError(f"preset {p!r} is unknown (allowed: {', '.join(PRESETS)})")
    chosen = list(presets or PRESETS)
    if not names:
        return [(w, p) for w in WINDOWS for p in chosen]
    out: list[tuple[str, str]] = []
    for name in map(canonical, names):
        if name in WINDOWS:
            out.extend((name, p) for p in chosen)
            continue
        window, _, preset = name.rpartition("-")
        if window in WINDOWS and preset in PRESETS:
            out.append((window, preset))
            continue
        path = resolve(name)
        if path is not None:
            out.extend((path, p) for p in (presets or (OWN,)))
            continue
        known = [*WINDOWS, *(f"{w}-{p}" for w in WINDOWS for p in PRESETS)]
        raise ValueError(f"scenario {name!r} is unknown (allowed: {', '.join(known)}, or a "
                         "scenario .toml file of your own: docs/stress.md)")
    return list(dict.fromkeys(out))


def _cost(spec: RunSpec) -> float:
    """A rough cost for ordering the work (longest first): steps × symbols (a static run has
    no guard to step: about a tenth)."""
    from bridge.stress.runner import spec_scenario

    s, w = spec_scenario(spec)
    cost = (s.end - s.start) / w.guard_seconds * (1 + len(s.symbols))
    return cost / 10.0 if parse_static(spec.policy) is not None else cost


def policy_order(policy: str) -> tuple[int, float]:
    """Sort key: the guard policies in POLICIES order (full@a after full, by appetite), then the
    static books by EffLev."""
    lev = parse_static(policy)
    if lev is not None:
        return (len(POLICIES), lev)
    appetite = parse_appetite(policy)
    if appetite is not None:
        return (POLICIES.index("full"), appetite)
    return (POLICIES.index(policy), 0.0)


def default_policies(static: Sequence[float] = STATIC_GRID,
                     appetites: Sequence[float] = ()) -> tuple[str, ...]:
    """The four guard policies, the full guard at each of `appetites` (full@a; appetite 1 is
    full itself) and one static book per EffLev of `static`."""
    return tuple(dict.fromkeys((*POLICIES, *(appetite_name(a) for a in appetites),
                                *(static_name(x) for x in static))))


def run_all(specs: Sequence[RunSpec], jobs: int,
            on_done: Callable[[RunSpec, dict[str, Any]], None] | None = None,
            executor: ExecutorSpec = LOCAL) -> list[dict[str, Any]]:
    """Run every spec, `jobs` local processes in parallel (1: in this process), or on the Dask
    cluster `executor` names (as many at once as its workers have threads)."""
    ordered = sorted(specs, key=_cost, reverse=True)
    results: list[dict[str, Any]] = []
    if jobs <= 1 and executor.kind == "local":
        for spec in ordered:
            r = run_one(spec)
            results.append(r)
            if on_done is not None:
                on_done(spec, r)
        return results
    data_dirs = sorted({spec.data_dir for spec in ordered})
    with open_executor(executor, jobs, data_dirs[0] if data_dirs else ".") as pool:
        futures = {pool.submit(run_one, spec): spec for spec in ordered}
        for future in as_completed(futures):
            r = future.result()
            results.append(r)
            if on_done is not None:
                on_done(futures[future], r)
    return results


_Add = Callable[[str, bool, str], None]
"""Records one check of a scenario: (what is checked, whether it holds, the numbers)."""


def checks(summary: Summary) -> list[Check]:
    """The issue's must-show list, per scenario: which hold and which do not, with the numbers."""
    out: list[Check] = []
    for name, sc in summary["scenarios"].items():
        pol = sc["policies"]
        if "none" not in pol or "full" not in pol:
            continue

        def add(check: str, holds: bool, detail: str, _name: str = name) -> None:
            out.append({"scenario": _name, "check": check, "holds": bool(holds),
                        "detail": detail})

        _ruin_checks(pol["none"], pol["full"], add)
        if sc["kind"] == "crash":
            _crash_checks(sc, add)
        else:
            _calm_checks(pol["none"], pol["full"], add)
    pooled = summary.get("equal_exposure_pooled")
    if pooled is not None:
        out.append({"scenario": "pooled (crash runs)",
                    "check": "full beats static at equal pre-crash exposure",
                    "holds": bool(pooled["holds"]), "detail": pooled["detail"]})
    return out


def _ruin_checks(none: dict[str, Any], full: dict[str, Any], add: _Add) -> None:
    """Where `none` is stopped out or ends below zero, `full` is not."""
    if none["stop_outs"] > 0:
        add("full: 0 stop-outs where none has them", full["stop_outs"] == 0,
            f"none {none['stop_outs']}, full {full['stop_outs']}")
    if none["negative_balance"] > 0:
        add("full: 0 negative balance where none has one", full["negative_balance"] == 0,
            f"none {none['negative_balance']:,.2f}, full {full['negative_balance']:,.2f}")


def _crash_checks(sc: dict[str, Any], add: _Add) -> None:
    """A crash window: full's drawdown against none's (at most `DD_SHARE` of it), against the
    partial guards', and against the static books at equal pre-crash exposure."""
    pol = sc["policies"]
    none, full = pol["none"], pol["full"]
    add(f"full: max drawdown ≤ {DD_SHARE:.0%} of none's",
        full["max_drawdown"] <= DD_SHARE * none["max_drawdown"] + _EPS,
        f"full {full['max_drawdown']:.2%}, none {none['max_drawdown']:.2%} "
        f"(limit {DD_SHARE * none['max_drawdown']:.2%})")
    for other in ("vol-only", "rules-only"):
        if other in pol:
            add(f"full: max drawdown no worse than {other}",
                full["max_drawdown"] <= pol[other]["max_drawdown"] + _EPS,
                f"full {full['max_drawdown']:.2%}, {other} "
                f"{pol[other]['max_drawdown']:.2%}")
    eq = sc.get("equal_exposure")
    if eq is not None:
        add("full: no static book at the same or higher pre-crash EffLev has a lower "
            "max drawdown", eq["holds"], eq["detail"])


def _calm_checks(none: dict[str, Any], full: dict[str, Any], add: _Add) -> None:
    """The calm control: the return full gives up (at most `CALM_GIVE_UP` of none's) and its
    false alarms."""
    given = full.get("return_given_up")
    limit = CALM_GIVE_UP * abs(none["return"])
    add(f"full: return given up on the calm control ≤ {CALM_GIVE_UP:.0%} of none's",
        given is not None and given <= limit + _EPS,
        f"none return {none['return']:.2%}, full {full['return']:.2%}, given up "
        f"{given:.2%} (limit {limit:.2%})")
    fa = full.get("false_alarms")
    if fa is not None:  # issue 12 item 3 (bridge/stress/lead.py)
        add("full: 0 crash flags and 0 MINIMUM on a calm window",
            fa["crash_flag_steps"] == 0 and fa["minimum_steps"] == 0,
            f"{fa['crash_flag_episodes']} crash flags ({fa['crash_flag_steps']} steps), "
            f"{fa['minimum_steps']} MINIMUM, {fa['wait_steps']} WAIT steps, "
            f"{fa['unasked_cuts']} cuts not asked for by the rules")


def summarise(results: Sequence[dict[str, Any]], data_dir: str, timing: Timing) -> Summary:
    """summary.json (keys documented in docs/stress.md) from the runs' results."""
    from bridge.stress.runner import scenario_for, spec_scenario
    from bridge.stress.user import main_symbol

    scenarios: dict[str, Any] = {}
    for r in sorted(results, key=lambda x: (x["scenario"], policy_order(x["policy"]))):
        sc = scenarios.get(r["scenario"])
        if sc is None:
            spec = RunSpec(r["window"], r["preset"], r["policy"], data_dir,
                           book=r.get("book_file", ""))
            s, w = spec_scenario(spec)  # the market is read only for a file of one's own
            a = s.account
            sc = scenarios[r["scenario"]] = {
                "kind": w.kind, "window": w.name, "preset": r["preset"],
                "description": s.description, "data": w.data,
                "modelled": any(st.modelled for st in scenario_for(spec)[1].streams)
                if w.source else w.modelled,
                "start": s.start, "end": s.end, "crash_time": s.crash_time,
                "guard_seconds": w.guard_seconds, "main_symbol": main_symbol(w, s),
                "source": w.source or None, "book_file": r.get("book_file") or None,
                "account": {"currency": a.currency, "balance": a.balance,
                            "leverage": a.leverage, "margin_call": a.margin_so_call,
                            "stop_out": a.margin_so_so,
                            "negative_balance_protection": a.negative_balance_protection},
                "book": [{"symbol": b.symbol,
                          "side": "buy" if b.type == mt5c.ORDER_TYPE_BUY else "sell",
                          "volume": b.volume} for b in s.book],
                "first_warning_time": None, "policies": {},
            }
        sc["policies"][r["policy"]] = {**r["metrics"], "appetite": policy_appetite(r["policy"])}
    for sc in scenarios.values():
        pol = sc["policies"]
        none = pol.get("none")
        # the whole model watches the same ticks in `none` (observing) and `full`: the earlier
        # of their first warnings is the scenario's (vol-only and rules-only see no liquidity)
        seen = [pol[p]["first_warning_time"] for p in ("none", "full")
                if p in pol and pol[p]["first_warning_time"] is not None]
        sc["first_warning_time"] = min(seen) if seen else None
        warn = sc["first_warning_time"]
        for m in pol.values():
            first = m["first_order_time"]
            m["warning_to_order_s"] = None if first is None or warn is None else first - warn
            if none is not None:
                m["return_given_up"] = none["return"] - m["return"]
        sc["equal_exposure"] = equal_exposure(pol) if sc["kind"] == "crash" else None
    policies = sorted({r["policy"] for r in results}, key=policy_order)
    summary: Summary = {
        "version": SUMMARY_VERSION,
        "generated_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_dir": data_dir, "policies": policies or list(POLICIES),
        "presets": {k: vars(v) for k, v in PRESETS.items()},
        "scenarios": scenarios, "timing": timing,
        "equal_exposure_pooled": None, "frontier": None, "checks": [],  # set below, in order
    }
    summary["equal_exposure_pooled"] = pooled_equal_exposure(scenarios)
    summary["frontier"] = frontier(scenarios)
    summary["checks"] = checks(summary)
    return summary


def pooled_equal_exposure(scenarios: dict[str, Any]) -> dict[str, Any] | None:
    """Across the crash scenarios with a testable verdict: how many hold, and full's mean max
    drawdown against the mean of each scenario's nearest equal-exposure static book."""
    rows = [sc["equal_exposure"] for sc in scenarios.values()
            if sc.get("equal_exposure") and sc["equal_exposure"]["matched"] is not None]
    if not rows:
        return None
    full_dd = sum(r["full_max_drawdown"] for r in rows) / len(rows)
    static_dd = sum(r["matched_max_drawdown"] for r in rows) / len(rows)
    held = sum(1 for r in rows if r["holds"])
    return {"scenarios": len(rows), "holds_in": held, "full_mean_max_drawdown": full_dd,
            "matched_static_mean_max_drawdown": static_dd, "margin": static_dd - full_dd,
            "holds": full_dd <= static_dd + _EPS and held == len(rows),
            "detail": f"full beat static at equal pre-crash exposure in {held} of {len(rows)} "
                      f"crash runs; mean max DD full {full_dd:.2%} against the nearest static "
                      f"{static_dd:.2%} (margin {static_dd - full_dd:+.2%})"}


def _check_windows(pairs: Sequence[tuple[str, str]], book_file: str, data_dir: str) -> None:
    """Before any run: every user's file parses, and the book's symbols are in every window."""
    from bridge.sim.market import check_data_files
    from bridge.stress.book import check_book, read_book
    from bridge.stress.runner import load_window

    book = read_book(book_file) if book_file else None
    for key in dict.fromkeys(w for w, _ in pairs):
        w = window_for(key)
        if book is None and not w.source:
            continue
        s = load_window(key, data_dir)
        if w.source:
            check_data_files(s)
        if book is not None:
            check_book(book, s, w.name)


def run_stress(*, data_dir: str | Path, out_dir: str | Path, scenarios: Sequence[str] | None = None,
               policies: Sequence[str] | None = None, jobs: int | None = None,
               on_done: Callable[[RunSpec, dict[str, Any]], None] | None = None,
               on_total: Callable[[int], None] | None = None,
               plots: bool = True, book: str | Path | None = None,
               presets: Sequence[str] | None = None,
               executor: ExecutorSpec = LOCAL) -> Summary:
    """Run the evaluation and write summary.json, the PNG plots and report.html into `out_dir`.

    `scenarios`: window names, window-preset names or scenario files of one's own; `presets`:
    the broker presets to apply (default: both on the built-in windows, none on a file); `book`:
    a book file whose positions replace every window's (bridge/stress/book.py); `executor`:
    local processes (default) or a Dask cluster (bridge/stress/executors.py)."""
    from bridge.stress.report import write_report

    policies = default_policies() if policies is None else policies
    data = str(Path(data_dir).resolve())
    for p in policies:
        if p not in POLICIES and parse_static(p) is None and parse_appetite(p) is None:
            raise ValueError(f"policy {p!r} is unknown (allowed: {', '.join(POLICIES)}, "
                             "full@<a> with 0 < a ≤ 100, e.g. full@4, or static-<L> with L > 0, "
                             "e.g. static-5)")
        if parse_appetite(p) is not None:  # a refused appetite is said before any run starts
            policy_config(p, next(iter(WINDOWS.values())))
    pairs = resolve_scenarios(scenarios, presets)
    built_in = sorted({w for w, _ in pairs if not window_for(w).source})
    if built_in and not Path(data).is_dir():  # a file of one's own reads its own data
        raise FileNotFoundError(f"data folder {data} not found: the built-in windows "
                                f"({', '.join(built_in)}) replay real market data; pass "
                                "--data-dir ../shared/data or set LCA_SHARED_DATA")
    book_file = "" if book is None else str(Path(book).resolve())
    _check_windows(pairs, book_file, data)
    specs = [RunSpec(w, pr, pol, data, book=book_file) for w, pr in pairs for pol in policies]
    if on_total is not None:
        on_total(len(specs))
    jobs = jobs if jobs is not None else default_jobs(len(specs))
    wall = time.perf_counter()
    results = run_all(specs, jobs, on_done, executor)
    runs_s = time.perf_counter() - wall
    summary = summarise(results, data, {"runs_wall_seconds": round(runs_s, 1), "jobs": jobs,
                                        "runs": len(specs), "executor": executor.describe(),
                                        "cpu_seconds": round(sum(
                                            r["metrics"]["cpu_seconds"] for r in results), 1)})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_report(summary, results, out, plots=plots)
    summary["timing"]["total_wall_seconds"] = round(time.perf_counter() - wall, 1)
    (out / "summary.json").write_text(json.dumps(summary, indent=1, allow_nan=False) + "\n",
                                      encoding="utf-8")
    return summary
