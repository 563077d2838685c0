"""`decide`: from one snapshot (plus prepared indicators and the previous memory) to a Decision.

Every number in the Decision is recomputed from its inputs alone: no I/O, no clock (the snapshot
carries its time), no randomness. The order of work:

1. book: position value per symbol (gross, account currency), net volumes, unit notionals;
2. §3.1 EffLev, MU, MSI and their bands; §3.2 depth, DepthRatio, LVI, crash flag;
3. §3.3 σ, LR, L_safe, the regime step, the cash buffer; §3.5 multipliers; §3.6 prop rules;
4. caps → target (the lowest cap, which `binding_cap` names) → urgency → plan → state → limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from controller.decision_types import (
    Action,
    Cap,
    CrashSign,
    Decision,
    Distance,
    Limits,
    Metrics,
    SymbolLimit,
    SymbolMetrics,
    Urgency,
    Warning,
)
from controller.extras import (
    atr_multiplier,
    event_name,
    mtf_multiplier,
    symbol_events,
    time_of_day_factor,
    weighted,
)
from controller.indicators import (
    PortfolioIndicators,
    SymbolIndicators,
    avg_pairwise_correlation,
    lvi,
    portfolio_sigma,
    stress_margin,
)
from controller.liquidity import DepthReading, crash_signs, read_depth
from controller.margin_state import (
    LeverageMetrics,
    band_names,
    leverage_metrics,
    msi_rule_cap,
    rule_triggers,
)
from controller.memory import ControllerMemory, Regime, TradingState
from controller.planner import PlanSymbol, close_all, plan_reduction, round_down_to_step
from controller.prop import PropView, evaluate_prop
from controller.regime import RegimeInputs, next_regime
from controller.safe_leverage import (
    buffer_cap,
    harmonic_l_max,
    liquidity_risk,
    safe_leverage,
    sigma_upper_bound,
)
from controller.settings import Settings
from controller.snapshot import Event, Position, Snapshot

__all__ = ["decide"]

_FREEZE_REGIMES = (Regime.NO_EXPANSION, Regime.WAIT, Regime.MINIMUM)
_BROKER_KEEP = 1.2  # the broker cap keeps MSI at 1.2 × the MSI the broker's levels imply


@dataclass(frozen=True, slots=True)
class _Book:
    """Per-symbol aggregates of the open positions (lots; account currency for values)."""

    positions: dict[str, list[Position]]
    gross: dict[str, float]
    net: dict[str, float]
    unit: dict[str, float]
    pv: dict[str, float]
    total_pv: float
    net_notional: float
    floating: float


def _book(snapshot: Snapshot) -> _Book:
    positions: dict[str, list[Position]] = {}
    gross: dict[str, float] = {}
    net: dict[str, float] = {}
    floating = 0.0
    for p in snapshot.positions:
        sym, volume = p.symbol, p.volume
        held = positions.get(sym)
        if held is None:
            positions[sym] = [p]
            gross[sym] = volume
            net[sym] = volume if p.type == 0 else -volume
        else:
            held.append(p)
            gross[sym] += volume
            net[sym] += volume if p.type == 0 else -volume
        floating += p.profit + p.swap
    unit: dict[str, float] = {}
    rates = snapshot.rates
    for sym, market in snapshot.market.items():
        spec = snapshot.symbols.get(sym)
        rate = rates.get(spec.currency_profit) if spec is not None else None
        if spec is not None and rate is not None:
            # account-currency value of one lot, by calculation mode
            unit[sym] = spec.lot_value(0.5 * (market.bid + market.ask), rate)
    pv = {sym: gross[sym] * unit[sym] for sym in positions}
    net_notional = 0.0
    for sym in positions:
        net_notional += abs(net[sym]) * unit[sym]
    return _Book(positions, gross, net, unit, pv, sum(pv.values()), net_notional, floating)


def _weights(book: _Book, snapshot: Snapshot) -> dict[str, float]:
    """Value weights of the held symbols; equal weights over the quoted ones when flat."""
    if book.total_pv > 0.0:
        return {s: v / book.total_pv for s, v in book.pv.items()}
    quoted = [s for s in snapshot.market if s in book.unit]
    return {s: 1.0 / len(quoted) for s in quoted} if quoted else {}


@dataclass(frozen=True, slots=True)
class _Liquidity:
    depth: dict[str, DepthReading]
    symbol_metrics: tuple[SymbolMetrics, ...]
    lvi: float
    depth_ratio: float | None
    crash_flag: bool
    crash_signs: tuple[str, ...]
    crash_evidence: tuple[CrashSign, ...]


def _liquidity(snapshot: Snapshot, book: _Book, ind: Mapping[str, SymbolIndicators],
               portfolio: PortfolioIndicators | None, equity: float, s: Settings) -> _Liquidity:
    depth: dict[str, DepthReading] = {}
    rows: list[SymbolMetrics] = []
    total_lvi = 0.0
    ratio_sum = ratio_weight = 0.0
    measured: dict[str, tuple[float, float]] = {}  # source → (Σ ratio × PV, Σ PV)
    spread_max: float | None = None
    slip_max: float | None = None
    for sym in sorted(book.positions):
        spec = snapshot.symbols[sym]
        market = snapshot.market[sym]
        si = ind.get(sym)
        reading = read_depth(market, si, book.net[sym], book.unit[sym], spec.symbol_class, s.plan,
                             snapshot.rates.get("USD"))
        depth[sym] = reading
        contribution = lvi({sym: book.pv[sym]}, equity, {sym: reading.ratio}) \
            if equity > 0.0 else 0.0
        total_lvi += contribution
        if reading.ratio is not None:
            ratio_sum += reading.ratio * book.pv[sym]
            ratio_weight += book.pv[sym]
            source = "proxy" if reading.source == "proxy" else \
                ("book" if market.book else "telemetry")
            num, den = measured.get(source, (0.0, 0.0))
            measured[source] = (num + reading.ratio * book.pv[sym], den + book.pv[sym])
        sr = si.spread_ratio if si is not None else None
        if sr is not None:
            spread_max = sr if spread_max is None else max(spread_max, sr)
        if market.slippage_ratio is not None:
            slip_max = market.slippage_ratio if slip_max is None else max(slip_max,
                                                                           market.slippage_ratio)
        rows.append(SymbolMetrics(
            symbol=sym, position_value=book.pv[sym], net_volume=round(book.net[sym], 10),
            gross_volume=round(book.gross[sym], 10), depth=reading.notional,
            depth_ratio=reading.ratio, depth_source=reading.source, spread_ratio=sr,
            liq_accel=si.liq_accel if si is not None else None, lvi_contribution=contribution,
            sigma_now=si.sigma_now if si is not None else None,
            sigma_long=si.sigma_long if si is not None else None,
            mpg=si.mpg if si is not None else None,
        ))
    depth_ratio = ratio_sum / ratio_weight if ratio_weight > 0.0 else None
    held = sorted(book.positions)
    corr = avg_pairwise_correlation(portfolio, held) if portfolio is not None and len(held) > 1 \
        else None
    # the crash sign of depth counts measured depth only (book, EA telemetry), never the proxy
    real = [k for k in ("book", "telemetry") if k in measured and measured[k][1] > 0.0]
    real_ratio = sum(measured[k][0] for k in real) / sum(measured[k][1] for k in real) \
        if real else None
    proxy = measured.get("proxy")
    proxy_ratio = proxy[0] / proxy[1] if proxy is not None and proxy[1] > 0.0 else None
    flag, signs, evidence = crash_signs(real_ratio, spread_max, slip_max, corr, s.regime,
                                        "+".join(real) or "book", proxy_ratio)
    return _Liquidity(depth, tuple(rows), total_lvi, depth_ratio, flag, signs, evidence)


def _sigma(book: _Book, weights: Mapping[str, float], ind: Mapping[str, SymbolIndicators],
           portfolio: PortfolioIndicators | None) -> float | None:
    """Daily σ of the book per unit notional; each symbol's σ floored at its own σ (the larger
    of σ_now and the long-run σ), so the covariance never says less than the symbol itself."""
    floor = {s: max(x for x in (si.sigma_now, si.sigma_long) if x is not None)
             for s, si in ind.items() if si.sigma_now is not None or si.sigma_long is not None}
    if portfolio is not None and book.total_pv > 0.0:
        signed = {s: book.net[s] * book.unit[s] / book.total_pv for s in book.positions}
        value = portfolio_sigma(portfolio, signed, floor)
        if value is not None:
            return value
    per_symbol: dict[str, float] = {}
    for s, si in ind.items():
        now, long = si.sigma_now, si.sigma_long
        if now is not None or long is not None:
            per_symbol[s] = max(x for x in (now, long) if x is not None)
    return sigma_upper_bound(weights, per_symbol)


@dataclass(frozen=True, slots=True)
class _Structure:
    sigma: float | None
    lr: float | None
    l_max: float | None
    l_safe: float | None
    stress_margin: float | None
    growth: float
    buffer_required: float
    buffer_cap: float | None


def _structure(snapshot: Snapshot, book: _Book, weights: Mapping[str, float],
               ind: Mapping[str, SymbolIndicators], portfolio: PortfolioIndicators | None,
               liq: _Liquidity, s: Settings) -> _Structure:
    sigma = _sigma(book, weights, ind, portfolio)
    # a proxy DepthRatio is the spread ratio inverted: count the spread once in LR
    depth_ratios = {k: v.ratio for k, v in liq.depth.items() if v.source == "book"}
    spread_ratios = {k: ind[k].spread_ratio if k in ind else None for k in weights}
    if not s.components.liquidity:
        depth_ratios, spread_ratios = {}, {}
    lr = liquidity_risk(weights, depth_ratios, spread_ratios) if weights else None
    classes = {k: s.safe_leverage.l_max.for_class(snapshot.symbols[k].symbol_class)
               for k in weights}
    l_max = harmonic_l_max(weights, classes)
    l_safe = safe_leverage(s.safe_leverage.k_daily_equity_vol, sigma, lr or 1.0, l_max)
    margin = snapshot.account.margin
    stress = None
    mpg_growth = 0.0
    if margin > 0.0:
        # the same function the unit tests check: each symbol's term floored at 0
        mpg = {k: ind[k].mpg for k in book.positions if k in ind}
        shock = {k: s.buffer.stress_vol_shock * sn for k in book.positions
                 if k in ind and (sn := ind[k].sigma_now) is not None}
        stress = stress_margin(margin, mpg, shock, book.pv)
        mpg_growth = (stress - margin) / margin
    observed = max((ind[k].margin_growth_max or 0.0 for k in book.positions if k in ind),
                   default=0.0)
    growth = max(s.buffer.growth_floor, observed, mpg_growth)
    return _Structure(
        sigma=sigma, lr=lr, l_max=l_max, l_safe=l_safe, stress_margin=stress, growth=growth,
        buffer_required=margin * growth * s.buffer.stress_days,
        buffer_cap=buffer_cap(book.total_pv, margin, growth, s.buffer.stress_days),
    )


def _regime_inputs(book: _Book, weights: Mapping[str, float], ind: Mapping[str, SymbolIndicators],
                   liq: _Liquidity) -> RegimeInputs:
    now_sum = enter_sum = exit_sum = 0.0
    known = False
    for sym, w in weights.items():
        si = ind.get(sym)
        if si is None or si.sigma_now is None or si.sigma_enter is None or si.sigma_exit is None:
            continue
        known = True
        now_sum += w * si.sigma_now
        enter_sum += w * si.sigma_enter
        exit_sum += w * si.sigma_exit
    depth_ratio = liq.depth_ratio
    if not book.positions:
        ratios = [si.spread_median / si.spread for si in ind.values()
                  if si.spread and si.spread_median]
        depth_ratio = sum(ratios) / len(ratios) if ratios else None
    return RegimeInputs(
        sigma_now=now_sum if known else None, sigma_enter=enter_sum if known else None,
        sigma_exit=exit_sum if known else None, depth_ratio=depth_ratio,
        crash_flag=liq.crash_flag,
    )


_Events = Mapping[str, tuple[Event, ...]]


def _event_factor(events: _Events, symbol: str) -> float:
    return min((e.cap_factor for e in events.get(symbol, ())), default=1.0)


def _multiplier(snapshot: Snapshot, book: _Book, weights: Mapping[str, float],
                ind: Mapping[str, SymbolIndicators], events_by_symbol: _Events,
                s: Settings) -> tuple[float, float]:
    """The §3.5 multiplier on the target, and the part of it that asks for a reduction
    (scheduled events and an expanding ATR ratio; trend and time of day only lower limits)."""
    x = s.extras
    mtf = {k: mtf_multiplier(book.net.get(k, 0.0), ind[k].trend if k in ind else 0,
                             x.counter_trend_factor) for k in weights}
    atr = {k: atr_multiplier(ind[k].atr_ratio if k in ind else None, x.atr_ratio_threshold,
                             x.atr_ratio_floor) for k in weights}
    events = {k: _event_factor(events_by_symbol, k) for k in weights}
    reducing = weighted(atr, weights) * weighted(events, weights)
    total = reducing * weighted(mtf, weights) * time_of_day_factor(snapshot.time, x)
    return total, reducing


def _rule_cap(snapshot: Snapshot, book: _Book, lev: LeverageMetrics, s: Settings) -> Cap:
    """The §3.1 threshold rules as one cap (EffLev back to its target, MSI restored)."""
    acct = snapshot.account
    eff = lev.eff_lev or 0.0
    reduce, forced, _, msi_low = rule_triggers(lev, s.rules)
    rule_value = s.rules.eff_lev_target
    msi_cap = msi_rule_cap(book.total_pv, acct.margin, s.rules.msi_reduce_below)
    if msi_low and msi_cap is not None and msi_cap < rule_value:
        rule_value = msi_cap
    rule_reason = f"EffLev target {s.rules.eff_lev_target:.2f}"
    if forced:
        rule_reason = (f"EffLev {eff:.2f} above the forced-reduction threshold "
                       f"{s.rules.eff_lev_forced_above:.2f}: back to {s.rules.eff_lev_target:.2f}")
    elif reduce:
        rule_reason = (f"EffLev {eff:.2f} above the reduction threshold "
                       f"{s.rules.eff_lev_reduce_above:.2f}: back to {s.rules.eff_lev_target:.2f}")
    elif msi_low:
        rule_reason = (f"MSI {lev.msi:.2f} below {s.rules.msi_reduce_below:.2f}: reduce until "
                       "it is restored")
    return Cap("rule", rule_value, reduce or msi_low, rule_reason)


def _caps(snapshot: Snapshot, book: _Book, lev: LeverageMetrics, st: _Structure,
          regime: Regime, prop: PropView | None, mult: tuple[float, float],
          events: _Events, s: Settings) -> list[Cap]:
    acct = snapshot.account
    eff = lev.eff_lev or 0.0
    on = s.components
    caps: list[Cap] = [_rule_cap(snapshot, book, lev, s)] if on.rules else []
    if on.safe_leverage and st.l_safe is not None:
        caps.append(Cap("l_safe", st.l_safe, eff > st.l_safe,
                        f"L_safe {st.l_safe:.2f} = min(L_max {st.l_max or 0:.1f}, "
                        f"K {s.safe_leverage.k_daily_equity_vol:g} / (σ {st.sigma or 0:.4f} × "
                        f"LR {st.lr or 1:.2f}))"))
    elif on.safe_leverage:
        caps.append(Cap("l_safe", None, False, "L_safe unavailable: too little history for σ"))
    if on.regime and regime is Regime.MINIMUM:
        caps.append(Cap("regime", s.regime.minimum_eff_lev, eff > s.regime.minimum_eff_lev,
                        f"MINIMUM regime: step down to EffLev {s.regime.minimum_eff_lev:.2f}"))
    if on.buffer and st.buffer_cap is not None:
        free = acct.equity - acct.margin
        caps.append(Cap("buffer", st.buffer_cap, free < st.buffer_required,
                        f"cash buffer: free margin {free:,.2f} must cover M × g × D = "
                        f"{st.buffer_required:,.2f} (g {st.growth:.2f}/day, "
                        f"D {s.buffer.stress_days:g} days)"))
    if on.broker_levels:
        caps.extend(_broker_caps(snapshot, book, lev, st.sigma, s))
    if prop is not None:
        caps.extend(_prop_caps(snapshot, book, lev, st, prop, s))
    total, reducing = mult
    if on.extras and total < 1.0:
        base = min(s.rules.eff_lev_target, st.l_safe if st.l_safe is not None else float("inf"))
        value = base * total
        reason = f"trend, ATR, thin-hours and event multiplier {total:.2f} on {base:.2f}"
        held = sorted(k for k in book.positions if k in events)
        if held:
            names = sorted({f"{event_name(e)} ({'/'.join(e.currencies)} ×{e.cap_factor:g})"
                            for k in held for e in events[k]})
            reason += f"; scheduled {', '.join(names)}: {', '.join(held)} cut first"
        caps.append(Cap("extras", value, reducing < 1.0 and eff > value, reason))
    return caps


def _broker_equity_floor(snapshot: Snapshot, s: Settings) -> float:
    """Money mode: the equity the broker's levels imply, max(margin call, 2 × stop-out)."""
    acct = snapshot.account
    return max(acct.margin_so_call, s.urgency.emergency_stop_out_multiple * acct.margin_so_so)


