"""The outputs of `lca stress` for a trader: report.html (with a legend for every column), the
console tables, and the PNGs (drawn by bridge.stress.plot: the whole window and, on a crash
window, a zoom on the crash beside it). The cells and their legend are in bridge.stress.columns.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from bridge.stress.columns import COLUMNS, LEGEND, POLICY_WORDS, REGIME_WORDS, row
from bridge.stress.plot import COLOURS, plot_scenario
from bridge.stress.report_warnings import duration, warnings_html, warnings_legend_html
from bridge.stress.summary_types import Summary
from bridge.stress.zoom import Zoom

__all__ = ["COLOURS", "checks_table", "console_table", "equal_exposure_table", "plot_scenario",
           "write_report"]


_WORDS = ("below zero", "guard's first order")  # cells in words wrap; numbers keep their unit


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _lev(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _policies(sc: dict[str, Any]) -> list[str]:
    from bridge.stress.suite import policy_order

    return sorted(sc["policies"], key=policy_order)


def equal_exposure_table(summary: Summary) -> Table:
    """Per crash scenario: did full beat the static books at equal pre-crash exposure?"""
    table = Table(title="full guard against the static books that carried as much leverage or "
                  "more into the crash")
    for h in ("scenario", "full: leverage before crash", "full: max drawdown", "nearest static",
              "its leverage before crash", "its max drawdown", "drawdown spared", "verdict"):
        table.add_column(h, justify="left" if h in ("scenario", "verdict") else "right")
    for name, sc in summary["scenarios"].items():
        eq = sc.get("equal_exposure")
        if not eq:
            continue
        verdict = ("not testable" if eq["matched"] is None else
                   "full beat static" if eq["holds"] else
                   f"[red]static lower drawdown: {', '.join(eq['lower_drawdown'])}[/]")
        table.add_row(name, _lev(eq["full_mean_eff_lev_before_crash"]),
                      _pct(eq["full_max_drawdown"]), eq["matched"] or "–",
                      _lev(eq["matched_mean_eff_lev_before_crash"]),
                      _pct(eq["matched_max_drawdown"]),
                      "–" if eq["margin"] is None else f"{100 * eq['margin']:+.1f} pt", verdict)
    pooled = summary.get("equal_exposure_pooled")
    if pooled:
        table.add_row("pooled", "", _pct(pooled["full_mean_max_drawdown"]), "mean of nearest",
                      "", _pct(pooled["matched_static_mean_max_drawdown"]),
                      f"{100 * pooled['margin']:+.1f} pt",
                      f"{pooled['holds_in']} of {pooled['scenarios']} hold")
    return table


def console_table(summary: Summary) -> Group:
    """One table per scenario (every policy), then the columns' legend."""
    tables: list[Table] = []
    for name, sc in summary["scenarios"].items():
        kind = "crash window" if sc["kind"] == "crash" else "calm window (control)"
        table = Table(title=f"{name} — {kind}: the same book on the same prices",
                      title_justify="left")
        for h in COLUMNS:
            table.add_column(h, justify="left" if h == "policy" else "right")
        for policy in _policies(sc):
            table.add_row(*row(policy, sc["policies"][policy], sc["account"], short=True))
        tables.append(table)
    legend = Text("\n".join(f"{h}: {LEGEND[h]}" for h in COLUMNS))
    return Group(*tables, Text("How to read the tables", style="bold"), legend)


def checks_table(summary: Summary) -> Table:
    """Each promise of the full guard, per scenario: does it hold, with the numbers."""
    table = Table(title="checks: does the full guard keep its promises?")
    for h in ("scenario", "check", "holds", "numbers"):
        table.add_column(h)
    for c in summary["checks"]:
        table.add_row(c["scenario"], c["check"], "yes" if c["holds"] else "[red]NO[/]",
                      c["detail"])
    return table


_CSS = """body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px;max-width:100%}td,th{border:1px solid #ccc;
padding:3px 8px;text-align:right;font-size:13px;overflow-wrap:break-word}th{background:#f2f2f2}
td:first-child,th:first-child{text-align:left}.no{color:#b00;font-weight:bold}.yes{color:#070}
img{max-width:100%;height:auto;border:1px solid #ddd}
.label{display:inline-block;padding:1px 6px;border-radius:3px;background:#eee;font-size:12px}
.modelled{background:#ffe0b2}dl.legend{font-size:13px;max-width:100%}dl.legend dt{font-weight:bold;
margin-top:6px}dl.legend dd{margin-left:16px}td.n{white-space:nowrap}td.w{text-align:left}
table.words td{text-align:left}
.zoom{font-size:13px;color:#444}#img-status:empty{display:none}#img-status{color:#b00}"""

