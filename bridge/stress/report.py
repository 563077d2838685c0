"""The outputs of `lca stress`: one PNG per scenario, report.html, and the console table.

Each PNG stacks five panels on one time axis (UTC): the main symbol's price with its spread band
(the lowest bid and highest ask of each plotted bucket, so a spike is never decimated away),
equity per policy, EffLev, MSI (with the broker's margin-call and stop-out levels) and LVI. The
`full` run's regime shades every panel; the guard's orders are triangles and the broker's
stop-outs crosses, in the policy's colour.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from bridge.stress.report_warnings import duration, warnings_html
from bridge.stress.windows import POLICIES

__all__ = ["COLOURS", "console_table", "equal_exposure_table", "plot_scenario", "write_report"]

COLOURS = {"none": "#555555", "vol-only": "#1f77b4", "rules-only": "#ff7f0e", "full": "#2ca02c"}
_REGIME_COLOURS = {"NO_EXPANSION": "#fff3b0", "WAIT": "#ffd59e", "MINIMUM": "#f7b2b2"}


def _times(ts: Any) -> Any:
    return np.asarray([dt.datetime.fromtimestamp(t, dt.UTC).replace(tzinfo=None) for t in ts])


def _shade(ax: Any, t: Any, regimes: Sequence[str]) -> None:
    start = 0
    for i in range(1, len(regimes) + 1):
        if i == len(regimes) or regimes[i] != regimes[start]:
            colour = _REGIME_COLOURS.get(regimes[start])
            if colour is not None:
                ax.axvspan(t[start], t[min(i, len(t) - 1)], color=colour, alpha=0.6, lw=0,
                           zorder=0)
            start = i


def plot_scenario(name: str, sc: dict[str, Any], runs: dict[str, dict[str, Any]],
                  path: Path) -> None:
    """Write the scenario's PNG (five panels) to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig, axes = plt.subplots(5, 1, figsize=(11, 12), sharex=True,
                             gridspec_kw={"height_ratios": [2.2, 2, 1.3, 1.3, 1.2]})
    ax_p, ax_e, ax_l, ax_m, ax_v = axes
    ref = runs.get("full") or next(iter(runs.values()))
    s = ref["series"]
    t = _times(s["t"])
    for ax in axes:
        _shade(ax, t, s["regime"])
        ax.grid(True, alpha=0.3)
        if sc.get("crash_time"):
            ax.axvline(_times([sc["crash_time"]])[0], color="#aa0000", ls=":", lw=1)
    if "mid" in s:
        ax_p.fill_between(t, s["bid_low"], s["ask_high"], color="#9ecae1", alpha=0.7, lw=0,
                          label="spread band (bid low – ask high)")
        ax_p.plot(t, s["mid"], color="#08306b", lw=0.8, label="mid")
    main = sc.get("main_symbol", "")
    label = "MODELLED intrabar ticks from bars" if sc["modelled"] else "recorded ticks"
    ax_p.set_ylabel(f"{main} price")
    ax_p.set_title(f"{name} — {sc['account']['margin_call']:g}% margin call / "
                   f"{sc['account']['stop_out']:g}% stop-out, NBP "
                   f"{'on' if sc['account']['negative_balance_protection'] else 'off'} — "
                   f"{label}", fontsize=10)
    for policy in POLICIES:
        run = runs.get(policy)
        if run is None:
            continue
        c = COLOURS[policy]
        rs = run["series"]
        rt = _times(rs["t"])
        ax_e.plot(rt, rs["equity"], color=c, lw=1.2, label=policy)
        ax_l.plot(rt, rs["eff_lev"], color=c, lw=1.0)
        ax_m.plot(rt, rs["msi"], color=c, lw=1.0)
        ax_v.plot(rt, rs["lvi"], color=c, lw=1.0)
        eq = np.asarray(rs["equity"], dtype=float)
        ts = np.asarray(rs["t"], dtype=float)
        for kind, marker, size in (("orders", "v", 40), ("stop_outs", "X", 70)):
            marks = run["markers"][kind]
            if not marks:
                continue
            mt = np.asarray([m[0] for m in marks], dtype=float)
            idx = np.clip(np.searchsorted(ts, mt), 0, len(ts) - 1)
            ax_e.scatter(_times(mt), eq[idx], marker=marker, s=size, color=c,
                         edgecolors="black", linewidths=0.5, zorder=5)
            if "mid" in s:
                mid = np.asarray(s["mid"], dtype=float)
                pidx = np.clip(np.searchsorted(np.asarray(s["t"]), mt), 0, len(mid) - 1)
                ax_p.scatter(_times(mt), mid[pidx], marker=marker, s=size, color=c,
                             edgecolors="black", linewidths=0.5, zorder=5)
    statics = sorted((p for p in runs if p.startswith("static-")),
                     key=lambda p: float(p.removeprefix("static-")))
    for i, policy in enumerate(statics):
        rs = runs[policy]["series"]
        shade = 0.25 + 0.6 * i / max(1, len(statics) - 1)
        ax_e.plot(_times(rs["t"]), rs["equity"], color=(shade, shade, shade), lw=0.7, ls="--")
    appetites = sorted((p for p in runs if p.startswith("full@")),
                       key=lambda p: float(p.removeprefix("full@")))
    for i, policy in enumerate(appetites):
        rs = runs[policy]["series"]
        ax_e.plot(_times(rs["t"]), rs["equity"], color=COLOURS["full"], lw=0.8, ls=":",
                  alpha=0.9 - 0.6 * i / max(1, len(appetites) - 1))
    ax_e.set_ylabel(f"equity ({sc['account']['currency']})")
    ax_l.set_ylabel("EffLev")
    ax_l.set_yscale("symlog", linthresh=1.0)
    ax_l.set_ylim(bottom=0.0)
    ax_m.set_ylabel("MSI")
    ax_m.set_yscale("symlog", linthresh=1.0)
    ax_m.set_ylim(bottom=0.0)
    mc = sc["account"]["margin_call"] / 100.0
    so = sc["account"]["stop_out"] / 100.0
    ax_m.axhline(mc, color="#d62728", ls="--", lw=0.8)
    ax_m.axhline(so, color="#7f0000", ls="-", lw=0.8)
    ax_v.set_ylabel("LVI")
    ax_v.set_yscale("symlog", linthresh=1.0)
    ax_v.set_ylim(bottom=0.0)
    handles = [
        *[Line2D([], [], color=COLOURS[p], lw=2, label=p) for p in POLICIES if p in runs],
        *([Line2D([], [], color="grey", lw=0.8, ls="--",
                  label=f"static books ({', '.join(p.removeprefix('static-') for p in statics)})")]
          if statics else []),
        *([Line2D([], [], color=COLOURS["full"], lw=0.8, ls=":", label="full at appetite "
                  f"({', '.join(p.removeprefix('full@') for p in appetites)})")]
          if appetites else []),
        Line2D([], [], marker="v", ls="", color="grey", label="guard order"),
        Line2D([], [], marker="X", ls="", color="grey", label="broker stop-out"),
        *[Patch(color=c, label=f"regime {r} (full)") for r, c in _REGIME_COLOURS.items()],
    ]
    fig.legend(handles=handles, fontsize=8, ncol=5, loc="upper center",
               bbox_to_anchor=(0.5, 0.995), frameon=False)
    ax_p.legend(fontsize=7, loc="lower left")
    ax_m.text(0.005, 0.05, f"— margin call {mc:.2f}   — stop-out {so:.2f}",
              transform=ax_m.transAxes, fontsize=7, color="#7f0000")
    ax_v.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M"))  # type: ignore[no-untyped-call]
    ax_v.set_xlabel("UTC")
    fig.autofmt_xdate()
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.955))
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _points(x: float | None) -> str:
    """A difference of two returns in percentage points, signed (− for negative)."""
    return "–" if x is None else f"{100 * x:+.1f} pt".replace("-", "−").replace("+0.0 ", "0.0 ")