def _broker_floor(snapshot: Snapshot, s: Settings) -> float | None:
    """The MSI the broker's levels imply: max(margin call, 2 × stop-out) / 100 in percent mode;
    in money mode that equity over the current margin (None without margin)."""
    acct = snapshot.account
    if acct.margin_so_mode == 0:
        return max(acct.margin_so_call,
                   s.urgency.emergency_stop_out_multiple * acct.margin_so_so) / 100
    if acct.margin <= 0.0:
        return None
    return _broker_equity_floor(snapshot, s) / acct.margin


def _broker_caps(snapshot: Snapshot, book: _Book, lev: LeverageMetrics, sigma: float | None,
                 s: Settings) -> list[Cap]:
    acct = snapshot.account
    if acct.margin_so_mode != 0:
        return _broker_money_caps(snapshot, lev, sigma, s)
    floor = _broker_floor(snapshot, s)
    if floor is None or floor <= 0.0 or acct.margin <= 0.0:
        return []
    keep = _BROKER_KEEP * floor
    value = book.total_pv / (acct.margin * keep)
    low = lev.msi is not None and lev.msi < keep
    return [Cap("broker", value, low,
                f"broker levels (margin call {acct.margin_so_call:g} %, stop-out "
                f"{acct.margin_so_so:g} %): keep MSI ≥ {keep:.2f}")]


