"""Readers on every layout in shared/data, the server clock, bar expansion, and the SNB window."""

from __future__ import annotations

import calendar
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bridge.sim import SimTerminal
from bridge.sim import constants as c
from bridge.sim.replay import Bars, ServerClock, Ticks, expand_bars, read_market_file

CLOCK = ServerClock(2, "us")


def utc(*a: int) -> int:
    return calendar.timegm((*a, 0, 0, 0)[:6])


def test_every_shared_data_file_reads(shared_data: Path) -> None:
    files = [p for p in shared_data.rglob("*") if p.is_file() and p.suffix != ".md"]
    assert len(files) >= 30
    for f in files:
        r = read_market_file(f, clock=CLOCK)
        times = r.time_msc if isinstance(r, Ticks) else r.time
        assert len(times) > 0, f
        assert np.all(np.diff(times) >= 0), f
        if isinstance(r, Bars):
            assert np.all(r.low <= np.minimum(r.open, r.close)), f
            assert np.all(r.high >= r.low), f


def test_bi5_hour_equals_the_decoded_csv(shared_data: Path) -> None:
    d = shared_data / "calm_2019-02-04_eurusd"
    raw = read_market_file(d / "raw_bi5/EURUSD/2019/01/04/13h_ticks.bi5")
    csv = read_market_file(d / "EURUSD_ticks_dukascopy_2019-02-04_to_2019-02-05_UTC.csv.gz")
    assert isinstance(raw, Ticks)
    assert isinstance(csv, Ticks)
    lo, hi = utc(2019, 2, 4, 13) * 1000, utc(2019, 2, 4, 14) * 1000
    sel = (csv.time_msc >= lo) & (csv.time_msc < hi)
    assert np.array_equal(raw.time_msc, csv.time_msc[sel])
    assert np.allclose(raw.bid, csv.bid[sel], atol=1e-09)
    assert np.allclose(raw.ask, csv.ask[sel], atol=1e-09)


def test_mt5_layouts_match_their_dukascopy_sources(shared_data: Path) -> None:
    mt5 = shared_data / "mt5_native_layout_CONVERTED_from_dukascopy"
    bars = read_market_file(mt5 / "EURUSD_M1_2019-02-04_UTC_mt5layout.csv")
    src = read_market_file(
        shared_data / "calm_2019-02-04_eurusd/EURUSD_M1_bid_ask_dukascopy_2019-02-04_UTC.csv"
    )
    assert isinstance(bars, Bars)
    assert isinstance(src, Bars)
    assert bars.spread is not None
    assert bars.period == 60
    assert np.array_equal(bars.time, src.time)
    assert np.allclose(bars.close, src.close)
    assert np.allclose(bars.high, src.high)
    ticks = read_market_file(mt5 / "EURUSD_ticks_2019-02-04_1300-1500_UTC_mt5layout.csv")
    assert isinstance(ticks, Ticks)
    assert len(ticks.time_msc) == 15789
    assert ticks.time_msc[0] == utc(2019, 2, 4, 13) * 1000 + 92
    assert np.all(ticks.ask > ticks.bid - 1e-12)


def test_server_clock_places_the_crashes_in_the_right_bars() -> None:
    # GBP: 23:07 UTC on 6 Oct 2016 (US DST, UTC+3) → the 02:00 bar of 7 Oct
    t = CLOCK.to_server(utc(2016, 10, 6, 23) + 7 * 60)
    assert int(t) // 3600 * 3600 == utc(2016, 10, 7, 2)
    # SNB: 09:30 UTC (winter, UTC+2) → the 11:00 bar
    assert int(CLOCK.to_server(utc(2015, 1, 15, 9) + 1800)) // 3600 * 3600 == utc(2015, 1, 15, 11)
    # COVID: UTC+2 before the 8 March 2020 US switch, UTC+3 after
    assert CLOCK.offset_seconds(utc(2020, 3, 6, 12)) == 7200
    assert CLOCK.offset_seconds(utc(2020, 3, 9, 12)) == 10800
    for t_utc in (utc(2016, 10, 6, 23), utc(2015, 1, 15, 9), utc(2020, 3, 8, 6)):
        assert CLOCK.to_utc(CLOCK.to_server(t_utc)) == t_utc


