"""The simulated terminal serves months of bars before the first tick (bridge/sim/history.py), in
MT5's shapes, and never a price from after its clock's now."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bridge.sim import constants as c
from bridge.sim.records import RATES_DTYPE
from bridge.sim.terminal import SimTerminal

STRESS = Path(__file__).resolve().parents[2] / "bridge" / "stress" / "scenarios"
_PERIOD = {c.TIMEFRAME_D1: 86_400, c.TIMEFRAME_H4: 14_400, c.TIMEFRAME_H1: 3600,
           c.TIMEFRAME_M1: 60}


def _sim(name: str, data: Path | None = None) -> SimTerminal:
    sim = SimTerminal.from_scenario(name, data_dir=data)
    assert sim.initialize()
    return sim


def test_real_window_serves_the_history_folder_d1_and_h4_bars_before_the_first_tick(
        shared_data: Path):
    sim = _sim(str(STRESS / "gbp-flash-2016.toml"), shared_data)
    d1 = sim.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_D1, 1, 400)
    h4 = sim.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_H4, 1, 180 * 6)
    assert d1.dtype == RATES_DTYPE
    assert h4.dtype == RATES_DTYPE
    assert len(d1) >= 270  # about 400 calendar days of weekday bars
    assert (h4["time"][-1] - h4["time"][0]) / 86_400 >= 170
    f = pd.read_csv(shared_data / "gbp_flash_2016-10-07/history/"
                    "GBPUSD_D1_mt5broker_2015-09-03_to_2016-10-28_servertime.csv")
    first = f.iloc[0]
    stamp = int(pd.Timestamp(first["time_server"]).timestamp())  # server clock, as MT5 serves
    assert int(d1["time"][0]) == stamp
    assert (d1["open"][0], d1["high"][0], d1["low"][0], d1["close"][0]) == \
        (first["open"], first["high"], first["low"], first["close"])
    assert np.all(np.diff(d1["time"]) > 0)
    assert np.all(np.diff(h4["time"]) > 0)


def test_no_served_bar_carries_a_price_from_after_now(shared_data: Path):
    """The history files run three weeks past the crash (low 1.14754 on 7 Oct 2016): an hour
    before it, no bar of any timeframe may know that low, and every bar but the forming one
    has closed by the server clock's now."""
    sim = _sim(str(STRESS / "gbp-flash-2016.toml"), shared_data)
    crash = sim.crash_time
    assert crash is not None
    sim.advance_to(crash - 3600.0)
    now_server = sim.to_server_time(sim.now())
    for tf, period in _PERIOD.items():
        r = sim.copy_rates_from_pos("GBPUSD", tf, 0, 5000)
        assert len(r), tf
        assert float(r["low"].min()) > 1.20, f"timeframe {tf} serves the crash low before it"
        assert np.all(r["time"][:-1] + period <= now_server), f"timeframe {tf}: an open bar"
        assert r["time"][-1] <= now_server < r["time"][-1] + period  # the forming bar, as MT5
        ranged = sim.copy_rates_range("GBPUSD", tf, 0, 2**40)
        assert np.array_equal(ranged, r[-len(ranged):])
    before = sim.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_D1, 1, 400)
    sim.advance_to(crash + 3600.0)
    after = sim.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_D1, 1, 400)
    # closed bars do not change as the clock moves on
    common = np.intersect1d(before["time"], after["time"])
    assert len(common) >= len(before) - 1
    assert np.array_equal(before[np.isin(before["time"], common)],
                          after[np.isin(after["time"], common)])
    forming = sim.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_H1, 0, 1)
    assert float(forming["low"][0]) >= 1.14  # the crash low is served once it has happened


def test_generated_scenario_serves_calm_modelled_history_ending_at_the_first_tick():
    sim = _sim("flash-gbp-2016")
    for name in ("GBPUSD", "EURUSD", "USDJPY"):
        d1 = sim.copy_rates_from_pos(name, c.TIMEFRAME_D1, 1, 400)
        h4 = sim.copy_rates_from_pos(name, c.TIMEFRAME_H4, 1, 180 * 6)
        assert len(d1) >= 270
        assert (h4["time"][-1] - h4["time"][0]) / 86_400 >= 170
        assert np.all(d1["high"] >= np.maximum(d1["open"], d1["close"]))
        assert np.all(d1["low"] <= np.minimum(d1["open"], d1["close"]))
        weekday = (d1["time"] // 86_400 + 3) % 7
        assert np.all(weekday < 5)  # no weekend bars
        ticks = sim.copy_ticks_range(name, 0, 2**40, c.COPY_TICKS_ALL)
        first_bid = float(ticks["bid"][0])
        assert abs(float(h4["close"][:-1][-1]) / first_bid - 1.0) < 0.02
        r = np.diff(np.log(d1["close"]))
        assert 0.002 < float(np.std(r)) < 0.012  # calm: about the symbol's daily_volatility
    assert sim.scenario.generator is not None
    assert sim.scenario.generator.history_days == 400


def test_timeframes_the_history_cannot_make_come_from_the_ticks_only(shared_data: Path):
    """H1 cannot be cut from H4 or D1 bars: it starts at the first tick."""
    sim = _sim(str(STRESS / "gbp-flash-2016.toml"), shared_data)
    h1 = sim.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_H1, 0, 5000)
    first_tick = sim.copy_ticks_range("GBPUSD", 0, 2**40, c.COPY_TICKS_ALL)["time"][0]
    assert int(h1["time"][0]) == int(first_tick) // 3600 * 3600
