"""prepare_symbol gives exactly the state of the fold; the state does not grow with samples;
real EURUSD ticks give plausible values."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.indicators import (
    Bars,
    IndicatorSettings,
    SymbolHistory,
    SymbolIndicators,
    prepare_symbol,
    wilder_atr,
)
from tests.controller.indicators.helpers import EPOCH, fold_history, small_settings


def _bars(rng: np.random.Generator, n: int, step: float, start: float) -> Bars:
    close = 1.1 * np.exp(np.cumsum(rng.normal(0.0, 1e-3, n)))
    wick = np.abs(rng.normal(0.0, 5e-4, (2, n)))
    return Bars(
        start + step * np.arange(n), close, close * (1 + wick[0]), close * (1 - wick[1]), close
    )


def random_history(
    seed: int, n_quotes: int, span_s: float, depth_source: str = "book"
) -> SymbolHistory:
    rng = np.random.default_rng(seed)
    t = EPOCH + np.sort(rng.uniform(0.0, span_s, n_quotes))
    t[1::7] = t[0::7][: t[1::7].size]  # some equal times
    t = np.sort(t)
    mid = 1.1 * np.exp(np.cumsum(rng.normal(0.0, 5e-5, n_quotes)))
    spread = rng.uniform(0.0, 3e-4, n_quotes)
    n_depth = max(2, n_quotes // 3)
    n_margin = max(2, int(span_s // 3600) + 1)
    margin_t = np.sort(EPOCH + rng.uniform(0.0, span_s, n_margin))
    return SymbolHistory(
        quote_time=t,
        bid=mid - spread / 2,
        ask=mid + spread / 2,
        h1=_bars(rng, 30, 3600.0, EPOCH - 10 * 3600.0),
        d1=_bars(rng, 12, 86_400.0, EPOCH - 5 * 86_400.0),
        depth_time=np.sort(EPOCH + rng.uniform(0.0, span_s, n_depth)),
        bid_depth_lots=rng.uniform(0.0, 50.0, n_depth),
        ask_depth_lots=rng.uniform(0.0, 50.0, n_depth),
        margin_time=margin_t,
        margin_rate=0.0333 * (1 + rng.uniform(0.0, 0.5, n_margin)),
        depth_source=depth_source,
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 400),
    span=st.sampled_from([50.0, 900.0, 7200.0, 3 * 86_400.0]),
    bucket=st.sampled_from([1, 7, 60]),
)
def test_prepare_equals_the_fold(seed: int, n: int, span: float, bucket: int) -> None:
    s = small_settings(
        bucket_seconds=bucket,
        median_window_buckets=8,
        atr_period=3,
        trend_ema_days=3,
        vol_halflife_minutes=5.0,
        vol_percentile_window_days=2,
        margin_history_hours=5,
        margin_growth_window_hours=2,
    )
    h = random_history(seed, n, span, depth_source="proxy" if seed % 2 else "book")
    assert prepare_symbol(h, s) == fold_history(h, s)


def test_prepare_equals_the_fold_on_m1_bars_and_an_empty_history() -> None:
    rng = np.random.default_rng(11)
    s = small_settings()
    h = SymbolHistory(
        m1=_bars(rng, 500, 60.0, EPOCH),
        margin_time=EPOCH + 3600.0 * np.arange(8),
        margin_rate=np.linspace(0.02, 0.04, 8),
    )
    prepared = prepare_symbol(h, s)
    assert prepared == fold_history(h, s)
    assert prepared.sigma_now is not None
    assert prepared.mpg is not None
    with_quotes = SymbolHistory(
        quote_time=EPOCH + 30.0 * np.arange(40),
        bid=np.full(40, 1.1),
        ask=np.full(40, 1.1002),
        m1=_bars(rng, 500, 60.0, EPOCH),
    )
    quotes_only = SymbolHistory(
        quote_time=with_quotes.quote_time, bid=with_quotes.bid, ask=with_quotes.ask
    )
    assert prepare_symbol(with_quotes, s) == prepare_symbol(quotes_only, s)  # M1 ignored
    assert prepare_symbol(with_quotes, s) == fold_history(with_quotes, s)
    empty = prepare_symbol(SymbolHistory(), s)
    assert empty == fold_history(SymbolHistory(), s)
    assert empty.sigma_now is None


def test_prepare_equals_the_fold_on_a_day_of_one_second_quotes() -> None:
    n = 86_400
    rng = np.random.default_rng(5)
    t = EPOCH + np.arange(n, dtype=np.float64)
    mid = 1.1 * np.exp(np.cumsum(rng.normal(0.0, 2e-5, n)))
    spread = 1e-4 * (1.0 + rng.random(n))
    h = SymbolHistory(
        quote_time=t,
        bid=mid - spread / 2,
        ask=mid + spread / 2,
        margin_time=t[::3600] + 1800.0,
        margin_rate=0.0333 * (1.0 + rng.random(24)),
    )
    s = IndicatorSettings(min_mpg_points=12)
    prepared = prepare_symbol(h, s)
    assert prepared == fold_history(h, s)
    assert prepared.sigma_now is not None
    assert prepared.spread_median is not None
    assert prepared.liq_accel is not None
    assert prepared.mpg is not None


def _size(state: SymbolIndicators) -> int:
    """Number of stored values in the state's windows (everything else is scalar)."""
    return (
        len(state.vol.daily)
        + len(state.spreads.buckets.window)
        + len(state.spreads.smooth)
        + len(state.depth.bid_median.window)
        + len(state.depth.ask_median.window)
        + len(state.margins.hours) * 4
    )


