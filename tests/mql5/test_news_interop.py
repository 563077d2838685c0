"""The news blackout end to end: the EA's calendar (MT5's Calendar functions, emulated by the
shim with a fixed list) → telemetry.txt version 2 → lca's reader → the guard lowers the caps of
the symbols of the event's currency before it, and not of the others.

The guard runs on the simulated terminal (EURUSD, USDJPY, GBPUSD, EURGBP held) with the EA link
on; the compiled EA runs at the guard's clock, reads the guard's limits and writes its telemetry
into the same folder. A USD event (Nonfarm Payrolls, 30 minutes ahead) must freeze EURUSD, USDJPY
and GBPUSD and leave EURGBP its headroom; with the reduction rule the target drops too.
"""

from __future__ import annotations

from pathlib import Path

import harness

from bridge.app import build_guard
from bridge.config import AppConfig, EaSettings, RunSettings, TerminalSettings
from bridge.ealink import LIMITS_FILE, parse_limits
from bridge.news import NewsSettings
from bridge.runtime import Guard
from controller import SymbolLimit
from controller.settings import PlanSettings

SCENARIO = Path(__file__).resolve().parents[1] / "news" / "news-usd-2016-short.toml"


def guard_with_ea(tmp_path: Path, news: NewsSettings, name: str) -> Guard:
    config = AppConfig(
        terminal=TerminalSettings(scenario=str(SCENARIO)),
        run=RunSettings(journal=f"sqlite:///{tmp_path}/{name}.db", log_file="",
                        compare_unguarded=False),
        plan=PlanSettings(allow_headroom_in_loss=True),
        ea=EaSettings(enabled=True, common_folder=str(tmp_path / "Common")),
        news=news)
    guard = build_guard(config)
    guard.start()
    return guard


def run_ea_calendar(binary: Path, work: Path, gmt: int) -> None:
    proc = harness.run_scenario(binary, "calendar_interop", work, gmt=gmt)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["EVENTS", "2"]  # NFP (USD) and Tankan (JPY); CHF left out


def limits_of(guard: Guard) -> dict[str, SymbolLimit]:
    assert guard.decision is not None
    return {s.symbol: s for s in guard.decision.limits.symbols}


def test_the_eas_usd_event_freezes_eurusd_usdjpy_gbpusd_not_eurgbp(
    guard_binary: Path, tmp_path: Path
) -> None:
    guard = guard_with_ea(tmp_path, NewsSettings(enabled=True, no_new_exposure_minutes=45),
                          "ea")
    guard.cycle()  # publishes the limits; no telemetry yet: no news
    assert all("scheduled" not in s.reason for s in limits_of(guard).values())
    run_ea_calendar(guard_binary, tmp_path, int(guard.now()))
    guard.cycle()
    telemetry = guard.ea_link.last_telemetry
    assert telemetry is not None
    assert telemetry.version == 2
    assert [(e.currency, e.name) for e in telemetry.events] == [
        ("USD", "Nonfarm Payrolls"), ("JPY", "Tankan Index")]
    limits = limits_of(guard)
    for name in ("EURUSD", "USDJPY", "GBPUSD"):
        assert limits[name].max_volume == limits[name].current_volume
        assert limits[name].reason == "scheduled USD Nonfarm Payrolls: no new exposure"
    assert limits["EURGBP"].max_volume > limits["EURGBP"].current_volume
    # what the EA is told: the USD symbols held at their size, EURGBP free to grow
    guard.fast_guard()
    published = parse_limits((guard.ea_link.writer.folder / LIMITS_FILE).read_text())
    assert published.symbols["EURUSD"] == limits["EURUSD"].current_volume
    assert published.symbols["EURGBP"] > limits["EURGBP"].current_volume


def test_the_eas_usd_event_lowers_the_target_when_the_rule_reduces(
    guard_binary: Path, tmp_path: Path
) -> None:
    targets = {}
    for name, rule in (
        ("blackout", NewsSettings(enabled=True, no_new_exposure_minutes=10)),
        ("reduce", NewsSettings(enabled=True, no_new_exposure_minutes=10,
                                reduce_minutes_before=45, reduce_to_fraction=0.5)),
    ):
        work = tmp_path / name
        guard = guard_with_ea(work, rule, name)
        guard.cycle()
        run_ea_calendar(guard_binary, work, int(guard.now()))
        guard.cycle()
        assert guard.ea_link.last_telemetry.events
        targets[name] = guard.decision.target_eff_lev
        if name == "reduce":
            assert limits_of(guard)["EURUSD"].reason.startswith("scheduled USD Nonfarm")
            assert "scheduled" not in limits_of(guard)["EURGBP"].reason
    assert targets["reduce"] < targets["blackout"]
