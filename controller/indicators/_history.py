"""Histories handed to `prepare_symbol`: plain numpy arrays, validated at the boundary.

Times are UTC epoch seconds (float64). Prices are in the symbol's price units, depths in lots,
margin rates a fraction of notional (0.0333 = 30:1). Corrupt data is worse than no data, so any
NaN, negative, unsorted or mismatched array raises `ValueError` naming the field and the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Bars", "SymbolHistory"]

FloatArray = npt.NDArray[np.floating[Any]]
"""Float arrays; stored as float64 copies, read-only."""


def _as_array(name: str, values: object) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} has shape {arr.shape}: expected a 1-D array")
    out = arr.copy()
    out.flags.writeable = False
    return out


def _first_bad(mask: npt.NDArray[np.bool_]) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def _check_times(name: str, t: FloatArray) -> None:
    bad = _first_bad(~np.isfinite(t))
    if bad is not None:
        raise ValueError(f"{name}[{bad}] is {t[bad]}: times must be finite UTC epoch seconds")
    back = _first_bad(np.diff(t) < 0)
    if back is not None:
        raise ValueError(
            f"{name}[{back + 1}] = {t[back + 1]} is before {name}[{back}] = {t[back]}: "
            "times must be sorted ascending"
        )


def _check_prices(name: str, p: FloatArray) -> None:
    bad = _first_bad(~(np.isfinite(p) & (p > 0)))
    if bad is not None:
        raise ValueError(f"{name}[{bad}] is {p[bad]}: prices must be finite and > 0")


def _check_non_negative(name: str, v: FloatArray, what: str) -> None:
    bad = _first_bad(~(np.isfinite(v) & (v >= 0)))
    if bad is not None:
        raise ValueError(f"{name}[{bad}] is {v[bad]}: {what} must be finite and >= 0")


def _check_lengths(prefix: str, **arrays: FloatArray) -> None:
    lengths = {k: v.size for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{prefix}{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"arrays of one series must have one length: {listed}")


@dataclass(frozen=True, slots=True)
class Bars:
    """Closed OHLC bars of one timeframe. `time` is the bar's open time (UTC epoch seconds, the MT5
    convention); prices in price units. Arrays are copied and made read-only."""

    time: FloatArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray

    def __post_init__(self) -> None:
        for name in ("time", "open", "high", "low", "close"):
            object.__setattr__(self, name, _as_array(f"bars.{name}", getattr(self, name)))

    def validate(self, name: str) -> None:
        """Raise ValueError naming `name.field[i]` for unsorted times, bad prices or H < L."""
        _check_lengths(
            f"{name}.",
            time=self.time,
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
        )
        _check_times(f"{name}.time", self.time)
        if np.any(np.diff(self.time) == 0):
            dup = int(np.flatnonzero(np.diff(self.time) == 0)[0]) + 1
            raise ValueError(
                f"{name}.time[{dup}] = {self.time[dup]} repeats the previous bar's time: "
                "each bar once"
            )
        for field in ("open", "high", "low", "close"):
            _check_prices(f"{name}.{field}", getattr(self, field))
        inverted = _first_bad(self.high < self.low)
        if inverted is not None:
            raise ValueError(
                f"{name}.high[{inverted}] = {self.high[inverted]} is below {name}.low[{inverted}] "
                f"= {self.low[inverted]}: a bar's high must be >= its low"
            )

    def __len__(self) -> int:
        return int(self.time.size)


@dataclass(frozen=True, slots=True)
class SymbolHistory:
    """Everything `prepare_symbol` can fold into a symbol's indicators; every part optional.

    - `quote_time, bid, ask`: ticks or 1-second samples (UTC epoch s, price units; ask >= bid).
    - `m1, h1, d1`: closed bars; M1 closes stand in for quotes when there are no ticks (σ_now only,
      the spread is then unknown).
    - `depth_time, bid_depth_lots, ask_depth_lots`: book depth per side over the top N levels, lots.
    - `margin_time, margin_rate`: hourly samples of required margin per unit notional (fraction).
    - `depth_source`: "book" or "proxy", where the depth arrays come from.
    - `intraday`, `intraday_seconds`: H1/H4 bars for the daily σ samples before the quotes.
    Validation happens on construction.
    """

    quote_time: FloatArray | None = None
    bid: FloatArray | None = None
    ask: FloatArray | None = None
    m1: Bars | None = None
    h1: Bars | None = None
    d1: Bars | None = None
    depth_time: FloatArray | None = None
    bid_depth_lots: FloatArray | None = None
    ask_depth_lots: FloatArray | None = None
    margin_time: FloatArray | None = None
    margin_rate: FloatArray | None = None
    depth_source: str = "book"
    """Where the depth arrays come from: "book" (the broker's) or "proxy" (the EA's, §7)."""
    intraday: Bars | None = None
    """Closed intraday bars (H1 or H4) reaching back before the quotes: their returns give the
    daily σ samples of the high-volatility percentiles for the days before the first quote
    (`_seed.seed_vol_window`), so the regime is warm on the first decision."""
    intraday_seconds: float = 3600.0
    """Length of one `intraday` bar, seconds (3600 = H1, 14 400 = H4)."""

    def __post_init__(self) -> None:
        if self.depth_source not in ("book", "proxy"):
            raise ValueError(
                f"history.depth_source={self.depth_source!r}: must be 'book' or 'proxy'"
            )
        groups = (
            ("quote_time", "bid", "ask"),
            ("depth_time", "bid_depth_lots", "ask_depth_lots"),
            ("margin_time", "margin_rate"),
        )
        for group in groups:
            present = [name for name in group if getattr(self, name) is not None]
            if present and len(present) != len(group):
                missing = [name for name in group if name not in present]
                raise ValueError(
                    f"history.{missing[0]} is missing while history.{present[0]} is given: "
                    f"pass all of {', '.join(group)} or none"
                )
            for name in present:
                object.__setattr__(self, name, _as_array(f"history.{name}", getattr(self, name)))
        self._validate()

    def _validate(self) -> None:
        if self.quote_time is not None and self.bid is not None and self.ask is not None:
            _check_lengths("history.", quote_time=self.quote_time, bid=self.bid, ask=self.ask)
            _check_times("history.quote_time", self.quote_time)
            _check_prices("history.bid", self.bid)
            _check_prices("history.ask", self.ask)
            crossed = _first_bad(self.ask < self.bid)
            if crossed is not None:
                raise ValueError(
                    f"history.ask[{crossed}] = {self.ask[crossed]} is below history.bid[{crossed}]"
                    f" = {self.bid[crossed]}: a quote's ask must be >= its bid"
                )
        if (
            self.depth_time is not None
            and self.bid_depth_lots is not None
            and self.ask_depth_lots is not None
        ):
            _check_lengths(
                "history.",
                depth_time=self.depth_time,
                bid_depth_lots=self.bid_depth_lots,
                ask_depth_lots=self.ask_depth_lots,
            )
            _check_times("history.depth_time", self.depth_time)
            _check_non_negative("history.bid_depth_lots", self.bid_depth_lots, "depths in lots")
            _check_non_negative("history.ask_depth_lots", self.ask_depth_lots, "depths in lots")
        if self.margin_time is not None and self.margin_rate is not None:
            _check_lengths("history.", margin_time=self.margin_time, margin_rate=self.margin_rate)
            _check_times("history.margin_time", self.margin_time)
            _check_prices_rate(self.margin_rate)
        if self.intraday is not None and not 60.0 <= self.intraday_seconds <= 86_400.0:
            raise ValueError(
                f"history.intraday_seconds={self.intraday_seconds!r}: the length of one intraday "
                "bar in seconds, 60 (M1) to 86 400 (D1)"
            )
        for name in ("m1", "h1", "d1", "intraday"):
            bars = getattr(self, name)
            if bars is not None:
                bars.validate(f"history.{name}")


def _check_prices_rate(rate: FloatArray) -> None:
    bad = _first_bad(~(np.isfinite(rate) & (rate > 0)))
    if bad is not None:
        raise ValueError(
            f"history.margin_rate[{bad}] is {rate[bad]}: a margin rate is a fraction of notional, "
            "finite and > 0 (0.0333 = 30:1)"
        )
