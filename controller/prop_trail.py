"""The daily profit lock and the equity trailing stop (issue 15 item 5), as prop limits. Pure.

Both are `PropLimit`s added to the prop view, so they get what the firm's limits get: a warning
and the staged cap from `prop.warning_fraction` of the allowance (EffLev ≤ (E − floor) / (E ×
move)), a distance, an urgency, and at the breach: close everything and lock.

Daily profit lock: once the day's profit P = equity − the day's anchor reaches
`profit_lock_at_fraction` × anchor, the lock is armed on the day's best profit P*: the allowance
is `profit_lock_giveback_fraction` × P*, the floor anchor + P* − allowance. Giving back more
closes everything and locks new exposure until the next reset: a prop trader who banked a good
day wants it kept, and a book that is handing the day back is the one to stop (freezing new
exposure only would leave the open positions to give back the rest).

Equity trailing stop: the high-water mark H of equity (since each prop day's reset, or since the
guard's start); the allowance `equity_trail_fraction` × H, the floor H − allowance. A breach
closes everything; the lock lasts until the next reset (`day`) or until lifted by hand
(`start`), and the mark restarts from the equity at the stop so a lifted lock does not trip
again at once. Money in account currency, times in UTC epoch seconds.
"""

from __future__ import annotations

from controller.memory import ControllerMemory
from controller.prop import PropLimit, PropView, next_day_start
from controller.prop_settings import PropSettings, TrailSince
from controller.quick_init import quick_replace

__all__ = ["with_equity_stops"]


def _profit_lock(equity: float, s: PropSettings, mem: ControllerMemory) -> PropLimit | None:
    anchor, peak = mem.day_anchor, mem.day_profit_peak
    if s.profit_lock_at_fraction is None or anchor is None or peak is None or anchor <= 0.0:
        return None
    if peak < s.profit_lock_at_fraction * anchor:
        return None
    allowance = s.profit_lock_giveback_fraction * peak
    floor = anchor + peak - allowance
    return PropLimit(
        "profit_lock", floor, allowance, (anchor + peak - equity) / allowance,
        f"day's profit {equity - anchor:,.2f}, best {peak:,.2f} (armed at "
        f"{s.profit_lock_at_fraction:.1%} of the anchor {anchor:,.2f}): give-back "
        f"{anchor + peak - equity:,.2f} of {allowance:,.2f} "
        f"({s.profit_lock_giveback_fraction:.0%}); equity floor {floor:,.2f}")


def _trail(equity: float, s: PropSettings, mem: ControllerMemory) -> PropLimit | None:
    high = mem.trail_peak
    if s.equity_trail_fraction is None or high is None or high <= 0.0:
        return None
    allowance = s.equity_trail_fraction * high
    floor = high - allowance
    return PropLimit(
        "equity_trail", floor, allowance, (high - equity) / allowance,
        f"equity {equity:,.2f} is {high - equity:,.2f} below its high {high:,.2f} (since "
        f"{'the reset' if s.equity_trail_since is TrailSince.DAY else 'the start'}); trailing "
        f"stop {s.equity_trail_fraction:.1%} = {allowance:,.2f}; equity floor {floor:,.2f}")


def _marks(equity: float, s: PropSettings, mem: ControllerMemory) -> ControllerMemory:
    new_day = mem.trail_day_key != mem.day_key
    profit_peak = None if new_day else mem.day_profit_peak
    trail_peak = None if new_day and s.equity_trail_since is TrailSince.DAY else mem.trail_peak
    if mem.day_anchor is not None:
        profit = equity - mem.day_anchor
        profit_peak = profit if profit_peak is None else max(profit_peak, profit)
    return quick_replace(mem, trail_day_key=mem.day_key, day_profit_peak=profit_peak,
                   trail_peak=equity if trail_peak is None else max(trail_peak, equity))


def with_equity_stops(now: float, equity: float, s: PropSettings,
                      view: PropView | None) -> PropView | None:
    """`view` with the profit lock and the trailing stop added (when set), their marks updated
    and the lock taken at their breach."""
    if view is None or view.unavailable or \
            (s.profit_lock_at_fraction is None and s.equity_trail_fraction is None):
        return view
    mem = _marks(equity, s, view.memory)
    extra = tuple(x for x in (_profit_lock(equity, s, mem), _trail(equity, s, mem))
                  if x is not None)
    breached = view.breached or next((x for x in extra if x.used >= 1.0), None)
    if breached is not None and breached in extra and not mem.locked:
        manual = breached.name == "equity_trail" and s.equity_trail_since is TrailSince.START
        mem = quick_replace(mem, locked=True, lock_until=None if manual else next_day_start(now, s),
                      lock_reason=breached.reason)
        if breached.name == "equity_trail":
            mem = quick_replace(mem, trail_peak=equity)  # the mark restarts from the stop
    return quick_replace(view, limits=view.limits + extra, breached=breached, memory=mem)
