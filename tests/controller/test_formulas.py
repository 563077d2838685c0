"""Every formula of DESIGN §3 against a value computed by hand (in the comments)."""

from __future__ import annotations

import pytest

from controller import BookLevel, MarketState, Settings
from controller.extras import (
    atr_multiplier,
    event_factor,
    mtf_multiplier,
    time_of_day_factor,
    weighted,
)
from controller.liquidity import crash_signs, hit_side_depth, read_depth
from controller.margin_state import band_names, cut_fraction, leverage_metrics, msi_rule_cap
from controller.safe_leverage import (
    buffer_cap,
    harmonic_l_max,
    liquidity_risk,
    safe_leverage,
    sigma_upper_bound,
)
from controller.settings import ExtrasSettings, RegimeSettings, SymbolClass
from controller.snapshot import Event, conversion_rates, guess_symbol_class
from tests.controller.builders import fx

S = Settings()


# §3.1 ---------------------------------------------------------------------------------------
def test_leverage_metrics_hand_values():
    # E 10 000, M 2 500, PV 35 000: EffLev 3.5, MU 25 %, MSI 4
    m = leverage_metrics(10_000.0, 2_500.0, 35_000.0)
    assert (m.eff_lev, m.mu, m.msi) == (3.5, 0.25, 4.0)


def test_leverage_metrics_insolvent_and_no_margin():
    assert leverage_metrics(0.0, 10.0, 100.0).eff_lev is None
    assert leverage_metrics(-5.0, 10.0, 100.0).msi is None
    assert leverage_metrics(100.0, 0.0, 0.0).msi is None


def test_cut_fraction_is_reverse_pyramiding():
    assert cut_fraction(4.0, 2.0) == 0.5  # 1 − 2/4
    assert cut_fraction(2.5, 2.0) == pytest.approx(0.2)  # 1 − 2/2.5
    assert cut_fraction(1.5, 2.0) == 0.0


def test_msi_rule_cap():
    # PV 200, M 50, MSI 1.5 → EffLev ≤ 200 / (50 × 1.5) = 2.6667
    assert msi_rule_cap(200.0, 50.0, 1.5) == pytest.approx(8 / 3)
    assert msi_rule_cap(200.0, 0.0, 1.5) is None


@pytest.mark.parametrize(
    ("equity", "margin", "pv", "expected"),
    [
        (100.0, 20.0, 150.0, ("normal", "safe", "safe", "safe")),  # 1.5, 20 %, 5.0
        (100.0, 45.0, 200.0, ("normal", "aggressive", "safe", "caution")),  # 2.0, 45 %, 2.22
        (100.0, 75.0, 280.0, ("elevated", "extreme", "caution", "critical")),  # 2.8, 75 %, 1.33
        (100.0, 110.0, 320.0, ("ruin", "extreme", "danger", "critical")),  # 3.2, 110 %, 0.91
        (100.0, 130.0, 100.0, ("normal", "extreme", "forced_close", "critical")),  # MSI 0.77
    ],
)
def test_bands(equity, margin, pv, expected):
    m = leverage_metrics(equity, margin, pv)
    assert band_names(m, equity, S.bands) == expected


# §3.2 ---------------------------------------------------------------------------------------
BOOK = (
    BookLevel(1, 1.1003, 2.0), BookLevel(1, 1.1002, 1.5),  # asks: 3.5 lots
    BookLevel(2, 1.1000, 1.0), BookLevel(2, 1.0999, 3.0), BookLevel(2, 1.0998, 4.0),  # bids 8
)


def test_hit_side_depth_sums_the_side_a_reduction_hits():
    m = MarketState(bid=1.1, ask=1.1002, book=BOOK)
    assert hit_side_depth(m, +1.0) == 8.0  # closing a long sells into the bids
    assert hit_side_depth(m, -1.0) == 3.5  # closing a short buys the asks
    assert hit_side_depth(m, 0.0) == 3.5  # flat: the thinner side
    assert hit_side_depth(MarketState(bid=1.1, ask=1.1002), 1.0) is None
    ea = MarketState(bid=1.1, ask=1.1002, bid_depth=6.0, ask_depth=9.0)
    assert hit_side_depth(ea, -2.0) == 9.0


