"""Histories and books for the issue-10 safety tests (synthetic, deterministic)."""

from __future__ import annotations

import math

import numpy as np

from controller import BookLevel, MarketState
from controller.indicators import SymbolHistory
from tests.controller.builders import T0

SIGMA = 0.02  # daily σ of the synthetic series
R = SIGMA / math.sqrt(1440.0)  # per-minute log return, alternating in sign


def history(mid: float = 1.1, minutes: int = 2 * 1440, spread: float | None = None,
            depth_lots: float | None = None, sigma: float = SIGMA,
            every: int = 1, last_spread: float | None = None,
            last_depth_lots: float | None = None) -> SymbolHistory:
    """Quotes every `every` minutes up to T0, alternating ± a per-minute return of daily σ;
    with `depth_lots`, a book of that many lots on each side at every quote. `last_spread` /
    `last_depth_lots` replace the spread / depth of the last quote (the one at T0 − 60 s)."""
    r = sigma / math.sqrt(1440.0) * math.sqrt(every)
    n = minutes // every
    t = T0 - 60.0 * every * np.arange(n, 0, -1)
    mids = mid * np.exp(r * (np.arange(n) % 2))
    half = np.full(n, (spread if spread is not None else mid * 2e-4) / 2)
    if last_spread is not None:
        half[-1] = last_spread / 2
    extra = {}
    if depth_lots is not None:
        lots = np.full(n, depth_lots)
        if last_depth_lots is not None:
            lots[-1] = last_depth_lots
        extra = {"depth_time": t, "bid_depth_lots": lots, "ask_depth_lots": lots}
    return SymbolHistory(quote_time=t, bid=mids - half, ask=mids + half, **extra)


def book(mid: float, bid_lots: float, ask_lots: float, spread: float | None = None) -> MarketState:
    """A two-level book around `mid`: `bid_lots` and `ask_lots` on each side."""
    half = (spread if spread is not None else mid * 2e-4) / 2
    levels = []
    if ask_lots > 0:
        levels.append(BookLevel(1, mid + half, ask_lots))
    if bid_lots > 0:
        levels.append(BookLevel(2, mid - half, bid_lots))
    return MarketState(bid=mid - half, ask=mid + half, book=tuple(levels))
