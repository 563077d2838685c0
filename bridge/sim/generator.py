"""Built-in crash scenarios generated from published figures (shared/reference/crash-events.md §5).

A preset is the event's shape around the trigger t = 0 (seconds): the price path of the crowded
retail side in % of the pre-event price, and multipliers on the normal spread (S), depth (D),
volatility and margin, each a list of (t, value) points moved between log-linearly. The figures
and their tags (OFF / PRESS / BRK / DER / ASSUMP) are those of crash-events.md; lead-in
deteriorations that the sources only describe qualitatively are marked ASSUMP here too.

`generate_ticks` draws the tick path of every symbol: the preset's path × the symbol's `beta`, plus
a Brownian bridge pinned to the path's points whose volatility is the symbol's normal daily σ times
the preset's volatility multiplier raised to the symbol's `stress`. No market data is bundled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bridge.sim.replay.readers import Ticks
from bridge.sim.replay.schedule import Schedule
from bridge.sim.scenario import Overlay, Scenario

__all__ = ["PRESETS", "CrashPreset", "generate_ticks", "preset_overlays"]

Points = tuple[tuple[float, float], ...]
H = 3600.0
D = 86400.0


@dataclass(frozen=True)
class CrashPreset:
    """One event of crash-events.md §5. Times in seconds from the trigger; path in %."""

    key: str
    title: str
    path: Points
    spread: Points
    depth: Points
    volatility: Points
    margin: Points = ()
    no_quotes: tuple[tuple[float, float], ...] = ()


PRESETS: dict[str, CrashPreset] = {
    # S1 SNB: gap of −17 % within 60 s with no quotes, trough −28.4 % at ~25 min, 44 % retraced by
    # the end of the day (§1.1 forexsites / FX Week / DER). Spread 1000× for 5–40 min (FXCM),
    # log-linear to 10× by the end of the day (ASSUMP); depth 0.01 at 1–5 min, 0.05 to 40 min, 0.3
    # at the end of the day (FXCM qualitative, ASSUMP levels); margin ×5 after one day (IG). The
    # peg makes the lead-in very calm: a surprise, nothing deteriorates before it (§1.1).
    "S1": CrashPreset(
        key="S1",
        title="SNB un-peg (EURCHF/USDCHF), 2015-01-15",
        path=(
            (-12 * H, 0.0),
            (0.0, 0.0),
            (60.0, -17.0),
            (300.0, -20.0),
            (1500.0, -28.4),
            (4 * H, -18.0),
            (12 * H, -16.0),
            (2 * D, -15.0),
        ),
        spread=(
            (-12 * H, 0.5),
            (-1.0, 0.5),
            (0.0, 1000.0),
            (2400.0, 1000.0),
            (12 * H, 10.0),
            (D, 2.0),
            (2 * D, 2.0),
        ),
        depth=(
            (-1.0, 1.0),
            (0.0, 0.01),
            (300.0, 0.01),
            (301.0, 0.05),
            (2400.0, 0.05),
            (12 * H, 0.3),
            (2 * D, 0.6),
        ),
        volatility=(
            (-12 * H, 0.3),
            (-1.0, 0.3),
            (0.0, 30.0),
            (2400.0, 15.0),
            (12 * H, 4.0),
            (2 * D, 2.0),
        ),
        margin=((D - 1.0, 1.0), (D, 5.0)),
        no_quotes=((0.0, 60.0),),
    ),
    # S2 GBP flash: stage 1 −0.8 % in 8 s with normal spreads; stage 2 to −8.8 % at 45 s; −4 % at
    # 2.5 min, −1.6 % at 10 min, −1.4 % later (BIS MC Papers 9 via press; P&L; City AM). Spread 1×
    # to 11 s, 500× for ≤30 s, 50× to 2 min, 5× at 10 min, 1.5× after (Citi, decay ASSUMP); depth 0
    # for 5–10 s (the 10-s CME pause), 0.05 over 11–60 s, 0.3 at 2 min, 0.8 at 10 min. Lead-in:
    # sterling slid ~1 % through the day (shared/data GBPUSD H1), then the thin Asian hours (BIS
    # driver: time of day) — spread 1.5× and depth 0.5 in the last hours (ASSUMP levels).
    "S2": CrashPreset(
        key="S2",
        title="Sterling flash event (GBPUSD), 2016-10-07",
        path=(
            (-6 * H, 1.0),
            (-3 * H, 0.6),
            (-H, 0.25),
            (0.0, 0.0),
            (8.0, -0.8),
            (45.0, -8.8),
            (150.0, -4.0),
            (600.0, -1.6),
            (2 * H, -1.5),
            (6 * H, -1.4),
        ),
        spread=(
            (-6 * H, 1.0),
            (-3 * H, 1.2),
            (-H, 1.5),
            (11.0, 1.5),
            (12.0, 500.0),
            (40.0, 500.0),
            (41.0, 50.0),
            (120.0, 50.0),
            (600.0, 5.0),
            (3 * H, 1.5),
        ),
        depth=(
            (-6 * H, 1.0),
            (-3 * H, 0.8),
            (-H, 0.5),
            (10.0, 0.5),
            (11.0, 0.05),
            (60.0, 0.05),
            (120.0, 0.3),
            (600.0, 0.8),
            (4 * H, 1.0),
        ),
        volatility=(
            (-6 * H, 1.0),
            (-H, 1.6),
            (0.0, 2.0),
            (8.0, 40.0),
            (60.0, 40.0),
            (600.0, 8.0),
            (3 * H, 1.5),
        ),
        no_quotes=((25.0, 35.0),),
    ),
    # S3 JPY flash: a 60-min orderly drift of −0.5 % with normal spreads (RBA), −3 % in 30 s,
    # −3.2 % at 7 min, 64 % retraced (Reuters). Spread/depth: the S2 schedule at half the peak
    # (ASSUMP, flagged in §5).
    "S3": CrashPreset(
        key="S3",
        title="Yen flash event (USDJPY/AUDJPY), 2019-01-03",
        path=(
            (-6 * H, 0.4),
            (-H, 0.0),
            (0.0, -0.5),
            (30.0, -3.0),
            (420.0, -3.2),
            (H, -1.6),
            (6 * H, -1.15),
        ),
        spread=(
            (-6 * H, 1.0),
            (-H, 1.3),
            (0.0, 1.3),
            (5.0, 250.0),
            (35.0, 250.0),
            (120.0, 25.0),
            (600.0, 3.0),
            (3 * H, 1.3),
        ),
        depth=(
            (-6 * H, 1.0),
            (-H, 0.6),
            (0.0, 0.6),
            (5.0, 0.05),
            (60.0, 0.05),
            (120.0, 0.3),
            (600.0, 0.8),
            (4 * H, 1.0),
        ),
        volatility=(
            (-6 * H, 1.0),
            (-H, 1.5),
            (0.0, 2.0),
            (5.0, 30.0),
            (420.0, 20.0),
            (H, 4.0),
            (4 * H, 1.5),
        ),
        no_quotes=((10.0, 15.0),),
    ),
    # S4 COVID dash for cash: no single gap; realised volatility ×3–4 for ten trading days
    # (ASSUMP on CME ranges), spreads 2× (majors) to 5× (crosses) at the peak, depth 0.1 at the
    # worst then 0.2, margin ×1.5–2 over the regime (§1.4, §4.3). Path: the dollar squeeze of
    # 9–20 March (GBPUSD to 1.1409, AUDUSD to 0.55077 in shared/data), ~−7 % over the last days.
    "S4": CrashPreset(
        key="S4",
        title="COVID dash for cash, March 2020",
        path=(
            (-4 * D, 6.5),
            (-2 * D, 4.0),
            (-D, 2.5),
            (-6 * H, 1.5),
            (0.0, 0.0),
            (6 * H, 1.0),
            (D, 2.5),
            (2 * D, 3.5),
        ),
        spread=((-4 * D, 1.5), (-D, 1.8), (0.0, 2.0), (D, 2.0), (2 * D, 1.8)),
        depth=((-4 * D, 0.3), (-D, 0.2), (-6 * H, 0.12), (0.0, 0.1), (D, 0.15), (2 * D, 0.2)),
        volatility=((-4 * D, 3.0), (-D, 3.5), (0.0, 4.0), (D, 3.5), (2 * D, 3.0)),
        margin=((-4 * D, 1.5), (-D, 1.75), (0.0, 2.0)),
    ),
    # S5 gilt/LDI, GBP leg: a Monday-open gap of −3 % (ASSUMP split), slide to −4.9 % within 2 h,
    # 70 % retraced by the London morning; spread/depth from S2 stage 3 (ASSUMP).
    "S5": CrashPreset(
        key="S5",
        title="UK gilt/LDI crisis, GBP leg, 2022-09-26",
        path=((-2 * D, 1.0), (-1.0, 0.0), (0.0, -3.0), (2 * H, -4.9), (8 * H, -1.5), (D, -1.2)),
        spread=((-2 * D, 1.0), (-1.0, 1.5), (0.0, 50.0), (600.0, 5.0), (4 * H, 1.5)),
        depth=((-1.0, 0.8), (0.0, 0.05), (H, 0.3), (8 * H, 0.8)),
        volatility=((-2 * D, 1.2), (0.0, 6.0), (2 * H, 4.0), (D, 1.5)),
        no_quotes=((-2 * D + 1.0, -2.0),),
    ),
    # S7 2010-style liquidity vacuum (template for any pair): −5 % over 4 min, a 5-s halt, most of
    # it recovered over 15–20 min; depth 0.01 at the trough, 0.1 around it; spread 20–100×.
    "S7": CrashPreset(
        key="S7",
        title="Liquidity vacuum template (2010-style)",
        path=((-6 * H, 0.0), (0.0, 0.0), (240.0, -5.0), (1200.0, -1.0), (3 * H, -0.8)),
        spread=((-H, 1.0), (0.0, 1.5), (180.0, 60.0), (300.0, 60.0), (1200.0, 1.5)),
        depth=((-H, 1.0), (0.0, 0.5), (120.0, 0.1), (240.0, 0.01), (360.0, 0.1), (1200.0, 1.0)),
        volatility=((-H, 1.0), (0.0, 3.0), (240.0, 15.0), (1200.0, 2.0)),
        no_quotes=((240.0, 245.0),),
    ),
}


def _schedule(points: Points, t0: float, stress: float) -> Schedule:
    return Schedule(tuple(t0 + t for t, _ in points), tuple(v**stress for _, v in points))


def preset_overlays(s: Scenario) -> tuple[Overlay, ...]:
    """The preset's spread, depth and margin schedules as overlays, per symbol by its stress."""
    g = s.generator
    if g is None or s.crash_time is None:
        return ()
    p = PRESETS[g.preset]
    out: list[Overlay] = []
    for name, gs in g.symbols.items():
        if gs.stress <= 0:
            continue
        for kind, pts in (("spread", p.spread), ("depth", p.depth), ("margin", p.margin)):
            if pts:
                sch = _schedule(pts, s.crash_time, gs.stress)
                out.append(Overlay(kind, (name,), sch.times, sch.values))
    return tuple(out)


