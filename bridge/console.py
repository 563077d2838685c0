"""The live console view of a running guard (rich)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bridge.runtime import Guard
from bridge.view import BAND_STYLE, STATE_STYLE, fmt

__all__ = ["guard_view", "summary_table"]

def guard_view(guard: Guard, title: str = "") -> RenderableType:
    """Account; EffLev, MU, MSI, LVI against their bands; regime; state; binding cap; plan
    progress; last orders."""
    d = guard.decision
    snap = guard.snapshot
    head = Text()
    t = snap.time if snap is not None else guard.now()
    head.append(f"{title}  {datetime.fromtimestamp(t, tz=UTC):%Y-%m-%d %H:%M:%S} UTC  ",
                "bold")
    head.append(f"mode {guard.mode.value}  ")
    if guard.mode.value == "shadow":
        s = guard.shadow
        head.append(f"SHADOW, nothing sent: would have closed {s.lots:.2f} lots, "
                    f"{'saved' if s.saved >= 0 else 'cost'} {abs(s.saved):,.2f}  ", "bold magenta")
    if not guard.connection_ok:
        head.append("TERMINAL UNREACHABLE  ", "bold red")
    if d is None:
        return Group(head, Text("waiting for the first decision..."))
    head.append("state ")
    head.append(d.state.value, STATE_STYLE.get(d.state.value, ""))
    head.append(f"  regime {d.regime.value}  target {d.target_eff_lev:.2f} ({d.binding_cap})")
    m = d.metrics
    bands = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("equity", "EffLev", "MU", "MSI", "LVI", "L_safe", "σ/day"):
        bands.add_column(col, justify="right")
    bands.add_row(
        f"{m.equity:,.2f}",
        Text(fmt(m.eff_lev), BAND_STYLE.get(m.eff_lev_band, "")),
        Text(fmt(None if m.mu is None else 100 * m.mu, ".1f", " %"),
             BAND_STYLE.get(m.mu_band, "")),
        Text(fmt(m.msi), BAND_STYLE.get(m.msi_band, "")),
        fmt(m.lvi), fmt(m.l_safe), fmt(m.sigma, ".4f"),
    )
    plan = Text(f"plan: {len(guard.plan)} slice(s) pending, {guard.stats.lots_closed:g} lots "
                f"closed in {guard.stats.orders} order(s); broker stop-outs seen: "
                f"{guard.stats.stop_outs}")
    parts: list[RenderableType] = [head, bands, plan]
    if guard.stats.last_orders:
        orders = Table(title="last orders", header_style="bold", box=None)
        for col in ("ticket", "symbol", "slice", "lots", "status", "retcode"):
            orders.add_column(col)
        for o in guard.stats.last_orders[:5]:
            orders.add_row(str(o["ticket"]), o["symbol"], f"{o['slice_index']}/{o['slices']}",
                           f"{o['filled']:g}/{o['volume']:g}", o["status"], str(o["retcode"]))
        parts.append(orders)
    if d.warnings:
        parts.append(Text("\n".join(f"• {w.message}" for w in d.warnings[:4]), "yellow"))
    return Group(*parts)


def summary_table(summary: dict[str, Any], currency: str) -> Table:
    """Guarded vs unguarded, side by side."""
    table = Table(title=f"{summary.get('scenario', '')}: the same book, guarded and left to the "
                  "broker", header_style="bold")
    table.add_column("")
    for name in ("guarded", "unguarded"):
        if name in summary:
            table.add_column(name, justify="right")
    rows = (("stop-outs", "stop_outs", "{:d}"), ("max drawdown", "max_drawdown", "{:.1%}"),
            (f"final equity ({currency})", "final_equity", "{:,.2f}"),
            ("orders", "orders", "{:d}"), ("lots closed by the guard", "lots_closed", "{:g}"))
    for label, key, pattern in rows:
        cells = []
        for name in ("guarded", "unguarded"):
            if name in summary:
                value = summary[name].get(key)
                cells.append("—" if value is None else pattern.format(value))
        table.add_row(label, *cells)
    return table
