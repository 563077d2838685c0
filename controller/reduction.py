"""The decision's slices (DESIGN §3.4): close everything, close the positions beyond the prop
firm's count, cut the lots beyond its per-symbol cap, and cut position value down to the target
(account currency; the slicing itself is controller/planner.py)."""

from __future__ import annotations

from collections.abc import Mapping

from controller.book import Book
from controller.book_liquidity import BookLiquidity
from controller.decision_types import Action, Urgency
from controller.extras import Events, held_event_factor
from controller.indicators import SymbolIndicators
from controller.planner import PlanSymbol, close_all, plan_reduction
from controller.prop_positions import prop_extra_positions, prop_lot_excess
from controller.settings import Settings
from controller.snapshot import Snapshot

__all__ = ["reduction_actions"]


def _plan_symbols(snapshot: Snapshot, book: Book, ind: Mapping[str, SymbolIndicators],
                  liq: BookLiquidity, events: Events) -> dict[str, PlanSymbol]:
    """What the planner needs per held symbol: spec, lot value, depth, σ, LVI share, event."""
    contributions = {m.symbol: m.lvi_contribution for m in liq.symbol_metrics}
    out = {}
    specs, units, depth = snapshot.symbols, book.unit, liq.depth
    for sym in book.positions:
        si = ind.get(sym)
        # positional for speed, in the field order of PlanSymbol: spec, unit_notional,
        # depth_notional, sigma_now, sigma_ref, lvi_contribution, event_factor
        if si is None:
            sigma_now = sigma_ref = None
        else:
            sigma_now, sigma_ref = si.sigma_now, si.sigma_long
        out[sym] = PlanSymbol(specs[sym], units[sym], depth[sym].notional, sigma_now, sigma_ref,
                              contributions[sym], held_event_factor(events, sym) if events else 1.0)
    return out


def reduction_actions(snapshot: Snapshot, book: Book, ind: Mapping[str, SymbolIndicators],
                      liq: BookLiquidity, target: float, triggered: bool, urgency: Urgency,
                      close_everything: bool, reason: str, events: Events,
                      s: Settings) -> tuple[Action, ...]:
    """The slices of this decision: all positions when `close_everything`; else the prop
    excess positions (forced) and, when a cap is `triggered`, the cut of position value above
    `target` × equity, with the prop lot excess. Empty below `plan.min_cut_fraction`."""
    acct = snapshot.account
    extra = () if close_everything else prop_extra_positions(snapshot, s)
    closed = {p.ticket for p in extra}
    rest = [p for p in snapshot.positions if p.ticket not in closed] if closed \
        else list(snapshot.positions)
    excess = prop_lot_excess(rest, s)
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
    # the Book's groups are the planner's when nothing is left out (no prop excess position)
    groups = (book.positions, book.gross, book.net) if book.all_open and not extra else None
    actions: list[Action] = []
    if extra:
        actions.extend(close_all(extra, plan_syms, Urgency.FORCED, snapshot.time, plan_id,
                                 hedging, s.plan, s.urgency, "prop: too many open positions"))
    if excess or not small:
        actions.extend(plan_reduction(rest, plan_syms, 0.0 if small else cut, urgency,
                                      snapshot.time, plan_id, hedging, s.plan, s.urgency, reason,
                                      excess, groups=groups))
    return tuple(actions)
