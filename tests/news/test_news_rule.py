"""The news rule: calendar events become the controller's scheduled events (caps) for the
symbols whose base or profit currency the event names; off by default."""

from __future__ import annotations

import pytest

from bridge.config import settings_from_dict
from bridge.ealink import CalendarEvent
from bridge.news import NewsSettings, news_events
from controller.extras import symbol_events
from tests.controller.builders import fx

T = 1_764_941_400  # the release, UTC seconds
NFP = CalendarEvent(T, "USD", "high", 840030016, "Nonfarm Payrolls")
ECB = CalendarEvent(T + 3600, "EUR", "medium", 999010007, "ECB President Lagarde Speaks")
SYMBOLS = {name: fx(name) for name in ("EURUSD", "USDJPY", "EURGBP")}
ON = NewsSettings(enabled=True, no_new_exposure_minutes=15)


def test_the_rule_is_off_by_default_and_then_makes_no_event() -> None:
    assert not NewsSettings().enabled
    assert not settings_from_dict({}).news.enabled
    assert news_events([NFP, ECB], NewsSettings()) == ()


def test_a_usd_event_caps_eurusd_and_usdjpy_not_eurgbp() -> None:
    events = news_events([NFP], ON)
    hit = symbol_events(T - 10 * 60, SYMBOLS, events)
    assert sorted(hit) == ["EURUSD", "USDJPY"]
    assert hit["EURUSD"][0].label == "USD Nonfarm Payrolls"


def test_no_new_exposure_from_n_minutes_before_until_n_minutes_after() -> None:
    events = news_events([NFP], ON)
    assert symbol_events(T - 15 * 60 - 1, SYMBOLS, events) == {}
    assert "EURUSD" in symbol_events(T - 15 * 60, SYMBOLS, events)
    assert "EURUSD" in symbol_events(T + 15 * 60, SYMBOLS, events)
    assert symbol_events(T + 15 * 60 + 1, SYMBOLS, events) == {}
    assert all(e.cap_factor == 1.0 for e in events)  # a blackout alone lowers no target


def test_the_reduction_multiplies_the_cap_from_m_minutes_before() -> None:
    rule = NewsSettings(enabled=True, no_new_exposure_minutes=15, reduce_minutes_before=60,
                        reduce_to_fraction=0.5)
    events = news_events([NFP], rule)
    at = symbol_events(T - 59 * 60, SYMBOLS, events)
    assert [e.cap_factor for e in at["USDJPY"]] == [0.5]
    assert symbol_events(T - 61 * 60, SYMBOLS, events) == {}
    during = symbol_events(T, SYMBOLS, events)
    assert min(e.cap_factor for e in during["EURUSD"]) == 0.5
    assert symbol_events(T + 16 * 60, SYMBOLS, events) == {}


def test_medium_events_count_only_when_the_rule_says_medium() -> None:
    assert [e.label for e in news_events([NFP, ECB], ON)] == ["USD Nonfarm Payrolls"]
    medium = NewsSettings(enabled=True, importance="medium")
    assert len(news_events([NFP, ECB], medium)) == 2


def test_the_same_event_from_the_ea_and_the_file_counts_once() -> None:
    from_file = CalendarEvent(T, "USD", "high", 0, "Nonfarm Payrolls")
    assert len(news_events([NFP, from_file], ON)) == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"reduce_to_fraction": 0.0}, r"\[news\] reduce_to_fraction = 0.0"),
        ({"reduce_to_fraction": 1.5}, r"\[news\] reduce_to_fraction = 1.5"),
        ({"no_new_exposure_minutes": -5}, r"\[news\] no_new_exposure_minutes = -5"),
        ({"importance": "low"}, r"\[news\] importance = 'low'"),
        ({"blackout": True}, r"\[news\] blackout: unknown key"),
    ],
)
def test_bad_news_settings_name_the_key(table: dict[str, object], message: str) -> None:
    from bridge.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        settings_from_dict({"news": table})


def test_the_snapshots_own_events_are_kept_beside_the_news() -> None:
    from bridge.ealink import EaTelemetry
    from bridge.news import NewsSource
    from controller import Event
    from tests.controller.builders import account, pos, snapshot

    own = Event(time=T + 86_400.0, currencies=("JPY",), cap_factor=0.8, label="BoJ (scenario)")
    from dataclasses import replace

    quotes = {"EURUSD": (1.1, 1.1001), "USDJPY": (150.0, 150.01), "EURGBP": (0.87, 0.8701)}
    snap = replace(snapshot(account(), SYMBOLS.values(), [pos(1, "EURUSD", 1.0, price=1.1)],
                            quotes), events=(own,))
    telemetry = EaTelemetry(sequence=1, written_utc=T, failsafe=False, limits_sequence=0,
                            heartbeat_utc=0, trade_allowed=True, symbols={}, version=2,
                            calendar_utc=T, calendar_hours=24, events=(NFP,))
    out = NewsSource(ON).apply(snap, telemetry)
    assert out.events[0] is own
    assert [e.label for e in out.events[1:]] == ["USD Nonfarm Payrolls"]
    assert NewsSource(NewsSettings()).apply(snap, telemetry) is snap  # rule off: unchanged
