"""One PNG per scenario of `lca stress`.

Five panels on one time axis (UTC): the main symbol's price with its spread band (the lowest bid
and highest ask of each plotted bucket, so a spike is never decimated away), equity per policy
(account currency), effective leverage, the margin safety index MSI (equity ÷ margin, with the
broker's margin-call and stop-out levels) and the leverage vulnerability index LVI. The `full`
run's market regime shades every panel (only the regimes that occurred are in the legend); the
guard's orders are triangles and the broker's stop-outs crosses, in the policy's colour.

On a crash window a second column zooms on ±N around the largest price move (bridge.stress.zoom
says how N is chosen); the whole window's panels mark the zoomed span in grey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bridge.stress.columns import REGIME_WORDS
from bridge.stress.report_warnings import duration
from bridge.stress.windows import POLICIES
from bridge.stress.zoom import Zoom, crash_zoom

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["COLOURS", "REGIME_COLOURS", "plot_scenario", "regimes_shown"]

COLOURS = {"none": "#555555", "vol-only": "#1f77b4", "rules-only": "#ff7f0e", "full": "#2ca02c"}
REGIME_COLOURS = {"NO_EXPANSION": "#fff3b0", "WAIT": "#ffd59e", "MINIMUM": "#f7b2b2"}


def _times(ts: Iterable[float]) -> npt.NDArray[np.object_]:
    return np.asarray([dt.datetime.fromtimestamp(t, dt.UTC).replace(tzinfo=None) for t in ts])


def regimes_shown(regimes: Sequence[str]) -> list[str]:
    """The shaded regimes that occur in `regimes`, in the legend's order."""
    seen = set(regimes)
    return [r for r in REGIME_COLOURS if r in seen]


def _shade(ax: Axes, t: npt.NDArray[np.object_], regimes: Sequence[str]) -> None:
    start = 0
    for i in range(1, len(regimes) + 1):
        if i == len(regimes) or regimes[i] != regimes[start]:
            colour = REGIME_COLOURS.get(regimes[start])
            if colour is not None:
                ax.axvspan(t[start], t[min(i, len(t) - 1)], color=colour, alpha=0.6, lw=0,
                           zorder=0)
            start = i


def _cut(series: dict[str, Any], span: tuple[float, float] | None) -> dict[str, Any]:
    """The series inside `span` (one sample either side, so lines reach the edges)."""
    if span is None:
        return series
    t = np.asarray(series["t"], dtype=float)
    lo = max(0, int(np.searchsorted(t, span[0])) - 1)
    hi = min(len(t), int(np.searchsorted(t, span[1], side="right")) + 1)
    return {k: v[lo:hi] if isinstance(v, list) and len(v) == len(t) else v
            for k, v in series.items()}


def _marks(ax_p: Axes, ax_e: Axes, run: dict[str, Any], ref: dict[str, Any], colour: str,
           span: tuple[float, float] | None) -> None:
    """The guard's orders (triangles) and the broker's stop-outs (crosses) on the equity and the
    price panels."""
    eq = np.asarray(run["series"]["equity"], dtype=float)
    ts = np.asarray(run["series"]["t"], dtype=float)
    for kind, marker, size in (("orders", "v", 40), ("stop_outs", "X", 70)):
        marks = [m for m in run["markers"][kind] if span is None or span[0] <= m[0] <= span[1]]
        if not marks or not len(ts):
            continue
        mt = np.asarray([m[0] for m in marks], dtype=float)
        idx = np.clip(np.searchsorted(ts, mt), 0, len(ts) - 1)
        ax_e.scatter(_times(mt), eq[idx], marker=marker, s=size, color=colour,
                     edgecolors="black", linewidths=0.5, zorder=5)
        if "mid" in ref:
            mid = np.asarray(ref["mid"], dtype=float)
            pidx = np.clip(np.searchsorted(np.asarray(ref["t"]), mt), 0, len(mid) - 1)
            ax_p.scatter(_times(mt), mid[pidx], marker=marker, s=size, color=colour,
                         edgecolors="black", linewidths=0.5, zorder=5)