def _broker_money_caps(snapshot: Snapshot, lev: LeverageMetrics, sigma: float | None,
                       s: Settings) -> list[Cap]:
    """Money mode: cutting does not lift equity, it lowers the loss per move, so the book must
    survive a reference adverse move (2 daily σ, else `prop.reference_move`) without equity
    reaching the broker's floor: EffLev ≤ (E − floor) / (E × move)."""
    acct = snapshot.account
    if acct.margin <= 0.0 or acct.equity <= 0.0:
        return []
    floor = _broker_equity_floor(snapshot, s)
    if floor <= 0.0:
        return []
    move = 2.0 * sigma if sigma else s.prop.reference_move
    value = max(0.0, (acct.equity - floor) / (acct.equity * move))
    return [Cap("broker", value, (lev.eff_lev or 0.0) > value,
                f"broker levels in money (margin call {acct.margin_so_call:,.2f}, stop-out "
                f"{acct.margin_so_so:,.2f}): survive a {move:.2%} adverse move without equity "
                f"reaching {floor:,.2f}")]


def _prop_caps(snapshot: Snapshot, book: _Book, lev: LeverageMetrics, st: _Structure,
               prop: PropView, s: Settings) -> list[Cap]:
    equity = snapshot.account.equity
    eff = lev.eff_lev or 0.0
    caps: list[Cap] = []
    if prop.memory.locked:
        caps.append(Cap("prop", 0.0, book.total_pv > 0.0,
                        f"prop lock: {prop.memory.lock_reason}"))
        return caps
    move = 2.0 * st.sigma if st.sigma else s.prop.reference_move
    for limit in prop.limits:
        if limit.used < s.prop.warning_fraction or equity <= 0.0:
            continue
        value = max(0.0, (equity - limit.floor) / (equity * move))
        caps.append(Cap("prop", value, eff > value,
                        f"{limit.name} {limit.used:.0%} used: survive a {move:.2%} adverse move "
                        f"without reaching the floor {limit.floor:,.2f}"))
    return caps


