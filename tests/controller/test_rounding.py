"""`round_to` gives the very float `round` gives (the decision's lots and levels are rounded)."""

from __future__ import annotations

import math
import random
import struct

from controller.rounding import round_to


def _bits(value: float) -> tuple[type, bytes]:
    return type(value), struct.pack("<d", value)


def test_round_to_equals_round_bit_for_bit_on_lots_levels_halfway_and_odd_values() -> None:
    rng = random.Random(18)
    values = [0.0, -0.0, math.inf, -math.inf, 5e-324, -1e-300, 1e300, 2.0**40 / 1e10,
              0.5e-10, 1.5e-10, -2.5e-10, 0.123456789050, 1234.56789012345]
    for _ in range(20_000):
        digits = rng.choice((6, 8, 10))
        values += [
            rng.uniform(-1e4, 1e4),
            math.ceil(rng.uniform(0.0, 500.0) / 0.01 - 1e-9) * 0.01,  # lots on a 0.01 step
            (rng.randint(-10**9, 10**9) + 0.5) / 10**digits,  # half-way in decimal
            math.nextafter((rng.randint(-10**8, 10**8) + 0.5) / 10**digits, math.inf),
            rng.uniform(-1.0, 1.0) * 10 ** rng.uniform(-12.0, 6.0),
            struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0],
        ]
    for i, x in enumerate(values):
        for digits in (6, 8, 10) if i < 13 else (rng.choice((0, 2, 6, 8, 10, 15)),):
            assert _bits(round_to(x, digits)) == _bits(round(x, digits)), (x, digits)


def test_round_to_keeps_nan_ints_and_digits_beyond_its_table_as_round_does() -> None:
    assert math.isnan(round_to(math.nan, 10))
    assert round_to(7, 10) == 7
    assert type(round_to(7, 10)) is int
    assert _bits(round_to(0.123456789012345678, 17)) == _bits(round(0.123456789012345678, 17))
    assert _bits(round_to(1234.5, -1)) == _bits(round(1234.5, -1))


def test_round6_round8_round10_equal_round_bit_for_bit() -> None:
    from controller.rounding import round6, round8, round10

    rng = random.Random(1806)
    values = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -1e-300, 1e300, 7, -3,
              0.5e-10, 1.5e-10, -2.5e-10, 0.123456789050, 1234.56789012345]
    for _ in range(20_000):
        digits = rng.choice((6, 8, 10))
        values += [
            rng.uniform(-1e4, 1e4),
            math.ceil(rng.uniform(0.0, 500.0) / 0.01 - 1e-9) * 0.01,
            (rng.randint(-10**9, 10**9) + 0.5) / 10**digits,
            math.nextafter((rng.randint(-10**8, 10**8) + 0.5) / 10**digits, -math.inf),
            rng.uniform(-1.0, 1.0) * 10 ** rng.uniform(-12.0, 6.0),
            struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0],
        ]
    for x in values:
        for fn, digits in ((round6, 6), (round8, 8), (round10, 10)):
            got, want = fn(x), round(x, digits)
            if isinstance(want, float) and math.isnan(want):
                assert math.isnan(got)
            else:
                assert _bits(got) == _bits(want), (x, digits)
