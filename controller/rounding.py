"""`round(x, digits)` for floats, the same value bit for bit, without the decimal string.

Python rounds a float to `digits` decimals by writing it as a correctly rounded decimal string
and reading that back (about 0.5 µs); a decision rounds some 185 lots and levels. `round_to`
takes the short way when it can prove the answer: `y = x × 10**digits` rounded to the nearest
integer `n`, when `|y| < 2**40` and `y` lies within 0.49 of `n`. Then the product's own
rounding error (at most 2**-14 at that size) cannot carry the exact `x × 10**digits` past a
half-way point, so the correctly rounded decimal of `x` is `n / 10**digits` exactly, and the
float nearest to it is `n / 10.0**digits` (one correctly rounded division of two exact floats):
what `round` returns; for `n` = 0 that is a zero with the sign of `x`. Everything else (near
half-way values; huge, infinite or NaN values; an int) goes to `round` itself.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["round6", "round8", "round10", "round_to"]

_LIMIT = 2.0**40
_SCALE = {d: 10.0**d for d in range(16)}  # exact floats: 10**d < 2**53


def _rounder(digits: int) -> Callable[[float], float]:
    """`round(x, digits)` for one fixed `digits` (0 ≤ digits ≤ 15), the short way where the
    module text proves it gives the same float, with the scale bound once."""
    scale = _SCALE[digits]

    def rounded(x: float) -> float:
        if type(x) is float:
            y = x * scale
            if -_LIMIT < y < _LIMIT:
                n = round(y)
                if -0.49 < y - n < 0.49:
                    return n / scale if n else 0.0 * x  # 0 keeps the sign of x, as round does
        return round(x, digits)

    rounded.__name__ = rounded.__qualname__ = f"round{digits}"
    rounded.__doc__ = f"`round(x, {digits})`, the same float (module text)."
    return rounded


_ROUNDERS = {d: _rounder(d) for d in _SCALE}
round6, round8, round10 = _ROUNDERS[6], _ROUNDERS[8], _ROUNDERS[10]


def round_to(x: float, digits: int) -> float:
    """`round(x, digits)`, the same float (the short way for 0 ≤ digits ≤ 15: module text)."""
    rounder = _ROUNDERS.get(digits)
    return rounder(x) if rounder is not None else round(x, digits)

