"""Issue 10 item 7: the portfolio σ with short or missing history is never below what the
symbols' own σ say: no zero-return fill for the minutes a symbol was not quoted."""

from __future__ import annotations

import math

import pytest

from controller import Settings, decide, prepare_indicators
from controller.indicators import portfolio_sigma
from tests.controller.builders import account, fx, pos, snapshot
from tests.controller.safety_builders import SIGMA, book, history

S = Settings()


def _sparse_book():
    # EURUSD quoted every minute; GBPUSD only every 10 minutes (a thin feed), same daily σ
    return prepare_indicators({"EURUSD": history(1.1), "GBPUSD": history(1.27, every=10)}, S)


def test_item07_a_sparsely_quoted_symbol_keeps_its_own_sigma_in_the_book_sigma():
    ind, portfolio = _sparse_book()
    assert ind["GBPUSD"].sigma_now == pytest.approx(SIGMA, rel=0.05)
    snap = snapshot(account(equity=100_000.0, margin=3_000.0), [fx("EURUSD"), fx("GBPUSD")],
                    [pos(1, "GBPUSD", 0.5)], {},
                    market={"EURUSD": book(1.1, 10.0, 10.0), "GBPUSD": book(1.27, 10.0, 10.0)})
    d = decide(snap, S, ind, portfolio)
    assert d.metrics.sigma >= ind["GBPUSD"].sigma_now * (1 - 1e-9)


def test_item07_covariance_has_no_zero_fill_for_unquoted_minutes():
    _, portfolio = _sparse_book()
    # GBPUSD alone: its σ from the covariance is its σ, not diluted by nine zeros in ten minutes
    sigma = portfolio_sigma(portfolio, {"GBPUSD": 1.0})
    assert sigma == pytest.approx(SIGMA, rel=0.1)
    assert not math.isclose(sigma, SIGMA / math.sqrt(10.0), rel_tol=0.2)


def test_item07_a_held_symbol_never_quoted_has_no_zero_sigma():
    from controller.indicators import SymbolHistory

    # GBPUSD is tracked by the covariance but never had a quote: its σ is unknown, not 0
    ind, portfolio = prepare_indicators({"EURUSD": history(1.1), "GBPUSD": SymbolHistory()}, S)
    snap = snapshot(account(equity=100_000.0, margin=3_000.0), [fx("EURUSD"), fx("GBPUSD")],
                    [pos(1, "GBPUSD", 0.5)], {},
                    market={"EURUSD": book(1.1, 10.0, 10.0), "GBPUSD": book(1.27, 10.0, 10.0)})
    d = decide(snap, S, ind, portfolio)
    assert d.metrics.sigma is None  # unknown: L_safe unavailable, never L_max on a σ of 0
    assert next(c for c in d.caps if c.name == "l_safe").value is None
