"""Scenario files: validation messages, the built-in crash scenarios, and the data views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bridge.sim import ScenarioError, SimTerminal, builtin_scenarios, load_scenario
from bridge.sim import constants as c
from tests.sim.helpers import flat_terminal

BUILTINS = ("gbp-flash-2016", "snb-2015", "covid-2020")


def test_the_required_builtins_ship() -> None:
    assert set(BUILTINS) <= set(builtin_scenarios())


@pytest.mark.parametrize(
    ("name", "calm_until"),
    [
        ("gbp-flash-2016", 1.0),
        ("snb-2015", 1.0),
        ("jpy-flash-2019", 1.0),
        ("covid-2020", 0.75),  # a regime, not a flash: the squeeze can bite hours before the trough
    ],
)
def test_builtin_has_a_calm_lead_in_a_crash_and_a_stop_out_left_alone(
    name: str, calm_until: float
) -> None:
    mt5: Any = SimTerminal.from_scenario(name)
    assert mt5.initialize()
    s = mt5.scenario
    assert s.crash_time is not None
    assert s.start < s.crash_time < s.end
    assert s.crash_time - s.start >= 5 * 3600
    assert s.end - s.crash_time >= 3 * 3600
    assert len(s.book) >= 2
    a0 = mt5.account_info()
    assert a0.margin_level > 150.0  # a plausible book, not one already in margin call
    while not mt5.finished:
        mt5.advance(300)
        if mt5.now() < s.start + calm_until * (s.crash_time - s.start) - 60:
            assert mt5.stop_outs == 0, "stopped out during the calm lead-in"
    assert mt5.stop_outs >= 1
    deals = mt5.history_deals_get(0, 2**40)
    assert any(d.reason == c.DEAL_REASON_SO for d in deals)


def test_lead_in_deteriorates_before_the_flash_crash() -> None:
    mt5: Any = SimTerminal.from_scenario("gbp-flash-2016")
    mt5.initialize()
    mt5.market_book_add("GBPUSD")
    spreads, depths = [], []
    for t in (mt5.start_time + 600, mt5.crash_time - 1800, mt5.crash_time + 20):
        mt5.advance_to(t)
        tick = mt5.symbol_info_tick("GBPUSD")
        spreads.append(tick.ask - tick.bid)
        depths.append(sum(b.volume_dbl for b in mt5.market_book_get("GBPUSD") if b.type == 2))
    assert spreads[0] < spreads[1] < spreads[2]
    assert depths[0] > depths[1] > depths[2]
    assert spreads[2] > 100 * 0.00012


def test_market_book_shape_and_symbols_without_a_book() -> None:
    mt5: Any = SimTerminal.from_scenario("gbp-flash-2016")
    mt5.initialize()
    assert mt5.market_book_get("GBPUSD") is None  # before market_book_add
    assert mt5.market_book_add("GBPUSD")
    assert mt5.market_book_add("USDJPY")
    book = mt5.market_book_get("GBPUSD")
    sells = [b for b in book if b.type == c.BOOK_TYPE_SELL]
    buys = [b for b in book if b.type == c.BOOK_TYPE_BUY]
    assert len(sells) == len(buys) == mt5.symbol_info("GBPUSD").ticks_bookdepth == 10
    assert book[: len(sells)] == tuple(sells)
    assert [b.price for b in sells] == sorted((b.price for b in sells), reverse=True)
    assert [b.price for b in buys] == sorted((b.price for b in buys), reverse=True)
    tick = mt5.symbol_info_tick("GBPUSD")
    assert sells[-1].price == pytest.approx(tick.ask)
    assert buys[0].price == pytest.approx(tick.bid)
    assert mt5.symbol_info("USDJPY").ticks_bookdepth == 0
    assert mt5.market_book_get("USDJPY") == ()
    assert mt5.market_book_release("GBPUSD")


def test_rates_and_ticks_come_from_the_played_replay_only() -> None:
    mt5: Any = SimTerminal.from_scenario("gbp-flash-2016")
    mt5.initialize()
    mt5.advance(3 * 3600)
    h1 = mt5.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_H1, 0, 50)
    assert h1.dtype.names[0] == "time"
    assert len(h1) == 50
    assert np.all(np.diff(h1["time"]) > 0)
    assert np.all(h1["high"] >= h1["low"])
    tick = mt5.symbol_info_tick("GBPUSD")
    assert h1["time"][-1] <= tick.time < h1["time"][-1] + 3600  # row 0 = the forming bar
    assert h1["close"][-1] == tick.bid
    ticks = mt5.copy_ticks_range("GBPUSD", tick.time - 60, tick.time + 10**6, c.COPY_TICKS_ALL)
    assert ticks["time_msc"][-1] == tick.time_msc  # nothing from the future
    m1 = mt5.copy_rates_range("GBPUSD", c.TIMEFRAME_M1, tick.time - 600, tick.time)
    assert 9 <= len(m1) <= 11
    assert mt5.copy_rates_from_pos("GBPUSD", c.TIMEFRAME_H1, 10**6, 5) is None
    assert mt5.last_error()[0] == c.RES_E_FAIL


def test_terminal_info_points_at_per_instance_folders() -> None:
    mt5: Any = SimTerminal.from_scenario("snb-2015")
    mt5.initialize()
    ti = mt5.terminal_info()
    assert Path(ti.commondata_path).is_dir()
    assert Path(ti.data_path).is_dir()
    assert (Path(ti.commondata_path) / "Files").is_dir()
    assert ti.connected
    assert ti.trade_allowed


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(text)
    return p


BASE = """name = "t"
start = 2019-02-05T10:00:00Z
end = 2019-02-05T12:00:00Z
[[symbols]]
name = "EURUSD"
[generator]
preset = "S7"
[generator.symbols.EURUSD]
price = 1.1
"""


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("[account]\nleverage = 0\n", "account.leverage = 0"),
        ('[account]\nmargin_mode = "hedge"\n', "account.margin_mode = 'hedge' is not allowed"),
        ("[broker]\nimpact = 0.7\n", "broker.impact is not a known key"),
        ("colour = 1\n", "colour is not a known key"),
        ('[[book]]\nsymbol = "GBPUSD"\nvolume = 1.0\n', "book[0].symbol = 'GBPUSD'"),
        ('[[overlays]]\nkind = "spreads"\npoints = [[0, 2.0]]\n', "overlays[0].kind = 'spreads'"),
        ('[[overlays]]\nkind = "spread"\npoints = [[0, -2.0]]\n', "must be > 0"),
        ('[[faults]]\nkind = "ipc"\n', "faults[0].kind = 'ipc' is not allowed"),
        ('[server_time]\ndst = "au"\n', "server_time.dst = 'au'"),
    ],
)
def test_bad_keys_and_values_are_named(tmp_path: Path, patch: str, message: str) -> None:
    text = (
        BASE.replace("[[symbols]]", patch + "[[symbols]]", 1)
        if not patch.startswith("[")
        else BASE + patch
    )
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_scenario(_write(tmp_path, text))


def test_missing_conversion_symbol_is_named(tmp_path: Path) -> None:
    text = BASE.replace('name = "EURUSD"', 'name = "EURCHF"').replace(
        "generator.symbols.EURUSD", "generator.symbols.EURCHF"
    )
    with pytest.raises(ScenarioError, match="no symbol converts CHF to USD"):
        load_scenario(_write(tmp_path, text))


def test_unknown_scenario_names_the_builtins() -> None:
    with pytest.raises(ScenarioError, match="gbp-flash-2016"):
        load_scenario("no-such-crash")


def test_seed_changes_the_path_but_not_the_figures() -> None:
    a: Any = SimTerminal.from_scenario("gbp-flash-2016")
    b: Any = SimTerminal.from_scenario("gbp-flash-2016", seed=99)
    for m in (a, b):
        m.initialize()
        m.advance_to(m.crash_time - 3600)
    ta, tb = a.symbol_info_tick("GBPUSD"), b.symbol_info_tick("GBPUSD")
    assert ta.bid != tb.bid
    assert ta.bid == pytest.approx(tb.bid, rel=0.02)


def test_margin_rate_rises_with_volatility_at_the_next_review() -> None:
    mt5: Any = SimTerminal.from_scenario("gbp-flash-2016")
    mt5.initialize()

    def rate() -> float:  # margin per unit of notional: GBP margin converted at the GBPUSD ask
        m = mt5.order_calc_margin(c.ORDER_TYPE_BUY, "GBPUSD", 1.0, 1.26)
        return float(m / mt5.symbol_info_tick("GBPUSD").ask / 100_000)

    mt5.advance_to(mt5.crash_time - 60)
    before = rate()
    assert before == pytest.approx(0.01, rel=1e-3)  # 1:100 in the calm
    mt5.advance_to(mt5.crash_time + 60)  # the crash is in σ̂, but the broker has not reviewed yet
    assert rate() == pytest.approx(before, rel=1e-3)
    mt5.advance_to(mt5.crash_time + 3600)
    after = rate()
    assert after > 2 * before
    assert after <= 10 * before * (1 + 1e-3)  # the cap: ×10


def test_scheduled_margin_hike_applies_to_open_positions() -> None:
    mt5: Any = SimTerminal.from_scenario("covid-2020")
    mt5.initialize()
    m0 = mt5.order_calc_margin(c.ORDER_TYPE_BUY, "GBPUSD", 1.0, 1.2)
    mt5.advance_to(mt5.crash_time - 60)
    m1 = mt5.order_calc_margin(c.ORDER_TYPE_BUY, "GBPUSD", 1.0, 1.2)
    assert m1 > m0  # S4: margin ×1.5 → ×2 into the trough


@pytest.mark.parametrize(
    ("name", "symbol", "offset_s", "move"),
    [
        ("gbp-flash-2016", "GBPUSD", 45.0, -0.088),  # S2: −8.8 % at 45 s (Reuters low 1.1491)
        ("gbp-flash-2016", "GBPUSD", 600.0, -0.016),  # −1.6 % at 10 min (80 % retraced)
        ("snb-2015", "EURCHF", 1500.0, -0.284),  # S1: −28.4 % trough at 25 min
        ("jpy-flash-2019", "USDJPY", 420.0, -0.032),  # S3: −3.2 % at 7 min
    ],
)
def test_generated_paths_pass_through_the_published_figures(
    name: str, symbol: str, offset_s: float, move: float
) -> None:
    mt5: Any = SimTerminal.from_scenario(name)
    mt5.initialize()
    t = mt5.crash_time + offset_s
    mt5.advance_to(t)
    tick = mt5.symbol_info_tick(symbol)
    assert tick.time_msc == round(mt5.to_server_time(t) * 1000)
    price = dict(mt5.scenario.generator.symbols)[symbol].price
    assert tick.bid == pytest.approx(price * (1 + move), abs=2e-5 * price)


def test_a_market_order_walks_the_published_book(tmp_path: Path) -> None:
    mt5 = flat_terminal(
        tmp_path,
        {"GBPUSD": (1.25, 1.2502)},
        account="balance = 1000000.0",
        symbols_extra={"GBPUSD": "book_level_lots = 2.0\ndaily_volume_lots = 2000.0\n"},
    )
    mt5.market_book_add("GBPUSD")
    bids = [b for b in mt5.market_book_get("GBPUSD") if b.type == c.BOOK_TYPE_BUY]
    assert [b.volume_dbl for b in bids] == [2.0] * 5
    expected = sum(b.price for b in bids[:3]) / 3
    req = {
        "action": c.TRADE_ACTION_DEAL,
        "symbol": "GBPUSD",
        "type": c.ORDER_TYPE_SELL,
        "volume": 6.0,
        "type_filling": c.ORDER_FILLING_IOC,
    }
    r = mt5.order_send(req)
    assert r.retcode == c.TRADE_RETCODE_DONE
    assert r.price == pytest.approx(expected, abs=1e-5)  # three levels, volume-weighted
    assert r.price < bids[0].price  # worse than the touch
    small = mt5.order_send({**req, "volume": 0.01})
    assert small.price == pytest.approx(1.25, abs=1e-9)  # within the first level: the touch
