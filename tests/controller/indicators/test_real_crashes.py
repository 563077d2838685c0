"""The indicators on real crash windows (shared/data): they must react at the crash hour."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from controller.indicators import Bars, SymbolIndicators, new_symbol_indicators, on_bar
from tests.controller.indicators.helpers import small_settings


def _bars(path: Path, time_col: str, shift_hours: float, prefix: str = "") -> Bars:
    """Read an OHLC csv; `shift_hours` converts the file's clock to UTC (server UTC+3 → −3)."""
    rows = np.genfromtxt(path, delimiter=",", names=True, dtype=None, encoding="utf-8")
    stamps = np.array([s.replace(" ", "T") for s in rows[time_col]], dtype="datetime64[s]")
    t = stamps.astype("int64").astype(np.float64) - shift_hours * 3600.0
    return Bars(
        t,
        rows[prefix + "open"],
        rows[prefix + "high"],
        rows[prefix + "low"],
        rows[prefix + "close"],
    )


def _feed(
    state: SymbolIndicators, tf: str, bars: Bars, before: float, since: float = -np.inf
) -> SymbolIndicators:
    """Fold the bars opening in [since, before)."""
    for k in np.flatnonzero((bars.time >= since) & (bars.time < before)):
        state = on_bar(
            state, tf, float(bars.time[k]), float(bars.open[k]), float(bars.high[k]),
            float(bars.low[k]), float(bars.close[k]),
        )  # fmt: skip
    return state


def test_gbp_flash_crash_lifts_the_atr_ratio_at_the_crash_hour(shared_data: Path) -> None:
    folder = shared_data / "gbp_flash_2016-10-07"
    d1 = _bars(folder / "GBPUSD_D1_bid_ask_oanda-via-lean_2016-09-19_to_2016-10-28_UTC.csv",
               "time_utc", 0.0, "bid_")  # fmt: skip
    h1 = _bars(folder / "GBPUSD_H1_mt5broker_2016-10-06_to_2016-10-10_servertime.csv",
               "time_server", 3.0)  # fmt: skip
    crash_hour = float(np.datetime64("2016-10-06T23:00:00").astype("int64"))  # 02:00 server
    s = small_settings(atr_period=14, min_long_vol_days=10, trend_ema_days=10)
    state = _feed(new_symbol_indicators(s), "D1", d1, crash_hour - 86_400.0)
    state = _feed(state, "H1", h1, crash_hour)
    before = state.atr_ratio
    assert before is not None
    assert 0.5 < before < 1.5  # a usual hour: ranges scale about as √time
    assert state.trend == -1  # sterling was falling into the crash
    assert state.sigma_long is not None
    assert 0.002 < state.sigma_long < 0.02
    state = _feed(state, "H1", h1, crash_hour + 1.0, crash_hour)  # the crash bar: low 1.14754
    after = state.atr_ratio
    assert after is not None
    assert after > 3.0 * before  # one hour moved more than several days' worth
