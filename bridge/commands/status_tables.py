"""`lca status`'s two tables, laid out for the width: at 80 columns the times stay whole (ISO,
UTC) and the long texts fold; from 120 the tickets, the retcode's sentence, the server's comment
and the decision's reasons get their own columns."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from bridge.retcodes import error_handling, retcode_handling

__all__ = ["decisions_table", "orders_table"]

_TIME = 20  # 2016-10-06T17:00:33Z


def _table(title: str) -> Table:
    return Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, title_justify="left",
                 pad_edge=False)


def _lots(value: Any) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _sentence(o: dict[str, Any]) -> str:
    code = o.get("retcode")
    if code is None:
        return "no answer: read back before any resend"
    code = int(code)
    return (error_handling(code) if code < 0 else retcode_handling(code)).sentence


def orders_table(orders: list[dict[str, Any]], wide: bool) -> Table:
    """order_send answers: time, symbol, side, lots, price, retcode (+ ticket, the retcode's
    sentence and the server's comment when `wide`)."""
    t = _table("orders")
    t.add_column("time (UTC)", no_wrap=True, min_width=_TIME)
    t.add_column("symbol", no_wrap=True)
    t.add_column("side", no_wrap=True)
    if wide:
        t.add_column("ticket", justify="right", no_wrap=True)
    t.add_column("lots", justify="right", no_wrap=True)
    t.add_column("price", justify="right", no_wrap=True)
    t.add_column("retcode", justify="right", no_wrap=True)
    if wide:
        t.add_column("answer", overflow="fold", ratio=2)
        t.add_column("comment", overflow="fold", ratio=1)
    for o in orders:
        cells = [o["time"], o.get("symbol") or "", o.get("side") or ""]
        if wide:
            cells.append(str(o.get("ticket") or ""))
        price = o.get("price")
        cells += [_lots(o.get("volume")), "" if price is None else f"{price:g}",
                  str(o.get("retcode"))]
        if wide:
            cells += [_sentence(o), str(o.get("comment") or "")]
        t.add_row(*cells)
    return t


def decisions_table(decisions: list[dict[str, Any]], wide: bool) -> Table:
    """Recent decisions: time, state, regime, target, binding cap, the slices and what they
    close (+ the reasons when `wide`)."""
    t = _table("recent decisions")
    t.add_column("time (UTC)", no_wrap=True, min_width=_TIME)
    t.add_column("state", no_wrap=True)
    t.add_column("regime", no_wrap=True)
    t.add_column("target", justify="right", no_wrap=True)
    t.add_column("cap", no_wrap=True)
    t.add_column("slices", overflow="fold", ratio=1)
    if wide:
        t.add_column("why", overflow="fold", ratio=2)
    for d in decisions:
        slices = str(d.get("actions") or 0)
        if d.get("symbols"):
            slices += ": " + ", ".join(d["symbols"])
        cells = [d["time"], d["state"], d["regime"], f"{d['target_eff_lev']:.2f}",
                 d["binding_cap"], slices]
        if wide:
            cells.append("; ".join(d.get("reasons") or []))
        t.add_row(*cells)
    return t
