"""The broker model's maths: margin per calculation mode, profit, currency conversion, fill impact.

Formulas (shared/reference/mt5-api.md §4.1; Lots = volume, CS = contract size, Lev = account
leverage, Rate = the symbol's hidden margin rate × the replay's margin multiplier, P = price):

| mode | margin (margin currency) | profit (profit currency) |
|---|---|---|
| FOREX | Lots·CS / Lev · Rate | (close − open)·CS·Lots |
| FOREX_NO_LEVERAGE | Lots·CS · Rate | (close − open)·CS·Lots |
| CFD | Lots·CS·P · Rate | (close − open)·CS·Lots |
| CFDINDEX | Lots·CS·P·TickValue/TickSize · Rate | (close − open)·CS·Lots |
| CFDLEVERAGE | Lots·CS·P / Lev · Rate | (close − open)·CS·Lots |
| FUTURES / EXCH_FUTURES | Lots·InitialMargin · Rate | (close − open)·TickValue/TickSize·Lots |
| EXCH_STOCKS | Lots·CS·P · Rate | (close − open)·CS·Lots |

A fixed `margin_initial` > 0 replaces the formula (Lots·margin_initial·Rate). P is the order
price for a new order and the (weighted average) open price for an open position. Hedged
volume on a hedging account is margined with CS := `margin_hedged` at the average of both
legs' prices, or, with `margin_hedged_use_leg`, the symbol's margin is the larger leg's (§4.2).

Conversion to the account currency goes through a symbol pairing the two currencies (direct:
multiply, inverse: divide, else a cross through a third currency, §4.3): a buy's margin at the
higher rate (the conversion pair's ask), a sell's at the lower; profit at the unfavourable rate
(the lower for a gain, the higher for a loss).

Fill impact (shared/reference/crash-events.md §4.4): the book behind the touch follows the
square-root law; the k-th level of `L` lots sits Δ(k·L) away from the touch, with
Δ(q) = Y · σ_D · P · √(q / V_D), Y the impact coefficient (default 0.7), σ_D the daily volatility
(fraction), V_D the daily volume in lots times the depth multiplier. A market order walks the
levels and fills at their volume-weighted price. Not modelled: swaps, commissions, pending-order
margin, exchange (`EXCH_OPTIONS`, bonds, collateral) modes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as c

__all__ = [
    "SUPPORTED_CALC_MODES",
    "BrokerSymbol",
    "Converter",
    "book_offsets",
    "impact_vwap_offset",
    "margin_per_lot",
    "profit_factor",
    "regulatory_margin_fraction",
]

SUPPORTED_CALC_MODES = (
    c.SYMBOL_CALC_MODE_FOREX,
    c.SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE,
    c.SYMBOL_CALC_MODE_FUTURES,
    c.SYMBOL_CALC_MODE_CFD,
    c.SYMBOL_CALC_MODE_CFDINDEX,
    c.SYMBOL_CALC_MODE_CFDLEVERAGE,
    c.SYMBOL_CALC_MODE_EXCH_STOCKS,
    c.SYMBOL_CALC_MODE_EXCH_FUTURES,
)

Num = float | npt.NDArray[np.float64]


@dataclass(frozen=True)
class BrokerSymbol:
    """A symbol's contract as the broker sets it. Volumes in lots, prices in quote units.

    `spread_points`: the normal spread in points (used where the data has no ask).
    `book_depth`: levels per side published through market_book_get (0 = no book).
    `book_level_lots`: lots per level at normal depth. `daily_volume_lots`: V_D of the impact law.
    `daily_volatility`: the normal daily σ (fraction), the floor of the impact's σ_D.
    `margin_rate`: the hidden initial margin rate (1.0 = the formula as is).
    """

    name: str
    currency_base: str
    currency_profit: str
    currency_margin: str
    calc_mode: int = c.SYMBOL_CALC_MODE_FOREX
    digits: int = 5
    contract_size: float = 100_000.0
    tick_size: float = 0.0
    tick_value: float = 0.0
    margin_initial: float = 0.0
    margin_maintenance: float = 0.0
    margin_rate: float = 1.0
    margin_hedged: float = 100_000.0
    margin_hedged_use_leg: bool = False
    volume_min: float = 0.01
    volume_max: float = 100.0
    volume_step: float = 0.01
    volume_limit: float = 0.0
    spread_points: float = 10.0
    trade_mode: int = c.SYMBOL_TRADE_MODE_FULL
    trade_exemode: int = c.SYMBOL_TRADE_EXECUTION_MARKET
    filling_mode: int = c.SYMBOL_FILLING_FOK | c.SYMBOL_FILLING_IOC
    trade_stops_level: int = 0
    trade_freeze_level: int = 0
    book_depth: int = 0
    book_level_lots: float = 10.0
    daily_volume_lots: float = 100_000.0
    daily_volatility: float = 0.006
    description: str = ""
    path: str = ""

    @property
    def point(self) -> float:
        return 10.0**-self.digits

    @property
    def tick(self) -> float:
        """Trade tick size (the point unless set)."""
        return self.tick_size if self.tick_size > 0 else self.point


def margin_per_lot(spec: BrokerSymbol, price: Num, leverage: float, *, hedged: bool = False) -> Num:
    """Margin of one lot in the margin currency, before the margin rate (formula table above).

    `hedged` uses CS := margin_hedged (the covered part of a hedged pair)."""
    cs = spec.margin_hedged if hedged else spec.contract_size
    mode = spec.calc_mode
    if spec.margin_initial > 0 and mode not in (c.SYMBOL_CALC_MODE_EXCH_STOCKS,):
        return spec.margin_initial * (cs / spec.contract_size if hedged else 1.0) + 0.0 * price
    if mode == c.SYMBOL_CALC_MODE_FOREX:
        return cs / leverage + 0.0 * price
    if mode == c.SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE:
        return cs + 0.0 * price
    if mode in (c.SYMBOL_CALC_MODE_CFD, c.SYMBOL_CALC_MODE_EXCH_STOCKS):
        return cs * price
    if mode == c.SYMBOL_CALC_MODE_CFDLEVERAGE:
        return cs * price / leverage
    if mode == c.SYMBOL_CALC_MODE_CFDINDEX:
        return cs * price * spec.tick_value / spec.tick
    if mode in (c.SYMBOL_CALC_MODE_FUTURES, c.SYMBOL_CALC_MODE_EXCH_FUTURES):
        return 0.0 * price
    raise ValueError(f"calc_mode = {mode} is not modelled; use one of {SUPPORTED_CALC_MODES}")


def regulatory_margin_fraction(spec: BrokerSymbol, leverage: float) -> float:
    """Margin per unit of notional that the formula charges (1/Lev for leveraged modes)."""
    if spec.calc_mode in (c.SYMBOL_CALC_MODE_FOREX, c.SYMBOL_CALC_MODE_CFDLEVERAGE):
        return spec.margin_rate / leverage
    return spec.margin_rate


def profit_factor(spec: BrokerSymbol) -> float:
    """Profit-currency value of a price move of 1.0 on one lot."""
    if spec.calc_mode in (c.SYMBOL_CALC_MODE_FUTURES, c.SYMBOL_CALC_MODE_EXCH_FUTURES):
        return spec.tick_value / spec.tick
    return spec.contract_size


@dataclass(frozen=True)
class _Step:
    symbol: int
    inverse: bool


class Converter:
    """Currency conversion through the scenario's symbols (direct, inverse or one cross)."""

    def __init__(self, symbols: tuple[BrokerSymbol, ...]) -> None:
        self._pairs: dict[tuple[str, str], _Step] = {}
        for i, s in enumerate(symbols):
            if s.currency_base and s.currency_profit and s.currency_base != s.currency_profit:
                self._pairs.setdefault((s.currency_base, s.currency_profit), _Step(i, False))
                self._pairs.setdefault((s.currency_profit, s.currency_base), _Step(i, True))
        self._plans: dict[tuple[str, str], tuple[_Step, ...]] = {}

    def plan(self, src: str, dst: str) -> tuple[_Step, ...]:
        """The conversion steps from `src` to `dst`; raises naming the missing symbol."""
        key = (src, dst)
        if key in self._plans:
            return self._plans[key]
        steps: tuple[_Step, ...] | None = None
        if src == dst:
            steps = ()
        elif key in self._pairs:
            steps = (self._pairs[key],)
        else:
            for (a, mid), first in self._pairs.items():
                if a == src and (mid, dst) in self._pairs:
                    steps = (first, self._pairs[(mid, dst)])
                    break
        if steps is None:
            raise ValueError(
                f"no symbol converts {src} to {dst}: add {src}{dst} or {dst}{src} (or a cross "
                f"through USD) to the scenario's [[symbols]]"
            )
        self._plans[key] = steps
        return steps

    def quote_rates(self, src: str, dst: str,
                    quote: Callable[[int], tuple[float, float]]) -> tuple[float, float]:
        """`rates` from one quote per symbol, `quote(k)` giving (bid, ask): the same steps in
        the same order, so the same floats, without the mappings of every symbol's quotes."""
        lo = hi = 1.0
        for st in self.plan(src, dst):
            b, a = quote(st.symbol)
            if st.inverse:
                lo, hi = lo / a, hi / b
            else:
                lo, hi = lo * b, hi * a
        return lo, hi

    def symbols_for(self, src: str, dst: str) -> tuple[int, ...]:
        return tuple(s.symbol for s in self.plan(src, dst))

    def rates(
        self, src: str, dst: str, bid: Mapping[int, Num], ask: Mapping[int, Num]
    ) -> tuple[Num, Num]:
        """(low, high) rates `src`→`dst` from the given quotes (scalars or arrays per symbol)."""
        lo: Num = 1.0
        hi: Num = 1.0
        for st in self.plan(src, dst):
            b, a = bid[st.symbol], ask[st.symbol]
            if st.inverse:
                lo, hi = lo / a, hi / b
            else:
                lo, hi = lo * b, hi * a
        return lo, hi


