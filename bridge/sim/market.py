"""The replayed market of one scenario: per-symbol tick streams merged on one timeline.

Built once per (scenario, seed) and shared read-only by every SimTerminal of that scenario. Per
symbol: quotes (UTC ms, bid, ask), the realised daily volatility σ̂ at each quote, the margin
multiplier at each quote (volatility rule × scheduled multipliers), the depth schedule and the
no-quote windows. The merged timeline holds, for every tick, which symbol ticked and, per symbol,
the index of its latest quote (`pos`), so the account can be revalued on every tick with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as c
from bridge.sim.broker import BrokerSymbol, Converter, regulatory_margin_fraction
from bridge.sim.errors import ScenarioError
from bridge.sim.history import HistoryBars, generated_history, read_history
from bridge.sim.replay.paths import expand_bars
from bridge.sim.replay.readers import Bars, Ticks, read_market_file
from bridge.sim.replay.schedule import Schedule, Windows
from bridge.sim.scenario import Scenario

__all__ = ["Market", "Stream", "build_market"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Stream:
    """One symbol's quotes: `time_msc` UTC ms, bid, ask, tick flags, σ̂ (daily fraction), margin
    multiplier; `depth` multiplier schedule, `no_quotes` windows, `modelled` if not real ticks."""

    spec: BrokerSymbol
    time_msc: I64
    bid: F64
    ask: F64
    flags: npt.NDArray[np.uint32]
    sigma: F64
    margin_mult: F64
    depth: Schedule
    no_quotes: Windows
    modelled: bool


@dataclass(frozen=True, eq=False)
class Market:
    symbols: tuple[BrokerSymbol, ...]
    streams: tuple[Stream, ...]
    time_msc: I64
    sym: npt.NDArray[np.int16]
    pos: npt.NDArray[np.int32]
    start_index: int
    converter: Converter
    history: tuple[tuple[HistoryBars, ...], ...] = ()
    """Per symbol: the bars served before its first tick (bridge.sim.history)."""

    @property
    def size(self) -> int:
        return len(self.time_msc)


def _default_ticks_per_bar(period: int) -> int:
    return int(min(max(period // 10, 6), 1440))


def _load_symbol(s: Scenario, spec: BrokerSymbol, nq: Windows, rng: np.random.Generator) -> Ticks:
    parts: list[Ticks] = []
    for src in s.data:
        if src.symbol != spec.name:
            continue
        raw = read_market_file(
            Path(src.path),
            fmt=src.format,
            time_zone=src.time_zone,
            clock=s.clock,
            price_scale=src.price_scale,
        )
        if isinstance(raw, Bars):
            n = src.ticks_per_bar or _default_ticks_per_bar(raw.period)
            raw = expand_bars(
                raw,
                rng=rng,
                ticks_per_bar=n,
                digits=spec.digits,
                normal_spread=spec.spread_points * spec.point,
                no_quotes=nq,
            )
        parts.append(raw)
    t = np.concatenate([p.time_msc for p in parts])
    order = np.argsort(t, kind="stable")
    return Ticks(
        t[order],
        np.concatenate([p.bid for p in parts])[order],
        np.concatenate([p.ask for p in parts])[order],
        modelled=any(p.modelled for p in parts),
    )


def _sigma(t_ms: I64, bid: F64, window_s: float) -> F64:
    """Realised daily volatility of the bid over the trailing window (fraction per √day); the bid,
    not the mid, so that a blown-out ask does not read as volatility."""
    r = np.diff(np.log(bid), prepend=np.log(bid[0]))
    cs = np.cumsum(r * r)
    j = np.searchsorted(t_ms, t_ms - int(window_s * 1000), side="left")
    rv = cs - np.where(j > 0, cs[np.maximum(j - 1, 0)], 0.0)
    out: F64 = np.sqrt(np.maximum(rv, 0.0) * 86400.0 / window_s)
    return out


def _schedules(s: Scenario, extra: tuple) -> dict[tuple[str, str], Schedule]:  # type: ignore[type-arg]
    out: dict[tuple[str, str], Schedule] = {}
    for ov in tuple(s.overlays) + tuple(extra):
        for name in ov.symbols:
            key = (ov.kind, name)
            out[key] = out.get(key, Schedule()).times_product(Schedule(ov.times, ov.values))
    return out


def _no_quote_windows(s: Scenario) -> dict[str, Windows]:
    """The scenario's [[no_quotes]] plus the generator preset's, per symbol."""
    from bridge.sim.generator import PRESETS

    out: dict[str, Windows] = {}
    for w in s.no_quotes:
        for name in w.symbols:
            out[name] = out.get(name, Windows()).union(Windows((w.start,), (w.end,)))
    if s.generator is not None and s.crash_time is not None:
        for a, b in PRESETS[s.generator.preset].no_quotes:
            win = Windows((s.crash_time + a,), (s.crash_time + b,))
            for name, gs in s.generator.symbols.items():
                if gs.stress >= 0.999:
                    out[name] = out.get(name, Windows()).union(win)
    return out


def _stream(
    s: Scenario,
    spec: BrokerSymbol,
    ticks: Ticks,
    nq: Windows,
    sched: dict[tuple[str, str], Schedule],
) -> Stream:
    lo_ms, hi_ms = int((s.start - s.warmup_s) * 1000), int(s.end * 1000)
    t, bid, ask = ticks.time_msc, ticks.bid, ticks.ask
    keep = (t >= lo_ms) & (t <= hi_ms)
    if nq:
        keep &= ~nq.contains(t / 1000.0)
    t, bid, ask = t[keep], bid[keep], ask[keep]
    if len(t) == 0:
        raise ValueError(
            f"symbol {spec.name}: no quotes between start − warm-up and end; check the data "
            f"files' dates against the scenario's start/end"
        )
    if ("spread", spec.name) in sched:
        ask = np.round(bid + (ask - bid) * sched[("spread", spec.name)].at(t / 1000.0), spec.digits)
    sigma = _sigma(t, bid, s.broker.volatility_window_s)
    mult = sched.get(("margin", spec.name), Schedule()).at(t / 1000.0)
    if s.broker.volatility_margin > 0:
        m_reg = regulatory_margin_fraction(spec, float(s.account.leverage))
        b = s.broker
        review = int(b.volatility_review_s * 1000)
        seen = np.maximum(np.searchsorted(t, t // review * review, side="right") - 1, 0)
        vm = b.volatility_margin * sigma[seen] * np.sqrt(b.volatility_horizon_days)
        mult = mult * np.clip(vm / m_reg, 1.0, b.volatility_margin_cap)
    flags = np.full(len(t), c.TICK_FLAG_BID | c.TICK_FLAG_ASK, dtype=np.uint32)
    if ticks.modelled:
        flags |= np.uint32(c.TICK_FLAG_MODELLED)
    depth = sched.get(("depth", spec.name), Schedule())
    return Stream(spec, t.astype(np.int64), bid, ask, flags, sigma, mult, depth, nq, ticks.modelled)


def check_data_files(s: Scenario) -> None:
    """Raise `ScenarioError` naming the first missing market-data folder (or file) of the
    scenario's `[[data]]` and `[[history]]` entries and the fix (--data-dir, LCA_SHARED_DATA)."""
    for src in (*s.data, *s.history):
        if src.path.is_file():
            continue
        missing = src.path
        while not missing.parent.exists() and missing.parent != missing:
            missing = missing.parent
        what = "data folder" if missing != src.path else "data file"
        raise ScenarioError(
            f"scenario {s.name!r} reads its {src.symbol} market data from {src.path}, but the "
            f"{what} {missing} does not exist. Fix: pass --data-dir FOLDER (the real market "
            "data folder, e.g. ../shared/data) or set LCA_SHARED_DATA=FOLDER; relative "
            "[[data]] paths are read from that folder, else from the scenario file's folder.")