_PROP_FORCED_MOVES = 3.0  # a prop floor within 3 reference moves: forced, not normal


def _prop_urgency(prop: PropView | None, distances: tuple[Distance, ...], sigma: float | None,
                  s: Settings) -> Urgency | None:
    """Urgency from the distance to a prop floor in warning: under `emergency_sigma_moves`
    reference moves (daily σ, else `prop.reference_move`) emergency, under 3 forced."""
    if prop is None:
        return None
    ref = sigma if sigma else s.prop.reference_move
    warned = {x.name for x in prop.limits if x.used >= s.prop.warning_fraction}
    moves = [d.adverse_move_pct / 100.0 for d in distances
             if d.name in warned and d.adverse_move_pct is not None]
    if not moves:
        return None
    if min(moves) < s.urgency.emergency_sigma_moves * ref:
        return Urgency.EMERGENCY
    if min(moves) < _PROP_FORCED_MOVES * ref:
        return Urgency.FORCED
    return None


def _urgency(snapshot: Snapshot, lev: LeverageMetrics, st: _Structure, liq: _Liquidity,
             distances: tuple[Distance, ...], prop: PropView | None, s: Settings) -> Urgency:
    acct = snapshot.account
    if acct.equity <= 0.0:
        return Urgency.EMERGENCY
    if acct.margin_so_mode == 0 and lev.msi is not None and \
            lev.msi < s.urgency.emergency_stop_out_multiple * acct.margin_so_so / 100.0:
        return Urgency.EMERGENCY
    if acct.margin_so_mode != 0 and acct.margin > 0.0 and \
            acct.equity < s.urgency.emergency_stop_out_multiple * acct.margin_so_so:
        return Urgency.EMERGENCY  # money mode: equity below twice the stop-out level
    stop_out = next((d for d in distances if d.name == "stop_out"), None)
    if st.sigma and stop_out is not None and stop_out.adverse_move_pct is not None and \
            stop_out.adverse_move_pct / 100.0 < s.urgency.emergency_sigma_moves * st.sigma:
        return Urgency.EMERGENCY
    by_prop = _prop_urgency(prop, distances, st.sigma, s)
    if by_prop is Urgency.EMERGENCY:
        return by_prop
    if (lev.eff_lev or 0.0) > s.rules.eff_lev_forced_above or liq.crash_flag or \
            by_prop is Urgency.FORCED:
        return Urgency.FORCED
    return Urgency.NORMAL


