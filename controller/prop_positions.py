"""The prop firm's lot and position-count caps: what a reduction must close to meet them.

`prop_lot_excess`: the lots above `[prop] max_lots_per_symbol`, per symbol (gross lots: hedge legs
count both). `prop_extra_positions`: the positions beyond `[prop] max_positions`, newest first,
never a hedge leg whose close would raise its symbol's |net| while another's would not.
"""

from __future__ import annotations

from controller.settings import Settings
from controller.snapshot import Position, Snapshot

__all__ = ["prop_extra_positions", "prop_lot_excess"]


def prop_lot_excess(positions: list[Position], s: Settings) -> dict[str, float]:
    """Lots above the prop-firm per-symbol lot cap, per symbol."""
    cap = s.prop.max_lots_per_symbol if s.prop.enabled else None
    if cap is None:
        return {}
    gross: dict[str, float] = {}
    for p in positions:
        gross[p.symbol] = gross.get(p.symbol, 0.0) + p.volume
    return {k: g - cap for k, g in gross.items() if g > cap + 1e-9}


def prop_extra_positions(snapshot: Snapshot, s: Settings) -> tuple[Position, ...]:
    """The positions to close beyond the prop-firm maximum number of positions: newest first,
    but never a hedge leg whose close would raise its symbol's |net| while another position's
    close would not (closing the short leg of a hedge adds exposure)."""
    cap = s.prop.max_positions if s.prop.enabled else None
    if cap is None or len(snapshot.positions) <= cap:
        return ()
    net: dict[str, float] = {}
    for p in snapshot.positions:
        net[p.symbol] = net.get(p.symbol, 0.0) + p.sign * p.volume
    def raises(p: Position) -> bool:  # against the net as it stands after the picks so far
        return abs(net[p.symbol] - p.sign * p.volume) > abs(net[p.symbol]) + 1e-9

    left = list(snapshot.positions)
    chosen: list[Position] = []
    for _ in range(len(snapshot.positions) - cap):
        pick = min(left, key=lambda p: (raises(p), -p.time, -p.ticket))
        left.remove(pick)
        chosen.append(pick)
        net[pick.symbol] -= pick.sign * pick.volume
    return tuple(chosen)