def impact_vwap_offset(
    volume: float,
    *,
    level_lots: float,
    coef: float,
    sigma_d: float,
    price: float,
    daily_volume_lots: float,
) -> float:
    """Average price offset from the touch (price units, ≥ 0) of `volume` lots walking the book."""
    if volume <= 0 or coef <= 0:
        return 0.0
    scale = coef * sigma_d * price / math.sqrt(max(daily_volume_lots, 1e-12))
    levels = volume / max(level_lots, 1e-12)
    if levels > 10_000:  # continuous limit: mean of √q over [0, Q] is ⅔·√Q
        return scale * (2.0 / 3.0) * math.sqrt(volume)
    n = math.ceil(levels)
    k = np.arange(n, dtype=np.float64)
    fill = np.full(n, level_lots)
    fill[-1] = volume - level_lots * (n - 1)
    return float(scale * np.sum(fill * np.sqrt(k * level_lots)) / volume)


def book_offsets(
    levels: int,
    *,
    level_lots: float,
    coef: float,
    sigma_d: float,
    price: float,
    daily_volume_lots: float,
) -> npt.NDArray[np.float64]:
    """Price offsets from the touch of the first `levels` book levels (level 0 at the touch)."""
    scale = coef * sigma_d * price / math.sqrt(max(daily_volume_lots, 1e-12))
    return scale * _root_depths(levels, level_lots)


@lru_cache(maxsize=1024)
def _root_depths(levels: int, level_lots: float) -> npt.NDArray[np.float64]:
    """√(level × level_lots) for levels 0…levels−1 (read-only: a pure function of the two)."""
    out = np.sqrt(np.arange(levels, dtype=np.float64) * level_lots)
    out.flags.writeable = False
    return out
