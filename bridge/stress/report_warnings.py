"""The report's section on warnings and false alarms (issue 12 items 2 and 3), per scenario.

`warnings_html(sc)` renders, for the `full` run (and `none`, which watches the same ticks without
acting): the lead of the first market-derived warning over the crash, the first-on time of every
signal, what the guard did between the warning and the crash, and the false-alarm counts.
`lead_sentence(sc)` says in words whether anything warned.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

__all__ = ["SIGNAL_WORDS", "WARNING_COLUMNS", "WARNING_LEGEND", "duration", "lead_sentence",
           "signal_words", "warnings_html", "warnings_legend_html"]

_SHOWN = ("full", "none")

SIGNAL_WORDS = {"volatility_regime": "high volatility", "thin_depth": "thin order book",
                "spread_acceleration": "spreads widening fast",
                "margin_pressure": "margin pressure",
                "correlation_spike": "positions moving together",
                "crash_flag": "liquidity-crash flag", "thin_hours": "thin trading hours (clock)",
                "weekend": "weekend (clock)", "scheduled_event": "scheduled news (clock)"}


def signal_words(name: str) -> str:
    """A signal in words, its id in brackets (the id is the key in summary.json)."""
    words = SIGNAL_WORDS.get(name)
    return f"{words} ({name})" if words else name


def _utc(t: float | None) -> str:
    if t is None:
        return "—"
    return dt.datetime.fromtimestamp(t, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def duration(s: float | None) -> str:
    """A signed span of seconds in the largest unit that fits (d, h, min, s); "—" for None."""
    if s is None:
        return "—"
    sign = "−" if s < 0 else ""
    s = abs(s)
    if s >= 86_400:
        return f"{sign}{s / 86_400:.1f} d"
    if s >= 3600:
        return f"{sign}{s / 3600:.1f} h"
    if s >= 60:
        return f"{sign}{s / 60:.0f} min"
    return f"{sign}{s:.0f} s"


def lead_sentence(sc: dict[str, Any], policy: str = "full") -> str:
    """One sentence: warned before the crash by how much, or that nothing could warn."""
    m = sc["policies"].get(policy)
    if m is None or "lead_seconds" not in m:
        return ""
    if sc.get("crash_time") is None:
        fa = m["false_alarms"]
        cuts = fa["unasked_cuts"]
        return (f"Calm window ({policy}): {fa['crash_flag_episodes']} liquidity-crash flags, "
                f"{fa['minimum_steps']} steps at minimum leverage (MINIMUM) and "
                f"{fa['wait_steps']} waiting (WAIT), {cuts} cut{'' if cuts == 1 else 's'} "
                f"beyond the leverage rules ({fa['rollover_only_cuts']} with the daily rollover "
                "as the only trigger).")
    first = ", ".join(f"{signal_words(k)} {_utc(v)}" for k, v in m["signal_first_on"].items())
    crash = _utc(sc["crash_time"])
    start = [signal_words(k) for k in m["signals_on_at_start"] if k in m["signal_first_on"]]
    already = f" Already on at the first step: {', '.join(start)}." if start else ""
    switched = m.get("lead_seconds_switched_on")
    if switched is None or switched <= 0:
        after = "" if switched is None else f" (the first came {duration(-switched)} after it)"
        return (f"Nothing warned before the crash ({policy}): no market-derived signal switched "
                f"on before {crash} UTC{after}; the prices gave no sign of it to read."
                f"{already} Signals first on: {first or 'none'}.")
    return (f"Warned {duration(switched)} before the crash ({policy}): a market-derived signal "
            f"switched on at {_utc(m['first_market_switch_on_time'])} UTC.{already} "
            f"Signals first on: {first}.")


WARNING_COLUMNS = ["policy", "first warning vs crash", "counting signals on from the start",
                   "first market warning (UTC)", "leverage at warning → at crash",
                   "guard orders in between", "no new exposure in between",
                   "liquidity-crash flags", "steps at minimum leverage", "steps waiting",
                   "cuts beyond the leverage rules"]

WARNING_LEGEND = {
    "policy": "full (the whole guard) and none (the same market model watching the same prices "
              "without acting).",
    "first warning vs crash": "when the first market-derived warning switched on (volatility, "
                              "thin depth, spread widening, margin pressure, correlation, the "
                              "liquidity-crash flag; never the clock's thin hours or weekend), "
                              "before or after the crash time; — when none did.",
    "counting signals on from the start": "the same, counting a signal already on at the first "
                                          "step (the market was already stressed).",
    "first market warning (UTC)": "the time of that first warning, UTC.",
    "leverage at warning → at crash": "effective leverage (EffLev, notional ÷ equity) at the "
                                      "first warning and at the crash: what the guard did with "
                                      "the warning.",
    "guard orders in between": "the guard's orders between the first warning and the crash "
                               "(count).",
    "no new exposure in between": "how long, between the warning and the crash, the guard "
                                  "refused new exposure.",
    "liquidity-crash flags": "times the liquidity-crash flag came on (episodes), with the guard "
                             "steps it stayed on in brackets; on a calm window each is a false "
                             "alarm.",
    "steps at minimum leverage": "guard steps in the MINIMUM regime (volatile and thin market: "
                                 "step down to the minimum leverage).",
    "steps waiting": "guard steps in the WAIT regime (volatile market: no new exposure, cut "
                     "only above the leverage rules).",
    "cuts beyond the leverage rules": "episodes of cuts that the fixed leverage rules, the broker "
                                      "or a prop-firm limit did not ask for (the cap that bound, "
                                      "and what triggered it, in brackets).",
}


def _vs_crash(s: float | None) -> str:
    """A lead (crash − warning, seconds) in words."""
    if s is None:
        return "—"
    if abs(s) < 1.0:
        return "at the crash"
    return f"{duration(abs(s))} {'before' if s > 0 else 'after'} the crash"


def warnings_legend_html() -> str:
    """How to read the warnings tables: every column in words."""
    e = html.escape
    return ("<h3>Warnings and false alarms</h3><dl class='legend' id='legend-warnings'>"
            + "".join(f"<dt>{e(h)}</dt><dd>{e(WARNING_LEGEND[h])}</dd>"
                      for h in WARNING_COLUMNS) + "</dl>")


def warnings_html(sc: dict[str, Any]) -> str:
    """The section for one scenario (empty when its runs carry no warning figures)."""
    e = html.escape
    rows = [(p, sc["policies"][p]) for p in _SHOWN
            if p in sc["policies"] and "lead_seconds" in sc["policies"][p]]
    if not rows:
        return ""
    parts = ["<h3>Warnings and false alarms</h3>", f"<p>{e(lead_sentence(sc))}</p>",
             "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in WARNING_COLUMNS) + "</tr>"]
    for p, m in rows:
        fa = m["false_alarms"]
        w, c = m.get("eff_lev_at_first_warning"), m.get("eff_lev_at_crash")
        lev = f"{w:.2f} → {c:.2f}" if w is not None and c is not None else "—"
        caps = ", ".join(f"{k} {v}" for k, v in fa["unasked_cut_caps"].items())
        orders = m.get("orders_warning_to_crash")
        parts.append(
            f"<tr><td>{e(p)}</td><td>{e(_vs_crash(m.get('lead_seconds_switched_on')))}</td>"
            f"<td>{e(_vs_crash(m['lead_seconds']))}</td>"
            f"<td>{e(_utc(m['first_market_warning_time']))}</td><td>{e(lev)}</td>"
            f"<td>{'—' if orders is None else orders}</td>"
            f"<td>{e(duration(m.get('no_new_exposure_seconds_warning_to_crash')))}</td>"
            f"<td>{fa['crash_flag_episodes']} ({fa['crash_flag_steps']} steps)</td>"
            f"<td>{fa['minimum_steps']}</td><td>{fa['wait_steps']}</td>"
            f"<td>{fa['unasked_cuts']}{' (' + e(caps) + ')' if caps else ''}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)
