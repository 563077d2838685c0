"""Weekend rules (issue 15 item 4): reduce or close before the Friday close, and the weekend gap
counted against the prop floors. Pure: the time comes from the snapshot.

From `prop.weekend_lead_minutes` before the Friday close (`weekend_close_time` in
`weekend_close_timezone`, DST-aware; FX default 17:00 New York) until the close:
- `weekend_action = "close"`: a cap of EffLev 0 (close everything before the weekend);
- `weekend_action = "reduce"`: a cap of `weekend_max_eff_lev`;
- a weekend reduction is at least forced (slices over `urgency.forced_minutes`), so it is done
  well before the close and its thin last minutes, not spread over the normal hour;
- a book that stays open (action none or reduce) must survive a Monday gap of
  G × σ_daily (G = `weekend_gap_sigmas`; without σ, σ = `reference_move` / 2, the same stand-in
  as the staged prop cap) without reaching the daily-loss or drawdown floor:
  EffLev ≤ (E − floor) / (E × G × σ).
G = 3 by default: over the 897 distinct Monday opens (2014-01 to 2022-10) in the MT5-broker D1
files of shared/data (EURUSD, GBPUSD, USDJPY, AUDUSD, USDCHF, XAUUSD), |ln(Monday open / Friday
close)| over the σ of the 20 daily close-to-close returns before had a median of 0.13, a 99th
percentile of 1.53 and a maximum of 2.66 (EURUSD, 28 February 2022); 3 is above the worst seen.
docs/prop-rules.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from controller.decision_types import Cap, CapName, Urgency
from controller.prop import PropView
from controller.prop_settings import PropSettings, WeekendAction

__all__ = ["friday_close", "weekend_caps", "weekend_urgency"]

_GAP_LIMITS = ("daily_loss", "max_drawdown")
_WEEKEND_CAPS = (CapName.WEEKEND, CapName.WEEKEND_GAP)
_FRIDAY = 4


def friday_close(now: float, s: PropSettings) -> float:
    """The first Friday close after `now` (UTC epoch seconds)."""
    zone = ZoneInfo(s.weekend_close_timezone)
    local = datetime.fromtimestamp(now, tz=zone)
    hours, minutes = (int(x) for x in s.weekend_close_time.split(":"))
    day = local.date() + timedelta(days=(_FRIDAY - local.weekday()) % 7)
    close = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone)
    if close.timestamp() <= now:
        day += timedelta(days=7)
        close = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone)
    return close.timestamp()


def weekend_caps(now: float, eff_lev: float, equity: float, position_value: float,
                 sigma: float | None, prop: PropView | None, s: PropSettings) -> list[Cap]:
    """The weekend caps (EffLev ceilings) in force at `now`: none outside the lead window."""
    minutes = (friday_close(now, s) - now) / 60.0
    if minutes > s.weekend_lead_minutes:
        return []
    when = f"Friday close in {minutes:.0f} min ({s.weekend_close_time} " \
        f"{s.weekend_close_timezone})"
    if s.weekend_action is WeekendAction.CLOSE:
        return [Cap(CapName.WEEKEND, 0.0, position_value > 0.0,
                    f"{when}: prop.weekend_action = close: close everything before the weekend")]
    caps: list[Cap] = []
    if s.weekend_action is WeekendAction.REDUCE:
        cap = s.weekend_max_eff_lev
        caps.append(Cap(CapName.WEEKEND, cap, eff_lev > cap,
                        f"{when}: reduce to EffLev {cap:.2f} before the weekend"))
    gap = s.weekend_gap_sigmas * (sigma if sigma else s.reference_move / 2.0)
    if prop is None or gap <= 0.0 or equity <= 0.0:
        return caps
    for limit in prop.limits:
        if limit.name in _GAP_LIMITS:
            value = max(0.0, (equity - limit.floor) / (equity * gap))
            caps.append(Cap(CapName.WEEKEND_GAP, value, eff_lev > value,
                            f"{when}: a book held over the weekend must survive a gap of "
                            f"{s.weekend_gap_sigmas:g} × σ = {gap:.2%} without reaching the "
                            f"{limit.name.replace('_', ' ')} floor {limit.floor:,.2f}"))
    return caps


def weekend_urgency(caps: Sequence[Cap], urgency: Urgency) -> Urgency:
    """At least forced while a weekend cap is triggered (see the module docstring)."""
    if urgency is Urgency.NORMAL and any(c.triggered and c.name in _WEEKEND_CAPS
                                         for c in caps):
        return Urgency.FORCED
    return urgency
