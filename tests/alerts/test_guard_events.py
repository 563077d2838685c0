"""Guard events that become alerts, on the simulated terminal with faults armed: a failed order
with its retcode sentence, terminal disconnect and reconnect, the EA's fail-safe and Algo Trading
switched off (from the EA's telemetry file, written as the EA writes it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.alerts import attach_alerts
from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings, TerminalSettings
from bridge.ealink import TELEMETRY_FILE, EaLink, EaTelemetry, format_telemetry
from controller.settings import PlanSettings
from tests.alerts.servers import Recorder

SCENARIO = Path(__file__).with_name("flash-gbp-2016-short.toml")


@pytest.fixture
def guarded(tmp_path):
    """A started guard over the short crash scenario, alerts to a local webhook, no window."""
    server = Recorder()
    config = AppConfig(
        terminal=TerminalSettings(scenario=str(SCENARIO)),
        run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                        compare_unguarded=False),
        plan=PlanSettings(slice_depth_fraction=0.01))  # thin slices: a staged plan
    guard = build_guard(config)
    sim = guard.replay
    observer = attach_alerts(guard, {"LCA_ALERT_URLS": f"json://127.0.0.1:{server.port}/a",
                                     "LCA_ALERT_WINDOW_SECONDS": "0"})
    yield guard, sim, server, observer
    guard.notify("on_stop", "test over")
    server.close()


def _messages(server: Recorder) -> list[dict]:
    return [json.loads(body) for _, _, _, body in server.requests]


def _wait_for(server: Recorder, title: str) -> dict:
    for _ in range(200):
        found = [m for m in _messages(server) if m["title"] == title]
        if found:
            return found[0]
        server.wait(len(server.requests) + 1, timeout=0.05)
    raise AssertionError(f"no {title!r} in {[m['title'] for m in _messages(server)]}")


def test_a_rejected_slice_sends_an_order_failed_alert_with_the_retcode_sentence(guarded):
    guard, sim, server, _ = guarded
    guard.start()
    sim.faults.inject("reject", count=50)
    guard.cycle()  # the forced reduction: its first slice is due at once, and rejected
    message = _wait_for(server, f"lca: order failed: {guard.stats.last_orders[0]['symbol']} "
                                f"#{guard.stats.last_orders[0]['ticket']}")
    assert "retcode 10006: the trade server rejected the request" in message["message"]
    assert message["type"] == "failure"


def test_a_lost_terminal_sends_a_disconnect_then_a_reconnect_alert(guarded):
    guard, sim, server, _ = guarded
    guard.start()
    sim.advance(1.0)
    guard.fast_guard()
    sim.faults.inject("no_connection", count=1000)
    sim.advance(1.0)
    guard.fast_guard()
    lost = _wait_for(server, "lca: terminal: problem")
    assert "terminal unreachable" in lost["message"]
    sim.faults.clear()
    sim.advance(1.0)
    guard.fast_guard()
    back = _wait_for(server, "lca: terminal: back")
    assert "reachable again" in back["message"]


def _telemetry(folder: Path, now: int, *, failsafe: bool, trade_allowed: bool) -> None:
    t = EaTelemetry(sequence=now, written_utc=now, failsafe=failsafe, limits_sequence=1,
                    heartbeat_utc=now, trade_allowed=trade_allowed, symbols={})
    (folder / TELEMETRY_FILE).write_text(format_telemetry(t), encoding="ascii", newline="")


def test_the_ea_fail_safe_and_algo_trading_off_send_alerts(guarded, tmp_path):
    guard, sim, server, _ = guarded
    folder = tmp_path / "ea"
    folder.mkdir()
    guard.ea_link = EaLink(folder)
    guard.start()
    for failsafe, allowed in ((False, True), (True, False), (False, True)):
        _telemetry(folder, int(sim.now()), failsafe=failsafe, trade_allowed=allowed)
        sim.advance(1.0)
        guard.fast_guard()
    on = _wait_for(server, "lca: EA fail-safe ON")
    assert "its own hard limits apply" in on["message"]
    off = _wait_for(server, "lca: Algo Trading OFF")
    assert "switch it on" in off["message"]
    _wait_for(server, "lca: EA fail-safe off")
    _wait_for(server, "lca: Algo Trading on")
