"""The port's book decoding (`bridge.terminal_values.BookLevels`) gives what building each
record gives, read after read: the same values and types, a changed book seen at once, the
sign of a zero volume as the terminal gave it, and a bounded dictionary."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np

from bridge.mt5.records import BookInfo
from bridge.terminal_values import BookLevels
from controller import BookLevel


def _built(rows: Any) -> tuple[BookLevel, ...]:
    """What the port built before it kept records: one per row."""
    return tuple(BookLevel(int(r.type), float(r.price), float(r.volume_dbl)) for r in rows)


def _same(a: tuple[BookLevel, ...], b: tuple[BookLevel, ...]) -> bool:
    """Equal records with values of the same types and the same signs (== does not see -0.0)."""
    return a == b and all(
        type(x) is type(y) and (not isinstance(x, float) or math.copysign(1.0, x)
                                == math.copysign(1.0, y))
        for p, q in zip(a, b, strict=True)
        for x, y in ((p.type, q.type), (p.price, q.price), (p.volume, q.volume)))


def test_a_book_read_again_decodes_to_the_records_built_one_by_one() -> None:
    rows = (BookInfo(1, 1.1002, 3, 3.5), BookInfo(1, 1.1001, 2, 2.0),
            SimpleNamespace(type=np.int64(2), price=np.float64(1.1), volume=1, volume_dbl=1),
            SimpleNamespace(type=2.0, price=2, volume=0, volume_dbl=np.float32(0.5)))
    levels = BookLevels()
    for _ in range(3):
        assert _same(levels.decode(rows), _built(rows))
    moved = (BookInfo(1, 1.1003, 3, 3.5), BookInfo(2, 1.1002, 3, 3.5))
    assert _same(levels.decode(moved), _built(moved))


def test_a_zero_volume_keeps_the_sign_the_terminal_gave() -> None:
    levels = BookLevels()
    plus = (BookInfo(2, 1.1, 0, 0.0),)
    minus = (BookInfo(2, 1.1, 0, -0.0),)
    assert _same(levels.decode(plus), _built(plus))
    assert _same(levels.decode(minus), _built(minus))
    assert math.copysign(1.0, levels.decode(minus)[0].volume) == -1.0


def test_the_kept_records_are_bounded() -> None:
    levels = BookLevels(keep=4)
    for i in range(50):
        rows = (BookInfo(1, 1.0 + i, 1, 1.0), BookInfo(2, 0.5 + i, 1, 2.0))
        assert _same(levels.decode(rows), _built(rows))
        assert len(levels._kept) <= 4 + 2
