"""The deleveraging plan (DESIGN §3.4): which positions go first, how much, in which slices, when.

- How much: the value to cut is `PV − target × E` ("reverse pyramiding": a fraction
  `1 − target / EffLev` of position value).
- Which first: symbols in order of their LVI contribution (the most illiquid while depth is still
  there); within a symbol, both sides in proportion to their volume (a hedge keeps its ratio), and
  on each side the largest loss first.
- How much per position: the lots to cut are rounded *up* to the volume step (so a full plan
  reaches the target), raised to the minimum volume, and a remainder below the minimum closes the
  whole position.
- Slices: at most `α × D_s × min(1, σ_ref / σ_now)` of account-currency notional each (α the
  slice depth fraction, D_s the hitting-side depth), rounded *down* to the step and never below the
  minimum; a symbol's cut is staged in at least `min_slices_normal` / `min_slices_forced` slices
  when its volume allows (an emergency goes by depth alone); a position is never cut in more than
  `max_slices_per_position` slices.
- When: a symbol's K slices are spread evenly over the urgency's window (normal about an hour,
  forced minutes, emergency all now); the first goes at once.
- How: hedging accounts close by position ticket; netting accounts send an opposite deal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from controller.decision_types import Action, Urgency
from controller.settings import PlanSettings, UrgencySettings
from controller.snapshot import Position, SymbolSpec

__all__ = ["PlanSymbol", "close_all", "plan_reduction", "round_down_to_step", "round_up_to_step"]

_EPS = 1e-9


def round_up_to_step(lots: float, step: float) -> float:
    """Smallest multiple of `step` that is ≥ `lots` (within 1e-9 of a step)."""
    return round(math.ceil(lots / step - _EPS) * step, 10)


def round_down_to_step(lots: float, step: float) -> float:
    """Largest multiple of `step` that is ≤ `lots` (within 1e-9 of a step)."""
    return round(math.floor(lots / step + _EPS) * step, 10)


@dataclass(frozen=True, slots=True)
class PlanSymbol:
    """What the planner needs of one symbol: its spec, the account-currency value of one lot, the
    hitting-side depth (account currency, None if unknown), σ_now and the reference σ (daily) and
    its LVI contribution (the priority)."""

    spec: SymbolSpec
    unit_notional: float
    depth_notional: float | None
    sigma_now: float | None
    sigma_ref: float | None
    lvi_contribution: float


def _lots_to_close(volume: float, want: float, spec: SymbolSpec) -> float:
    """Lots to close of a position of `volume` lots to cut at least `want` lots."""
    if want <= _EPS:
        return 0.0
    lots = max(round_up_to_step(want, spec.volume_step), spec.volume_min)
    if lots >= volume - _EPS or volume - lots < spec.volume_min - _EPS:
        return volume
    return lots


def _slice_lots(ps: PlanSymbol, plan: PlanSettings) -> float:
    """Largest slice for this symbol, in lots (inf when depth is unknown)."""
    if ps.depth_notional is None:
        return math.inf
    scale = 1.0
    if ps.sigma_now is not None and ps.sigma_ref is not None and ps.sigma_now > 0.0:
        scale = min(1.0, ps.sigma_ref / ps.sigma_now)
    lots = round_down_to_step(plan.slice_depth_fraction * ps.depth_notional * scale
                              / ps.unit_notional, ps.spec.volume_step)
    return max(lots, ps.spec.volume_min)


def _pieces(cut: float, full: bool, q: float, spec: SymbolSpec, max_slices: int) -> list[float]:
    """Split `cut` lots into slices of at most `q` lots (the last one may be smaller; a last
    piece under the minimum joins the one before unless it is the position's full close)."""
    if math.isinf(q) or cut <= q + _EPS:
        return [cut]
    if math.ceil(cut / q - _EPS) > max_slices:
        q = max(round_up_to_step(cut / max_slices, spec.volume_step), spec.volume_min)
    n = math.ceil(cut / q - _EPS)
    pieces = [q] * (n - 1)
    last = round(cut - q * (n - 1), 10)
    if last > _EPS:
        if last < spec.volume_min - _EPS and not full and pieces:
            pieces[-1] = round(pieces[-1] + last, 10)
        else:
            pieces.append(last)
    return pieces


def _allocate_symbol(
    positions: Sequence[Position], want_value: float, unit: float, spec: SymbolSpec,
) -> list[tuple[Position, float]]:
    """Cut `want_value` (account currency) from one symbol's positions: both sides in proportion
    to their volume, largest loss first on each side. Returns (position, lots) pairs."""
    longs = sorted((p for p in positions if p.type == 0), key=lambda p: (p.profit, p.ticket))
    shorts = sorted((p for p in positions if p.type == 1), key=lambda p: (p.profit, p.ticket))
    gross = sum(p.volume for p in positions)
    out: list[tuple[Position, float]] = []
    for side in (longs, shorts):
        side_volume = sum(p.volume for p in side)
        if side_volume <= 0.0 or gross <= 0.0:
            continue
        remaining = want_value * side_volume / gross
        for p in side:
            if remaining <= _EPS * unit:
                break
            lots = _lots_to_close(p.volume, remaining / unit, spec)
            if lots > 0.0:
                out.append((p, lots))
                remaining -= lots * unit
    return out


def _window_seconds(urgency: Urgency, u: UrgencySettings) -> float:
    if urgency is Urgency.NORMAL:
        return u.normal_minutes * 60.0
    if urgency is Urgency.FORCED:
        return u.forced_minutes * 60.0
    return 0.0


def _slice_actions(
    cuts: Sequence[tuple[Position, float]], ps: PlanSymbol, urgency: Urgency, now: float,
    plan_id: str, hedging: bool, plan: PlanSettings, u: UrgencySettings, reason: str,
) -> list[Action]:
    q = _slice_lots(ps, plan)
    spread = {Urgency.NORMAL: plan.min_slices_normal, Urgency.FORCED: plan.min_slices_forced}
    min_slices = spread.get(urgency, 1)
    if min_slices > 1:  # staged even where the book could take it all at once
        total = sum(lots for _, lots in cuts)
        staged = max(round_down_to_step(total / min_slices, ps.spec.volume_step),
                     ps.spec.volume_min)
        q = min(q, staged)
    pieces: list[tuple[Position, float, bool]] = []
    for position, lots in cuts:
        full = lots >= position.volume - _EPS
        chunks = _pieces(lots, full, q, ps.spec, plan.max_slices_per_position)
        pieces.extend((position, v, full and i == len(chunks) - 1) for i, v in enumerate(chunks))
    window = _window_seconds(urgency, u)
    n = len(pieces)
    return [
        Action(
            plan_id=plan_id, ticket=p.ticket, symbol=p.symbol,
            side="sell" if p.type == 0 else "buy", volume=lots, urgency=urgency,
            not_before=now + window * k / n, slice_index=k + 1, slices=n,
            close_by_ticket=hedging, full_close=full, reason=reason,
        )
        for k, (p, lots, full) in enumerate(pieces)
    ]


def plan_reduction(
    positions: Sequence[Position],
    symbols: Mapping[str, PlanSymbol],
    cut_value: float,
    urgency: Urgency,
    now: float,
    plan_id: str,
    hedging: bool,
    plan: PlanSettings,
    urgency_settings: UrgencySettings,
    reason: str,
    required_lots: Mapping[str, float] | None = None,
) -> tuple[Action, ...]:
    """Slices that cut at least `cut_value` (account currency) of position value.

    `required_lots` forces at least that many lots off a symbol first (a prop-firm lot cap);
    they count toward `cut_value`.
    """
    by_symbol: dict[str, list[Position]] = {}
    for p in positions:
        if p.volume > 0.0:
            by_symbol.setdefault(p.symbol, []).append(p)
    order = sorted(by_symbol, key=lambda s: (-symbols[s].lvi_contribution, s))
    wants: dict[str, float] = {}
    remaining = cut_value
    for s in order:
        forced = (required_lots or {}).get(s, 0.0) * symbols[s].unit_notional
        if forced > 0.0:
            wants[s] = forced
            remaining -= forced
    for s in order:
        if remaining <= 0.0:
            break
        held = sum(p.volume for p in by_symbol[s]) * symbols[s].unit_notional - wants.get(s, 0.0)
        take = min(remaining, max(held, 0.0))
        if take > 0.0:
            wants[s] = wants.get(s, 0.0) + take
            remaining -= take
    actions: list[Action] = []
    for s in order:
        if wants.get(s, 0.0) <= 0.0:
            continue
        ps = symbols[s]
        cuts = _allocate_symbol(by_symbol[s], wants[s], ps.unit_notional, ps.spec)
        actions.extend(_slice_actions(cuts, ps, urgency, now, plan_id, hedging, plan,
                                      urgency_settings, reason))
    actions.sort(key=lambda a: (a.not_before, order.index(a.symbol), a.slice_index))
    return tuple(actions)


def close_all(
    positions: Sequence[Position],
    symbols: Mapping[str, PlanSymbol],
    urgency: Urgency,
    now: float,
    plan_id: str,
    hedging: bool,
    plan: PlanSettings,
    urgency_settings: UrgencySettings,
    reason: str,
) -> tuple[Action, ...]:
    """Close every position (insolvency, a prop-firm breach), depth-sliced at the urgency."""
    total = sum(p.volume * symbols[p.symbol].unit_notional for p in positions)
    return plan_reduction(positions, symbols, total * (1.0 + 1e-9) + 1.0, urgency, now, plan_id,
                          hedging, plan, urgency_settings, reason)
