"""Issue 10 item 2: with proxy depth (no book, no EA telemetry) a spread blow-out is one sign, not
two; the crash flag needs independent evidence (book or telemetry depth, own slippage,
correlation), and the decision says which signs it saw and from which source."""

from __future__ import annotations

from controller import MarketState, Regime, Settings, decide, prepare_indicators
from tests.controller.builders import account, fx, pos, snapshot
from tests.controller.safety_builders import book, history

S = Settings()


def _evidence(d):
    return {(x.sign, x.source): x for x in d.metrics.crash_evidence}


def test_item02_spread_blowout_with_proxy_depth_alone_raises_no_flag():
    ind, portfolio = prepare_indicators(
        {"EURUSD": history(1.1, spread=2e-4, last_spread=7e-4)}, S)
    # spread 3.5× its median, no book, no telemetry; EffLev 1.6
    market = {"EURUSD": MarketState(bid=1.1 - 3.5e-4, ask=1.1 + 3.5e-4)}
    snap = snapshot(account(equity=100_000.0, margin=3_000.0), [fx()],
                    [pos(1, "EURUSD", 1.45)], {}, market=market)
    d = decide(snap, S, ind, portfolio)
    assert d.symbols[0].depth_source == "proxy"
    assert not d.metrics.crash_flag
    assert d.regime is not Regime.MINIMUM
    seen = _evidence(d)
    assert seen[("spread_blowout", "spread")].shown
    assert not seen[("depth_collapsing", "proxy")].independent


def test_item02_book_depth_collapse_with_spread_blowout_raises_the_flag_and_names_sources():
    ind, portfolio = prepare_indicators(
        {"EURUSD": history(1.1, spread=2e-4, depth_lots=10.0, last_spread=7e-4,
                           last_depth_lots=1.0)}, S)
    market = {"EURUSD": book(1.1, bid_lots=1.0, ask_lots=1.0, spread=7e-4)}
    snap = snapshot(account(equity=100_000.0, margin=3_000.0), [fx()],
                    [pos(1, "EURUSD", 1.45)], {}, market=market)
    d = decide(snap, S, ind, portfolio)
    assert d.metrics.crash_flag
    seen = _evidence(d)
    assert seen[("depth_collapsing", "book")].shown
    assert seen[("depth_collapsing", "book")].independent
    assert seen[("spread_blowout", "spread")].shown


def test_item02_telemetry_depth_is_named_as_telemetry():
    ind, portfolio = prepare_indicators(
        {"EURUSD": history(1.1, spread=2e-4, depth_lots=10.0, last_spread=7e-4,
                           last_depth_lots=1.0)}, S)
    market = {"EURUSD": MarketState(bid=1.1 - 3.5e-4, ask=1.1 + 3.5e-4, bid_depth=1.0,
                                    ask_depth=1.0)}
    snap = snapshot(account(equity=100_000.0, margin=3_000.0), [fx()],
                    [pos(1, "EURUSD", 1.45)], {}, market=market)
    d = decide(snap, S, ind, portfolio)
    assert d.metrics.crash_flag
    assert ("depth_collapsing", "telemetry") in _evidence(d)


def test_item02_the_crash_warning_names_each_sign_with_its_source():
    ind, portfolio = prepare_indicators(
        {"EURUSD": history(1.1, spread=2e-4, depth_lots=10.0, last_spread=7e-4,
                           last_depth_lots=1.0)}, S)
    market = {"EURUSD": book(1.1, bid_lots=1.0, ask_lots=1.0, spread=7e-4)}
    snap = snapshot(account(equity=100_000.0, margin=3_000.0), [fx()],
                    [pos(1, "EURUSD", 1.45)], {}, market=market)
    w = next(x for x in decide(snap, S, ind, portfolio).warnings if x.code == "crash_flag")
    assert "depth_collapsing (book 0.10" in w.message
    assert "spread_blowout (spread 3.50" in w.message
