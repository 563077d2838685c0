"""Python writes the limits, the compiled EA enforces them, Python reads the EA's telemetry back."""

from __future__ import annotations

from pathlib import Path

import harness

from bridge.ealink import EaLink, TelemetryReader, link_folder_from_common

NOW = 1_700_000_000


def run_ea(binary: Path, work: Path, gmt: int) -> dict[str, float]:
    proc = harness.run_scenario(binary, "interop", work, gmt=gmt)
    assert proc.returncode == 0, proc.stderr
    return {k: float(v) for k, v in (line.split() for line in proc.stdout.splitlines())}


def test_python_limits_are_enforced_and_telemetry_read_back(
    guard_binary: Path, tmp_path: Path
) -> None:
    folder = link_folder_from_common(tmp_path / "Common")
    link = EaLink(folder)
    written = link.publish(now_utc=NOW, max_eff_lev=3.0, msi_floor=1.5, prop_lock=False,
                           symbols={"EURUSD": 1.2, "GBPUSD": 0.5})
    state = run_ea(guard_binary, tmp_path, gmt=NOW + 2)
    assert state == {"EURUSD": 1.2, "GBPUSD": 0.3, "FAILSAFE": 0.0}
    telemetry = TelemetryReader(folder).read()
    assert telemetry.limits_sequence == written.sequence  # the EA acknowledges what it applied
    assert telemetry.heartbeat_utc == NOW
    assert not telemetry.failsafe
    assert telemetry.trade_allowed
    assert NOW + 2 <= telemetry.written_utc <= NOW + 4
    eu = telemetry.symbols["EURUSD"]
    assert (eu.bid, eu.ask) == (1.1, 1.1001)
    assert (eu.bid_depth, eu.ask_depth, eu.levels, eu.depth_source) == (20.0, 10.0, 1, "book")
    assert telemetry.symbols["GBPUSD"].depth_source == "proxy"
    assert link.poll() == telemetry
    assert link.acknowledged()


def test_a_stale_python_heartbeat_puts_the_ea_in_failsafe(
    guard_binary: Path, tmp_path: Path
) -> None:
    folder = link_folder_from_common(tmp_path / "Common")
    EaLink(folder).publish(now_utc=NOW, max_eff_lev=3.0, msi_floor=1.5, prop_lock=False,
                           symbols={"EURUSD": 1.2})
    state = run_ea(guard_binary, tmp_path, gmt=NOW + 120)
    assert state["FAILSAFE"] == 1.0
    assert state["EURUSD"] == 1.2  # the last good limits still apply in fail-safe
    assert TelemetryReader(folder).read().failsafe
