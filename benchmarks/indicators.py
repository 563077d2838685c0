"""Benchmark of the indicators (controller/indicators): prepare and per-sample update costs.

Run: `uv run python benchmarks/indicators.py [--symbols 30] [--seconds 86400]`

Prints, on synthetic random-walk quotes (1 per second, spreads 1-2 pips, depth every 10 s, hourly
margin rates; the costs do not depend on the values):
- prepare_symbol: a day of 1-second quotes per symbol, for N symbols (total and per symbol);
- on_quote: median ns per call inside a bucket, the mean including minute/bucket closes, and the
  same after 1 h and after 1 day of history (equal within noise = O(1) per sample);
- on_depth / on_margin_rate: median per call; on_depth and on_quote on samples that close one
  and two buckets each (the rolling medians move), mean CPU per call;
- reading every property the decision uses, for one symbol;
- prepare_portfolio over N symbols, on_minute_returns (N and 5 symbols) and portfolio_sigma per
  call.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from controller.indicators import (
    IndicatorSettings,
    SymbolHistory,
    SymbolIndicators,
    avg_pairwise_correlation,
    new_symbol_indicators,
    on_depth,
    on_margin_rate,
    on_minute_returns,
    on_quote,
    portfolio_sigma,
    prepare_portfolio,
    prepare_symbol,
)

EPOCH = 1_700_000_000.0 - 1_700_000_000.0 % 86_400.0


def synthetic_history(seed: int, seconds: int) -> SymbolHistory:
    rng = np.random.default_rng(seed)
    t = EPOCH + np.arange(seconds, dtype=np.float64)
    mid = 1.1 * np.exp(np.cumsum(rng.normal(0.0, 2e-5, seconds)))
    spread = 1e-4 * (1.0 + rng.random(seconds))
    depth_t = t[::10]
    hours = t[::3600] + 1800.0
    return SymbolHistory(
        quote_time=t,
        bid=mid - spread / 2,
        ask=mid + spread / 2,
        depth_time=depth_t,
        bid_depth_lots=rng.uniform(5.0, 50.0, depth_t.size),
        ask_depth_lots=rng.uniform(5.0, 50.0, depth_t.size),
        margin_time=hours,
        margin_rate=0.0333 * (1.0 + 0.1 * rng.random(hours.size)),
    )


def _per_call_ns(fn: Callable[[], object], n: int) -> float:
    """Median of n individually timed calls, minus the timer's own median overhead."""
    clock = time.perf_counter_ns
    empty = []
    for _ in range(2000):
        a = clock()
        empty.append(clock() - a)
    overhead = statistics.median(empty)
    samples = []
    for _ in range(n):
        a = clock()
        fn()
        samples.append(clock() - a)
    return max(statistics.median(samples) - overhead, 0.0)


def bench_on_quote(state: SymbolIndicators, label: str, n: int = 20_000) -> None:
    """Time on_quote on the quotes of the next n seconds after `state`."""
    assert state.quote_time is not None
    rng = np.random.default_rng(99)
    t0 = state.quote_time + 1.0
    mids = (1.1 * np.exp(np.cumsum(rng.normal(0.0, 2e-5, n)))).tolist()
    clock = time.perf_counter_ns
    inside, total = [], 0
    s = state
    for k, m in enumerate(mids):
        t = t0 + k
        a = clock()
        s = on_quote(s, t, m - 5e-5, m + 5e-5)
        d = clock() - a
        total += d
        if int(t) % 60 != int(t0) % 60:  # a quote that closes nothing (same minute and bucket)
            inside.append(d)
    print(
        f"  on_quote {label}: median {statistics.median(inside):7.0f} ns (inside a bucket), "
        f"mean {total / n:7.0f} ns (incl. minute and bucket closes)"
    )