def _distances(snapshot: Snapshot, book: _Book, prop: PropView | None) -> tuple[Distance, ...]:
    acct = snapshot.account
    out: list[Distance] = []

    def add(name: str, equity_floor: float) -> None:
        loss = acct.equity - equity_floor
        move = 100.0 * loss / book.net_notional if book.net_notional > 0.0 else None
        out.append(Distance(name, loss, move))

    if acct.margin > 0.0:
        if acct.margin_so_mode == 0:
            add("stop_out", acct.margin * acct.margin_so_so / 100.0)
            add("margin_call", acct.margin * acct.margin_so_call / 100.0)
        else:
            add("stop_out", acct.margin_so_so)
            add("margin_call", acct.margin_so_call)
    if prop is not None:
        for limit in prop.limits:
            add(limit.name, limit.floor)
    return tuple(out)


def _plan_symbols(snapshot: Snapshot, book: _Book, ind: Mapping[str, SymbolIndicators],
                  liq: _Liquidity, events: _Events) -> dict[str, PlanSymbol]:
    contributions = {m.symbol: m.lvi_contribution for m in liq.symbol_metrics}
    out = {}
    for sym in book.positions:
        si = ind.get(sym)
        out[sym] = PlanSymbol(
            spec=snapshot.symbols[sym], unit_notional=book.unit[sym],
            depth_notional=liq.depth[sym].notional,
            sigma_now=si.sigma_now if si is not None else None,
            sigma_ref=si.sigma_long if si is not None else None,
            lvi_contribution=contributions[sym], event_factor=_event_factor(events, sym),
        )
    return out


