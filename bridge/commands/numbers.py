"""Argparse types for numeric flags: a value outside its range is refused by argparse itself
(exit 2, "argument --flag: ..." naming the allowed range), before any command starts.

    p.add_argument("--speed", type=number(low=0.0, what="simulated seconds per wall second"))
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

__all__ = ["number", "whole_number"]


def number(*, low: float, high: float | None = None, low_open: bool = False,
           what: str = "") -> Callable[[str], float]:
    """A finite float in [low, high] (low excluded when `low_open`; no upper bound when `high` is
    None); `what` says what the number means (its unit), for the message."""
    if high is None:
        allowed = f"a number above {low:g}" if low_open else f"a number, {low:g} or more"
    else:
        allowed = (f"a number above {low:g} and at most {high:g}" if low_open
                   else f"a number from {low:g} to {high:g}")
    if what:
        allowed = f"{allowed} ({what})"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        below = value <= low if low_open else value < low
        if not math.isfinite(value) or below or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} is refused: give {allowed}")
        return value

    return parse


def whole_number(*, low: int, high: int | None = None, what: str = "") -> Callable[[str], int]:
    """An int in [low, high] (no upper bound when `high` is None)."""
    allowed = f"a whole number, {low} or more" if high is None else \
        f"a whole number from {low} to {high}"
    if what:
        allowed = f"{allowed} ({what})"

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is refused: give {allowed}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} is refused: give {allowed}")
        return value

    return parse