def _lev(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _row(policy: str, m: dict[str, Any], kind: str) -> list[str]:
    share = m.get("regime_available_share")
    return [policy, _pct(m["max_drawdown"]), str(m["stop_outs"]),
            f"{m['negative_balance']:,.0f}", f"{m['final_equity']:,.0f}", _pct(m["return"]),
            f"{m['slippage_paid']:,.0f}", duration(m.get("warning_to_order_s")),
            _points(m.get("return_given_up")),
            _lev(m.get("mean_eff_lev")), _lev(m.get("mean_eff_lev_before_crash")),
            _pct(share) if share is not None else "–"]


_HEAD = ["policy", "max DD", "stop-outs", "neg. balance", "final equity", "return", "slippage",
         "warn→order", "given up", "mean EffLev", "EffLev pre-crash", "regime known"]


def _policies(sc: dict[str, Any]) -> list[str]:
    from bridge.stress.suite import policy_order

    return sorted(sc["policies"], key=policy_order)


def equal_exposure_table(summary: dict[str, Any]) -> Table:
    """Per crash scenario: did full beat the static books at equal pre-crash exposure?"""
    table = Table(title="full against static books at the same or higher pre-crash EffLev")
    for h in ("scenario", "full EffLev pre-crash", "full max DD", "nearest static",
              "its EffLev pre-crash", "its max DD", "margin", "verdict"):
        table.add_column(h, justify="left" if h in ("scenario", "verdict") else "right")
    for name, sc in summary["scenarios"].items():
        eq = sc.get("equal_exposure")
        if not eq:
            continue
        verdict = ("not testable" if eq["matched"] is None else
                   "full beat static" if eq["holds"] else
                   f"[red]static lower DD: {', '.join(eq['lower_drawdown'])}[/]")
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


def console_table(summary: dict[str, Any]) -> Table:
    """Every scenario × policy, then the must-show checks."""
    table = Table(title="lca stress — same book, same ticks: the guard policies and the static "
                  "books", show_lines=False)
    table.add_column("scenario")
    for h in _HEAD:
        table.add_column(h, justify="left" if h == "policy" else "right")
    for name, sc in summary["scenarios"].items():
        order = _policies(sc)
        for i, policy in enumerate(order):
            m = sc["policies"][policy]
            label = f"{name}{' (calm)' if sc['kind'] == 'calm' else ''}" if i == 0 else ""
            table.add_row(label, *_row(policy, m, sc["kind"]), end_section=i == len(order) - 1)
    return table


def checks_table(summary: dict[str, Any]) -> Table:
    table = Table(title="must show (full controller)")
    for h in ("scenario", "check", "holds", "numbers"):
        table.add_column(h)
    for c in summary["checks"]:
        table.add_row(c["scenario"], c["check"], "yes" if c["holds"] else "[red]NO[/]",
                      c["detail"])
    return table


_CSS = """body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:right;font-size:13px}th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}
.no{color:#b00;font-weight:bold}.yes{color:#070}img{max-width:100%;border:1px solid #ddd}
.label{display:inline-block;padding:1px 6px;border-radius:3px;background:#eee;font-size:12px}
.modelled{background:#ffe0b2}"""

_SCRIPT = """window.addEventListener('load',function(){var i=document.images,n=0;
for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0){n++;}}
var s=document.getElementById('img-status');s.textContent=n+' of '+i.length+' plots loaded';
s.setAttribute('data-loaded',n);s.setAttribute('data-total',i.length);});"""


def _html(summary: dict[str, Any], pngs: dict[str, str],
          frontier_pngs: dict[str, str] | None = None) -> str:
    from bridge.stress.frontier import frontier_html

    e = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>lca stress report</title>",
             f"<style>{_CSS}</style><script>{_SCRIPT}</script></head><body>",
             "<h1>lca stress: the same book on real crash windows</h1>",
             f"<p>Generated {e(summary['generated_utc'])}. Four guard policies on the same ticks "
             "and book: <b>none</b> (the broker's stop-out only), <b>vol-only</b> (leverage "
             "targeted on volatility alone), <b>rules-only</b> (the seed-003 thresholds on "
             "EffLev, MU, MSI), <b>full</b> (the whole controller), each on the live code path "
             "(Guard + deterministic replay driver), and the static books static-L (the book "
             "scaled at the start to EffLev L, never touched). "
             "<span id='img-status'>plots loading…</span></p>",
             "<h2>Must show</h2><table><tr><th>scenario</th><th>check</th><th>holds</th>"
             "<th>numbers</th></tr>"]
    for c in summary["checks"]:
        cls = "yes" if c["holds"] else "no"
        parts.append(f"<tr><td>{e(c['scenario'])}</td><td>{e(c['check'])}</td>"
                     f"<td class='{cls}'>{'yes' if c['holds'] else 'NO'}</td>"
                     f"<td>{e(c['detail'])}</td></tr>")
    parts.append("</table>")
    pooled = summary.get("equal_exposure_pooled")
    if pooled:
        cls = "yes" if pooled["holds"] else "no"
        parts.append(f"<h2>Equal pre-crash exposure, pooled</h2><p class='{cls}'>"
                     f"{e(pooled['detail'])}</p><p>Static books (static-L): the same book scaled "
                     "at the start to EffLev L and never touched. For each crash run, every "
                     "static book whose time-averaged EffLev from the start to the crash is at "
                     "least full's must have the higher max drawdown; the nearest of them gives "
                     "the margin.</p>")
    parts.append(frontier_html(summary, frontier_pngs or {}))
    for name, sc in summary["scenarios"].items():
        acct = sc["account"]
        label = ("<span class='label modelled'>MODELLED intrabar ticks from bars</span>"
                 if sc["modelled"] else "<span class='label'>recorded ticks</span>")
        book = ", ".join(f"{b['side']} {b['volume']:g} {b['symbol']}" for b in sc["book"])
        parts.append(
            f"<h2 id='{e(name)}'>{e(name)} <span class='label'>{e(sc['kind'])}</span> {label}</h2>"
            f"<p>{e(sc['description'])}</p><p>Data: {e(sc['data'])}. Book: {e(book)} on "
            f"{acct['balance']:,.0f} {e(acct['currency'])}, 1:{acct['leverage']}; margin call "
            f"{acct['margin_call']:g} %, stop-out {acct['stop_out']:g} %, negative balance "
            f"protection {'on' if acct['negative_balance_protection'] else 'off'}. Guard "
            f"every {sc['guard_seconds']:g} s of simulated time.</p><table><tr>"
            + "".join(f"<th>{h}</th>" for h in _HEAD) + "</tr>")
        for policy in _policies(sc):
            m = sc["policies"][policy]
            parts.append("<tr>" + "".join(f"<td>{e(x)}</td>" for x in _row(
                policy, m, sc["kind"])) + "</tr>")
        parts.append("</table>")
        eq = sc.get("equal_exposure")
        if eq:
            cls = "yes" if eq["holds"] else "no"
            parts.append(f"<p><b>Equal pre-crash exposure:</b> <span class='{cls}'>"
                         f"{e(eq['detail'])}</span></p>")
        parts.append(warnings_html(sc))
        regimes = {p: m["regime_seconds"] for p, m in sc["policies"].items()
                   if m.get("regime_seconds")}
        parts.append("<p>Time in each regime: " + "; ".join(
            f"{e(p)}: " + ", ".join(f"{e(k)} {duration(v)}" for k, v in r.items())
            for p, r in regimes.items()) + "</p>")
        if name in pngs:
            parts.append(f"<img src='{e(pngs[name])}' alt='{e(name)} plots' width='880'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(summary: dict[str, Any], results: Sequence[dict[str, Any]], out: Path, *,
                 plots: bool = True) -> None:
    """The PNGs (one per scenario, one frontier per crash window and one pooled) and report.html
    in `out`."""
    from bridge.stress.windows import WINDOWS

    by_scenario: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_scenario.setdefault(r["scenario"], {})[r["policy"]] = r
    pngs: dict[str, str] = {}
    if plots:
        for name, runs in by_scenario.items():
            sc = dict(summary["scenarios"][name])
            sc["main_symbol"] = WINDOWS[sc["window"]].main_symbol
            file = f"{name}.png"
            plot_scenario(name, sc, runs, out / file)
            pngs[name] = file
    from bridge.stress.frontier import write_frontier_plots

    frontier_pngs = write_frontier_plots(summary.get("frontier"), out) if plots else {}
    (out / "report.html").write_text(_html(summary, pngs, frontier_pngs), encoding="utf-8")