def _prop_lot_excess(positions: list[Position], s: Settings) -> dict[str, float]:
    """Lots above the prop-firm per-symbol lot cap, per symbol."""
    cap = s.prop.max_lots_per_symbol if s.prop.enabled else None
    if cap is None:
        return {}
    gross: dict[str, float] = {}
    for p in positions:
        gross[p.symbol] = gross.get(p.symbol, 0.0) + p.volume
    return {k: g - cap for k, g in gross.items() if g > cap + 1e-9}


def _prop_extra_positions(snapshot: Snapshot, s: Settings) -> tuple[Position, ...]:
    """The newest positions beyond the prop-firm maximum number of positions."""
    cap = s.prop.max_positions if s.prop.enabled else None
    if cap is None or len(snapshot.positions) <= cap:
        return ()
    newest_first = sorted(snapshot.positions, key=lambda p: (-p.time, -p.ticket))
    return tuple(newest_first[: len(snapshot.positions) - cap])


def _actions(snapshot: Snapshot, book: _Book, ind: Mapping[str, SymbolIndicators],
             liq: _Liquidity, target: float, triggered: bool, urgency: Urgency,
             close_everything: bool, reason: str, events: _Events,
             s: Settings) -> tuple[Action, ...]:
    acct = snapshot.account
    extra = () if close_everything else _prop_extra_positions(snapshot, s)
    closed = {p.ticket for p in extra}
    rest = [p for p in snapshot.positions if p.ticket not in closed]
    excess = _prop_lot_excess(rest, s)
    cut = book.total_pv - target * acct.equity if triggered else 0.0
    cut -= sum(p.volume * book.unit[p.symbol] for p in extra)
    small = cut <= s.plan.min_cut_fraction * book.total_pv
    if not (close_everything or extra or excess) and small:
        return ()
    plan_syms = _plan_symbols(snapshot, book, ind, liq, events)  # only built when something is cut
    plan_id = f"{acct.login}-{int(snapshot.time)}"
    hedging = acct.hedging
    if close_everything:
        return close_all(snapshot.positions, plan_syms, urgency, snapshot.time, plan_id, hedging,
                         s.plan, s.urgency, reason)
    actions: list[Action] = []
    if extra:
        actions.extend(close_all(extra, plan_syms, Urgency.FORCED, snapshot.time, plan_id,
                                 hedging, s.plan, s.urgency, "prop: too many open positions"))
    if excess or not small:
        actions.extend(plan_reduction(rest, plan_syms, 0.0 if small else cut, urgency,
                                      snapshot.time, plan_id, hedging, s.plan, s.urgency, reason,
                                      excess))
    return tuple(actions)


def _state(equity: float, locked: bool, actions: tuple[Action, ...], frozen: bool) -> TradingState:
    if equity <= 0.0:
        return TradingState.INSOLVENT
    if locked:
        return TradingState.HALTED
    if actions:
        return TradingState.REDUCING
    if frozen:
        return TradingState.FROZEN
    return TradingState.ACTIVE


