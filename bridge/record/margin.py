"""The broker's hidden margin rate, measured for a recording (bridge/record).

A terminal does not publish a symbol's margin rate, only the margin it asks: `order_calc_margin`.
The recording's own replay (its scenario without the book, played to its end, where its quotes
are the last recorded ones) asks the margin of the same lots at the same price with the rate
1.0; the ratio of the two is the rate the replay needs to ask what the broker asked. Margin is
linear in the rate for every calculation mode the simulator has (bridge/sim/broker.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bridge.sim.constants import ORDER_TYPE_BUY
from bridge.terminal import TerminalError, TerminalPort

__all__ = ["LOTS", "measured_margin_rates"]

LOTS = 100.0
"""Lots asked about: margins are rounded to cents, so a large volume keeps the ratio exact."""


def measured_margin_rates(port: TerminalPort, scenario: Path,
                          names: Sequence[str]) -> dict[str, float]:
    """Symbol → margin rate (4 decimals) where it differs from 1.0; a symbol the terminal
    cannot price is left out (the replay keeps 1.0)."""
    from bridge.sim import SimTerminal, load_scenario
    from bridge.sim.market import build_market

    spec = load_scenario(scenario)
    spec = replace(spec, book=())
    replica = SimTerminal(spec, build_market(spec))
    replica.initialize()
    replica.advance_to(spec.end)
    out: dict[str, float] = {}
    for name in names:
        try:
            ask = float(port.call("symbol_info_tick", name).ask)
            theirs = float(port.call("order_calc_margin", ORDER_TYPE_BUY, name, LOTS,
                                     ask))
        except TerminalError:
            continue
        ours = replica.order_calc_margin(ORDER_TYPE_BUY, name, LOTS, ask)
        if ours is None or ours <= 0 or theirs <= 0:
            continue
        rate = round(theirs / float(ours), 4)
        if rate != 1.0:
            out[name] = rate
    replica.shutdown()
    return out
