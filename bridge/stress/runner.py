"""One run: one window, one broker preset, one policy, on the live code path.

`run_one` builds the guard with `bridge.app.build_guard` on a fresh simulated terminal, drives it
with `bridge.driver.run_replay`, records what the guard saw at every fast-guard step (equity,
EffLev, MSI, LVI, regime, quotes, orders, stop-outs) and returns the metrics and a decimated
series for the plots. Money is in the account currency; times are UTC epoch seconds.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from loguru import logger

from bridge.app import build_guard
from bridge.driver import run_replay
from bridge.mt5 import constants as _c
from bridge.runtime import Guard
from bridge.sim.market import Market, build_market
from bridge.sim.scenario import Scenario, load_scenario
from bridge.sim.terminal import SimTerminal
from bridge.stress.lead import WarningTrack
from bridge.stress.static import mean_eff_lev, outcome_metrics, parse_static, run_static
from bridge.stress.user import main_symbol
from bridge.stress.windows import OWN, PRESETS, Window, policy_config, window_for, with_preset
from controller import Regime

__all__ = ["MAX_POINTS", "RunSpec", "load_window", "run_one", "scenario_for", "spec_scenario"]

#: plots get at most this many points per series (bucketed: the price band keeps each bucket's
#: lowest bid and highest ask, so a spike is never decimated away)
MAX_POINTS = 2500
_WARNING_REGIMES = (Regime.NO_EXPANSION.value, Regime.WAIT.value, Regime.MINIMUM.value)
_CLOSING = (_c.DEAL_ENTRY_OUT, _c.DEAL_ENTRY_INOUT, _c.DEAL_ENTRY_OUT_BY)
_CACHE: dict[tuple[str, str], tuple[Scenario, Market]] = {}
_PARSED: dict[tuple[str, str], Scenario] = {}


@dataclass(frozen=True)
class RunSpec:
    """What to run: a window (a WINDOWS name, or a user's scenario file by its resolved path:
    bridge/stress/user.py), a preset name (PRESETS, or OWN: the file's own broker settings), a
    policy (POLICIES), and optionally a book file (bridge/stress/book.py) put on the window."""

    window: str
    preset: str
    policy: str  # POLICIES or static-<L> (bridge.stress.static)
    data_dir: str
    end: float | None = None  # cut the replay short at this UTC time (tests); None: the window's
    book: str = ""  # a book file (--book): its positions replace the window's

    @property
    def scenario(self) -> str:
        name = window_for(self.window).name
        return name if self.preset == OWN else f"{name}-{self.preset}"


def _missing(s: Scenario) -> bool:
    return any(not d.path.is_file() for d in (*s.data, *s.history))


def _market(window: str, data_dir: str) -> tuple[Scenario, Market]:
    """The window's scenario and market, built once per process and shared read-only (by both
    presets and every policy of the window: a Market is never written after its build)."""
    key = (window, data_dir)
    if key not in _CACHE:
        s = _parsed(window, data_dir)
        _CACHE[key] = (s, build_market(s))
    return _CACHE[key]


def _parsed(window: str, data_dir: str) -> Scenario:
    """The window's scenario as parsed, once per process (a frozen dataclass: shared as is)."""
    key = (window, data_dir)
    if key not in _PARSED:
        _PARSED[key] = load_window(window, data_dir)
    return _PARSED[key]


def load_window(window: str, data_dir: str) -> Scenario:
    """The window's scenario as parsed (no market data read). A user's file reads its relative
    [[data]] paths from `data_dir`, else from its own folder."""
    w = window_for(window)
    s = load_scenario(w.path, data_dir=data_dir)
    if w.source and _missing(s):
        own = load_scenario(w.path, data_dir=w.path.parent)
        s = s if _missing(own) else own
    return s


def scenario_for(spec: RunSpec) -> tuple[Scenario, Market, Window]:
    """The scenario a spec runs (the window, its book or the --book, the preset's levels or the
    file's own), the market and the window."""
    _, market = _market(spec.window, spec.data_dir)
    scenario, window = spec_scenario(spec)
    return scenario, market, window


