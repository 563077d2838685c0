"""SymbolHistory and Bars reject corrupt data with messages that name the field and index."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from controller.indicators import Bars, SymbolHistory


def _quotes(n: int = 30) -> dict[str, Any]:
    t = 1e9 + np.arange(n, dtype=np.float64)
    return {"quote_time": t, "bid": np.full(n, 1.1), "ask": np.full(n, 1.1002)}


def test_nan_bid_names_the_field_and_index() -> None:
    q = _quotes()
    q["bid"][17] = math.nan
    with pytest.raises(
        ValueError, match=r"^history\.bid\[17\] is nan: prices must be finite and > 0$"
    ):
        SymbolHistory(**q)


def test_unsorted_times_name_the_index() -> None:
    q = _quotes()
    q["quote_time"][5] = q["quote_time"][3]
    with pytest.raises(
        ValueError,
        match=r"history\.quote_time\[5\] = .* is before history\.quote_time\[4\] .*sorted",
    ):
        SymbolHistory(**q)


def test_crossed_quote_is_rejected() -> None:
    q = _quotes()
    q["ask"][2] = 1.0
    with pytest.raises(ValueError, match=r"history\.ask\[2\] = 1\.0 is below history\.bid\[2\]"):
        SymbolHistory(**q)


def test_lengths_and_missing_partners() -> None:
    q = _quotes()
    q["ask"] = q["ask"][:-1]
    with pytest.raises(
        ValueError,
        match=r"history\.quote_time has 30, history\.bid has 30, "
        r"history\.ask has 29",
    ):
        SymbolHistory(**q)
    with pytest.raises(ValueError, match=r"history\.ask is missing while history\.quote_time"):
        SymbolHistory(quote_time=np.arange(3.0), bid=np.ones(3))


def test_depth_and_margin_values() -> None:
    t = np.arange(3.0)
    with pytest.raises(ValueError, match=r"history\.ask_depth_lots\[1\] is -2\.0: depths in lots"):
        SymbolHistory(
            depth_time=t, bid_depth_lots=np.ones(3), ask_depth_lots=np.array([1, -2, 1.0])
        )
    with pytest.raises(ValueError, match=r"history\.margin_rate\[0\] is 0\.0: .*fraction"):
        SymbolHistory(margin_time=t, margin_rate=np.array([0.0, 0.03, 0.03]))
    with pytest.raises(ValueError, match=r"depth_source='level2'"):
        SymbolHistory(depth_source="level2")


def test_bars_are_validated_with_their_name() -> None:
    t = np.arange(3.0) * 3600
    good = np.full(3, 1.1)
    bad_low = np.array([1.0, 1.2, 1.0])
    with pytest.raises(
        ValueError, match=r"history\.h1\.high\[1\] = 1\.1 is below history\.h1\.low"
    ):
        SymbolHistory(h1=Bars(t, good, good, bad_low, good))
    with pytest.raises(ValueError, match=r"history\.d1\.time\[2\] = .* repeats"):
        SymbolHistory(d1=Bars(np.array([0.0, 1.0, 1.0]), good, good, good, good))


def test_arrays_are_copied_read_only() -> None:
    q = _quotes()
    h = SymbolHistory(**q)
    q["bid"][0] = 5.0
    assert h.bid is not None
    assert h.bid[0] == 1.1
    with pytest.raises(ValueError, match="read-only"):
        h.bid[0] = 2.0
