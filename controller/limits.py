"""The decision's limits: what may be held until the next decision (the EA holds them when
Python is dead). Lots per symbol, EffLev as a multiple of equity, MSI = equity / margin."""

from __future__ import annotations

from controller.book import Book
from controller.broker_levels import kept_msi_floor
from controller.decision_types import Limits, SymbolLimit
from controller.extras import Events, event_name
from controller.planner import round_down_to_step
from controller.rounding import round6, round8
from controller.settings import Settings
from controller.snapshot import Snapshot

__all__ = ["decision_limits"]


def decision_limits(snapshot: Snapshot, book: Book, target: float, allowed: bool,
                    headroom_ok: bool, locked: bool, lock_until: float | None, events: Events,
                    s: Settings) -> Limits:
    """The account's limits: EffLev at most the `target` (also while reducing toward it), the
    MSI floor the broker cap keeps, whether new exposure is `allowed`, the prop lock, and per
    symbol the gross volume cap in lots: the headroom up to the target (when `allowed` and
    `headroom_ok`), none ahead of a scheduled event, at most the prop-firm cap, nothing new under
    the prop lock."""
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
        held = round8(current)  # the same float rounded once when the cap is what is held
        rows.append(SymbolLimit(sym, held if max_volume is current else round8(max_volume),
                                held, reason))
    floor = kept_msi_floor(snapshot, s) if s.components.broker_levels else 0.0
    return Limits(
        max_eff_lev=round6(target), msi_floor=round6(floor),
        new_exposure_allowed=allowed and not locked, prop_lock=locked, lock_until=lock_until,
        symbols=tuple(rows),
    )
