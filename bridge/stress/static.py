"""Exposure-matched baselines: `static-<L>`, the same book scaled at the start to EffLev L and
never touched (issue 12 item 4).

A static run needs no guard: the simulated terminal plays the window in steps of the window's
guard period (so its drawdown is sampled on the same grid as the guard's runs) and the broker's
margin call and stop-out run on every tick as always. EffLev (position value ÷ equity, the
controller's definition) is read through the terminal port every `max(guard period, window /
2000)` seconds: the snapshot is the costly call, the equity is not.

The check (`equal_exposure`): a guard that only holds less is not early warning. Against the
static books whose time-averaged EffLev from the start to the crash (`mean_eff_lev_before_crash`,
what the book paid for in calm) is the same as or higher than `full`'s, `full` must have the
lower maximum drawdown; the nearest of them (the lowest such exposure) says by how much.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from bridge.mt5.records import AccountInfo
from bridge.sim.market import Market
from bridge.sim.scenario import Scenario
from bridge.sim.terminal import SimTerminal
from bridge.terminal import TerminalPort
from controller import Snapshot

__all__ = [
    "STATIC_GRID",
    "eff_lev",
    "equal_exposure",
    "mean_eff_lev",
    "parse_static",
    "run_static",
    "static_name",
]

STATIC_GRID: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
"""EffLev of the static books by default (`lca stress --static` selects others)."""
_EPS = 1e-9


def static_name(leverage: float) -> str:
    """The policy name of the static book at EffLev `leverage`: static-5, static-2.5."""
    return f"static-{leverage:g}"


def parse_static(policy: str) -> float | None:
    """EffLev of a `static-<L>` policy name (L > 0), None for any other name."""
    if not policy.startswith("static-"):
        return None
    try:
        value = float(policy.removeprefix("static-"))
    except ValueError:
        return None
    return value if math.isfinite(value) and 0.0 < value <= 1000.0 else None


def eff_lev(snap: Snapshot) -> float:
    """Σ gross lots × contract size × mid × rate of the profit currency ÷ equity (NaN when the
    equity is not positive or a symbol cannot be valued)."""
    equity = snap.account.equity
    if equity <= 0.0:
        return math.nan
    pv = 0.0
    for p in snap.positions:
        spec, market = snap.symbols.get(p.symbol), snap.market.get(p.symbol)
        rate = snap.rates.get(spec.currency_profit) if spec is not None else None
        if spec is None or market is None or rate is None:
            return math.nan
        pv += p.volume * spec.trade_contract_size * 0.5 * (market.bid + market.ask) * rate
    return pv / equity


def mean_eff_lev(t: list[float], lev: list[float], until: float | None = None) -> float | None:
    """Time average of EffLev samples (held from each sample to the next) from the first sample
    to `until` (UTC s; None: the last sample); NaN samples are left out."""
    ts, xs = np.asarray(t, dtype=float), np.asarray(lev, dtype=float)
    if until is not None:
        keep = ts <= until
        ts, xs = ts[keep], xs[keep]
        end = until
    else:
        end = float(ts[-1]) if len(ts) else 0.0
    if len(ts) == 0:
        return None
    widths = np.diff(np.append(ts, max(end, float(ts[-1]))))
    ok = np.isfinite(xs)
    if widths.sum() <= 0.0:
        return float(np.nanmean(xs)) if ok.any() else None
    if not ok.any() or widths[ok].sum() <= 0.0:
        return None
    return float(np.sum(xs[ok] * widths[ok]) / widths[ok].sum())


def outcome_metrics(equity: list[float], initial: float, lowest: float, info: AccountInfo,
                    stop_outs: int) -> dict[str, Any]:
    """What a run did to the account, in account currency and fractions: max drawdown of the
    equity path from `initial` (peak to trough, 0.25 = 25 %), stop-outs, how far the balance went
    below zero (`lowest`, the lowest running sum of the deals), what is owed at the end, final
    equity and balance, return."""
    eq = np.asarray([initial, *equity], dtype=float)
    peak = np.maximum.accumulate(eq)
    dd = np.where(peak > 0, 1.0 - eq / np.where(peak > 0, peak, 1.0), 0.0)
    return {
        "max_drawdown": float(dd.max()),
        "stop_outs": int(stop_outs),
        "negative_balance": round(max(0.0, -lowest), 2),
        "owed_at_end": round(max(0.0, -float(info.balance)), 2),
        "final_equity": round(float(info.equity), 2),
        "final_balance": round(float(info.balance), 2),
        "return": float(info.equity) / initial - 1.0,
    }


def _scaled(scenario: Scenario, market: Market, leverage: float) -> tuple[Scenario, float]:
    """The scenario with its book scaled to EffLev `leverage` at the start (lots rounded to the
    symbol's volume step; a position that rounds to nothing is left out), and the book's EffLev
    before scaling."""
    sim = SimTerminal(scenario, market)
    port = TerminalPort(sim, server_clock=scenario.clock)
    port.connect(attempts=1)
    start = eff_lev(port.snapshot(sim.now(), []))
    if not math.isfinite(start) or start <= 0.0:
        raise ValueError(f"{scenario.name}: the book has no EffLev at the start ({start})")
    factor = leverage / start
    book = []
    for b in scenario.book:
        spec = scenario.symbols[scenario.symbol_index(b.symbol)]
        step = spec.volume_step
        volume = round(round(b.volume * factor / step) * step, 8)
        if volume >= spec.volume_min - _EPS:
            book.append(replace(b, volume=volume))
    return replace(scenario, book=tuple(book)), start


def _account(sim: SimTerminal) -> AccountInfo:
    info = sim.account_info()
    if info is None:
        raise RuntimeError(f"account_info() failed in a static run: {sim.last_error()}")
    return info


def run_static(scenario: Scenario, market: Market, leverage: float,
               guard_seconds: float) -> dict[str, Any]:
    """One static run: metrics (as the guard's runs, with no orders) and plot series."""
    wall, cpu = time.perf_counter(), time.process_time()
    scaled, unscaled = _scaled(scenario, market, leverage)
    sim = SimTerminal(scaled, market)
    port = TerminalPort(sim, server_clock=scaled.clock)
    port.connect(attempts=1)
    lev_step = max(guard_seconds, (scaled.end - scaled.start) / 2000.0)
    t_lev, lev = [sim.now()], [eff_lev(port.snapshot(sim.now(), []))]
    start_lev = lev[0]
    t_eq, equity = [sim.now()], [float(_account(sim).equity)]
    next_lev = sim.now() + lev_step
    t = sim.now()
    while not sim.finished:
        t = min(t + guard_seconds, sim.end_time)
        sim.advance_to(t)
        info = _account(sim)
        t_eq.append(t)
        equity.append(float(info.equity))
        if t >= next_lev or sim.finished:
            t_lev.append(t)
            lev.append(eff_lev(port.snapshot(t, [])) if sim.positions_total() else 0.0)
            next_lev = t + lev_step
    info = _account(sim)
    initial = scaled.account.balance
    balance, lowest = 0.0, 0.0
    for deal in sorted(sim.history_deals_get(0, 4_102_444_800) or (),
                       key=lambda x: (x.time_msc, x.ticket)):
        balance += float(deal.profit) + float(deal.commission) + float(deal.swap)
        lowest = min(lowest, balance)
    crash = scaled.crash_time
    metrics: dict[str, Any] = {
        **outcome_metrics(equity, initial, lowest, info, sim.stop_outs),
        "slippage_paid": 0.0, "orders": 0, "lots_closed": 0.0,
        "first_warning_time": None, "first_order_time": None, "regime_seconds": {},
        "regime_available_share": None,
        "static_eff_lev": leverage, "start_eff_lev": start_lev, "book_eff_lev_unscaled": unscaled,
        "book": [{"symbol": b.symbol, "volume": b.volume} for b in scaled.book],
        "mean_eff_lev": mean_eff_lev(t_lev, lev, scaled.end),
        "mean_eff_lev_before_crash": mean_eff_lev(t_lev, lev, crash) if crash else None,
        "wall_seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "steps": len(t_eq),
    }
    n = max(1, len(t_eq) // 2500)
    series = {"t": t_eq[::n], "equity": equity[::n]}
    return {"metrics": metrics, "series": series, "markers": {"orders": [], "stop_outs": []}}


def equal_exposure(policies: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The equal-exposure verdict of one crash scenario (None without `full` or a static run).

    `comparable`: the static books with `mean_eff_lev_before_crash` ≥ full's; `holds` when none
    of them has a lower max drawdown than full; `matched`: the comparable one with the lowest
    pre-crash exposure, and `margin` = its max drawdown − full's (positive: full lost less)."""
    full = policies.get("full")
    statics = {p: m for p, m in policies.items() if parse_static(p) is not None}
    if full is None or not statics or full.get("mean_eff_lev_before_crash") is None:
        return None
    f_lev, f_dd = full["mean_eff_lev_before_crash"], full["max_drawdown"]
    comparable = {p: m for p, m in statics.items()
                  if m.get("mean_eff_lev_before_crash") is not None
                  and m["mean_eff_lev_before_crash"] >= f_lev - _EPS}
    beat_by = sorted(p for p, m in comparable.items() if m["max_drawdown"] < f_dd - _EPS)
    matched = min(comparable, key=lambda p: comparable[p]["mean_eff_lev_before_crash"],
                  default=None)
    out: dict[str, Any] = {
        "full_mean_eff_lev_before_crash": f_lev, "full_max_drawdown": f_dd,
        "comparable": sorted(comparable, key=lambda p: parse_static(p) or 0.0),
        "lower_drawdown": beat_by, "holds": bool(comparable) and not beat_by,
        "matched": matched,
        "matched_mean_eff_lev_before_crash": comparable[matched]["mean_eff_lev_before_crash"]
        if matched else None,
        "matched_max_drawdown": comparable[matched]["max_drawdown"] if matched else None,
        "margin": comparable[matched]["max_drawdown"] - f_dd if matched else None,
    }
    if not comparable:
        out["detail"] = (f"no static book reached full's pre-crash EffLev {f_lev:.2f}: "
                         "not testable on this grid")
    else:
        m = comparable[matched]  # type: ignore[index]
        verdict = "beat" if not beat_by else "did NOT beat"
        out["detail"] = (
            f"full {verdict} static at equal pre-crash exposure: full max DD {f_dd:.2%} at "
            f"mean pre-crash EffLev {f_lev:.2f}; nearest {matched} {m['max_drawdown']:.2%} at "
            f"{m['mean_eff_lev_before_crash']:.2f} (margin {m['max_drawdown'] - f_dd:+.2%})"
            + (f"; lower drawdown at ≥ full's exposure: {', '.join(beat_by)}" if beat_by else ""))
    return out