def test_expanded_ticks_rebuild_the_bars_exactly(shared_data: Path) -> None:
    bars = read_market_file(
        shared_data
        / "gbp_flash_2016-10-07/GBPUSD_H1_mt5broker_2016-10-06_to_2016-10-10_servertime.csv",
        clock=CLOCK,
    )
    assert isinstance(bars, Bars)
    ticks = expand_bars(
        bars, rng=np.random.default_rng(3), ticks_per_bar=120, digits=5, normal_spread=0.00012
    )
    assert ticks.modelled
    bucket = ticks.time_msc // 1000 // bars.period * bars.period
    starts = np.flatnonzero(np.diff(bucket, prepend=-1))
    assert np.array_equal(bucket[starts], bars.time)
    assert np.allclose(ticks.bid[starts], bars.open)
    assert np.allclose(np.maximum.reduceat(ticks.bid, starts), bars.high)
    assert np.allclose(np.minimum.reduceat(ticks.bid, starts), bars.low)
    assert np.allclose(ticks.bid[np.append(starts[1:], len(bucket)) - 1], bars.close)
    again = expand_bars(
        bars, rng=np.random.default_rng(3), ticks_per_bar=120, digits=5, normal_spread=0.00012
    )
    assert np.array_equal(again.bid, ticks.bid)


SNB = """
name = "snb-2015-real"
seed = 15
start = 2015-01-15T06:00:00Z
crash_time = 2015-01-15T09:30:00Z
end = 2015-01-15T18:00:00Z
warmup_hours = 24
[server_time]
utc_offset_hours = 2
dst = "us"
[account]
balance = 10000.0
leverage = 100
margin_call = 100.0
stop_out = 50.0
negative_balance_protection = {nbp}
[[symbols]]
name = "USDCHF"
spread_points = 15
book_depth = 10
[[data]]
symbol = "USDCHF"
path = "snb_2015-01-15/USDCHF_H1_mt5broker_2015-01-14_to_2015-01-19_servertime.csv"
[[no_quotes]]
symbols = ["USDCHF"]
start = 0
end = 600
[[book]]
symbol = "USDCHF"
type = "buy"
volume = 2.0
"""


@pytest.mark.parametrize("nbp", [False, True])
def test_snb_window_stops_out_a_20_to_1_usdchf_book_at_the_gap(
    shared_data: Path, tmp_path: Path, nbp: bool
) -> None:
    f = tmp_path / "snb.toml"
    f.write_text(SNB.format(nbp=str(nbp).lower()))
    mt5: Any = SimTerminal.from_scenario(f, data_dir=shared_data)
    assert mt5.initialize()
    a = mt5.account_info()
    (p,) = mt5.positions_get()
    assert 19.0 < p.volume * 100_000 / a.equity < 21.0  # 20:1
    mt5.advance_to(mt5.crash_time - 1)
    assert mt5.positions_total() == 1
    assert mt5.stop_outs == 0
    before = mt5.symbol_info_tick("USDCHF")
    assert before.bid > 1.015
    mt5.advance_to(mt5.crash_time + 599)  # inside the no-quote window: triggered or not, no fill
    assert mt5.positions_total() == 1
    mt5.advance_to(mt5.end_time)
    so = [d for d in mt5.history_deals_get(0, 2**40) if d.reason == c.DEAL_REASON_SO]
    assert len(so) == 1
    assert so[0].symbol == "USDCHF"
    gap_time_server = CLOCK.to_server(mt5.crash_time + 600)
    assert so[0].time >= gap_time_server
    first_after = mt5.copy_ticks_range(
        "USDCHF", gap_time_server, gap_time_server + 60, c.COPY_TICKS_ALL
    )[0]
    assert first_after["bid"] == pytest.approx(0.81941)  # the bar's low: the post-gap price
    assert first_after["flags"] & c.TICK_FLAG_MODELLED
    assert first_after["bid"] * 0.99 <= so[0].price <= first_after["bid"]
    final = mt5.account_info()
    if nbp:
        assert final.balance == 0.0
        assert mt5.history_deals_get(0, 2**40)[-1].type == c.DEAL_TYPE_CORRECTION
    else:
        assert final.balance < -30_000.0
    assert final.equity == final.balance
    assert mt5.positions_total() == 0


@pytest.mark.parametrize(
    ("name", "stopped_out"),
    [
        ("data/snb-2015", True),
        ("data/gbp-flash-2016", True),
        ("data/jpy-flash-2019", True),
        ("data/covid-2020", True),
        ("data/gilt-2022", True),
        ("data/calm-2019", False),
    ],
)
def test_shipped_real_windows_replay(shared_data: Path, name: str, stopped_out: bool) -> None:
    mt5: Any = SimTerminal.from_scenario(name, data_dir=shared_data)
    assert mt5.initialize()
    assert mt5.account_info().margin_level > 150.0
    while not mt5.finished:
        mt5.advance(3600)
        a = mt5.account_info()
        assert a.equity == pytest.approx(a.balance + a.credit + a.profit, abs=1e-6)
    assert (mt5.stop_outs > 0) is stopped_out
    if name == "data/calm-2019":
        ticks = mt5.copy_ticks_range("EURUSD", 0, 2**40, c.COPY_TICKS_ALL)
        assert not np.any(ticks["flags"] & c.TICK_FLAG_MODELLED)  # real ticks stay unflagged
