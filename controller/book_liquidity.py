"""§3.2 over the book: depth per held symbol, DepthRatio, LVI, the crash flag and its evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from controller.book import Book
from controller.decision_types import CrashSign, SymbolMetrics
from controller.indicators import (
    PortfolioIndicators,
    SymbolIndicators,
    avg_pairwise_correlation,
    lvi,
)
from controller.liquidity import DepthReading, crash_signs, read_depth
from controller.quick_init import quick_init
from controller.rounding import round10
from controller.settings import Settings
from controller.snapshot import Snapshot

__all__ = ["BookLiquidity", "assess_liquidity"]


@quick_init
@dataclass(frozen=True, slots=True)
class BookLiquidity:
    """Depth readings, per-symbol rows, LVI, the PV-weighted DepthRatio and the crash flag."""

    depth: dict[str, DepthReading]
    symbol_metrics: tuple[SymbolMetrics, ...]
    lvi: float
    depth_ratio: float | None
    crash_flag: bool
    crash_signs: tuple[str, ...]
    crash_evidence: tuple[CrashSign, ...]


def _symbol_row(sym: str, pv: float, net: float, gross: float, reading: DepthReading,
                spread_ratio: float | None, si: SymbolIndicators | None,
                contribution: float) -> SymbolMetrics:
    """The decision's row of one held symbol (lots rounded to 1e-10)."""
    # positional for speed, in the field order of SymbolMetrics: symbol, position_value,
    # net_volume, gross_volume, depth, depth_ratio, depth_source, spread_ratio, liq_accel,
    # lvi_contribution, sigma_now, sigma_long, mpg
    if si is None:
        return SymbolMetrics(sym, pv, round10(net), round10(gross), reading.notional,
                             reading.ratio, reading.source, spread_ratio, None, contribution,
                             None, None, None)
    return SymbolMetrics(sym, pv, round10(net), round10(gross), reading.notional, reading.ratio,
                         reading.source, spread_ratio, si.liq_accel, contribution, si.sigma_now,
                         si.sigma_long, si.mpg)


_INF = float("inf")


def _contribution(sym: str, pv: float, equity: float, ratio: float | None) -> float:
    """`lvi({sym: pv}, equity, {sym: ratio})` for equity > 0: the same float, without the two
    one-entry dicts where every value is a plain finite one (`lvi` itself otherwise, which
    names a bad value). One symbol's sum is 0.0 + its term, which is the term itself (≥ 0)."""
    if -_INF < pv < _INF and equity < _INF and (ratio is None or 0.0 <= ratio < _INF):
        share = abs(pv) / equity
        if share == 0.0:
            return 0.0
        if ratio is None:
            return share / 1.0
        return _INF if ratio == 0.0 else share / ratio
    return lvi({sym: pv}, equity, {sym: ratio})


def assess_liquidity(snapshot: Snapshot, book: Book, ind: Mapping[str, SymbolIndicators],
               portfolio: PortfolioIndicators | None, equity: float, s: Settings) -> BookLiquidity:
    """Depth on the hit side of every held symbol (book, EA telemetry or spread proxy), its
    DepthRatio and LVI contribution (controller.indicators.lvi), and the crash flag with the
    evidence it rests on."""
    depth: dict[str, DepthReading] = {}
    rows: list[SymbolMetrics] = []
    total_lvi = 0.0
    ratio_sum = ratio_weight = 0.0
    measured: dict[str, tuple[float, float]] = {}  # source → (Σ ratio × PV, Σ PV)
    spread_max: float | None = None
    slip_max: float | None = None
    held = sorted(book.positions)
    usd_rate = snapshot.rates.get("USD")
    markets, specs, pvs, nets, units = snapshot.market, snapshot.symbols, book.pv, book.net, \
        book.unit
    plan = s.plan
    for sym in held:
        market = markets[sym]
        si = ind.get(sym)
        pv = pvs[sym]
        net = nets[sym]
        reading = read_depth(market, si, net, units[sym], specs[sym].symbol_class, plan, usd_rate)
        depth[sym] = reading
        ratio = reading.ratio
        contribution = _contribution(sym, pv, equity, ratio) if equity > 0.0 else 0.0
        total_lvi += contribution
        if ratio is not None:
            ratio_sum += ratio * pv
            ratio_weight += pv
            source = "proxy" if reading.source == "proxy" else \
                ("book" if market.book else "telemetry")
            num, den = measured.get(source, (0.0, 0.0))
            measured[source] = (num + ratio * pv, den + pv)
        sr = si.spread_ratio if si is not None else None
        if sr is not None:
            spread_max = sr if spread_max is None else max(spread_max, sr)
        slip = market.slippage_ratio
        if slip is not None:
            slip_max = slip if slip_max is None else max(slip_max, slip)
        rows.append(_symbol_row(sym, pv, net, book.gross[sym], reading, sr, si, contribution))
    depth_ratio = ratio_sum / ratio_weight if ratio_weight > 0.0 else None
    corr = avg_pairwise_correlation(portfolio, held) if portfolio is not None and len(held) > 1 \
        else None
    # the crash sign of depth counts measured depth only (book, EA telemetry), never the proxy
    real = [k for k in ("book", "telemetry") if k in measured and measured[k][1] > 0.0]
    # start 0.0, the same float as sum's 0 (0 + x is x): compiled by mypyc, sum(<floats>) with
    # the int start raised TypeError (docs/performance.md, the compiled controller)
    real_ratio = sum((measured[k][0] for k in real), 0.0) / \
        sum((measured[k][1] for k in real), 0.0) \
        if real else None
    proxy = measured.get("proxy")
    proxy_ratio = proxy[0] / proxy[1] if proxy is not None and proxy[1] > 0.0 else None
    flag, signs, evidence = crash_signs(real_ratio, spread_max, slip_max, corr, s.regime,
                                        "+".join(real) or "book", proxy_ratio)
    return BookLiquidity(depth, tuple(rows), total_lvi, depth_ratio, flag, signs, evidence)
