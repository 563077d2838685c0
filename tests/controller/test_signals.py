"""Early-warning signals (issue 12 item 2): each signal on a hand-built snapshot, with the value
and the threshold it was compared with, through `decide` (the journaled Decision carries them)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from controller import Event, Settings, decide, decision_to_dict
from controller.indicators import new_symbol_indicators
from controller.indicators._liquidity import RollingMedian, SpreadState
from controller.indicators._volatility import VolState
from controller.signals import CLOCK_SIGNALS, MARKET_SIGNALS, weekend_hours_left
from tests.controller.builders import T0, account, fx, pos, snapshot

S = Settings()
FRI_2100 = 1_710_536_400.0  # Friday 2024-03-15 21:00 UTC
SUN_2200 = FRI_2100 + 2 * 86_400.0 + 3600.0  # Sunday 2024-03-17 22:00 UTC


def _ind(sigma: float | None = None, enter: float | None = None, accel: float | None = None):
    si = new_symbol_indicators(S.indicators)
    return replace(si, vol=VolState(sigma=sigma, sigma_enter=enter, sigma_exit=enter),
                   spreads=SpreadState(accel=accel))


def _decide(ind=None, time: float = T0, margin: float = 1_000.0, events=(),
            ask: float = 1.1002):
    snap = snapshot(account(equity=10_000.0, margin=margin), [fx()],
                    [pos(1, "EURUSD", 0.1, price=1.1)], {"EURUSD": (1.1, ask)}, time=time)
    if events:
        snap = replace(snap, events=tuple(events))
    return decide(snap, S, {"EURUSD": ind} if ind is not None else None)


def _names(d) -> list[str]:
    return [x.name for x in d.signals]


def test_volatility_regime_is_on_when_sigma_now_is_above_its_entry_percentile():
    d = _decide(_ind(sigma=0.0063, enter=0.0054))
    (x,) = [x for x in d.signals if x.name == "volatility_regime"]
    assert (x.symbol, x.observed, x.threshold, x.unit, x.market) == \
        ("EURUSD", 0.0063, 0.0054, "daily σ", True)
    assert "volatility_regime" not in _names(_decide(_ind(sigma=0.0054, enter=0.0054)))


def test_spread_acceleration_uses_the_calm_control_threshold_2():
    assert S.signals.spread_accel_above == 2.0
    d = _decide(_ind(accel=2.5))
    (x,) = [x for x in d.signals if x.name == "spread_acceleration"]
    assert (x.observed, x.threshold, x.source) == (2.5, 2.0, "spread")
    assert "spread_acceleration" not in _names(_decide(_ind(accel=1.94)))


def test_thin_depth_names_the_proxy_when_no_book_is_published():
    # no book: DepthRatio = median spread / spread; a median of 1 pip and a spread of 4 pips
    # give 0.25 < thin_depth_enter 0.5
    si = replace(new_symbol_indicators(S.indicators), bid=1.1, ask=1.1004,
                 spreads=SpreadState(buckets=RollingMedian((1e-4,), (1e-4,), 1e-4)))
    d = _decide(si, ask=1.1004)
    (x,) = [x for x in d.signals if x.name == "thin_depth"]
    assert x.source == "proxy"
    assert x.observed == pytest.approx(0.25)
    assert x.threshold == S.regime.thin_depth_enter


def test_margin_pressure_compares_the_stress_margin_with_the_buffer_growth_floor():
    # margin 1000, no MPG: the stress margin equals the margin (ratio 1), below 1 + 0.25
    assert "margin_pressure" not in _names(_decide(_ind(sigma=0.005, enter=0.01)))


def test_clock_signals_thin_hours_weekend_and_event_do_not_count_as_market_warnings():
    ev = Event(time=FRI_2100 + 3600.0, currencies=("EUR",), cap_factor=0.5, lead_minutes=120.0,
               label="ECB")
    d = _decide(time=FRI_2100, events=[ev])
    names = _names(d)
    assert {"thin_hours", "weekend", "scheduled_event"} <= set(names)
    assert all(not x.market for x in d.signals)
    th = next(x for x in d.signals if x.name == "thin_hours")
    assert (th.observed, th.threshold) == (0.75, 1.0)  # the rollover window's factor
    we = next(x for x in d.signals if x.name == "weekend")
    assert we.observed == pytest.approx(49.25)  # Fri 21:00 → Sun 22:15
    se = next(x for x in d.signals if x.name == "scheduled_event")
    assert (se.observed, se.threshold, se.source) == (60.0, 120.0, "ECB")
    assert set(MARKET_SIGNALS).isdisjoint(CLOCK_SIGNALS)


def test_weekend_window_from_friday_rollover_to_sunday_reopen():
    assert weekend_hours_left(FRI_2100 - 3600.0, S.signals) is None  # Fri 20:00
    assert weekend_hours_left(SUN_2200, S.signals) == pytest.approx(0.25)
    assert weekend_hours_left(SUN_2200 + 900.0, S.signals) is None  # Sun 22:15: open
    assert weekend_hours_left(T0, S.signals) is None  # a Tuesday


def test_a_quiet_tuesday_has_no_signal_and_signals_are_journaled():
    d = _decide(_ind(sigma=0.004, enter=0.005, accel=0.1))
    assert d.signals == ()
    on = _decide(_ind(sigma=0.006, enter=0.005))
    row = decision_to_dict(on)
    assert row["signals"][0]["name"] == "volatility_regime"
    assert row["signals"][0]["observed"] == 0.006


def test_settings_refuse_a_bad_weekend_clock_time():
    with pytest.raises(ValueError, match="HH:MM"):
        Settings.model_validate({"signals": {"weekend_from_utc": "25:00"}})


def test_lca_decide_table_shows_the_signals_that_are_on(capsys):
    from bridge.cli import main
    from tests.conftest import REPO

    assert main(["decide", "--snapshot", str(REPO / "examples" / "fx-book-with-history.json"),
                 "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Early-warning signals on: 2" in out
    assert "thin_depth" in out
    assert "proxy" in out


def test_margin_pressure_is_on_when_the_stress_margin_exceeds_the_margin_by_the_growth_floor():
    from controller.indicators._margin import MarginState

    # 0.1 lot EURUSD ≈ 11 000 USD; MPG 3 (margin rate per unit of daily σ), σ_now 1 %, shock
    # 1 × σ: M_stress = 1000 + 3 × 0.01 × 11 000 = 1330, ratio 1.33 > 1 + 0.25
    si = replace(_ind(sigma=0.01, enter=0.02), margins=MarginState(mpg=3.0))
    (x,) = [x for x in _decide(si).signals if x.name == "margin_pressure"]
    assert x.observed == pytest.approx(1.33, abs=0.002)
    assert x.threshold == 1.25
    assert x.symbol is None
    # MPG 2: 1000 + 220 = 1220, ratio 1.22 ≤ 1.25: off
    si2 = replace(_ind(sigma=0.01, enter=0.02), margins=MarginState(mpg=2.0))
    assert "margin_pressure" not in _names(_decide(si2))