def _limits(snapshot: Snapshot, book: _Book, lev: LeverageMetrics, target: float,
            allowed: bool, headroom_ok: bool, locked: bool, lock_until: float | None,
            events: _Events, s: Settings) -> Limits:
    acct = snapshot.account
    headroom_value = max(0.0, target * acct.equity - book.total_pv) if allowed and headroom_ok \
        else 0.0
    prop_cap = s.prop.max_lots_per_symbol if s.prop.enabled else None
    frozen_reason = "no new exposure" if not allowed else "no headroom below the target"
    rows = []
    for sym in sorted(book.unit):
        spec = snapshot.symbols[sym]
        current = book.gross.get(sym, 0.0)
        max_volume, reason = current, frozen_reason
        if headroom_value > 0.0:
            extra = round_down_to_step(headroom_value / book.unit[sym], spec.volume_step)
            if extra > 0.0:
                max_volume = min(current + extra, spec.volume_max)
                reason = "headroom up to the target"
        if sym in events:  # ahead of a scheduled event: no new exposure on this symbol
            max_volume = current
            reason = "scheduled " + ", ".join(event_name(e) for e in events[sym]) + \
                ": no new exposure"
        if prop_cap is not None and max_volume > prop_cap:
            max_volume, reason = prop_cap, f"prop-firm cap {prop_cap:g} lots"
        if locked:
            max_volume, reason = 0.0, "prop lock: close only"
        rows.append(SymbolLimit(sym, round(max_volume, 8), round(current, 8), reason))
    # the EA holds this when Python is dead: the level the broker cap keeps (1.2 × the broker
    # floor), not the margin call itself
    floor = _BROKER_KEEP * (_broker_floor(snapshot, s) or 0.0) if s.components.broker_levels \
        else 0.0
    return Limits(
        max_eff_lev=round(target, 6),  # the target, also while reducing toward it
        msi_floor=round(floor, 6), new_exposure_allowed=allowed and not locked,
        prop_lock=locked, lock_until=lock_until, symbols=tuple(rows),
    )


def _warnings(snapshot: Snapshot, lev: LeverageMetrics, liq: _Liquidity, regime: Regime,
              prop: PropView | None, caps: list[Cap], s: Settings) -> tuple[Warning, ...]:
    out: list[Warning] = []
    acct = snapshot.account
    if acct.equity <= 0.0:
        out.append(Warning("insolvent", f"equity {acct.equity:,.2f} ≤ 0: close everything",
                           acct.equity, 0.0))
    reduce, forced, mu_high, msi_low = rule_triggers(lev, s.rules)
    if reduce and lev.eff_lev is not None:
        limit = s.rules.eff_lev_forced_above if forced else s.rules.eff_lev_reduce_above
        kind = "forced-reduction" if forced else "reduction"
        out.append(Warning("eff_lev", f"EffLev {lev.eff_lev:.2f} above the {kind} threshold "
                           f"{limit:.2f}", lev.eff_lev, limit))
    if mu_high and lev.mu is not None:
        out.append(Warning("mu", f"margin utilisation {lev.mu:.1%} above "
                           f"{s.rules.mu_no_new_exposure_above:.1%}: no new exposure",
                           lev.mu, s.rules.mu_no_new_exposure_above))
    if msi_low and lev.msi is not None:
        out.append(Warning("msi", f"MSI {lev.msi:.2f} (margin level {100 * lev.msi:.1f} %) "
                           f"below {s.rules.msi_reduce_below:.2f} "
                           f"({100 * s.rules.msi_reduce_below:.1f} %): reduce risk",
                           lev.msi, s.rules.msi_reduce_below))
    if liq.crash_flag:
        out.append(Warning("crash_flag", "liquidity-crash signs at once: "
                           + ", ".join(liq.crash_signs)))
    if regime in _FREEZE_REGIMES:
        out.append(Warning("regime", f"{regime.value} regime: no new exposure"))
    if prop is not None and prop.unavailable:
        out.append(Warning("prop_unavailable", prop.unavailable))
    if prop is not None:
        warn = s.prop.warning_fraction
        # observed = the loss so far, limit = the allowance: both money (account currency)
        out.extend(
            Warning(f"prop_{x.name}",
                    f"{x.name.replace('_', ' ')} limit breached: {x.reason}" if x.used >= 1.0
                    else f"{x.reason} ({x.used:.0%} used, warning at {warn:.0%})",
                    x.used * x.allowance, x.allowance)
            for x in prop.limits if x.used >= warn
        )
    # a cap is an EffLev ceiling: observed = the current EffLev, limit = the cap (multiples)
    out.extend(Warning(f"cap_{c.name}", c.reason, lev.eff_lev, c.value) for c in caps
               if c.triggered and c.name in ("l_safe", "buffer", "broker", "extras")
               and lev.eff_lev is not None and c.value is not None)
    return tuple(out)


