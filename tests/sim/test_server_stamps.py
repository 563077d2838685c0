"""Bars and ticks carry the server clock's stamps of the scenario in play: the stamps the
terminal keeps per symbol (issue 18) are those of a fresh computation, and a scenario replaced
with another clock is served with that clock's stamps, never the kept ones."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from bridge.mt5 import constants as c
from bridge.servertime import ServerClock
from bridge.sim import SimTerminal


def _expected_ms(mt5: Any, clock: ServerClock) -> Any:
    k = mt5.symbol_index("GBPUSD")
    st = mt5.market.streams[k]
    n = int(mt5.market.pos[k, max(mt5.ticks_played + mt5.market.start_index - 1, 0)]) + 1
    ms = st.time_msc[:n]
    return ms + clock.offset_seconds(ms // 1000) * 1000


def test_ticks_and_bars_follow_the_clock_of_the_scenario_in_play() -> None:
    mt5: Any = SimTerminal.from_scenario("gbp-flash-2016")
    assert mt5.initialize()
    mt5.advance(3600.0)
    ticks = mt5.copy_ticks_range("GBPUSD", 0, 2**40, c.COPY_TICKS_ALL)
    assert np.array_equal(ticks["time_msc"], _expected_ms(mt5, mt5.scenario.clock))
    bar0 = mt5.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_M1, 0, 1)["time"][0]
    other = ServerClock(utc_offset_hours=mt5.scenario.clock.utc_offset_hours + 3.0)
    mt5.scenario = replace(mt5.scenario, clock=other)
    mt5.advance(60.0)
    ticks = mt5.copy_ticks_range("GBPUSD", 0, 2**40, c.COPY_TICKS_ALL)
    assert np.array_equal(ticks["time_msc"], _expected_ms(mt5, other))
    bar1 = mt5.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_M1, 0, 1)["time"][0]
    assert bar1 - bar0 >= 3 * 3600
