"""A book whose rolling median is still warming (the first minutes after a start: MT5 keeps no
history of the book) reads its DepthRatio from the spread proxy, labelled "proxy", instead of
leaving the regime `UNAVAILABLE` until `min_median_buckets` buckets of book samples are in."""

from __future__ import annotations

import pytest

from controller import BookLevel, MarketState, Settings
from controller.liquidity import read_depth
from controller.settings import SymbolClass

S = Settings()
BOOK = (BookLevel(1, 1.1004, 3.5), BookLevel(2, 1.1000, 8.0))  # asks 3.5 lots, bids 8


class _Ind:
    def __init__(self, bid_median=None, ask_median=None, spread_median=None):
        self.depth_median_bid_lots = bid_median
        self.depth_median_ask_lots = ask_median
        self.spread_median = spread_median


def test_book_without_its_median_yet_reads_the_spread_proxy_ratio():
    m = MarketState(bid=1.1000, ask=1.1004, book=BOOK)  # spread 4 pips against a 1-pip median
    r = read_depth(m, _Ind(spread_median=0.0001), 1.0, 110_000.0, SymbolClass.MAJOR_FX, S.plan)
    assert r.source == "proxy"
    assert r.ratio == pytest.approx(0.25)
    assert r.lots == 8.0  # the book's own lots on the side a reduction hits
    assert r.notional == pytest.approx(880_000.0)


def test_book_with_its_median_is_read_from_the_book():
    m = MarketState(bid=1.1000, ask=1.1004, book=BOOK)
    r = read_depth(m, _Ind(bid_median=16.0, spread_median=0.0001), 1.0, 110_000.0,
                   SymbolClass.MAJOR_FX, S.plan)
    assert (r.lots, r.ratio, r.source) == (8.0, 0.5, "book")


def test_book_with_neither_median_has_no_ratio():
    m = MarketState(bid=1.1000, ask=1.1004, book=BOOK)
    r = read_depth(m, _Ind(), 1.0, 110_000.0, SymbolClass.MAJOR_FX, S.plan)
    assert (r.lots, r.ratio, r.source) == (8.0, None, "book")