def decide(
    snapshot: Snapshot,
    settings: Settings,
    indicators: Mapping[str, SymbolIndicators] | None = None,
    portfolio: PortfolioIndicators | None = None,
    memory: ControllerMemory | None = None,
) -> Decision:
    """The controller's decision for `snapshot`, given prepared indicators and the previous memory.

    Without indicators (a pasted snapshot) L_safe and the regime are unavailable and do not bind;
    the §3.1 rules, the broker's levels and the prop caps still do.
    """
    s = settings
    ind = indicators or {}
    mem = memory or ControllerMemory()
    acct = snapshot.account
    book = _book(snapshot)
    lev = leverage_metrics(acct.equity, acct.margin, book.total_pv)
    eff_band, mu_band, msi_band, lev_state = band_names(lev, acct.equity, s.bands)
    weights = _weights(book, snapshot)
    liq = _liquidity(snapshot, book, ind, portfolio, acct.equity, s)
    regime_in = _regime_inputs(book, weights, ind, liq)
    if not s.components.liquidity:  # evaluation policies: no depth, spread or crash flag
        liq = replace(liq, crash_flag=False, crash_signs=(), crash_evidence=())
        regime_in = replace(regime_in, depth_ratio=1.0, crash_flag=False)
    st = _structure(snapshot, book, weights, ind, portfolio, liq, s)
    step = next_regime(snapshot.time, regime_in, mem.regime,
                       mem.regime_since, mem.vol_high, mem.depth_thin, s.regime)
    events = symbol_events(snapshot.time, snapshot.symbols, snapshot.events) \
        if s.components.extras else {}
    mult = _multiplier(snapshot, book, weights, ind, events, s)
    prop = evaluate_prop(snapshot.time, acct.balance, acct.equity, s.prop, mem) \
        if s.prop.enabled else None
    mem = prop.memory if prop is not None else mem
    caps = _caps(snapshot, book, lev, st, step.regime, prop, mult, events, s)
    valued = [c for c in caps if c.value is not None]
    if not valued:  # every cap switched off or unavailable: nothing binds, nothing is cut
        valued = [Cap("none", max(lev.eff_lev or 0.0, s.rules.eff_lev_target), False,
                      "no cap applies (components switched off or unavailable)")]
    binding = min(valued, key=lambda c: c.value if c.value is not None else float("inf"))
    target = binding.value if binding.value is not None else s.rules.eff_lev_target
    triggered = any(c.triggered for c in caps)
    distances = _distances(snapshot, book, prop)
    urgency = _urgency(snapshot, lev, st, liq, distances, prop, s)
    insolvent = acct.equity <= 0.0
    breach = prop is not None and prop.memory.locked and book.total_pv > 0.0
    close_everything = insolvent or breach
    if close_everything:
        urgency = Urgency.EMERGENCY
        target = 0.0
    if insolvent:
        reason, binding_name = "insolvent: equity ≤ 0", "insolvent"
    else:
        reason, binding_name = binding.reason, binding.name
    actions = _actions(snapshot, book, ind, liq, target, triggered, urgency, close_everything,
                       reason, events, s)
    _, _, mu_high, _ = rule_triggers(lev, s.rules)
    prop_warn = prop is not None and (bool(prop.unavailable) or
                                      any(x.used >= s.prop.warning_fraction for x in prop.limits))
    frozen = mu_high or step.regime in _FREEZE_REGIMES or prop_warn or \
        (lev.eff_lev or 0.0) > target
    locked = prop is not None and prop.memory.locked
    state = _state(acct.equity, locked, actions, frozen)
    allowed = state is TradingState.ACTIVE
    headroom_ok = s.plan.allow_headroom_in_loss or book.floating >= 0.0
    limits = _limits(snapshot, book, lev, target, allowed, headroom_ok, locked,
                     mem.lock_until if locked else None, events, s)
    metrics = Metrics(
        equity=acct.equity, balance=acct.balance, margin=acct.margin,
        free_margin=acct.equity - acct.margin, position_value=book.total_pv,
        net_notional=book.net_notional, eff_lev=lev.eff_lev, mu=lev.mu, msi=lev.msi,
        margin_level_pct=100.0 * lev.msi if lev.msi is not None else None,
        eff_lev_band=eff_band, mu_band=mu_band, msi_band=msi_band, leverage_state=lev_state,
        lvi=liq.lvi, depth_ratio=liq.depth_ratio, sigma=st.sigma, liquidity_risk=st.lr,
        l_safe=st.l_safe, l_max=st.l_max, stress_margin=st.stress_margin,
        margin_growth=st.growth, cash_buffer_required=st.buffer_required,
        crash_flag=liq.crash_flag, crash_signs=liq.crash_signs, multiplier=mult[0],
        crash_evidence=liq.crash_evidence,
    )
    new_memory = replace(mem, regime=step.regime, regime_since=step.since,
                         vol_high=step.vol_high, depth_thin=step.depth_thin, state=state)
    reasons = tuple(c.reason for c in caps if c.triggered) or (binding.reason,)
    return Decision(
        time=snapshot.time, metrics=metrics, symbols=liq.symbol_metrics, regime=step.regime,
        state=state, urgency=urgency if actions else None, target_eff_lev=target,
        binding_cap=binding_name, caps=tuple(caps), actions=actions, limits=limits,
        warnings=_warnings(snapshot, lev, liq, step.regime, prop, caps, s),
        distances=distances, reasons=reasons, memory=new_memory,
    )