class _Ind:
    """Just the indicator readings read_depth uses."""

    def __init__(self, bid_median=None, ask_median=None, spread_median=None):
        self.depth_median_bid_lots = bid_median
        self.depth_median_ask_lots = ask_median
        self.spread_median = spread_median


def test_depth_ratio_from_the_book():
    m = MarketState(bid=1.1, ask=1.1002, book=BOOK)
    r = read_depth(m, _Ind(bid_median=16.0), 1.0, 110_000.0, SymbolClass.MAJOR_FX, S.plan)
    # 8 lots against a median of 16: ratio 0.5; notional 8 × 110 000
    assert (r.lots, r.ratio, r.source) == (8.0, 0.5, "book")
    assert r.notional == pytest.approx(880_000.0)


def test_depth_proxy_from_the_spread():
    m = MarketState(bid=1.1000, ask=1.1004)  # spread 4 pips
    r = read_depth(m, _Ind(spread_median=0.0001), 1.0, 110_000.0, SymbolClass.MAJOR_FX, S.plan)
    # ratio = median / spread = 1/4; notional = 10 M × 0.25
    assert r.source == "proxy"
    assert r.ratio == pytest.approx(0.25)
    assert r.notional == pytest.approx(2.5e6)
    nothing = read_depth(m, None, 1.0, 110_000.0, SymbolClass.MAJOR_FX, S.plan)
    assert nothing.source is None
    assert nothing.ratio is None


def test_crash_flag_needs_every_observable_sign():
    rs = RegimeSettings()
    assert crash_signs(0.2, 4.0, None, None, rs)[:2] == (
        True, ("depth_collapsing", "spread_blowout"))
    assert crash_signs(0.2, 4.0, 1.0, None, rs)[0] is False  # slippage as modelled
    assert crash_signs(0.2, 4.0, 2.5, 0.9, rs)[0] is True
    assert crash_signs(0.2, 4.0, 2.5, 0.5, rs)[0] is False  # still diversified
    # depth unknown: own slippage and correlation are the independent evidence (issue 10 item 2)
    assert crash_signs(None, 4.0, 2.5, 0.9, rs)[0] is True
    assert crash_signs(None, 4.0, None, None, rs)[0] is False  # the spread alone: no flag
    # depth from the spread proxy restates the spread: not a second sign
    assert crash_signs(None, 4.0, None, None, rs, proxy_depth_ratio=0.2)[0] is False
    assert crash_signs(0.8, 1.0, None, None, rs)[:2] == (False, ())


# §3.3 ---------------------------------------------------------------------------------------
def test_safe_leverage_hand_value():
    # K 0.02, σ 0.005/day, LR 1.6: 0.02 / 0.008 = 2.5 (below L_max 30)
    assert safe_leverage(0.02, 0.005, 1.6, 30.0) == pytest.approx(2.5)
    assert safe_leverage(0.02, 0.0001, 1.0, 30.0) == 30.0  # capped by L_max
    assert safe_leverage(0.02, None, 1.0, 30.0) is None


def test_liquidity_risk_hand_value():
    w = {"EURUSD": 0.75, "GBPUSD": 0.25}
    # EURUSD: depth 0.5 → ×2, spread 1.5× median → ×1.5: 3.0; GBPUSD: thick, tight → 1
    lr = liquidity_risk(w, {"EURUSD": 0.5, "GBPUSD": 2.0}, {"EURUSD": 1.5, "GBPUSD": 0.8})
    assert lr == pytest.approx(0.75 * 3.0 + 0.25 * 1.0)
    assert liquidity_risk(w, {}, {}) == 1.0


def test_harmonic_l_max():
    # half in a 30:1 major, half in a 20:1 gold: 1 / (0.5/30 + 0.5/20) = 24
    assert harmonic_l_max({"a": 0.5, "b": 0.5}, {"a": 30.0, "b": 20.0}) == pytest.approx(24.0)