def test_state_size_does_not_grow_with_the_number_of_samples() -> None:
    s = small_settings(
        median_window_buckets=20,
        vol_percentile_window_days=3,
        margin_history_hours=10,
        margin_growth_window_hours=2,
    )
    rng = np.random.default_rng(2)
    sizes = []
    for days in (5, 10):
        t = EPOCH + 30.0 * np.arange(days * 2880)
        h = SymbolHistory(
            quote_time=t,
            bid=np.full(t.size, 1.1),
            ask=1.1 + rng.uniform(0.0, 1e-4, t.size),
            depth_time=t,
            bid_depth_lots=rng.uniform(0.0, 9.0, t.size),
            ask_depth_lots=rng.uniform(0.0, 9.0, t.size),
            margin_time=t[::120],
            margin_rate=np.full(t[::120].size, 0.03),
        )
        sizes.append(_size(prepare_symbol(h, s)))
    assert sizes == [3 + 20 + 3 + 20 + 20 + 10 * 4] * 2


def _read_ticks(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with gzip.open(path, "rt") as f:
        rows = f.read().splitlines()[1:]
    stamps = np.array([r[:23] for r in rows], dtype="datetime64[ms]")
    t = stamps.astype("int64").astype(np.float64) / 1000.0
    cols = np.array([r.split(",")[1:3] for r in rows], dtype=np.float64)
    return t, cols[:, 0], cols[:, 1]


def test_real_eurusd_ticks_give_plausible_values(shared_data: Path) -> None:
    calm = shared_data / "calm_2019-02-04_eurusd"
    t, bid, ask = _read_ticks(calm / "EURUSD_ticks_dukascopy_2019-02-04_to_2019-02-05_UTC.csv.gz")
    h1 = np.genfromtxt(
        calm / "EURUSD_H1_bid_ask_dukascopy_2019-02_UTC.csv",
        delimiter=",",
        names=True,
        dtype=None,
        encoding="utf-8",
    )
    h1_time = (
        np.char.rstrip(h1["time_utc"].astype(str), "Z").astype("datetime64[s]").astype("int64")
    ).astype(np.float64)
    keep = h1_time + 3600.0 <= t[-1]  # the bars closed by the end of the ticks
    bars = Bars(
        h1_time[keep],
        h1["bid_open"][keep],
        h1["bid_high"][keep],
        h1["bid_low"][keep],
        h1["bid_close"][keep],
    )
    history = SymbolHistory(quote_time=t, bid=bid, ask=ask, h1=bars)
    s = IndicatorSettings()
    state = prepare_symbol(history, s)
    # a calm EURUSD day: daily σ of a few tenths of a percent, spreads of a fraction of a pip
    assert state.sigma_now is not None
    assert 0.001 < state.sigma_now < 0.01
    assert state.spread_median is not None
    assert 0.05e-4 < state.spread_median < 1.0e-4
    assert state.liq_accel is not None
    assert abs(state.liq_accel) < 1.0
    expected_atr = wilder_atr(bars.high, bars.low, bars.close, 14)[-1]
    assert state.atr_h1 == expected_atr
    assert 2e-4 < expected_atr < 3e-3
    # the first day folded one quote at a time gives the same state as prepared
    first_day = t < t[0] + 86_400.0
    day = SymbolHistory(quote_time=t[first_day], bid=bid[first_day], ask=ask[first_day])
    assert prepare_symbol(day, s) == fold_history(day, s)
