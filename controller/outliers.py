"""No phantom halts: one outlier reading is held for confirmation on the next (issue 15 item 6).

A disconnect can report an equity of 0, or one reading can jump far from the last one with no
deal in between (the balance, the credit and the positions unchanged). Such a reading is an
outlier when it moves by more than `readings.max_equity_jump_fraction` of the last confirmed
equity. The first outlier is held: the decision uses the last confirmed equity (no flatten, no
lock, no insolvency close on it), freezes new exposure and says so in a `reading_held` warning.
The next reading decides: back near the confirmed equity, the outlier is dropped; still beyond
the threshold on the same side, it is confirmed and the decision acts on it at once. A real
breach is therefore acted on within two guard steps. Zero or crossed quotes never reach here:
the snapshot is rejected whole (controller/snapshot.py) and the guard decides again on the next.
Pure: the state lives in the controller memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import chain
from operator import attrgetter

from controller.decision_types import Alert
from controller.memory import ControllerMemory
from controller.quick_init import quick_init, quick_replace
from controller.reading_settings import ReadingSettings
from controller.snapshot import Snapshot

__all__ = ["Screened", "deal_key", "screen_reading"]


@quick_init
@dataclass(frozen=True, slots=True)
class Screened:
    """The snapshot the decision uses (the last confirmed equity while a reading is held), the
    memory carrying the confirmed and held readings, and the warning when held."""

    snapshot: Snapshot
    memory: ControllerMemory
    warning: Alert | None = None


_ticket = attrgetter("ticket")
_ticket_lots = attrgetter("ticket", "volume")


def deal_key(snapshot: Snapshot) -> str:
    """What a deal changes: balance, credit (account currency) and every position's lots."""
    acct = snapshot.account
    ordered = sorted(snapshot.positions, key=_ticket)
    # "ticket:lots" joined by ";" (str and format "g", as an f-string gives), in one % call
    flat = tuple(chain.from_iterable(map(_ticket_lots, ordered)))
    book = ("%s:%g;" * len(ordered) % flat)[:-1]
    return f"{acct.balance:.2f}/{acct.credit:.2f}/{book}"


def screen_reading(snapshot: Snapshot, mem: ControllerMemory,
                   s: ReadingSettings) -> Screened:
    """Hold, confirm or pass one reading (see the module docstring)."""
    acct = snapshot.account
    key = deal_key(snapshot)
    confirmed = mem.reading_equity
    trusted = quick_replace(mem, reading_equity=acct.equity, reading_key=key, held_equity=None)
    if not s.hold_outliers or confirmed is None or confirmed <= 0.0 or key != mem.reading_key:
        return Screened(snapshot, trusted)
    jump = acct.equity - confirmed
    if abs(jump) <= s.max_equity_jump_fraction * confirmed:
        return Screened(snapshot, trusted)
    held = mem.held_equity
    if held is not None and (held - confirmed) * jump > 0.0:
        return Screened(snapshot, trusted)  # the next reading confirms it: act on it now
    profit = confirmed - acct.balance - acct.credit
    used = replace(snapshot, account=replace(acct, equity=confirmed, profit=profit))
    warning = Alert(
        "reading_held",
        f"equity reading {acct.equity:,.2f} is {jump / confirmed:+.1%} from the last confirmed "
        f"{confirmed:,.2f} with no deal between them (more than "
        f"{s.max_equity_jump_fraction:.0%}): held for confirmation on the next reading; no new "
        "exposure, no breach action on it", acct.equity, confirmed)
    return Screened(used, quick_replace(mem, held_equity=acct.equity), warning)