def test_sigma_upper_bound_is_perfect_correlation():
    assert sigma_upper_bound({"a": 0.6, "b": -0.4}, {"a": 0.01, "b": 0.02}) == pytest.approx(0.014)
    assert sigma_upper_bound({"a": 1.0}, {}) is None


def test_buffer_cap_hand_value():
    # PV 200, M 50, g 0.25, D 3: 200 / (50 × 1.75) = 2.2857
    assert buffer_cap(200.0, 50.0, 0.25, 3.0) == pytest.approx(200 / 87.5)
    assert buffer_cap(200.0, 0.0, 0.25, 3.0) is None


# §3.5 ---------------------------------------------------------------------------------------
def test_multipliers():
    assert mtf_multiplier(+1.0, -1, 0.75) == 0.75  # long against a falling D1
    assert mtf_multiplier(+1.0, +1, 0.75) == 1.0
    assert mtf_multiplier(-1.0, 0, 0.75) == 1.0
    assert atr_multiplier(3.0, 1.5, 0.4) == 0.5  # 1.5 / 3
    assert atr_multiplier(10.0, 1.5, 0.4) == 0.4  # floored
    assert atr_multiplier(None, 1.5, 0.4) == 1.0
    assert weighted({"a": 0.5, "b": 1.0}, {"a": 3.0, "b": 1.0}) == pytest.approx(0.625)


def test_time_of_day_windows_wrap_midnight():
    x = ExtrasSettings()
    day = 1_710_201_600.0  # 2024-03-12 00:00 UTC
    assert time_of_day_factor(day + 14 * 3600, x) == 1.0
    assert time_of_day_factor(day + 21 * 3600, x) == 0.75  # rollover
    assert time_of_day_factor(day + 23 * 3600, x) == 0.85  # early Asia
    assert time_of_day_factor(day + 0.25 * 3600, x) == 0.85  # 00:15, after midnight


def test_event_factor_in_its_window_only():
    t = 1_710_252_000.0
    ev = (Event(time=t, currencies=("GBP",), cap_factor=0.5, lead_minutes=120, after_minutes=30),)
    assert event_factor(t - 3600, ("GBP", "USD"), ev) == 0.5
    assert event_factor(t - 3 * 3600, ("GBP", "USD"), ev) == 1.0
    assert event_factor(t + 1800, ("GBP", "USD"), ev) == 0.5
    assert event_factor(t, ("EUR", "USD"), ev) == 1.0


# conversion and classes ------------------------------------------------------------------------
def test_conversion_rates_direct_inverse_and_cross():
    specs = [fx("EURUSD"), fx("USDJPY"), fx("EURGBP", klass=SymbolClass.MAJOR_FX)]
    market = {"EURUSD": MarketState(1.0999, 1.1001), "USDJPY": MarketState(149.99, 150.01),
              "EURGBP": MarketState(0.8499, 0.8501)}
    rates = conversion_rates("USD", specs, market)
    assert rates["EUR"] == pytest.approx(1.1)
    assert rates["JPY"] == pytest.approx(1 / 150.0)
    assert rates["GBP"] == pytest.approx(1.1 / 0.85)  # through EUR


@pytest.mark.parametrize(
    ("name", "path", "base", "profit", "mode", "klass"),
    [
        ("EURUSD", "Forex\\Majors", "EUR", "USD", 0, SymbolClass.MAJOR_FX),
        ("AUDUSD", "Forex", "AUD", "USD", 0, SymbolClass.MINOR_FX),
        ("XAUUSD", "Metals", "XAU", "USD", 2, SymbolClass.GOLD),
        ("BTCUSD", "Crypto", "BTC", "USD", 2, SymbolClass.CRYPTO),
        ("US500", "Indices", "USD", "USD", 2, SymbolClass.MAJOR_INDEX),
        ("XAGUSD", "Metals", "XAG", "USD", 2, SymbolClass.OTHER_COMMODITY),
        ("AAPL", "Stocks\\US", "USD", "USD", 32, SymbolClass.EQUITY),
    ],
)
def test_symbol_class_guess(name, path, base, profit, mode, klass):
    assert guess_symbol_class(name, path, base, profit, mode) is klass

