"""Rich renderings of a Decision for people watching a console."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from controller import Decision

__all__ = ["BAND_STYLE", "STATE_STYLE", "decision_view", "fmt"]

#: rich style per band / leverage-state name (controller.margin_state.band_names)
BAND_STYLE = {
    "safe": "green", "normal": "green", "caution": "yellow", "aggressive": "yellow",
    "elevated": "yellow", "low": "red", "danger": "red", "high": "red", "critical": "bold red",
    "ruin": "bold red", "extreme": "bold red", "forced_close": "bold red",
    "insolvent": "bold red",
}
#: rich style per trading state
STATE_STYLE = {"ACTIVE": "green", "REDUCING": "yellow", "FROZEN": "yellow", "HALTED": "bold red",
                "INSOLVENT": "bold red"}


def fmt(value: float | None, spec: str = ".2f", suffix: str = "") -> str:
    """A number for a table, or "—" when it is unknown."""
    return "—" if value is None else f"{value:{spec}}{suffix}"


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _metrics(d: Decision, currency: str) -> Table:
    m = d.metrics
    t = Table(title="Account", show_header=True, header_style="bold", expand=False)
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("band")
    t.add_row("equity", f"{m.equity:,.2f} {currency}", "")
    t.add_row("position value", f"{m.position_value:,.2f} {currency}", "")
    t.add_row("margin / free", f"{m.margin:,.2f} / {m.free_margin:,.2f}", "")
    t.add_row("EffLev (PV / E)", fmt(m.eff_lev), Text(m.eff_lev_band,
                                                         BAND_STYLE.get(m.eff_lev_band, "")))
    t.add_row("MU (M / E)", fmt(None if m.mu is None else 100 * m.mu, ".1f", " %"),
              Text(m.mu_band, BAND_STYLE.get(m.mu_band, "")))
    t.add_row("MSI (E / M)", fmt(m.msi), Text(m.msi_band, BAND_STYLE.get(m.msi_band, "")))
    t.add_row("LVI", fmt(m.lvi), "")
    t.add_row("σ (daily) / LR", f"{fmt(m.sigma, '.4f')} / {fmt(m.liquidity_risk)}", "")
    t.add_row("L_safe / L_max", f"{fmt(m.l_safe)} / {fmt(m.l_max, '.1f')}", "")
    t.add_row("leverage state", "", Text(m.leverage_state, BAND_STYLE.get(m.leverage_state, "")))
    return t


def _summary(d: Decision) -> Text:
    text = Text()
    text.append(f"{_utc(d.time)}   ")
    text.append("state ")
    text.append(d.state.value, STATE_STYLE.get(d.state.value, ""))
    text.append(f"   regime {d.regime.value}   target EffLev {d.target_eff_lev:.2f} "
                f"(bound by {d.binding_cap})")
    if d.urgency is not None:
        text.append(f"   urgency {d.urgency.value}")
    return text


def _actions(d: Decision) -> Table:
    t = Table(title=f"Reduction: {len(d.actions)} slice(s)", header_style="bold")
    for col in ("slice", "ticket", "symbol", "side", "lots", "not before", "note"):
        t.add_column(col, justify="right" if col in ("lots", "ticket") else "left")
    for a in d.actions:
        note = ("close by ticket" if a.close_by_ticket else "opposite deal") + (
            ", full close" if a.full_close else "")
        t.add_row(f"{a.slice_index}/{a.slices}", str(a.ticket), a.symbol, a.side,
                  f"{a.volume:g}", _utc(a.not_before), note)
    return t


def _limits(d: Decision) -> Table:
    lim = d.limits
    t = Table(title=f"Limits: max EffLev {lim.max_eff_lev:.2f}, MSI floor {lim.msi_floor:.2f}, "
              f"new exposure {'allowed' if lim.new_exposure_allowed else 'blocked'}"
              + (", PROP LOCK" if lim.prop_lock else ""), header_style="bold")
    for col in ("symbol", "open lots", "max lots", "why"):
        t.add_column(col, justify="right" if "lots" in col else "left")
    for row in lim.symbols:
        t.add_row(row.symbol, f"{row.current_volume:g}", f"{row.max_volume:g}", row.reason)
    return t


def _signals(d: Decision) -> Table:
    t = Table(title=f"Early-warning signals on: {len(d.signals)}", header_style="bold")
    for col in ("signal", "symbol", "observed", "threshold", "unit", "source", "kind"):
        t.add_column(col, justify="right" if col in ("observed", "threshold") else "left")
    for x in d.signals:
        t.add_row(x.name, x.symbol or "account", f"{x.observed:.4g}", f"{x.threshold:.4g}",
                  x.unit, x.source, "market" if x.market else "clock")
    return t


def decision_view(d: Decision, currency: str) -> RenderableType:
    """The whole decision: summary, account measures against their bands, slices, limits,
    distances and warnings."""
    parts: list[RenderableType] = [_summary(d), _metrics(d, currency)]
    if d.actions:
        parts.append(_actions(d))
    parts.append(_limits(d))
    if d.distances:
        dist = Table(title="Distance to limits", header_style="bold")
        for col in ("limit", f"loss ({currency})", "adverse move"):
            dist.add_column(col, justify="left" if col == "limit" else "right")
        for x in d.distances:
            dist.add_row(x.name, f"{x.loss_to_limit:,.2f}", fmt(x.adverse_move_pct, ".2f", " %"))
        parts.append(dist)
    if d.signals:
        parts.append(_signals(d))
    if d.warnings:
        parts.append(Panel("\n".join(f"• {w.message}" for w in d.warnings), title="Warnings",
                           border_style="yellow"))
    return Group(*parts)
