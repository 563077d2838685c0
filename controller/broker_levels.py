"""The broker's margin-call and stop-out levels (DESIGN §3.1), percent or money mode, as an EffLev
cap and as the MSI floor the EA holds."""

from __future__ import annotations

from controller.book import Book
from controller.decision_types import Cap, CapName
from controller.margin_state import LeverageMetrics
from controller.settings import Settings
from controller.snapshot import Snapshot

__all__ = ["broker_caps", "broker_equity_floor", "broker_floor", "broker_money_caps",
           "kept_msi_floor"]


def broker_equity_floor(snapshot: Snapshot, s: Settings) -> float:
    """Money mode: the equity the broker's levels imply, max(margin call, 2 × stop-out)."""
    acct = snapshot.account
    return max(acct.margin_so_call, s.urgency.emergency_stop_out_multiple * acct.margin_so_so)


def broker_floor(snapshot: Snapshot, s: Settings) -> float | None:
    """The MSI the broker's levels imply: max(margin call, 2 × stop-out) / 100 in percent mode;
    in money mode that equity over the current margin (None without margin)."""
    acct = snapshot.account
    if acct.margin_so_mode == 0:
        return max(acct.margin_so_call,
                   s.urgency.emergency_stop_out_multiple * acct.margin_so_so) / 100
    if acct.margin <= 0.0:
        return None
    return broker_equity_floor(snapshot, s) / acct.margin


def kept_msi_floor(snapshot: Snapshot, s: Settings) -> float:
    """The MSI the broker cap keeps, `broker_levels.keep_factor` × the broker floor (0 when the
    floor is unknown): the level the EA holds when Python is dead, not the margin call itself."""
    return s.broker_levels.keep_factor * (broker_floor(snapshot, s) or 0.0)


def broker_caps(snapshot: Snapshot, book: Book, lev: LeverageMetrics, sigma: float | None,
                 s: Settings) -> list[Cap]:
    """The broker cap: percent mode keeps MSI ≥ `broker_levels.keep_factor` (1.2) × the broker
    floor (margin ∝ position value); money mode asks the book to survive a reference move
    (`broker_money_caps`)."""
    acct = snapshot.account
    if acct.margin_so_mode != 0:
        return broker_money_caps(snapshot, lev, sigma, s)
    floor = broker_floor(snapshot, s)
    if floor is None or floor <= 0.0 or acct.margin <= 0.0:
        return []
    keep = s.broker_levels.keep_factor * floor
    value = book.total_pv / (acct.margin * keep)
    low = lev.msi is not None and lev.msi < keep
    return [Cap(CapName.BROKER, value, low,
                f"broker levels (margin call {acct.margin_so_call:g} %, stop-out "
                f"{acct.margin_so_so:g} %): keep MSI ≥ {keep:.2f}")]


def broker_money_caps(snapshot: Snapshot, lev: LeverageMetrics, sigma: float | None,
                       s: Settings) -> list[Cap]:
    """Money mode: cutting does not lift equity, it lowers the loss per move, so the book must
    survive a reference adverse move (2 daily σ, else `prop.reference_move`) without equity
    reaching the broker's floor: EffLev ≤ (E − floor) / (E × move)."""
    acct = snapshot.account
    if acct.margin <= 0.0 or acct.equity <= 0.0:
        return []
    floor = broker_equity_floor(snapshot, s)
    if floor <= 0.0:
        return []
    move = 2.0 * sigma if sigma else s.prop.reference_move
    value = max(0.0, (acct.equity - floor) / (acct.equity * move))
    return [Cap(CapName.BROKER, value, (lev.eff_lev or 0.0) > value,
                f"broker levels in money (margin call {acct.margin_so_call:,.2f}, stop-out "
                f"{acct.margin_so_so:,.2f}): survive a {move:.2%} adverse move without equity "
                f"reaching {floor:,.2f}")]
