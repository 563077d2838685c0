"""The live console view of a running guard (rich), and the end-of-run summary table.

A frame: the clock (simulated in a replay) and mode; in a replay the progress through the
window and an ETA in wall time; Algo Trading / expert / EA problems in red; the state, regime and
the target with the binding cap's reason in words; EffLev, MU, MSI, LVI against their bands; the
positions (lots now, lots closed, floating P/L); the last orders with the retcode's sentence; the
plan (slices pending, the next one's time) or why nothing is pending; the warnings; the phase
after the replay ("replaying the unguarded book…").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bridge.mt5 import constants as mt5c
from bridge.retcodes import retcode_handling
from bridge.runtime import Guard
from bridge.view import BAND_STYLE, STATE_STYLE, fmt
from bridge.view_state import LiveState
from bridge.view_words import cap_words, clock, plan_words
from controller import Decision

__all__ = ["guard_view", "summary_table"]

def guard_view(guard: Guard, title: str = "", state: LiveState | None = None,
               width: int = 80) -> RenderableType:
    """One frame of the live view of `guard`, built now (the guard may move on while it is
    drawn). `state`, a `LiveState` observer, adds the replay's progress, the positions closed so
    far and the orders' times. `width` is the console's: one column below 140, two above."""
    d = guard.decision
    parts: list[RenderableType] = [_head(guard, title)]
    if state is not None and (p := _progress(guard, state)) is not None:
        parts.append(p)
    parts.extend(Text(f"⚠ {problem}", "bold red") for problem in guard.permissions.problems)
    if d is None:
        parts.append(Text("waiting for the first decision..."))
    else:
        line = Text("state ")
        line.append(d.state.value, STATE_STYLE.get(d.state.value, ""))
        line.append(f" · regime {d.regime.value}")
        if d.urgency is not None:
            line.append(f" · urgency {d.urgency.value}")
        line.append(f" · {cap_words(d, guard)}")
        parts += [line, _bands(d)]
    tables = [t for t in (_positions(guard, state), _orders(guard, state)) if t is not None]
    if len(tables) == 2 and width >= 140:
        grid = Table.grid(padding=(0, 3))
        grid.add_row(*tables)
        parts.append(grid)
    else:
        parts.extend(tables)
    parts.append(Text(plan_words(guard, state)))
    if d is not None and d.warnings:
        parts.append(Text("\n".join(f"• {w.message}" for w in d.warnings[:4]), "yellow"))
    if state is not None and state.phase:
        done = "" if state.phase_fraction is None else f" {state.phase_fraction:.0%}"
        parts.append(Text(f"{state.phase}{done}", "bold cyan"))
    return Group(*parts)


def _head(guard: Guard, title: str) -> Text:
    snap = guard.snapshot
    t = snap.time if snap is not None else guard.now()
    head = Text()
    clock_name = "sim time" if guard.config.terminal.kind == "sim" else "time"
    head.append(f"{title}  {clock_name} {datetime.fromtimestamp(t, tz=UTC):%Y-%m-%d %H:%M:%S} "
                "UTC  ", "bold")
    head.append(f"mode {guard.mode.value}  ")
    if guard.mode.value == "shadow":
        s = guard.shadow
        head.append(f"SHADOW, nothing sent: would have closed {s.lots:.2f} lots, "
                    f"{'saved' if s.saved >= 0 else 'cost'} {abs(s.saved):,.2f}  ", "bold magenta")
    if not guard.connection_ok:
        head.append("TERMINAL UNREACHABLE  ", "bold red")
    return head


def _duration(seconds: float) -> str:
    """A wall-clock span as 1:02:03, 2:03 or 45 s."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def _progress(guard: Guard, state: LiveState) -> Text | None:
    now = guard.snapshot.time if guard.snapshot is not None else guard.now()
    got = state.progress(now)
    if got is None or state.sim_start is None or state.sim_end is None:
        return None
    done, elapsed, left = got
    start = datetime.fromtimestamp(state.sim_start, tz=UTC)
    end = datetime.fromtimestamp(state.sim_end, tz=UTC)
    window = f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC" if start.date() != end.date() \
        else f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
    text = Text(f"replay {done:.0%} of {window} · {_duration(elapsed)} elapsed")
    if left is not None:
        text.append(f" · ETA {_duration(left)} (wall)")
    return text


def _bands(d: Decision) -> Table:
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
    return bands


def _positions(guard: Guard, state: LiveState | None) -> Table | None:
    """Every position seen in this run: side, lots now, lots closed, floating P/L."""
    snap = guard.snapshot
    ccy = snap.account.currency if snap is not None else ""
    if state is not None and state.positions:
        held = sorted(state.positions.values(), key=lambda h: h.ticket)
        rows = [(h.symbol, h.side, h.lots, h.lots_seen - h.lots, h.profit) for h in held]
    elif snap is not None and snap.positions:
        rows = [(p.symbol, "long" if p.type == mt5c.POSITION_TYPE_BUY else "short", p.volume, 0.0,
                 p.profit + p.swap)
                for p in sorted(snap.positions, key=lambda p: p.ticket)]
    else:
        return None
    t = Table(title="positions", header_style="bold", box=None, title_justify="left")
    t.add_column("symbol")
    t.add_column("side")
    t.add_column("lots", justify="right")
    t.add_column("closed", justify="right")
    t.add_column(f"P/L {ccy}".strip(), justify="right")
    for symbol, side, lots, closed, profit in rows:
        t.add_row(symbol, side, f"{lots:.2f}" if lots > 0.0 else Text("closed", "dim"),
                  f"{closed:.2f}" if closed > 0.0 else "",
                  f"{profit:,.2f}" if lots > 0.0 else "")
    return t


def _answer(retcode: int | None, message: str) -> str:
    if retcode is None:
        return message or "no answer"
    return f"{retcode} {retcode_handling(int(retcode)).sentence}"


def _orders(guard: Guard, state: LiveState | None) -> Table | None:
    """The last orders: time (guard clock), symbol, side, lots filled / asked, the answer."""
    if state is not None and state.orders:
        rows = [(clock(o.time), o.symbol, o.side, o.filled, o.volume, o.status,
                 _answer(o.retcode, o.message)) for o in state.orders[:5]]
    elif guard.stats.last_orders:
        rows = [("", o["symbol"], "", o["filled"], o["volume"], o["status"],
                 _answer(o["retcode"], o.get("message", "")))
                for o in guard.stats.last_orders[:5]]
    else:
        return None
    t = Table(title="last orders", header_style="bold", box=None, title_justify="left")
    for col in ("time", "symbol", "side", "lots", "status"):
        t.add_column(col, justify="right" if col == "lots" else "left")
    t.add_column("answer", overflow="fold", ratio=1, min_width=20)
    for when, symbol, side, filled, volume, status, answer in rows:
        t.add_row(when, symbol, side, f"{filled:.2f}/{volume:.2f}", status, answer)
    return t


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