def _weekend(t: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Fri 21:00 UTC – Sun 21:00 UTC (no FX quotes)."""
    day = ((t // D).astype(np.int64) + 4) % 7  # 0 = Sunday (1970-01-01 was a Thursday)
    hour = (t % D) / H
    out: npt.NDArray[np.bool_] = (
        ((day == 5) & (hour >= 21)) | (day == 6) | ((day == 0) & (hour < 21))
    )
    return out


def _timeline(s: Scenario) -> npt.NDArray[np.float64]:
    g = s.generator
    if g is None:
        raise ValueError("the scenario has no [generator] table")
    crash = s.crash_time if s.crash_time is not None else s.start
    lo = s.start - s.warmup_s
    parts = [
        np.arange(lo, s.start, g.warmup_tick_seconds),
        np.arange(s.start, max(s.start, crash - 900.0), g.tick_seconds),
        np.arange(max(s.start, crash - 900.0), min(s.end, crash + 1800.0), g.crash_tick_seconds),
        np.arange(min(s.end, max(s.start, crash + 1800.0)), s.end + 1e-9, g.tick_seconds),
    ]
    t: npt.NDArray[np.float64] = np.unique(np.round(np.concatenate(parts), 3)).astype(np.float64)
    return t[~_weekend(t)]


def generate_ticks(s: Scenario) -> dict[str, Ticks]:
    """Seeded tick paths for every symbol of a generator scenario (bid and a normal-spread ask;
    the spread overlay and the no-quote windows are applied by the market build)."""
    g = s.generator
    if g is None:
        raise ValueError("generate_ticks needs a scenario with a [generator] table")
    p = PRESETS[g.preset]
    crash = s.crash_time if s.crash_time is not None else s.start
    t = _timeline(s)
    rng = np.random.default_rng(s.seed)
    out: dict[str, Ticks] = {}
    path_t = np.array([crash + x for x, _ in p.path])
    path_v = np.array([v for _, v in p.path]) / 100.0
    for spec in s.symbols:
        gs = g.symbols[spec.name]
        drift = np.log1p(np.interp(t, path_t, path_v) * gs.beta)
        vol = _schedule(p.volatility, crash, gs.stress).at(t) * spec.daily_volatility
        for ov in s.overlays:  # [[overlays]] kind = "volatility" scale the generated noise
            if ov.kind == "volatility" and spec.name in ov.symbols:
                vol = vol * Schedule(ov.times, ov.values).at(t)
        dt_s = np.diff(t, prepend=t[0])
        w = np.cumsum(rng.standard_normal(len(t)) * vol * np.sqrt(dt_s / D))
        pins = np.clip(np.searchsorted(t, np.concatenate(([t[0]], path_t, [t[-1]]))), 0, len(t) - 1)
        w -= np.interp(t, t[pins], w[pins])
        bid = np.round(gs.price * np.exp(drift + w), spec.digits)
        spread = spec.spread_points * spec.point
        ask = np.round(bid + spread, spec.digits)
        out[spec.name] = Ticks(np.round(t * 1000).astype(np.int64), bid, ask, modelled=True)
    return out


def describe(s: Scenario) -> str:
    """One line naming the preset and its window, for logs."""
    g = s.generator
    name = PRESETS[g.preset].title if g else "data replay"
    start = dt.datetime.fromtimestamp(s.start, dt.UTC).isoformat()
    return f"{s.name}: {name}, from {start}"