def build_market(s: Scenario) -> Market:
    """Read or generate every symbol's quotes, apply overlays and windows, merge the timeline."""
    from bridge.sim.generator import generate_ticks, preset_overlays

    check_data_files(s)
    rng = np.random.default_rng(s.seed)
    sched = _schedules(s, preset_overlays(s))
    nq_by_symbol = _no_quote_windows(s)
    generated = generate_ticks(s) if s.generator is not None else {}
    streams: list[Stream] = []
    for spec in s.symbols:
        nq = nq_by_symbol.get(spec.name, Windows())
        ticks = generated.get(spec.name) or _load_symbol(s, spec, nq, rng)
        streams.append(_stream(s, spec, ticks, nq, sched))
    times = np.concatenate([st.time_msc for st in streams])
    syms = np.concatenate(
        [np.full(len(st.time_msc), k, dtype=np.int16) for k, st in enumerate(streams)]
    )
    order = np.argsort(times, kind="stable")
    times, syms = times[order], syms[order]
    pos = np.empty((len(streams), len(times)), dtype=np.int32)
    for k, st in enumerate(streams):
        pos[k] = np.maximum(np.searchsorted(st.time_msc, times, side="right") - 1, 0)
    start_index = int(np.searchsorted(times, int(s.start * 1000), side="right"))
    return Market(
        tuple(s.symbols), tuple(streams), times, syms, pos, start_index,
        Converter(tuple(s.symbols)), _history(s, streams),
    )


def _history(s: Scenario, streams: list[Stream]) -> tuple[tuple[HistoryBars, ...], ...]:
    """Per symbol: its `[[history]]` files, or the generator's calm modelled history."""
    out: list[tuple[HistoryBars, ...]] = []
    rng = np.random.default_rng([s.seed, 0x4849])  # its own stream: the ticks stay as they were
    days = s.generator.history_days if s.generator is not None else 0
    for st in streams:
        files = tuple(read_history(Path(src.path), src.format, src.time_zone, s.clock, st.spec)
                      for src in s.history if src.symbol == st.spec.name)
        if not files and days > 0:
            t0 = int(st.time_msc[0] // 1000)
            first = int(t0 + s.clock.offset_seconds(t0))
            files = generated_history(st.spec, first, float(st.bid[0]), days, rng)
        out.append(files)
    return tuple(out)
