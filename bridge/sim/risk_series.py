"""Vectorised equity, margin and SL/TP triggers of a fixed set of positions over a run of ticks:
what the risk engine (bridge.sim.risk_engine) scans between two deals.

`prepare` freezes the per-symbol constants of the open positions (profit factor, legs,
currencies, margin in the margin currency); `series` evaluates them on merged ticks [i0, i1).
Money in the account currency, unrounded; prices in quote units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as c
from bridge.sim.broker import profit_factor
from bridge.sim.ledger import SimPosition
from bridge.sim.market import Market

__all__ = ["F64", "Legs", "Prepared", "prepare", "series"]

F64 = npt.NDArray[np.float64]
_EPS = 1e-9

PositionKey = tuple[tuple[int, int, float, float, float, float], ...]
"""(ticket, type, volume, price_open, sl, tp) of each open position: the cache key."""


@dataclass
class Legs:
    """Per symbol: long and short volume (lots) and Σ volume × open price."""

    vl: float = 0.0
    al: float = 0.0
    vs: float = 0.0
    as_: float = 0.0

    def add(self, buy: bool, volume: float, price: float) -> None:
        """Add `volume` lots at `price` to the long (buy) or the short leg."""
        if buy:
            self.vl += volume
            self.al += volume * price
        else:
            self.vs += volume
            self.as_ += volume * price


@dataclass(frozen=True)
class SymbolRow:
    """One symbol's constants: index, profit factor, legs, profit and margin currencies, the
    margin in the margin currency (before the multiplier), and whether a buy sets its rate."""

    k: int
    profit_factor: float
    legs: Legs
    currency_profit: str
    currency_margin: str
    margin_ccy: float
    buy: bool


@dataclass(frozen=True)
class Prepared:
    """The constants of the current positions (`key` tells when they change)."""

    key: PositionKey
    rows: tuple[SymbolRow, ...]
    need: tuple[int, ...]
    """Symbols whose quotes the rows read (their own and their conversion pairs)."""
    stops: tuple[tuple[int, bool, float, float], ...]
    """(symbol, is a buy, sl, tp) of each position with a stop or a target."""


def prepare(key: PositionKey, legs: dict[int, Legs], positions: Sequence[SimPosition],
            market: Market, currency: str,
            margin_ccy: Callable[[int, Legs], tuple[float, str]]) -> Prepared:
    """The `Prepared` constants of `positions` (`legs` per symbol) on an account in `currency`."""
    conv = market.converter
    rows = []
    need: set[int] = set()
    for k, lg in legs.items():
        spec = market.symbols[k]
        mccy, side = margin_ccy(k, lg)
        rows.append(SymbolRow(k, profit_factor(spec), lg, spec.currency_profit,
                              spec.currency_margin, mccy, side == "buy"))
        need.add(k)
        need.update(conv.symbols_for(spec.currency_profit, currency))
        need.update(conv.symbols_for(spec.currency_margin, currency))
    stops = tuple(
        (p.sym, p.type == c.POSITION_TYPE_BUY, p.sl, p.tp)
        for p in positions
        if p.sl > 0 or p.tp > 0
    )
    return Prepared(key, tuple(rows), tuple(sorted(need)), stops)


def series(prep: Prepared, market: Market, currency: str, cash: float, i0: int,
           i1: int) -> tuple[F64, F64, int]:
    """Equity and margin on ticks [i0, i1) (cash = balance + credit), and the offset of the first
    SL/TP trigger (i1 − i0 if none)."""
    n = i1 - i0
    pos = market.pos[:, i0:i1]
    bid: dict[int, F64] = {}
    ask: dict[int, F64] = {}
    for k in prep.need:
        idx = pos[k]
        st = market.streams[k]
        bid[k], ask[k] = st.bid[idx], st.ask[idx]
    equity = np.full(n, cash)
    margin = np.zeros(n)
    for row in prep.rows:
        _add_row(row, market, currency, pos, bid, ask, equity, margin)
    return equity, margin, _first_stop(prep, bid, ask, n)


def _add_row(row: SymbolRow, market: Market, currency: str, pos: npt.NDArray[np.int32],
             bid: dict[int, F64], ask: dict[int, F64], equity: F64, margin: F64) -> None:
    """Add one symbol's floating profit to `equity` and its margin to `margin` (in place)."""
    conv = market.converter
    k, pf, lg, ccy_p = row.k, row.profit_factor, row.legs, row.currency_profit
    lo, hi = conv.rates(ccy_p, currency, bid, ask)
    legs = []
    if lg.vl > _EPS:
        legs.append(pf * (lg.vl * bid[k] - lg.al))
    if lg.vs > _EPS:
        legs.append(pf * (lg.as_ - lg.vs * ask[k]))
    for raw in legs:  # each leg at its unfavourable rate (no conversion: rate 1)
        equity += raw if ccy_p == currency else raw * np.where(raw >= 0, lo, hi)
    if row.margin_ccy > 0:
        mm = market.streams[k].margin_mult[pos[k]]
        if row.currency_margin == currency:
            margin += row.margin_ccy * mm
        else:
            mlo, mhi = conv.rates(row.currency_margin, currency, bid, ask)
            margin += (row.margin_ccy * mm) * (mhi if row.buy else mlo)


def _first_stop(prep: Prepared, bid: dict[int, F64], ask: dict[int, F64], n: int) -> int:
    """Offset of the first tick where an SL or a TP triggers (n if none)."""
    first = n
    for k, is_buy, sl, tp in prep.stops:
        px = bid[k] if is_buy else ask[k]
        sgn = 1.0 if is_buy else -1.0
        trig = np.zeros(n, dtype=bool)
        if sl > 0:
            trig |= sgn * (px - sl) <= 0
        if tp > 0:
            trig |= sgn * (px - tp) >= 0
        if trig.any():
            first = min(first, int(np.argmax(trig)))
    return first