def _column(axes: Sequence[Axes], sc: dict[str, Any], runs: dict[str, dict[str, Any]],
            span: tuple[float, float] | None) -> None:
    """Draw the five panels of one column, over the whole window or inside `span`."""
    ax_p, ax_e, ax_l, ax_m, ax_v = axes
    ref = runs.get("full") or next(iter(runs.values()))
    s = _cut(ref["series"], span)
    t = _times(s["t"])
    for ax in axes:
        _shade(ax, t, s["regime"])
        ax.grid(True, alpha=0.3)
        if sc.get("crash_time"):
            ax.axvline(_times([sc["crash_time"]])[0], color="#aa0000", ls=":", lw=1)
    if "mid" in s:
        ax_p.fill_between(t, s["bid_low"], s["ask_high"], color="#9ecae1", alpha=0.7, lw=0,
                          label="spread (lowest bid – highest ask)")
        ax_p.plot(t, s["mid"], color="#08306b", lw=0.8, label="mid price")
    for policy in POLICIES:
        run = runs.get(policy)
        if run is None:
            continue
        c = COLOURS[policy]
        rs = _cut(run["series"], span)
        rt = _times(rs["t"])
        ax_e.plot(rt, rs["equity"], color=c, lw=1.2, label=policy)
        ax_l.plot(rt, rs["eff_lev"], color=c, lw=1.0)
        ax_m.plot(rt, rs["msi"], color=c, lw=1.0)
        ax_v.plot(rt, rs["lvi"], color=c, lw=1.0)
        _marks(ax_p, ax_e, run, ref["series"], c, span)
    statics = sorted((p for p in runs if p.startswith("static-")),
                     key=lambda p: float(p.removeprefix("static-")))
    for i, policy in enumerate(statics):
        rs = _cut(runs[policy]["series"], span)
        shade = 0.25 + 0.6 * i / max(1, len(statics) - 1)
        ax_e.plot(_times(rs["t"]), rs["equity"], color=(shade, shade, shade), lw=0.7, ls="--")
    appetites = sorted((p for p in runs if p.startswith("full@")),
                       key=lambda p: float(p.removeprefix("full@")))
    for i, policy in enumerate(appetites):
        rs = _cut(runs[policy]["series"], span)
        ax_e.plot(_times(rs["t"]), rs["equity"], color=COLOURS["full"], lw=0.8, ls=":",
                  alpha=0.9 - 0.6 * i / max(1, len(appetites) - 1))
    for ax in (ax_l, ax_m, ax_v):
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_ylim(bottom=0.0)
    ax_m.axhline(sc["account"]["margin_call"] / 100.0, color="#d62728", ls="--", lw=0.8)
    ax_m.axhline(sc["account"]["stop_out"] / 100.0, color="#7f0000", ls="-", lw=0.8)
    if span is not None:
        ax_p.set_xlim(*_times(span))


def _zoom_title(z: Zoom) -> str:
    hhmm = dt.datetime.fromtimestamp(z.centre, dt.UTC).strftime("%d %b %H:%M")
    what = "fall" if z.move < 0 else "rise"
    return (f"zoom: ±{duration(z.half_width_s)} around the largest move\n"
            f"({what} of {abs(100 * z.move):.1f} % in {duration(z.move_end - z.move_start)}, "
            f"{hhmm} UTC)")


