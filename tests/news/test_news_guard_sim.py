"""The news blackout on the simulated terminal, from a calendar file (no EA): the guard freezes
the symbols of the event's currency before it, lowers the target when the rule says so, and
leaves the other symbols alone."""

from __future__ import annotations

from pathlib import Path

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings, TerminalSettings
from bridge.news import NewsSettings
from bridge.runtime import Guard
from controller import SymbolLimit
from controller.settings import PlanSettings

SCENARIO = Path(__file__).with_name("news-usd-2016-short.toml")  # starts 2016-10-06 23:00 UTC


def run_first_cycle(tmp_path: Path, news: NewsSettings, name: str) -> Guard:
    config = AppConfig(
        terminal=TerminalSettings(scenario=str(SCENARIO)),
        run=RunSettings(journal=f"sqlite:///{tmp_path}/{name}.db", log_file="",
                        compare_unguarded=False),
        plan=PlanSettings(allow_headroom_in_loss=True), news=news)
    guard = build_guard(config)
    guard.start()
    guard.cycle()
    assert guard.decision is not None
    return guard


def calendar(tmp_path: Path) -> Path:
    path = tmp_path / "news.csv"
    path.write_text("time_utc,currency,importance,title\n"
                    "2016-10-06T23:30:00Z,USD,high,Nonfarm Payrolls\n"
                    "2016-10-06T23:40:00Z,CHF,high,SNB Interest Rate Decision\n"
                    "2016-10-07T08:00:00Z,GBP,high,BoE Interest Rate Decision\n",
                    encoding="utf-8")
    return path


def limits_of(guard: Guard) -> dict[str, SymbolLimit]:
    assert guard.decision is not None
    return {s.symbol: s for s in guard.decision.limits.symbols}


def test_a_calendar_file_freezes_the_usd_symbols_before_the_event_not_eurgbp(
    tmp_path: Path,
) -> None:
    rule = NewsSettings(enabled=True, no_new_exposure_minutes=45,
                        calendar_file=str(calendar(tmp_path)))
    guard = run_first_cycle(tmp_path, rule, "news")
    limits = limits_of(guard)
    for name in ("EURUSD", "USDJPY", "GBPUSD"):
        assert limits[name].max_volume == limits[name].current_volume
        assert limits[name].reason == "scheduled USD Nonfarm Payrolls: no new exposure"
    assert limits["EURGBP"].max_volume > limits["EURGBP"].current_volume
    assert "scheduled" not in limits["EURGBP"].reason
    labels = {e.label for e in guard.snapshot.events}
    assert labels == {"USD Nonfarm Payrolls", "CHF SNB Interest Rate Decision",
                      "GBP BoE Interest Rate Decision"}


def test_without_the_rule_the_same_file_changes_nothing(tmp_path: Path) -> None:
    guard = run_first_cycle(tmp_path, NewsSettings(calendar_file=str(calendar(tmp_path))), "off")
    limits = limits_of(guard)
    assert all("scheduled" not in s.reason for s in limits.values())
    assert limits["EURUSD"].max_volume > limits["EURUSD"].current_volume
    assert guard.snapshot.events == ()


def test_the_reduction_lowers_the_target_before_the_event(tmp_path: Path) -> None:
    path = calendar(tmp_path)
    base = run_first_cycle(tmp_path, NewsSettings(enabled=True, calendar_file=str(path),
                                                  no_new_exposure_minutes=10), "base")
    cut = run_first_cycle(tmp_path, NewsSettings(enabled=True, calendar_file=str(path),
                                                 no_new_exposure_minutes=10,
                                                 reduce_minutes_before=45,
                                                 reduce_to_fraction=0.5), "cut")
    # 30 min before the release: inside the 45 min reduction window, outside the 10 min blackout
    assert all("scheduled" not in s.reason for s in limits_of(base).values())
    assert base.decision.target_eff_lev > cut.decision.target_eff_lev
    # USD symbols hold most of the book's value: their factor 0.5, EURGBP's 1, value-weighted
    ratio = cut.decision.target_eff_lev / base.decision.target_eff_lev
    assert 0.5 < ratio < 0.75
    assert limits_of(cut)["EURUSD"].reason.startswith("scheduled USD Nonfarm Payrolls")


def test_a_broken_calendar_file_is_said_and_the_guard_runs_on(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("time_utc,currency,importance,title\nsoon,USD,high,x\n", encoding="utf-8")
    from loguru import logger

    messages: list[str] = []
    sink = logger.add(lambda m: messages.append(str(m)), level="WARNING")
    try:
        guard = run_first_cycle(tmp_path, NewsSettings(enabled=True, calendar_file=str(path)),
                                "broken")
        guard.cycle()
    finally:
        logger.remove(sink)
    said = [m for m in messages if "news.csv" in m]
    assert len(said) == 1  # once, not every cycle
    assert "line 2: time_utc 'soon'" in said[0]
    assert guard.snapshot.events == ()