_SCRIPT = """window.addEventListener('load',function(){var i=document.images,n=0;
for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0){n++;}}
var s=document.getElementById('img-status');
s.textContent=n<i.length?(i.length-n)+' of '+i.length+' charts did not load: keep the PNG files '+
'in the folder of report.html':'';
s.setAttribute('data-loaded',n);s.setAttribute('data-total',i.length);});"""


def same_leverage_sentence(eq: dict[str, Any]) -> str:
    """One crash window's equal-exposure verdict (summary.json `equal_exposure`) in words."""
    full_lev = _lev(eq["full_mean_eff_lev_before_crash"])
    if eq["matched"] is None:
        return ("no static book carried as much leverage into the crash as the full guard "
                f"(leverage {full_lev}): not testable.")
    margin = eq["margin"]
    verdict = ("Holds." if eq["holds"] else
               f"Does not hold: {', '.join(eq['lower_drawdown'])} lost less.")
    return (f"the full guard lost {_pct(eq['full_max_drawdown'])} at its worst with leverage "
            f"{full_lev} before the crash; the nearest static book that carried as much or more, "
            f"{eq['matched']} (leverage {_lev(eq['matched_mean_eff_lev_before_crash'])}), lost "
            f"{_pct(eq['matched_max_drawdown'])}: {abs(100 * margin):.1f} points "
            f"{'more' if margin >= 0 else 'less'}. {verdict}")


def pooled_sentence(pooled: dict[str, Any]) -> str:
    """The equal-exposure verdict over all crash windows (`equal_exposure_pooled`) in words."""
    return (f"In {pooled['holds_in']} of {pooled['scenarios']} crash windows no static book with "
            "as much leverage into the crash lost less than the full guard; on average the full "
            f"guard lost {_pct(pooled['full_mean_max_drawdown'])} at its worst, the nearest "
            f"static books {_pct(pooled['matched_static_mean_max_drawdown'])}.")


def legend_html() -> str:
    """How to read the metrics tables: every column with its unit and sign convention."""
    e = html.escape
    return ("<h2 id='how-to-read'>How to read the tables</h2><dl class='legend' id='legend'>"
            + "".join(f"<dt>{e(h)}</dt><dd>{e(LEGEND[h])}</dd>" for h in COLUMNS) + "</dl>"
            + warnings_legend_html())


def _zoom_caption(name: str, z: Zoom, symbol: str) -> str:
    at = dt.datetime.fromtimestamp(z.centre, dt.UTC).strftime("%d %b %Y %H:%M:%S")
    what = "fall" if z.move < 0 else "rise"
    return (f"<p class='zoom' id='zoom-{html.escape(name)}'>Left: the whole window. Right: a "
            f"zoom on ±{duration(z.half_width_s)} around the largest move of "
            f"{html.escape(symbol)} (a {what} of {abs(100 * z.move):.1f} % in "
            f"{duration(z.move_end - z.move_start)}, at {at} UTC), shaded grey on the left. "
            "The span is chosen from the window's prices: the largest of 10 min, 20 plotted "
            "steps and 4 × the length of the move, at most a quarter of the window.</p>")


def _regime_line(sc: dict[str, Any]) -> str:
    e = html.escape
    regimes = {p: m["regime_seconds"] for p, m in sc["policies"].items()
               if m.get("regime_seconds")}
    if not regimes:
        return ""
    return ("<p>Time in each market regime (as the guard classified the market): " + "; ".join(
        f"{e(p)}: " + ", ".join(f"{e(REGIME_WORDS.get(k, k))} ({e(k)}) {duration(v)}"
                                for k, v in r.items())
        for p, r in regimes.items()) + "</p>")


