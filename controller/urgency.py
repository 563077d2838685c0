"""How fast a reduction goes (DESIGN §3.7 urgency) and how far each limit is (distances)."""

from __future__ import annotations

from controller.book import Book
from controller.book_liquidity import BookLiquidity
from controller.decision_types import Distance, Urgency
from controller.margin_state import LeverageMetrics
from controller.prop import PropView
from controller.settings import Settings
from controller.snapshot import Snapshot
from controller.structure import Structure

__all__ = ["limit_distances", "prop_urgency", "reduction_urgency"]

_PROP_FORCED_MOVES = 3.0  # a prop floor within 3 reference moves: forced, not normal


def prop_urgency(prop: PropView | None, distances: tuple[Distance, ...], sigma: float | None,
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


def reduction_urgency(snapshot: Snapshot, lev: LeverageMetrics, st: Structure, liq: BookLiquidity,
             distances: tuple[Distance, ...], prop: PropView | None, s: Settings) -> Urgency:
    """Emergency near stop-out (either mode), at a prop floor within one reference move or with
    stop-out within one daily σ; forced above the forced EffLev, on the crash flag or with a
    prop floor within three reference moves; else normal."""
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
    by_prop = prop_urgency(prop, distances, st.sigma, s)
    if by_prop is Urgency.EMERGENCY:
        return by_prop
    if (lev.eff_lev or 0.0) > s.rules.eff_lev_forced_above or liq.crash_flag or \
            by_prop is Urgency.FORCED:
        return Urgency.FORCED
    return Urgency.NORMAL


def limit_distances(snapshot: Snapshot, book: Book, prop: PropView | None) -> tuple[Distance, ...]:
    """Loss (account currency) and adverse move of the net book (percent) to the stop-out, the
    margin call (percent or money levels) and each prop floor."""
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