def plot_scenario(name: str, sc: dict[str, Any], runs: dict[str, dict[str, Any]],
                  path: Path) -> Zoom | None:
    """Write the scenario's PNG to `path`; returns the zoomed span (None: no zoom column, on a
    calm window or a price series too short to find a move in)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ref = runs.get("full") or next(iter(runs.values()))
    s = ref["series"]
    zoom = crash_zoom(s["t"], s["mid"]) if sc.get("crash_time") and "mid" in s else None
    cols = 2 if zoom is not None else 1
    fig, grid = plt.subplots(5, cols, figsize=(15 if cols == 2 else 11, 12), squeeze=False,
                             sharex="col", gridspec_kw={
                                 "height_ratios": [2.2, 2, 1.3, 1.3, 1.2],
                                 "width_ratios": [2.2, 1][:cols]})
    whole = list(grid[:, 0])
    _column(whole, sc, runs, None)
    if zoom is not None:
        _column(list(grid[:, 1]), sc, runs, (zoom.start, zoom.end))
        for ax in whole:
            ax.axvspan(*_times((zoom.start, zoom.end)), color="#000000", alpha=0.12, lw=0)
        grid[0, 1].set_title(_zoom_title(zoom), fontsize=9)
        grid[-1, 1].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))  # type: ignore[no-untyped-call]
        grid[-1, 1].set_xlabel("UTC")
    ax_p, ax_e, ax_l, ax_m, ax_v = whole
    main = sc.get("main_symbol", "")
    label = ("prices between bars modelled from the bars, not recorded ticks" if sc["modelled"]
             else "recorded ticks")
    protection = "on" if sc["account"]["negative_balance_protection"] else "off"
    ax_p.set_title(f"{name} — whole window — margin call {sc['account']['margin_call']:g} %, "
                   f"stop-out {sc['account']['stop_out']:g} %, negative-balance protection "
                   f"{protection} — {label}", fontsize=9)
    ax_p.set_ylabel(f"{main} price")
    ax_e.set_ylabel(f"equity ({sc['account']['currency']})")
    ax_l.set_ylabel("leverage\n(EffLev, ×)")
    ax_m.set_ylabel("margin safety\n(MSI = equity ÷ margin)")
    ax_v.set_ylabel("leverage on thin\nmarket (LVI)")
    mc, so = sc["account"]["margin_call"] / 100.0, sc["account"]["stop_out"] / 100.0
    ax_m.text(0.005, 0.05, f"- - margin call {mc:.2f}   —— stop-out {so:.2f}",
              transform=ax_m.transAxes, fontsize=7, color="#7f0000")
    statics = [p.removeprefix("static-") for p in runs if p.startswith("static-")]
    appetites = [p.removeprefix("full@") for p in runs if p.startswith("full@")]
    handles = [
        *[Line2D([], [], color=COLOURS[p], lw=2, label=p) for p in POLICIES if p in runs],
        *([Line2D([], [], color="grey", lw=0.8, ls="--",
                  label=f"static books, leverage {', '.join(sorted(statics, key=float))}")]
          if statics else []),
        *([Line2D([], [], color=COLOURS["full"], lw=0.8, ls=":", label="full at risk appetite "
                  f"{', '.join(sorted(appetites, key=float))}")] if appetites else []),
        Line2D([], [], marker="v", ls="", color="grey", label="guard order"),
        Line2D([], [], marker="X", ls="", color="grey", label="broker stop-out"),
        *([Line2D([], [], color="#aa0000", ls=":", lw=1, label="crash time")]
          if sc.get("crash_time") else []),
        *[Patch(color=REGIME_COLOURS[r], label=f"{REGIME_WORDS[r]} ({r}, full guard)")
          for r in regimes_shown(s["regime"])],
        *([Patch(color="#000000", alpha=0.12, label="zoomed span")] if zoom is not None else []),
    ]
    fig.legend(handles=handles, fontsize=8, ncol=4, loc="upper center",
               bbox_to_anchor=(0.5, 0.995), frameon=False)
    ax_p.legend(fontsize=7, loc="lower left")
    ax_v.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M"))  # type: ignore[no-untyped-call]
    ax_v.set_xlabel("UTC")
    for ax in grid[-1, :]:
        for lab in ax.get_xticklabels():
            lab.set_rotation(30)
            lab.set_horizontalalignment("right")
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.945))
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return zoom
