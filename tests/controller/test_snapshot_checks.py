"""The snapshot's first-pass checks (controller.snapshot_checks, controller.bounds) never change
an outcome: a snapshot built with them raises exactly what the field walk alone raises (the same
error, the same text) or is accepted by both."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import controller.bounds as bounds
import controller.snapshot_checks as checks
from controller import Account, BookLevel, MarketState, Position, SymbolSpec, make_snapshot
from controller.bounds import check_bounds
from tests.controller.builders import T0

_NASTY = [0.0, -0.0, -1.0, math.nan, math.inf, -math.inf, 1e308, 1.7e308, 2e12, 1e16, "1", None]
_NASTY_INTS = [0, -1, 1, 2**63 - 1, 2**63, 5_000_000_000, 1.5, math.nan, "2"]
_FIRST_PASSES = ((checks, "_account_fine"), (checks, "_symbol_fine"), (checks, "_book_fine"),
                 (checks, "_positions_fine"), (checks, "_all_convertible"),
                 (bounds, "_account_within"), (bounds, "_symbols_within"),
                 (bounds, "_market_within"), (bounds, "_positions_within"))


@contextmanager
def _walk_only() -> Iterator[None]:
    """Every first pass answers "walk": what the checks raise is the walk's alone."""
    saved = [(module, name, getattr(module, name)) for module, name in _FIRST_PASSES]
    try:
        for module, name in _FIRST_PASSES:
            setattr(module, name, lambda *args: False)
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def _outcome(build: Callable[[], object]) -> str:
    try:
        build()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "accepted"


@st.composite
def parts(draw: st.DrawFn) -> tuple[Account, dict[str, SymbolSpec], tuple[Position, ...],
                                    dict[str, MarketState]]:
    """Good values, one or two of them (drawn by their place) replaced by a bad one."""
    bad = draw(st.sets(st.integers(0, 64), max_size=2))
    place = iter(range(1000))

    def v(good: object, nasty: list[object] = _NASTY) -> Any:
        return draw(st.sampled_from(nasty)) if next(place) in bad else good

    account = Account(login=v(7, _NASTY_INTS), currency="USD", balance=v(1e4), equity=v(1e4),
                      margin=v(100.0), margin_so_call=100.0, margin_so_so=50.0, profit=v(0.0))
    specs = {n: SymbolSpec(name=n, trade_contract_size=v(1e5), volume_min=v(0.01),
                           volume_step=v(0.01), volume_max=v(500.0), currency_base=n[:3],
                           currency_profit=n[3:], currency_margin=n[:3])
             for n in ("EURUSD", "USDJPY", "NZDCAD", "GBPUSD")}  # GBPUSD: no quote
    market = {}
    for n, bid in (("EURUSD", 1.1), ("USDJPY", 150.0), ("NZDCAD", 0.8)):  # CAD: no rate
        book = tuple(BookLevel(v(1 + i % 2, [0, 5, 1.0, 4, None]), v(bid + i * 0.01),
                               v(1.0 + i)) for i in range(draw(st.integers(0, 4))))
        market[n] = MarketState(bid=v(bid), ask=v(bid + 0.01), time=v(T0),
                                book=book if draw(st.booleans()) else None,
                                bid_depth=v(None, [*_NASTY, 2.0]))
    held = tuple(Position(ticket=v(i + 1, [*_NASTY_INTS, 1, 1]),
                          symbol=v("EURUSD", ["USDJPY", "XAU", "GBPUSD", "NZDCAD"]),
                          type=v(i % 2, [2, -1, 1.0]), volume=v(1.0), price_open=v(1.1),
                          price_current=v(1.1), profit=v(0.0), swap=v(0.0),
                          time=v(1_700_000_000, _NASTY_INTS), magic=v(0, _NASTY_INTS))
                 for i in range(draw(st.integers(0, 3))))
    return account, specs, held, market


@settings(max_examples=2000, deadline=None)
@given(parts())
def test_the_first_passes_raise_what_the_field_walk_raises(
        drawn: tuple[Account, dict[str, SymbolSpec], tuple[Position, ...],
                     dict[str, MarketState]]) -> None:
    account, specs, held, market = drawn

    def build() -> None:
        check_bounds(make_snapshot(T0, account, specs, held, market))

    fast = _outcome(build)
    with _walk_only():
        walked = _outcome(build)
    assert fast == walked


def test_a_snapshot_of_good_values_passes_every_first_pass() -> None:
    """The first passes do answer "all fine" for good values (else the test above compares the
    walk with itself)."""
    book = (BookLevel(1, 1.1002, 3.0), BookLevel(2, 1.1, 2.5))
    held = (Position(1, "EURUSD", 0, 1.0, 1.1, 1.1, time=1_700_000_000, magic=3),)
    market = {"EURUSD": MarketState(bid=1.1, ask=1.1001, time=T0, book=book)}
    specs = {"EURUSD": SymbolSpec("EURUSD", 100_000.0, 0.01, 0.01, 500.0, "EUR", "USD", "EUR")}
    account = Account(7, "USD", 1e4, 1e4, 100.0, 100.0, 50.0)
    snap = make_snapshot(T0, account, specs, held, market)
    assert checks._account_fine(account)
    assert checks._symbol_fine(specs["EURUSD"])
    assert checks._book_fine(book)
    assert checks._positions_fine(held, specs, market)
    assert bounds._account_within(account)
    assert bounds._symbols_within(specs.values())
    assert bounds._market_within(market.values())
    assert bounds._positions_within(held)
    check_bounds(snap)
