"""Issue 7 §6, time: broker server time against UTC, the DST switches, the broker-day boundary
of the daily-loss rule, and weekends, on the real server-time files of ../shared/data
(PROVENANCE.md: the "New York close" server clock, UTC+2 in winter, UTC+3 in US daylight time).

- the server-time XAUUSD H1 bars of March 2020 (across the US switch of 8 March), converted with
  `ServerClock(2, "us")`, line up with Dukascopy's UTC bars of the same hours on both sides of
  the switch; a clock without DST misplaces every bar after it by one hour;
- every weekend gap of the server-time files (2015, 2016, 2019, 2020, 2022), in UTC, starts
  Friday 17:00 and ends Sunday 17:00 New York time, in winter and in summer;
- the daily-loss day configured as the broker's day (reset 17:00 America/New_York) starts at
  the server's midnight for every bar of those files, DST or not;
- the days the market did not trade (the SNB halt, Christmas, New Year's Day) show as gaps from
  New York close to New York close, like weekends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from bridge.sim.replay.clock import ServerClock
from bridge.sim.replay.readers import Bars, read_market_file
from controller.prop import day_start, next_day_start
from controller.settings import PropSettings

CLOCK = ServerClock(2.0, "us")
NEW_YORK = ZoneInfo("America/New_York")
SERVER_FILES = (
    "snb_2015-01-15/USDCHF_H4_mt5broker_2015-01-05_to_2015-01-30_servertime.csv",
    "gbp_flash_2016-10-07/GBPUSD_H4_mt5broker_2016-09-26_to_2016-10-21_servertime.csv",
    "jpy_flash_2019-01-03/AUDUSD_H4_mt5broker_2018-12-24_to_2019-01-18_servertime.csv",
    "covid_2020-03/EURUSD_H4_mt5broker_2020-03-02_to_2020-03-27_servertime.csv",
    "gilt_2022-09/GBPUSD_H4_mt5broker_2022-09-12_to_2022-10-14_servertime.csv",
)
SWITCH_2020 = datetime(2020, 3, 8, 7, tzinfo=UTC).timestamp()  # US DST from 07:00 UTC


def _bars(shared_data: Path, name: str, clock: ServerClock = CLOCK) -> Bars:
    bars = read_market_file(shared_data / name, clock=clock)
    assert isinstance(bars, Bars)
    return bars


def _close_gap(server: Bars, utc: Bars) -> tuple[float, float]:
    """Median |close difference| before and after the 2020 switch, on common UTC hours."""
    common, i, j = np.intersect1d(server.time, utc.time, return_indices=True)
    diff = np.abs(server.close[i] - utc.close[j])
    before, after = diff[common < SWITCH_2020], diff[common >= SWITCH_2020]
    assert len(before) > 50
    assert len(after) > 200
    return float(np.median(before)), float(np.median(after))


def test_server_bars_line_up_with_utc_bars_across_the_dst_switch(shared_data: Path) -> None:
    utc = _bars(shared_data,
                "covid_2020-03/XAUUSD_H1_bid_dukascopy_2020-03-02_to_2020-03-27_UTC.csv")
    name = "covid_2020-03/XAUUSD_H1_mt5broker_2020-03-02_to_2020-03-27_servertime.csv"
    before, after = _close_gap(_bars(shared_data, name), utc)
    assert before < 0.2  # USD per ounce: the same hour on both feeds
    assert after < 0.2
    _, after_fixed = _close_gap(_bars(shared_data, name, ServerClock(2.0, "none")), utc)
    assert after_fixed > 5 * after  # without the switch every later bar is one hour off


# market-closed days inside the files (New York date of the session that did not trade)
CLOSED_DAYS = {"2015-01-16": "SNB: no USDCHF quotes at all (PROVENANCE.md)",
               "2018-12-25": "Christmas", "2019-01-01": "New Year's Day"}


@pytest.mark.parametrize("name", SERVER_FILES, ids=lambda n: n.split("/")[0])
def test_weekends_and_closed_days_run_from_new_york_close_to_new_york_close(
        shared_data: Path, name: str) -> None:
    bars = _bars(shared_data, name)
    step = int(bars.period)
    gaps = np.nonzero(np.diff(bars.time) > step)[0]
    weekends = 0
    for k in gaps:
        closed = datetime.fromtimestamp(int(bars.time[k]) + step, tz=NEW_YORK)
        opened = datetime.fromtimestamp(int(bars.time[k + 1]), tz=NEW_YORK)
        assert (closed.strftime("%H:%M"), opened.strftime("%H:%M")) == ("17:00", "17:00"), name
        if (closed.strftime("%a"), opened.strftime("%a")) == ("Fri", "Sun"):
            weekends += 1
            continue
        # a closed day: the session from `closed` (17:00 the day before) did not trade
        missing = {(closed.date() + timedelta(days=d + 1)).isoformat()
                   for d in range((opened.date() - closed.date()).days)}
        assert missing & set(CLOSED_DAYS), (name, closed, opened)
    assert weekends >= 2  # every file spans at least two weekends


BROKER_DAY = PropSettings(enabled=True, reset_time="17:00", reset_timezone="America/New_York")


@pytest.mark.parametrize("name", SERVER_FILES, ids=lambda n: n.split("/")[0])
def test_the_daily_loss_day_is_the_broker_day(shared_data: Path, name: str) -> None:
    bars = _bars(shared_data, name)
    server = bars.time + CLOCK.offset_seconds(bars.time)
    midnight = server // 86_400 * 86_400
    for t, m in zip(bars.time.tolist(), midnight.tolist(), strict=True):
        assert day_start(float(t), BROKER_DAY) == pytest.approx(CLOCK.to_utc(float(m)))
        assert next_day_start(float(t), BROKER_DAY) == pytest.approx(
            CLOCK.to_utc(float(m + 86_400)))
