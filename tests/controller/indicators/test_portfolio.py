"""Portfolio σ = √(wᵀΣw) with the counter-cyclical floor, and the average pairwise correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.indicators import (
    PortfolioIndicators,
    SymbolHistory,
    avg_pairwise_correlation,
    ewma_alpha,
    minute_returns,
    new_portfolio_indicators,
    new_symbol_indicators,
    on_minute_returns,
    on_quote,
    portfolio_sigma,
    prepare_portfolio,
)
from tests.controller.indicators.helpers import EPOCH, small_settings


def _constant(returns: dict[str, float], minutes: int = 50) -> PortfolioIndicators:
    state = new_portfolio_indicators(list(returns), small_settings(vol_halflife_minutes=10.0))
    for k in range(minutes):
        state = on_minute_returns(state, EPOCH + 60.0 * k, returns)
    return state


def test_portfolio_sigma_hand_computed() -> None:
    # constant returns a = 0.001, b = 0.0005 each minute: Σ = 1440 [a², ab; ab, b²] (ρ = 1)
    # w = (0.6, −0.4): σ = √1440 × |0.6 a − 0.4 b| = √1440 × 0.0004
    state = _constant({"EURUSD": 0.001, "GBPUSD": 0.0005})
    sigma = portfolio_sigma(state, {"EURUSD": 0.6, "GBPUSD": -0.4})
    assert sigma == pytest.approx(math.sqrt(1440.0) * 0.0004, rel=1e-9)


def test_a_perfect_hedge_has_zero_sigma() -> None:
    state = _constant({"EURUSD": 0.001, "USDCHF": -0.001})
    assert portfolio_sigma(state, {"EURUSD": 0.5, "USDCHF": 0.5}) == pytest.approx(0.0, abs=1e-12)


def test_floor_raises_each_sigma_and_keeps_the_correlation() -> None:
    # σ_EUR = 0.001 √1440 ≈ 0.0379 floored at 0.05; σ_GBP = 0.0005 √1440 ≈ 0.0190 above 0.01
    # ρ = 1 kept: σ = |0.6 × 0.05 − 0.4 × 0.0005 √1440|
    state = _constant({"EURUSD": 0.001, "GBPUSD": 0.0005})
    sigma = portfolio_sigma(
        state, {"EURUSD": 0.6, "GBPUSD": -0.4}, sigma_floor={"EURUSD": 0.05, "GBPUSD": 0.01}
    )
    assert sigma == pytest.approx(abs(0.6 * 0.05 - 0.4 * 0.0005 * math.sqrt(1440.0)), rel=1e-9)


def test_floor_on_a_symbol_that_never_moved_treats_it_as_uncorrelated() -> None:
    state = _constant({"EURUSD": 0.001, "USDHKD": 0.0})
    sigma = portfolio_sigma(state, {"EURUSD": 0.5, "USDHKD": 0.5}, sigma_floor={"USDHKD": 0.02})
    expected = math.sqrt((0.5 * 0.001 * math.sqrt(1440.0)) ** 2 + (0.5 * 0.02) ** 2)
    assert sigma == pytest.approx(expected, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), minutes=st.integers(1, 200), n=st.integers(1, 5))
def test_covariance_equals_the_direct_weighted_sum(seed: int, minutes: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0, 1e-3, (minutes, n))
    names = [f"S{i}" for i in range(n)]
    s = small_settings(vol_halflife_minutes=30.0, corr_fast_halflife_minutes=5.0)
    state = new_portfolio_indicators(names, s)
    for k in range(minutes):
        state = on_minute_returns(state, EPOCH + 60.0 * k, dict(zip(names, r[k], strict=True)))
    for halflife, cov in (
        (30.0, state.slow_covariance_daily()),
        (5.0, state.fast_correlation()),
    ):
        assert cov is not None
        lam = 1.0 - ewma_alpha(halflife)
        w = lam ** np.arange(minutes - 1, -1, -1, dtype=np.float64)
        oracle = (r * w[:, None]).T @ r / w.sum()
        if halflife == 30.0:
            np.testing.assert_allclose(cov, oracle * 1440.0, rtol=1e-12, atol=1e-18)
        else:
            sd = np.sqrt(np.diag(oracle))
            np.testing.assert_allclose(cov, oracle / np.outer(sd, sd), rtol=1e-9)
    weights = rng.normal(0.0, 1.0, n)
    sigma = portfolio_sigma(state, dict(zip(names, weights, strict=True)))
    slow = state.slow_covariance_daily()
    assert slow is not None
    assert sigma == pytest.approx(math.sqrt(max(float(weights @ slow @ weights), 0.0)), rel=1e-12)


def test_avg_pairwise_correlation_hand_computed() -> None:
    # constant returns (a, b, −c): ρ_AB = 1, ρ_AC = ρ_BC = −1 → mean −1/3
    state = _constant({"A": 0.001, "B": 0.002, "C": -0.0005})
    assert avg_pairwise_correlation(state, ["A", "B", "C"]) == pytest.approx(-1.0 / 3.0, rel=1e-9)
    assert avg_pairwise_correlation(state, ["A", "B"]) == pytest.approx(1.0, rel=1e-9)
    assert avg_pairwise_correlation(state, ["A", "XAUUSD"]) is None  # one tracked symbol


def test_unknown_before_the_minimum_minutes_or_for_an_untracked_symbol() -> None:
    s = small_settings(min_vol_minutes=10)
    state = new_portfolio_indicators(["A", "B"], s)
    for k in range(9):
        state = on_minute_returns(state, EPOCH + 60.0 * k, {"A": 0.001, "B": -0.001})
    assert portfolio_sigma(state, {"A": 1.0}) is None
    assert avg_pairwise_correlation(state, ["A", "B"]) is None
    state = on_minute_returns(state, EPOCH + 60.0 * 9, {"A": 0.001})
    assert portfolio_sigma(state, {"A": 1.0}) is not None
    assert portfolio_sigma(state, {"A": 0.5, "XAUUSD": 0.5}) is None


def test_errors_name_the_symbol_or_time() -> None:
    with pytest.raises(ValueError, match="'A' appears twice"):
        new_portfolio_indicators(["A", "A"], small_settings())
    state = new_portfolio_indicators(["A"], small_settings())
    with pytest.raises(ValueError, match=r"returns\['B'\]: symbol not in the portfolio"):
        on_minute_returns(state, EPOCH, {"B": 0.1})
    with pytest.raises(ValueError, match=r"returns\['A'\]=nan"):
        on_minute_returns(state, EPOCH, {"A": math.nan})
    state = on_minute_returns(state, EPOCH, {"A": 0.0})
    with pytest.raises(ValueError, match="not after the last minute"):
        on_minute_returns(state, EPOCH, {"A": 0.0})
    with pytest.raises(ValueError, match=r"sigma_floor\['A'\]=-1.0"):
        portfolio_sigma(state, {"A": 1.0}, sigma_floor={"A": -1.0})


def _ticks(seed: int, n: int) -> SymbolHistory:
    rng = np.random.default_rng(seed)
    t = EPOCH + np.sort(rng.uniform(0.0, 6 * 3600.0, n))
    mid = 1.3 * np.exp(np.cumsum(rng.normal(0.0, 1e-4, n)))
    return SymbolHistory(quote_time=t, bid=mid, ask=mid + 1e-4)


def test_minute_returns_are_the_ones_on_quote_sees() -> None:
    h = _ticks(4, 2000)
    state = new_symbol_indicators(small_settings())
    seen: list[tuple[float, float]] = []
    assert h.quote_time is not None
    assert h.bid is not None
    assert h.ask is not None
    for t, b, a in zip(h.quote_time.tolist(), h.bid.tolist(), h.ask.tolist(), strict=True):
        before = state.minute_return_time
        state = on_quote(state, t, b, a)
        if state.minute_return_time != before and state.minute_return is not None:
            assert state.minute_return_time is not None
            seen.append((state.minute_return_time, state.minute_return))
    minutes, rets = minute_returns(h)
    assert seen == [(m * 60.0, r) for m, r in zip(minutes, rets, strict=True)]


def test_prepare_portfolio_equals_the_fold() -> None:
    histories = {"EURUSD": _ticks(1, 3000), "GBPUSD": _ticks(2, 500), "USDJPY": _ticks(3, 50)}
    s = small_settings()
    prepared = prepare_portfolio(histories, s)
    by_minute: dict[int, dict[str, float]] = {}
    for symbol, h in histories.items():
        for m, r in zip(*minute_returns(h), strict=True):
            by_minute.setdefault(m, {})[symbol] = r
    state = new_portfolio_indicators(histories, s)
    for m in sorted(by_minute):
        state = on_minute_returns(state, m * 60.0, by_minute[m])
    assert prepared.symbols == ("EURUSD", "GBPUSD", "USDJPY")
    assert prepared.n_minutes == state.n_minutes == len(by_minute)
    np.testing.assert_array_equal(prepared.slow_sum, state.slow_sum)
    np.testing.assert_array_equal(prepared.fast_sum, state.fast_sum)
    assert np.array_equal(prepared.slow_weight, state.slow_weight)
    assert prepared.last_time == state.last_time
    for a, b in (
        (prepared.cov_daily, state.cov_daily),
        (prepared.corr_slow, state.corr_slow),
        (prepared.corr_fast, state.corr_fast),
    ):
        assert a is not None
        assert b is not None
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="read-only"):
        prepared.slow_sum[0, 0] = 1.0


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 6),
    scale=st.floats(-5.0, 5.0),
)
def test_sigma_is_homogeneous_and_never_above_the_undiversified_sum(
    seed: int, n: int, scale: float
) -> None:
    rng = np.random.default_rng(seed)
    names = [f"S{i}" for i in range(n)]
    mix = rng.normal(0.0, 1.0, (n, n))
    state = new_portfolio_indicators(names, small_settings())
    for k in range(60):  # correlated returns
        r = mix @ rng.normal(0.0, 1e-3, n)
        state = on_minute_returns(state, EPOCH + 60.0 * k, dict(zip(names, r, strict=True)))
    w = dict(zip(names, rng.normal(0.0, 1.0, n), strict=True))
    sigma = portfolio_sigma(state, w)
    scaled = portfolio_sigma(state, {s: scale * v for s, v in w.items()})
    assert sigma is not None
    assert scaled is not None
    assert scaled == pytest.approx(abs(scale) * sigma, rel=1e-9, abs=1e-15)
    assert state.sd_daily is not None
    undiversified = sum(abs(w[s]) * state.sd_daily[i] for i, s in enumerate(names))
    assert sigma <= undiversified * (1.0 + 1e-9)
    floored = portfolio_sigma(state, w, sigma_floor=dict.fromkeys(names, 0.0))
    assert floored == pytest.approx(sigma, rel=1e-9, abs=1e-15)  # a zero floor changes nothing
