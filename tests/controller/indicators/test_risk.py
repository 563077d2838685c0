"""LVI and the stress margin (DESIGN §3.2) against hand-computed values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controller.indicators import lvi, stress_margin


def test_lvi_hand_computed() -> None:
    # E = 100; EURUSD PV 150 with DepthRatio 0.5; USDJPY short PV -50 with ratio 2
    # LVI = 1.5 / 0.5 + 0.5 / 2 = 3.25
    assert lvi({"EURUSD": 150.0, "USDJPY": -50.0}, 100.0, {"EURUSD": 0.5, "USDJPY": 2.0}) == 3.25


def test_lvi_unknown_depth_counts_as_ratio_one_so_it_equals_efflev() -> None:
    assert lvi({"EURUSD": 150.0, "GBPUSD": 50.0}, 100.0, {"EURUSD": None}) == 2.0


def test_lvi_empty_book_is_infinite() -> None:
    assert lvi({"EURUSD": 10.0}, 100.0, {"EURUSD": 0.0}) == math.inf


def test_lvi_rejects_non_positive_equity_naming_it() -> None:
    with pytest.raises(ValueError, match=r"equity=0.0: .*insolvent"):
        lvi({"EURUSD": 10.0}, 0.0, {})
    with pytest.raises(ValueError, match=r"depth_ratio_by_symbol\['EURUSD'\]=-1.0"):
        lvi({"EURUSD": 10.0}, 10.0, {"EURUSD": -1.0})


def test_stress_margin_hand_computed() -> None:
    # M = 1000; EURUSD: MPG 2.0 × Δσ 0.01 × notional 100k = 2000; GBPUSD: 0.5 × 0.02 × 50k = 500
    m = stress_margin(
        1000.0,
        {"EURUSD": 2.0, "GBPUSD": 0.5},
        {"EURUSD": 0.01, "GBPUSD": 0.02},
        {"EURUSD": 100_000.0, "GBPUSD": -50_000.0},
    )
    assert m == pytest.approx(3500.0, rel=1e-15)


def test_stress_margin_never_below_margin() -> None:
    # unknown MPG adds nothing; a negative slope is floored at 0
    m = stress_margin(
        1000.0,
        {"EURUSD": None, "GBPUSD": -3.0},
        {"EURUSD": 0.01, "GBPUSD": 0.01},
        {"EURUSD": 1e5, "GBPUSD": 1e5},
    )
    assert m == 1000.0


def test_stress_margin_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"margin=-1\.0"):
        stress_margin(-1.0, {}, {}, {})
    with pytest.raises(ValueError, match=r"notional_by_symbol\['X'\]=nan"):
        stress_margin(1.0, {}, {}, {"X": math.nan})


@given(
    pv=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8),
    ratios=st.lists(st.floats(0.01, 1.0), min_size=8, max_size=8),
    equity=st.floats(1.0, 1e6),
)
def test_lvi_is_at_least_efflev_when_every_book_is_thinner_than_usual(
    pv: list[float], ratios: list[float], equity: float
) -> None:
    names = [f"S{i}" for i in range(len(pv))]
    value = lvi(dict(zip(names, pv, strict=True)), equity, dict(zip(names, ratios, strict=False)))
    efflev = sum(abs(p) for p in pv) / equity
    assert value >= efflev * (1.0 - 1e-12)
