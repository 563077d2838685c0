"""The deleveraging plan (DESIGN §3.4): which positions go first, how much, in which slices, when.

- How much: the value to cut is `PV − target × E` ("reverse pyramiding": a fraction
  `1 − target / EffLev` of position value).
- Which first: symbols under a scheduled event (lowest cap factor first), then in order of their
  LVI contribution (the most illiquid while depth is still there); within a symbol, the net side
  (the larger leg) first, then both legs alike, and on each side the largest loss first.
- Never more net exposure: no prefix of a partial plan raises a symbol's |long − short| lots (so
  nor the account's net notional), even if every later slice fails. A hedge's legs alternate in
  pieces no larger than the starting net; the covered volume of a flat hedge is left in place
  (cutting one leg would open exposure) and its share of the cut goes to the next symbols. A
  close-all plan (insolvency, prop breach) alternates the legs the same way.
- How much per position: the lots to cut are rounded *up* to the volume step (so a full plan
  reaches the target), raised to the minimum volume, and a remainder below the minimum closes the
  whole position.
- Slices: at most `α × D_s × min(1, σ_ref / σ_now)` of account-currency notional each (α the
  slice depth fraction, D_s the hitting-side depth), rounded *down* to the step and never below the
  minimum, and a last slice under a quarter of the others joins the one before; a symbol's cut is
  staged in at least `min_slices_normal` / `min_slices_forced` slices when its volume allows (an
  emergency goes by depth alone); a position is never cut in more than `max_slices_per_position`
  slices.
- When: a symbol's K slices are spread evenly over the urgency's window (normal about an hour,
  forced minutes, emergency all now); the first goes at once.
- How: hedging accounts close by position ticket; netting accounts send an opposite deal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

from controller.decision_types import Action, Side, Urgency
from controller.quick_init import quick_init
from controller.rounding import round10
from controller.settings import PlanSettings, UrgencySettings
from controller.snapshot import Position, SymbolSpec

__all__ = [
    "Held",
    "PlanSymbol",
    "close_all",
    "held_lots",
    "plan_reduction",
    "round_down_to_step",
    "round_up_to_step",
]

_EPS = 1e-9


def round_up_to_step(lots: float, step: float) -> float:
    """Smallest multiple of `step` that is ≥ `lots` (within 1e-9 of a step)."""
    return round10(math.ceil(lots / step - _EPS) * step)


def round_down_to_step(lots: float, step: float) -> float:
    """Largest multiple of `step` that is ≤ `lots` (within 1e-9 of a step)."""
    return round10(math.floor(lots / step + _EPS) * step)


@quick_init
@dataclass(frozen=True, slots=True)
class PlanSymbol:
    """What the planner needs of one symbol: its spec, the account-currency value of one lot, the
    hitting-side depth (account currency, None if unknown), σ_now and the reference σ (daily),
    its LVI contribution (the priority) and the cap factor of the scheduled events in force on it
    (below 1: it goes before every unaffected symbol, the lowest factor first)."""

    spec: SymbolSpec
    unit_notional: float
    depth_notional: float | None
    sigma_now: float | None
    sigma_ref: float | None
    lvi_contribution: float
    event_factor: float = 1.0


def _lots_to_close(volume: float, want: float, spec: SymbolSpec) -> float:
    """Lots to close of a position of `volume` lots to cut at least `want` lots."""
    if want <= _EPS:
        return 0.0
    step = spec.volume_step
    lots = round10(math.ceil(want / step - _EPS) * step)  # round_up_to_step, inlined
    volume_min = spec.volume_min
    if volume_min > lots:  # max(lots, volume_min), without the call
        lots = volume_min
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


def _pieces(cut: float, full: bool, q: float, spec: SymbolSpec, max_slices: int,
            cap: float = math.inf) -> list[float]:
    """Split `cut` lots into slices of at most `q` lots. A last piece under the minimum, or under
    a quarter of the others, joins the one before (so no tail slice is left dangling).

    `cap` is a hard ceiling on every piece (the starting net of a hedged symbol): merging and the
    `max_slices` widening stay under it, and what does not fit in `max_slices` pieces is left."""
    if cut <= min(q, cap) + _EPS:
        return [cut]
    q = min(q, cap)
    if math.ceil(cut / q - _EPS) > max_slices:
        wider = max(round_up_to_step(cut / max_slices, spec.volume_step), spec.volume_min)
        if wider <= cap + _EPS:
            q = wider
        else:
            return [q] * max_slices
    n = math.ceil(cut / q - _EPS)
    pieces = [q] * (n - 1)
    last = round10(cut - q * (n - 1))
    if last > _EPS:
        tiny = last < spec.volume_min - _EPS and not full
        fits = pieces and pieces[-1] + last <= cap + _EPS
        if fits and (tiny or last < 0.25 * q - _EPS):
            pieces[-1] = round10(pieces[-1] + last)
        elif not tiny or not pieces:
            pieces.append(last)
    return pieces


def _pair_cap(sides: set[int], start_net: float, spec: SymbolSpec, keep_net: bool) -> float:
    """Largest piece of a hedged symbol (both `sides` open) that keeps |net| within its start:
    the starting net (lots) rounded down to the step (inf when not hedged or not keeping it)."""
    if not keep_net or len(sides) < 2:
        return math.inf
    return max(round_down_to_step(abs(start_net), spec.volume_step), spec.volume_min)


_loss_first = attrgetter("profit", "ticket")  # the largest loss first, then the lower ticket
_not_before = attrgetter("not_before")


def _allocate_symbol(
    positions: Sequence[Position], want_value: float, unit: float, spec: SymbolSpec,
    covered_max: float = math.inf,
) -> list[tuple[Position, float]]:
    """Cut `want_value` (account currency) from one symbol's positions: first the net side (the
    larger leg) down to flat, then what is left from both legs alike (covered pairs keep the net
    at zero), at most `covered_max` lots a leg; the largest loss first on each side. Returns
    (position, lots) pairs."""
    longs: list[Position] = []
    shorts: list[Position] = []
    for p in positions:  # one pass; each side then sorted as before
        if p.type == 0:
            longs.append(p)
        elif p.type == 1:
            shorts.append(p)
    longs.sort(key=_loss_first)
    shorts.sort(key=_loss_first)
    long_lots = sum([p.volume for p in longs])
    short_lots = sum([p.volume for p in shorts])
    net = long_lots - short_lots
    want = want_value / unit
    uncovered = min(want, abs(net))
    covered = min(max(0.0, want - abs(net)) / 2.0, covered_max)
    big, small = (longs, shorts) if net >= 0.0 else (shorts, longs)
    out: list[tuple[Position, float]] = []
    for side, lots_wanted in ((big, uncovered + covered), (small, covered)):
        remaining = lots_wanted
        for p in side:
            if remaining <= _EPS:
                break
            lots = _lots_to_close(p.volume, remaining, spec)
            if lots > 0.0:
                out.append((p, lots))
                remaining -= lots
    return out


def _window_seconds(urgency: Urgency, u: UrgencySettings) -> float:
    if urgency is Urgency.NORMAL:
        return u.normal_minutes * 60.0
    if urgency is Urgency.FORCED:
        return u.forced_minutes * 60.0
    return 0.0


_Piece = tuple[Position, float]


def _one_side_order(queue: Sequence[_Piece], start_net: float, bound: float,
                    keep_net: bool) -> list[_Piece]:
    """`_keep_net_order` when every piece is on one side: the queue in its order, cut where
    |net| would pass `bound` (lots) with `keep_net`."""
    out: list[_Piece] = []
    net = start_net
    for piece in queue:
        after = net - piece[1] if piece[0].type == 0 else net + piece[1]
        if keep_net and abs(after) > bound:
            break
        out.append(piece)
        net = after
    return out


def _keep_net_order(
    pieces: Sequence[_Piece], start_net: float, keep_net: bool,
) -> list[_Piece]:
    """Order one symbol's pieces so that no prefix raises |net volume| above |start_net| (lots).

    Each step takes the head of the long or the short queue, whichever leaves the smaller |net|
    among those within the bound, on a tie the queue with more lots left, then the long one.
    With `keep_net`, pieces that fit nowhere are dropped (they would open net
    exposure); without it (close everything) they follow at the least |net|. Once one queue is
    empty the other follows alone (`_one_side_order`).
    """
    bound = abs(start_net) + _EPS
    longs = [x for x in pieces if x[0].type == 0]
    shorts = [x for x in pieces if x[0].type == 1]
    long_lots, short_lots = [v for _, v in longs], [v for _, v in shorts]
    out: list[_Piece] = []
    net = start_net
    i = j = 0
    while i < len(longs) and j < len(shorts):
        after_long, after_short = net - long_lots[i], net + short_lots[j]
        # the long head next when within the bound and the short one not, then at the smaller
        # |net| after it (lots); inlined here: one call a piece was a tenth of this function
        a_long, a_short = abs(after_long), abs(after_short)
        over_short = a_short > bound
        if (a_long > bound) != over_short:
            take_long = over_short
        elif a_long != a_short:
            take_long = a_long < a_short
        else:  # a tie: the queue with more lots left (summed left to right)
            take_long = -sum(long_lots[i:]) <= -sum(short_lots[j:])
        after = after_long if take_long else after_short
        if keep_net and abs(after) > bound:
            return out
        out.append(longs[i] if take_long else shorts[j])
        i, j = (i + 1, j) if take_long else (i, j + 1)
        net = after
    out.extend(_one_side_order(longs[i:] or shorts[j:], net, bound, keep_net))
    return out


def _slice_actions(
    cuts: Sequence[tuple[Position, float]], ps: PlanSymbol, start_net: float, urgency: Urgency,
    now: float, plan_id: str, hedging: bool, plan: PlanSettings, u: UrgencySettings,
    reason: str, keep_net: bool,
) -> list[Action]:
    q = _slice_lots(ps, plan)
    min_slices = plan.min_slices_normal if urgency is Urgency.NORMAL else \
        plan.min_slices_forced if urgency is Urgency.FORCED else 1
    if min_slices > 1:  # staged even where the book could take it all at once
        total = sum([lots for _, lots in cuts])
        staged = max(round_down_to_step(total / min_slices, ps.spec.volume_step),
                     ps.spec.volume_min)
        q = min(q, staged)
    # both legs cut: no piece larger than the starting net, so that the legs can alternate
    # without |net| ever passing its start
    cap = _pair_cap({p.type for p, _ in cuts}, start_net, ps.spec, keep_net)
    pieces: list[_Piece] = []
    spec, max_slices = ps.spec, plan.max_slices_per_position
    one_piece = (cap if cap < q else q) + _EPS  # at most this: `_pieces` would give [lots]
    for position, lots in cuts:
        if lots <= one_piece:
            pieces.append((position, lots))
        else:
            pieces.extend([(position, v) for v in
                           _pieces(lots, lots >= position.volume - _EPS, q, spec, max_slices,
                                   cap)])
    ordered = _keep_net_order(pieces, start_net, keep_net)
    done: dict[int, float] = {}
    window = _window_seconds(urgency, u)
    n = len(ordered)
    actions: list[Action] = []
    sell, buy, add, closed_before = Side.SELL, Side.BUY, actions.append, done.get
    for k, (p, lots) in enumerate(ordered):
        ticket = p.ticket
        closed = done[ticket] = closed_before(ticket, 0.0) + lots
        # positional for speed, in the field order of Action: plan_id, ticket, symbol, side,
        # volume, urgency, not_before, slice_index, slices, close_by_ticket, full_close, reason
        add(Action(plan_id, ticket, p.symbol, sell if p.type == 0 else buy, lots, urgency,
                   now + window * k / n, k + 1, n, hedging, closed >= p.volume - _EPS, reason))
    return actions


Held = tuple[Mapping[str, Sequence[Position]], Mapping[str, float], Mapping[str, float]]
"""The positions with lots per symbol (in position order), their Σ lots and Σ signed lots."""


def held_lots(positions: Sequence[Position]) -> Held:
    """The positions of more than 0 lots per symbol, in position order, with their Σ lots and
    Σ signed lots (long +), added in position order; the Book's `positions`, `gross` and `net`
    are the same when no position has 0 lots."""
    by_symbol: dict[str, list[Position]] = {}
    lots: dict[str, float] = {}
    nets: dict[str, float] = {}
    for p in positions:
        if p.volume > 0.0:
            by_symbol.setdefault(p.symbol, []).append(p)
            lots[p.symbol] = lots.get(p.symbol, 0.0) + p.volume
            nets[p.symbol] = nets.get(p.symbol, 0.0) + (p.volume if p.type == 0 else -p.volume)
    return by_symbol, lots, nets


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
    keep_net: bool = True,
    groups: Held | None = None,
) -> tuple[Action, ...]:
    """Slices that cut at least `cut_value` (account currency) of position value.

    `groups` is `held_lots(positions)` when the caller has it already (the Book's groups).

    `required_lots` forces at least that many lots off a symbol first (a prop-firm lot cap);
    they count toward `cut_value`. With `keep_net` (every partial reduction) no prefix of the
    schedule raises a symbol's |net volume|: a hedge's covered volume that cannot be unwound so
    is left, and the value it would have given is asked of the next symbols.
    """
    by_symbol, lots, nets = groups if groups is not None else held_lots(positions)
    # events first (the lowest factor first), then the largest LVI contribution, then the name
    ranked = sorted([(symbols[k].event_factor, -symbols[k].lvi_contribution, k) for k in by_symbol])
    order = [k for _, _, k in ranked]
    required = required_lots or {}
    forced = {s: required.get(s, 0.0) * symbols[s].unit_notional for s in order}
    remaining = cut_value - sum(forced.values())
    actions: list[Action] = []
    for s in order:
        if remaining <= 0.0 and forced[s] == 0.0:
            continue  # the cut is met and nothing is forced here: `want` below would be 0
        ps = symbols[s]
        held = lots[s] * ps.unit_notional - forced[s]
        want = forced[s] + min(max(remaining, 0.0), max(held, 0.0))
        if want <= 0.0:
            continue
        start_net = nets[s]
        cap = _pair_cap({p.type for p in by_symbol[s]}, start_net, ps.spec, keep_net)
        # a hedge's covered pairs go in pieces of at most `cap`: only as many as the slice
        # limit allows (none when the symbol is flat: any leg cut would open net exposure)
        covered_max = math.inf
        if keep_net:
            covered_max = max(0.0, plan.max_slices_per_position * cap - abs(start_net)) \
                if start_net != 0.0 else 0.0
        cuts = _allocate_symbol(by_symbol[s], want, ps.unit_notional, ps.spec, covered_max)
        done = _slice_actions(cuts, ps, start_net, urgency, now, plan_id, hedging, plan,
                              urgency_settings, reason, keep_net)
        actions.extend(done)
        remaining -= sum([a.volume for a in done]) * ps.unit_notional - forced[s]
    # by time, then the symbol's place in `order`, then the slice: `actions` is in (place, slice)
    # order already, so a stable sort by time alone gives exactly that
    actions.sort(key=_not_before)
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
    """Close every position (insolvency, a prop-firm breach), depth-sliced at the urgency.

    Each symbol's net side goes first and the legs of a hedge alternate, so the net exposure
    opened on the way is at most one slice."""
    total = sum(p.volume * symbols[p.symbol].unit_notional for p in positions)
    return plan_reduction(positions, symbols, total * (1.0 + 1e-9) + 1.0, urgency, now, plan_id,
                          hedging, plan, urgency_settings, reason, keep_net=False)
