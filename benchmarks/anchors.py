"""Anchors the benchmarks compare against, measured in the same run on the same machine."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

__all__ = ["bench_backtesting"]


def bench_backtesting(n_bars: int) -> float | None:
    """backtesting.py bars per CPU-second for an SMA(10/30) cross over `n_bars` bars, or None."""
    try:
        from backtesting import Backtest, Strategy
        from backtesting.lib import crossover
        from backtesting.test import SMA
    except ImportError as exc:
        print(f"backtesting.py is not installed ({exc}); no comparison")
        return None

    class SmaCross(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, 10)
            self.slow = self.I(SMA, self.data.Close, 30)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.position.close()
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()
                self.sell()

    rng = np.random.default_rng(0)
    close = 1.1 * np.exp(np.cumsum(rng.normal(0, 1e-3, n_bars)))
    idx = pd.date_range("2010-01-01", periods=n_bars, freq="h")
    df = pd.DataFrame(
        {
            "Open": close,
            "High": close * 1.0005,
            "Low": close * 0.9995,
            "Close": close,
            "Volume": 1000.0,
        },
        index=idx,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = Backtest(df, SmaCross, cash=1_000_000, commission=0.0, finalize_trades=True)
        t0 = time.process_time()  # CPU time, like the figures it is set beside
        bt.run()
        dt = time.process_time() - t0
    return n_bars / dt
