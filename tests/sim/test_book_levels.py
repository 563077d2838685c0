"""The book's level prices (bridge.sim.symbols) are, value and type, the per-level formula
``round(touch ± max(offset, level × point), digits)``, whichever of the offset and the tick
floor wins (the array rounding of issue 18 changes nothing a reader of market_book_get sees)."""

from __future__ import annotations

import numpy as np

from bridge.sim.broker import book_offsets
from bridge.sim.symbols import _level_prices


def test_level_prices_equal_the_per_level_formula_in_value_and_type() -> None:
    rng = np.random.default_rng(18)
    floor_won = offset_won = 0
    for _ in range(3000):
        digits = int(rng.integers(2, 6))
        point = 10.0 ** -digits
        bid = round(float(rng.uniform(0.5, 200.0)), digits)
        ask = round(bid + point * float(rng.integers(1, 40)), digits)
        offs = book_offsets(int(rng.integers(1, 21)), level_lots=float(rng.uniform(0.1, 50)),
                            coef=float(rng.uniform(1e-3, 2.0)), sigma_d=float(rng.uniform(0, 0.1)),
                            price=bid, daily_volume_lots=float(rng.uniform(1e2, 1e7)))
        asks, bids = _level_prices(bid, ask, offs, point, digits)
        want_a = [round(ask + max(o, i * point), digits) for i, o in enumerate(offs)]
        want_b = [round(bid - max(o, i * point), digits) for i, o in enumerate(offs)]
        assert [(type(x), x) for x in asks] == [(type(x), x) for x in want_a]
        assert [(type(x), x) for x in bids] == [(type(x), x) for x in want_b]
        wins = [i * point > o for i, o in enumerate(offs)]
        floor_won += sum(wins)
        offset_won += len(wins) - sum(wins)
    assert floor_won > 100, "the tick floor must win on some levels"
    assert offset_won > 100, "the offset must win on some levels"


def test_level_prices_equal_the_per_level_formula_off_the_digits_grid() -> None:
    """Touches off the grid (half a point off, or any price), points that are not a power of
    ten and up to 8 digits: the one-array rounding is only taken where it is Python's, so the
    value and the type stay the per-level formula's (each side bit for bit)."""
    rng = np.random.default_rng(1818)
    for _ in range(20_000):
        digits = int(rng.integers(0, 9))
        point = 10.0 ** -digits if rng.random() < 0.7 else float(rng.choice([0.25, 0.5, 3e-5]))
        bid = round(float(rng.uniform(0.01, 300.0)), digits)
        if rng.random() < 0.5:
            bid += 0.5 * 10.0 ** -digits * float(rng.choice([1.0, -1.0, 0.999999, 1.000001]))
        ask = bid + (point * float(rng.integers(0, 40)) if rng.random() < 0.7
                     else float(rng.uniform(0, 1e-2)))
        n = int(rng.integers(1, 25))
        offs = float(rng.uniform(0, 3)) * point * np.sqrt(
            np.arange(n, dtype=np.float64) * float(rng.uniform(0.1, 50)))
        asks, bids = _level_prices(bid, ask, offs, point, digits)
        want_a = [round(ask + max(o, i * point), digits) for i, o in enumerate(offs)]
        want_b = [round(bid - max(o, i * point), digits) for i, o in enumerate(offs)]
        assert [(type(x), x.hex()) for x in asks] == [(type(x), x.hex()) for x in want_a]
        assert [(type(x), x.hex()) for x in bids] == [(type(x), x.hex()) for x in want_b]