def _html(summary: Summary, pngs: dict[str, str],
          frontier_pngs: dict[str, str] | None = None,
          zooms: dict[str, tuple[Zoom, str]] | None = None) -> str:
    from bridge.stress.frontier import frontier_html

    e = html.escape
    zooms = zooms or {}
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>lca stress report</title>",
             f"<style>{_CSS}</style><script>{_SCRIPT}</script></head><body>",
             "<h1>lca stress: the same book on real crash windows</h1>",
             f"<p>Generated {e(summary['generated_utc'])}. The same book on the same prices, "
             f"managed four ways: {e(POLICY_WORDS)}; each runs the guard's own code, as on a "
             "live account, on the replayed prices. Beside them the static books (static-L: the "
             "book resized once at the start to leverage L, then never touched) say whether the "
             "guard did better than simply holding less. "
             "<span id='img-status'></span></p>",
             "<h2 id='checks'>Checks: does the full guard keep its promises?</h2>"
             "<table class='words'><tr>"
             "<th>scenario</th><th>check</th><th>holds</th><th>numbers</th></tr>"]
    for c in summary["checks"]:
        cls = "yes" if c["holds"] else "no"
        parts.append(f"<tr><td>{e(c['scenario'])}</td><td>{e(c['check'])}</td>"
                     f"<td class='{cls}'>{'yes' if c['holds'] else 'NO'}</td>"
                     f"<td>{e(c['detail'])}</td></tr>")
    parts.append("</table>")
    pooled = summary.get("equal_exposure_pooled")
    if pooled:
        cls = "yes" if pooled["holds"] else "no"
        parts.append(f"<h2>The same leverage into the crash, all crash windows</h2>"
                     f"<p class='{cls}'>{e(pooled_sentence(pooled))}</p><p>For each crash window, "
                     "every static book whose leverage averaged from the start to the crash "
                     "(EffLev) is at least the full guard's must lose more at its worst (max "
                     "drawdown, DD); the nearest of them gives the margin, in percentage "
                     "points.</p>")
    parts.append(frontier_html(summary, frontier_pngs or {}))
    parts.append(legend_html())
    for name, sc in summary["scenarios"].items():
        acct = sc["account"]
        label = ("<span class='label modelled'>prices between bars modelled from the bars"
                 "</span>" if sc["modelled"] else "<span class='label'>recorded ticks</span>")
        kind = "crash window" if sc["kind"] == "crash" else "calm window (control)"
        book = ", ".join(f"{b['side']} {b['volume']:g} lots {b['symbol']}" for b in sc["book"])
        parts.append(
            f"<h2 id='{e(name)}'>{e(name)} <span class='label'>{e(kind)}</span> {label}</h2>"
            f"<p>{e(sc['description'])}</p><p>Data: {e(sc['data'])}. Book: {e(book)} on "
            f"{acct['balance']:,.0f} {e(acct['currency'])}, broker leverage "
            f"1:{acct['leverage']}; margin call at {acct['margin_call']:g}\u00a0% margin level, "
            f"stop-out at {acct['stop_out']:g}\u00a0%, negative-balance protection "
            f"{'on' if acct['negative_balance_protection'] else 'off'}. The guard looks every "
            f"{sc['guard_seconds']:g} s of market time. Columns: see "
            "<a href='#how-to-read'>how to read the tables</a>.</p><table><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in COLUMNS) + "</tr>")
        parts.extend("<tr>" + "".join(
            f"<td class={'w' if h in _WORDS else 'n'}>{e(x)}</td>"
            for h, x in zip(COLUMNS, row(policy, sc["policies"][policy], acct), strict=True))
            + "</tr>" for policy in _policies(sc))
        parts.append("</table>")
        eq = sc.get("equal_exposure")
        if eq:
            cls = "yes" if eq["holds"] else "no"
            parts.append(f"<p><b>The same leverage into the crash:</b> <span class='{cls}'>"
                         f"{e(same_leverage_sentence(eq))}</span></p>")
        parts.append(warnings_html(sc))
        parts.append(_regime_line(sc))
        if name in pngs:
            width = 1150 if name in zooms else 880
            parts.append(f"<img src='{e(pngs[name])}' alt='{e(name)} charts' width='{width}'>")
        if name in zooms:
            parts.append(_zoom_caption(name, *zooms[name]))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(summary: Summary, results: Sequence[dict[str, Any]], out: Path, *,
                 plots: bool = True) -> None:
    """The PNGs (one per scenario, one frontier per crash window and one pooled) and report.html
    in `out`."""
    from bridge.stress.windows import WINDOWS

    by_scenario: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_scenario.setdefault(r["scenario"], {})[r["policy"]] = r
    pngs: dict[str, str] = {}
    zooms: dict[str, tuple[Zoom, str]] = {}
    if plots:
        for name, runs in by_scenario.items():
            sc = dict(summary["scenarios"][name])
            sc["main_symbol"] = sc.get("main_symbol") or WINDOWS[sc["window"]].main_symbol
            file = f"{name}.png"
            zoom = plot_scenario(name, sc, runs, out / file)
            pngs[name] = file
            if zoom is not None:
                zooms[name] = (zoom, sc["main_symbol"])
    from bridge.stress.frontier import write_frontier_plots

    frontier_pngs = write_frontier_plots(summary.get("frontier"), out) if plots else {}
    (out / "report.html").write_text(_html(summary, pngs, frontier_pngs, zooms), encoding="utf-8")