def spec_scenario(spec: RunSpec) -> tuple[Scenario, Window]:
    """The scenario a spec runs and its window, without reading the market data: what ordering
    the runs and writing the summary need (the parent process of the workers builds no market)."""
    from bridge.stress.book import apply_book, read_book

    base = _parsed(spec.window, spec.data_dir)
    if spec.book:
        base = apply_book(base, read_book(spec.book))
    preset = None if spec.preset == OWN else PRESETS[spec.preset]
    return with_preset(base, preset), window_for(spec.window)


class _Recorder:
    """Called after every fast-guard step: what the guard saw, at full resolution."""

    def __init__(self, sim: SimTerminal, symbols: list[str], guard_seconds: float) -> None:
        self.sim = sim
        self.track = WarningTrack(guard_seconds)
        self.symbols = symbols
        self.t: list[float] = []
        self.equity: list[float] = []
        self.eff_lev: list[float] = []
        self.msi: list[float] = []
        self.lvi: list[float] = []
        self.regime: list[str] = []
        self.bid: dict[str, list[float]] = {s: [] for s in symbols}
        self.ask: dict[str, list[float]] = {s: [] for s in symbols}
        self.first_warning: float | None = None
        self.orders: list[tuple[float, float]] = []
        self.stop_out_marks: list[tuple[float, int]] = []
        self._lots = 0.0
        self._stop_outs = 0

    def __call__(self, guard: Guard) -> None:
        snap, d = guard.snapshot, guard.decision
        if snap is None:
            return
        t = self.sim.now()
        self.track.observe(t, d, guard.stats.orders)
        self.t.append(t)
        self.equity.append(snap.account.equity)
        m = d.metrics if d is not None else None
        self.eff_lev.append(m.eff_lev if m is not None and m.eff_lev is not None else np.nan)
        self.msi.append(m.msi if m is not None and m.msi is not None else np.nan)
        self.lvi.append(m.lvi if m is not None and m.lvi is not None else np.nan)
        regime = d.regime.value if d is not None else "UNAVAILABLE"
        self.regime.append(regime)
        if self.first_warning is None and d is not None and \
                (regime in _WARNING_REGIMES or d.metrics.crash_flag):
            self.first_warning = t
        for s in self.symbols:
            q = snap.market.get(s)
            self.bid[s].append(q.bid if q is not None else np.nan)
            self.ask[s].append(q.ask if q is not None else np.nan)
        lots = guard.stats.lots_closed
        if lots > self._lots + 1e-9:
            self.orders.append((t, lots - self._lots))
            self._lots = lots
        so = self.sim.stop_outs
        if so > self._stop_outs:
            self.stop_out_marks.append((t, so - self._stop_outs))
            self._stop_outs = so


def _buckets(n: int) -> list[tuple[int, int]]:
    if n <= MAX_POINTS:
        return [(i, i + 1) for i in range(n)]
    edges = np.linspace(0, n, MAX_POINTS + 1).astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


def _series(rec: _Recorder, main: str) -> dict[str, list[float]]:
    """Decimated series: the last value of each bucket, the band's extremes over it."""
    b = _buckets(len(rec.t))
    last = [hi - 1 for _, hi in b]

    def pick(xs: list[float]) -> list[float]:
        return [float(xs[i]) for i in last]

    bid = np.asarray(rec.bid.get(main, []), dtype=float)
    ask = np.asarray(rec.ask.get(main, []), dtype=float)
    out: dict[str, list[float]] = {
        "t": pick(rec.t), "equity": pick(rec.equity), "eff_lev": pick(rec.eff_lev),
        "msi": pick(rec.msi), "lvi": pick(rec.lvi),
    }
    if len(bid):
        out["bid_low"] = [float(np.nanmin(bid[lo:hi])) if np.isfinite(bid[lo:hi]).any()
                          else float("nan") for lo, hi in b]
        out["ask_high"] = [float(np.nanmax(ask[lo:hi])) if np.isfinite(ask[lo:hi]).any()
                           else float("nan") for lo, hi in b]
        out["mid"] = [float((bid[i] + ask[i]) / 2.0) for i in last]
    out["regime"] = [rec.regime[i] for i in last]  # type: ignore[misc]
    return out