def bench_bucket_closes(state: SymbolIndicators, n: int = 5000) -> None:
    """Time on_depth and on_quote on samples that each close buckets (the rolling medians of a
    full window move): one bucket a sample, and two (a 120-s step on 60-s buckets)."""
    assert state.depth.time is not None
    assert state.quote_time is not None
    rng = np.random.default_rng(7)
    lots = rng.uniform(5.0, 50.0, (n, 2)).round(1).tolist()
    spreads = (1e-4 * (1.0 + rng.random(n))).tolist()
    bucket = float(state.params.bucket_seconds)
    for k in (1, 2):
        s = state
        t0 = max(state.depth.time, state.quote_time) + bucket
        a = time.process_time()
        for i, (b, x) in enumerate(lots):
            s = on_depth(s, t0 + i * k * bucket, b, x)
        depth = (time.process_time() - a) / n * 1e9
        s = state
        a = time.process_time()
        for i, sp in enumerate(spreads):
            s = on_quote(s, t0 + i * k * bucket, 1.1, 1.1 + sp)
        quote = (time.process_time() - a) / n * 1e9
        print(f"  closing {k} bucket{'s' if k > 1 else ''} a sample: on_depth {depth:7.0f} ns, "
              f"on_quote {quote:7.0f} ns")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=86_400)
    args = parser.parse_args()
    settings = IndicatorSettings()
    histories = {f"SYM{i:02d}": synthetic_history(i, args.seconds) for i in range(args.symbols)}

    print(f"prepare_symbol: {args.seconds:,} one-second quotes per symbol, {args.symbols} symbols")
    times, states = [], {}
    start = time.perf_counter()
    for name, h in histories.items():
        a = time.perf_counter()
        states[name] = prepare_symbol(h, settings)
        times.append(time.perf_counter() - a)
    total = time.perf_counter() - start
    per, worst = statistics.median(times) * 1e3, max(times) * 1e3
    print(f"  total {total * 1e3:8.1f} ms; per symbol median {per:6.1f} ms, max {worst:6.1f} ms")

    print("per-sample updates")
    one_hour = prepare_symbol(synthetic_history(0, 3600), settings)
    bench_on_quote(one_hour, "after 1 h ")
    bench_on_quote(states["SYM00"], "after 1 day")
    fresh = new_symbol_indicators(settings)
    fresh = on_quote(fresh, EPOCH, 1.1, 1.1001)
    bench_on_quote(fresh, "empty state")
    st = states["SYM00"]
    assert st.depth.time is not None
    dt = st.depth.time + 1.0
    depth_ns = _per_call_ns(lambda: on_depth(st, dt, 10.0, 12.0), 20_000)
    print(f"  on_depth (inside a bucket): {depth_ns:7.0f} ns")
    bench_bucket_closes(st)
    hours = EPOCH + 3600.0 * np.arange(settings.margin_history_hours)
    rates = 0.0333 * (1.0 + 0.1 * np.random.default_rng(1).random(hours.size))
    full = prepare_symbol(SymbolHistory(margin_time=hours, margin_rate=rates), settings)
    mt = hours[-1] + 3600.0
    margin_us = _per_call_ns(lambda: on_margin_rate(full, mt, 0.034), 500) / 1e3
    print(f"  on_margin_rate (window full, {len(full.margins.hours)} hours): {margin_us:7.1f} µs")

    def read_all() -> object:
        return (
            st.sigma_now,
            st.sigma_long,
            st.sigma_enter,
            st.sigma_exit,
            st.spread,
            st.spread_median,
            st.spread_ratio,
            st.liq_accel,
            st.depth_median_bid_lots,
            st.depth_median_ask_lots,
            st.bid_depth_lots,
            st.ask_depth_lots,
            st.atr_h1,
            st.atr_d1,
            st.atr_ratio,
            st.trend,
            st.mpg,
            st.margin_growth_max,
            st.depth_ratio(True),
        )

    print(f"  read all 19 indicator values of one symbol: {_per_call_ns(read_all, 20_000):7.0f} ns")

    print(f"portfolio: {args.symbols} symbols")
    a = time.perf_counter()
    port = prepare_portfolio(histories, settings)
    print(
        f"  prepare_portfolio: {(time.perf_counter() - a) * 1e3:8.1f} ms ({port.n_minutes} minutes)"
    )
    rets = dict.fromkeys(histories, 0.0001)
    last = port.last_time
    assert last is not None
    print(
        f"  on_minute_returns: "
        f"{_per_call_ns(lambda: on_minute_returns(port, last + 60.0, rets), 5000) / 1e3:7.2f} µs"
    )
    five = list(histories)[:5]
    small = prepare_portfolio({k: histories[k] for k in five}, settings)
    rets5 = dict.fromkeys(five, 0.0001)
    small_last = small.last_time
    assert small_last is not None
    small_us = _per_call_ns(lambda: on_minute_returns(small, small_last + 60.0, rets5), 5000)
    print(f"  on_minute_returns, 5 symbols (a stress book): {small_us / 1e3:7.2f} µs")
    weights = {name: (1.0 if i % 2 else -0.5) / args.symbols for i, name in enumerate(histories)}
    floor = dict.fromkeys(histories, 0.004)
    sigma_us = _per_call_ns(lambda: portfolio_sigma(port, weights), 5000) / 1e3
    print(f"  portfolio_sigma: {sigma_us:7.2f} µs")
    print(
        "  portfolio_sigma with the σ floor: "
        f"{_per_call_ns(lambda: portfolio_sigma(port, weights, floor), 5000) / 1e3:7.2f} µs"
    )
    syms = list(histories)
    print(
        "  avg_pairwise_correlation: "
        f"{_per_call_ns(lambda: avg_pairwise_correlation(port, syms), 5000) / 1e3:7.2f} µs"
    )


if __name__ == "__main__":
    main()
