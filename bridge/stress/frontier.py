"""The risk-appetite frontier (issue 12 item 5): calm-window return against crash max drawdown, for
the full guard at each appetite (`full@<a>`, controller/appetite.py) beside the static books
(`static-<L>`), per crash window and pooled.

A point of a family is one policy. Its calm return is the mean return over the calm scenarios of
the same broker preset (the calm control's long book and its mirrored short book, and any other
calm window present: the mean of a long and a short book nets out the two days' drift, so what is
left is what the policy pays or earns for its exposure). Its crash max drawdown is per crash
scenario; pooled is the mean over the crash windows of that preset (each window counts once).
`full@1` is `full` itself (the seed's defaults), so it is not run twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.stress.static import parse_static

if TYPE_CHECKING:
    from rich.table import Table

    from bridge.stress.summary_types import Summary

__all__ = ["FULL", "appetite_name", "frontier", "parse_appetite", "plot_frontier",
           "policy_appetite"]

FULL = "full"
_SEP = "@"


def appetite_name(appetite: float) -> str:
    """The policy name of the full guard at `appetite`: full (appetite 1), full@2, full@2.5."""
    return FULL if appetite == 1.0 else f"{FULL}{_SEP}{appetite:g}"


def parse_appetite(policy: str) -> float | None:
    """The appetite of a full-guard policy name (`full` = 1, `full@<a>` with 0 < a ≤ 100), None
    for any other name."""
    if policy == FULL:
        return 1.0
    if not policy.startswith(FULL + _SEP):
        return None
    try:
        value = float(policy.removeprefix(FULL + _SEP))
    except ValueError:
        return None
    return value if math.isfinite(value) and 0.0 < value <= 100.0 else None


def policy_appetite(policy: str) -> float | None:
    """The appetite a run's guard ran at: a for full@a, 1 for the other guard policies (the
    defaults), None for a static book (no guard)."""
    if parse_static(policy) is not None:
        return None
    a = parse_appetite(policy)
    return 1.0 if a is None else a


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def frontier(scenarios: dict[str, Any]) -> dict[str, Any] | None:
    """summary.json's `frontier`: per preset, the calm and crash scenarios and one point per
    policy of the full family (by appetite), the static family (by EffLev) and `none`. None when
    no crash scenario ran a full-family or static policy."""
    presets = sorted({sc["preset"] for sc in scenarios.values()})
    out: dict[str, Any] = {}
    for preset in presets:
        mine = {n: sc for n, sc in scenarios.items() if sc["preset"] == preset}
        calm = sorted(n for n, sc in mine.items() if sc["kind"] == "calm")
        crash = sorted(n for n, sc in mine.items() if sc["kind"] == "crash")
        policies = {p for n in crash for p in mine[n]["policies"]}
        points: list[dict[str, Any]] = []
        for policy in sorted(policies, key=_order):
            family = ("full" if parse_appetite(policy) is not None else
                      "static" if parse_static(policy) is not None else
                      "none" if policy == "none" else None)
            if family is None:
                continue
            calm_ret = {n: mine[n]["policies"][policy]["return"] for n in calm
                        if policy in mine[n]["policies"]}
            given = {n: mine[n]["policies"][policy].get("return_given_up") for n in calm
                     if policy in mine[n]["policies"]}
            dd = {n: mine[n]["policies"][policy]["max_drawdown"] for n in crash
                  if policy in mine[n]["policies"]}
            points.append({
                "policy": policy, "family": family,
                "appetite": parse_appetite(policy), "static_eff_lev": parse_static(policy),
                "calm_return": _mean(list(calm_ret.values())), "calm_returns": calm_ret,
                "calm_given_up": given,
                "calm_given_up_mean": _mean([g for g in given.values() if g is not None]),
                "crash_max_drawdown": dd, "pooled_max_drawdown": _mean(list(dd.values())),
                "pooled_windows": len(dd),
            })
        if crash and any(p["family"] != "none" for p in points):
            out[preset] = {"calm_scenarios": calm, "crash_scenarios": crash, "points": points}
    if not out:
        return None
    return {"presets": out,
            "method": "calm_return: mean return over the calm scenarios of the preset (the "
                      "long calm control and its mirrored short book, and any other calm window); "
                      "pooled_max_drawdown: mean max drawdown over the preset's crash windows, "
                      "each window once; full@1 is full (the seed's defaults)"}


def _order(policy: str) -> tuple[int, float]:
    a, lev = parse_appetite(policy), parse_static(policy)
    if a is not None:
        return (0, a)
    if lev is not None:
        return (1, lev)
    return (2, 0.0)


_STYLE = {"full": ("#2ca02c", "o", "-"), "static": ("#555555", "s", "--"),
          "none": ("#000000", "X", "")}
_PRESET_ALPHA = (1.0, 0.55, 0.35)


Series = dict[str, list[tuple[str, dict[str, float], float]]]
"""Per preset: (policy, calm return per x axis, crash max drawdown)."""


def plot_frontier(title: str, series: Series, path: Path) -> None:
    """One frontier PNG, one panel per calm x axis (each calm window's own return, then their
    mean), crash max drawdown on the shared y axis. The full family is a green line through its
    appetites, the static family a grey dashed line through its EffLevs, `none` a black cross;
    each point is labelled (×a or L). The first preset has filled markers, the others hollow and
    fainter ones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    axes_names = list(dict.fromkeys(k for pts in series.values() for _, xs, _ in pts for k in xs))
    fig, axs = plt.subplots(1, len(axes_names), figsize=(4.6 * len(axes_names) + 1.5, 5.8),
                            sharey=True, squeeze=False)
    handles = []
    for i, (preset, pts) in enumerate(sorted(series.items())):
        alpha = _PRESET_ALPHA[min(i, len(_PRESET_ALPHA) - 1)]
        for ax, axis in zip(axs[0], axes_names, strict=True):
            for family in ("full", "static", "none"):
                fam = [(p, xs[axis], y) for p, xs, y in pts
                       if _family(p) == family and axis in xs]
                if not fam:
                    continue
                colour, marker, ls = _STYLE[family]
                ax.plot([100 * x for _, x, _ in fam], [100 * y for _, _, y in fam],
                        color=colour, marker=marker, ls=ls or "none", lw=1.4, ms=7,
                        alpha=alpha, mfc=colour if i == 0 else "white")
                for p, x, y in fam:
                    ax.annotate(_label(p), (100 * x, 100 * y), textcoords="offset points",
                                xytext=(5, 4), fontsize=7, color=colour, alpha=alpha)
        handles.append(Line2D([], [], color="#555555", alpha=alpha, marker="o", ms=7,
                              mfc="#555555" if i == 0 else "white", ls="",
                              label=f"preset {preset}"))
    handles = [
        Line2D([], [], color=_STYLE["full"][0], marker="o", label="full guard at appetite ×a"),
        Line2D([], [], color=_STYLE["static"][0], marker="s", ls="--",
               label="static book at EffLev L"),
        Line2D([], [], color="black", marker="X", ls="", label="none (unguarded book)"),
        *handles]
    for ax, axis in zip(axs[0], axes_names, strict=True):
        ax.set_xlabel(f"calm return on {axis}, %" if axis != MEAN else
                      "calm return, mean of the calm windows, %\n(long and short book: the "
                      "drift nets out)", fontsize=9)
        ax.grid(True, alpha=0.3)
    axs[0][0].set_ylabel("crash max drawdown, %")
    axs[0][-1].legend(handles=handles, fontsize=7, loc="best")
    import textwrap

    width_px = fig.get_size_inches()[0] * 80  # saved at 80 dpi; about 6.5 px a character
    fig.suptitle(textwrap.fill(title, width=int(width_px / 6.5)), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _family(policy: str) -> str:
    if parse_appetite(policy) is not None:
        return "full"
    return "static" if parse_static(policy) is not None else "none"


def _label(policy: str) -> str:
    a, lev = parse_appetite(policy), parse_static(policy)
    if a is not None:
        return f"×{a:g}"
    return f"L{lev:g}" if lev is not None else policy


def _window(scenario: str, preset: str) -> str:
    return scenario.removesuffix(f"-{preset}")


MEAN = "mean"


def frontier_series(fr: dict[str, Any]) -> dict[str, Series]:
    """Plot series per crash window and `pooled`: {name: {preset: [(policy, {calm window or
    "mean": its return}, max DD)]}}; a policy without a calm run has no point. With one calm
    window there is no separate mean axis."""
    out: dict[str, Series] = {}
    for preset, block in fr["presets"].items():
        for p in block["points"]:
            if p["calm_return"] is None:
                continue
            xs = {_window(n, preset): r for n, r in p["calm_returns"].items()}
            if len(xs) > 1:
                xs[MEAN] = p["calm_return"]
            for scenario, dd in p["crash_max_drawdown"].items():
                out.setdefault(_window(scenario, preset), {}).setdefault(preset, []).append(
                    (p["policy"], xs, dd))
            if p["pooled_max_drawdown"] is not None:
                out.setdefault("pooled", {}).setdefault(preset, []).append(
                    (p["policy"], xs, p["pooled_max_drawdown"]))
    return out


def write_frontier_plots(fr: dict[str, Any] | None, out: Path) -> dict[str, str]:
    """One PNG per crash window and one pooled (`frontier-<window>.png`, `frontier-pooled.png`);
    returns {name: file}."""
    if fr is None:
        return {}
    files: dict[str, str] = {}
    for name, series in frontier_series(fr).items():
        what = ("pooled: mean max drawdown over the crash windows" if name == "pooled"
                else f"crash window {name}")
        file = f"frontier-{name}.png"
        plot_frontier(f"Risk-appetite frontier — {what} (per broker preset)", series, out / file)
        files[name] = file
    return dict(sorted(files.items(), key=lambda kv: (kv[0] == "pooled", kv[0])))


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def frontier_rows(fr: dict[str, Any], preset: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one preset's frontier table (the console and report.html)."""
    block = fr["presets"][preset]
    calm, crash = block["calm_scenarios"], block["crash_scenarios"]
    from bridge.stress.columns import points

    head = ["policy", "calm return (mean)",
            *(f"given up vs none {_window(n, preset)}" for n in calm),
            *(f"max drawdown {_window(n, preset)}" for n in crash), "max drawdown pooled"]
    rows = [[p["policy"], _pct(p["calm_return"]),
             *(points(p["calm_given_up"].get(n)) for n in calm),
             *(_pct(p["crash_max_drawdown"].get(n)) for n in crash),
             _pct(p["pooled_max_drawdown"])] for p in block["points"]]
    return head, rows


def frontier_table(summary: Summary) -> Table:
    """The console table: per preset, each policy's calm return, return given up per calm
    scenario (none's return − the policy's), max drawdown per crash window and pooled."""
    from rich.table import Table

    fr = summary.get("frontier")
    table = Table(title="risk-appetite frontier: calm return against crash max drawdown "
                  "(pooled = mean over crash windows)")
    if not fr:
        return table
    first = next(iter(fr["presets"]))
    head, _ = frontier_rows(fr, first)
    table.add_column("preset")
    for h in head:
        table.add_column(h, justify="left" if h == "policy" else "right")
    for preset in fr["presets"]:
        _, rows = frontier_rows(fr, preset)
        for i, row in enumerate(rows):
            table.add_row(preset if i == 0 else "", *(row + [""] * len(head))[:len(head)],
                          end_section=i == len(rows) - 1)
    return table


def frontier_html(summary: Summary, pngs: dict[str, str]) -> str:
    """The report's frontier section: the method, a table per preset, the PNGs."""
    import html

    fr = summary.get("frontier")
    if not fr:
        return ""
    e = html.escape
    parts = ["<h2 id='frontier'>Risk-appetite frontier</h2>",
             "<p>The full guard at each risk appetite (<code>full@a</code>: "
             "<code>risk.appetite = a</code> scales K and the EffLev rule thresholds; "
             "<code>full</code> is appetite 1, the defaults) beside the static books "
             "(<code>static-L</code>). Calm return: the mean return over the calm scenarios of "
             "the preset (the long calm control and its mirrored short book, and any other "
             "calm window). Given up vs none: none's return minus the policy's, in "
             "percentage points, per calm scenario. "
             "Pooled: the mean max drawdown over the crash windows (each window once). A "
             "frontier to the upper left of the static one pays less in calm for the same "
             "crash drawdown.</p>"]
    for preset in fr["presets"]:
        head, rows = frontier_rows(fr, preset)
        parts.append(f"<h3>{e(preset)}</h3><table><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
        parts.extend("<tr>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>"
                     for row in rows)
        parts.append("</table>")
    for name, file in pngs.items():
        parts.append(f"<img src='{e(file)}' alt='frontier {e(name)}' width='700'>")
    return "\n".join(parts)