def _deal_costs(sim: SimTerminal, rec: _Recorder) -> tuple[float, float]:
    """(slippage paid, the lowest running balance): slippage is each closing fill (the guard's
    or the broker's stop-out) against the mid the guard last saw, at or before the fill."""
    deals = sim.history_deals_get(0, 4_102_444_800) or ()
    clock = sim.scenario.clock
    times = np.asarray(rec.t)
    balance, lowest, slippage = 0.0, 0.0, 0.0
    for deal in sorted(deals, key=lambda x: (x.time_msc, x.ticket)):
        balance += float(deal.profit) + float(deal.commission) + float(deal.swap) + float(
            getattr(deal, "fee", 0.0))
        lowest = min(lowest, balance)
        if int(deal.entry) not in _CLOSING or deal.symbol not in rec.bid or not len(times):
            continue
        t = clock.to_utc(deal.time_msc / 1000.0)
        i = int(np.searchsorted(times, t, side="right")) - 1
        if i < 0:
            continue
        mid = (rec.bid[deal.symbol][i] + rec.ask[deal.symbol][i]) / 2.0
        if not np.isfinite(mid):
            continue
        # a sell fill below the mid (closing a long) costs what a buy at the fill earns at the mid
        side = _c.ORDER_TYPE_BUY if int(deal.type) == _c.DEAL_TYPE_SELL else _c.ORDER_TYPE_SELL
        cost = sim.order_calc_profit(side, deal.symbol, float(deal.volume), float(deal.price),
                                     float(mid))
        if cost is not None:
            slippage += float(cost)
    return slippage, lowest


def run_one(spec: RunSpec) -> dict[str, Any]:
    """Run one (window, preset, policy); returns {"metrics", "series", "markers"} (JSON-ready)."""
    logger.remove()  # workers are quiet; the journal of each run is in memory
    wall, cpu = time.perf_counter(), time.process_time()
    scenario, market, window = scenario_for(spec)
    if spec.end is not None:
        scenario = replace(scenario, end=min(scenario.end, spec.end))
    leverage = parse_static(spec.policy)
    if leverage is not None:  # no guard: the scaled book left alone (bridge.stress.static)
        out = run_static(scenario, market, leverage, window.guard_seconds)
        return {"scenario": spec.scenario, "window": spec.window, "preset": spec.preset,
                "policy": spec.policy, "book_file": spec.book, **out}
    sim = SimTerminal(scenario, market)
    config = policy_config(spec.policy, window, scenario=str(window.path))
    run = config.run.model_copy(update={"warmup_hours": min(48.0, scenario.warmup_s / 3600.0)})
    config = config.model_copy(update={"run": run})
    guard = build_guard(config, module=sim)
    guard.start()
    symbols = sorted({s.name for s in scenario.symbols})
    rec = _Recorder(sim, symbols, window.guard_seconds)
    rec(guard)
    run_replay(guard, sim, speed=0.0, on_step=rec)
    info = sim.account_info()
    if info is None:
        raise RuntimeError(f"account_info() failed at the end of {spec}: {sim.last_error()}")
    initial = scenario.account.balance
    slippage, lowest = _deal_costs(sim, rec)
    regimes: dict[str, float] = {}
    for r in rec.regime[1:]:
        regimes[r] = regimes.get(r, 0.0) + window.guard_seconds
    first_order = guard.stats.first_order_time
    steps = rec.regime[1:]
    available = sum(1 for r in steps if r != Regime.UNAVAILABLE.value)
    metrics = {
        **outcome_metrics(rec.equity, initial, lowest, info, sim.stop_outs),
        "slippage_paid": round(slippage, 2),
        "orders": guard.stats.orders,
        "lots_closed": round(guard.stats.lots_closed, 8),
        "first_warning_time": rec.first_warning,
        "first_order_time": first_order,
        "regime_seconds": regimes,
        "regime_available_share": available / len(steps) if steps else 0.0,
        "mean_eff_lev": mean_eff_lev(rec.t, rec.eff_lev, scenario.end),
        "mean_eff_lev_before_crash": mean_eff_lev(rec.t, rec.eff_lev, scenario.crash_time)
        if scenario.crash_time else None,
        "wall_seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "steps": len(rec.t),
        **rec.track.metrics(scenario.crash_time),
    }
    return {
        "scenario": spec.scenario, "window": spec.window, "preset": spec.preset,
        "policy": spec.policy, "book_file": spec.book, "metrics": metrics,
        "series": _series(rec, main_symbol(window, scenario)),
        "markers": {"orders": rec.orders, "stop_outs": rec.stop_out_marks},
    }
