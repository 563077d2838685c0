"""Daily σ samples from intraday bars (`_seed`): the percentiles of the regime warm from H1/H4
history instead of waiting `min_vol_days` days of quotes.

Oracles: on M1 bars the intraday estimator is the σ_now recursion itself, so its day samples must
equal the ones `prepare_symbol` folds from the same M1 bars (`VolState.daily`); on H4 bars of
i.i.d. returns of a known daily σ, the samples must scatter around that σ.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from controller.indicators import (
    Bars,
    IndicatorSettings,
    SymbolHistory,
    intraday_daily_sigmas,
    prepare_symbol,
    seed_vol_window,
)
from controller.indicators._params import params_from
from tests.controller.indicators.helpers import EPOCH


def _bars(times: np.ndarray, closes: np.ndarray) -> Bars:
    return Bars(time=times, open=closes, high=closes, low=closes, close=closes)


def _walk(n: int, sigma_step: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 1.1 * np.exp(np.cumsum(rng.standard_normal(n) * sigma_step))


def test_on_m1_bars_the_samples_are_the_sigma_now_daily_samples():
    settings = IndicatorSettings(vol_halflife_minutes=240.0, min_vol_days=3,
                                 vol_percentile_window_days=10)
    n = 6 * 1440
    t = EPOCH + 60.0 * np.arange(n)
    t = np.delete(t, np.arange(2000, 2090))  # a 90-minute hole: the gap enters divided by g
    closes = _walk(len(t), 0.0002, 1)
    m1 = _bars(t, closes)
    folded = prepare_symbol(SymbolHistory(m1=m1), settings).vol
    seeded = intraday_daily_sigmas(m1, 60.0, params_from(settings))
    assert [d for d, _ in seeded] == list(range(int(EPOCH // 86_400), int(EPOCH // 86_400) + 5))
    assert np.allclose([s for _, s in seeded], folded.daily, rtol=1e-12, atol=0.0)


def test_h4_samples_recover_the_daily_sigma_of_iid_returns():
    settings = IndicatorSettings()
    sigma_daily = 0.006
    n = 120 * 6
    t = EPOCH + 14_400.0 * np.arange(n)
    closes = _walk(n, sigma_daily / math.sqrt(6.0), 7)
    samples = [s for _, s in intraday_daily_sigmas(_bars(t, closes), 14_400.0,
                                                   params_from(settings))]
    assert len(samples) == 119
    # one-day half-life over 6 returns a day: each sample has a wide error, the median does not
    assert float(np.median(samples[10:])) == pytest.approx(sigma_daily, rel=0.15)


def test_prepare_seeds_the_percentiles_from_intraday_bars_before_the_first_quote():
    settings = IndicatorSettings()
    p = params_from(settings)
    days = 90
    t4 = EPOCH + 14_400.0 * np.arange(days * 6)
    h4 = _bars(t4, _walk(len(t4), 0.0025, 3))
    first_quote = EPOCH + 80 * 86_400.0
    q = first_quote + np.arange(0.0, 6 * 3600.0, 5.0)
    mid = _walk(len(q), 0.00005, 4)
    history = SymbolHistory(quote_time=q, bid=mid - 1e-5, ask=mid + 1e-5, intraday=h4,
                            intraday_seconds=14_400.0)
    ind = prepare_symbol(history, settings)
    assert ind.sigma_enter is not None
    assert ind.sigma_exit is not None
    assert ind.sigma_exit <= ind.sigma_enter
    expected = seed_vol_window(prepare_symbol(SymbolHistory(), settings).vol, p, h4, 14_400.0,
                               first_quote)
    # only H4 bars closed before the first quote count: the last 10 days of H4 are not used
    assert ind.vol.daily == expected.daily
    assert len(ind.vol.daily) == p.vol_window_days
    unseeded = prepare_symbol(SymbolHistory(quote_time=q, bid=mid - 1e-5, ask=mid + 1e-5),
                              settings)
    assert unseeded.sigma_enter is None  # what the regime saw before: `UNAVAILABLE`


def test_a_full_window_of_quote_days_is_left_alone():
    settings = IndicatorSettings(min_vol_days=2, vol_percentile_window_days=3)
    p = params_from(settings)
    t = EPOCH + 60.0 * np.arange(4 * 1440)
    vol = prepare_symbol(SymbolHistory(m1=_bars(t, _walk(len(t), 1e-4, 5))), settings).vol
    assert len(vol.daily) >= p.min_vol_days
    h4 = _bars(EPOCH - 14_400.0 * np.arange(60, 0, -1), _walk(60, 0.003, 6))
    assert seed_vol_window(vol, p, h4, 14_400.0, EPOCH) is vol


def test_bad_bar_length_is_refused_naming_the_field():
    p = params_from(IndicatorSettings())
    with pytest.raises(ValueError, match="bar_seconds"):
        intraday_daily_sigmas(_bars(np.array([EPOCH]), np.array([1.0])), 7.0, p)
    with pytest.raises(ValueError, match="intraday_seconds"):
        SymbolHistory(intraday=_bars(np.array([EPOCH]), np.array([1.0])), intraday_seconds=0.5)
