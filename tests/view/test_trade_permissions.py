"""Issue 15 item 7 (journal, live view, `lca status`): Algo Trading off in the terminal, the
expert disabled on the account, the EA not attached — each a warning row in the journal once per
change, shown in the live view and `lca status`; the simulated terminal reports them."""

from __future__ import annotations

from rich.console import Console

from bridge.app import build_guard, run
from bridge.commands.status import collect
from bridge.config import EaSettings
from bridge.console import guard_view
from bridge.ealink import TELEMETRY_FILE, EaLink
from bridge.ealink.folder import link_folder_from_common
from bridge.ealink.protocol import format_telemetry
from bridge.ealink.records import EaTelemetry
from bridge.journal import Journal
from tests.view.conftest import short_config

START = 1475773200.0  # 2016-10-06 17:00 UTC, the short replay's start


def _window(kind: str) -> str:
    """A fault from 17:05 to 17:10 UTC."""
    return (f'\n[[faults]]\nkind = "{kind}"\nat = "2016-10-06T17:05:00Z"\n'
            "duration_s = 300.0\n")


def _rows(url: str, what: str) -> list:
    journal = Journal(url, writable=False)
    journal.account = journal.latest_account()
    try:
        return [r for r in journal.rows("state") if r.payload.get("what") == what]
    finally:
        journal.close()


def _text(renderable, width: int = 160) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_sim_terminal_reports_algo_trading_off_inside_its_fault_window(tmp_path):
    config = short_config(tmp_path, _window("algo_trading_off"))
    sim = build_guard(config).replay
    assert sim.initialize()
    assert sim.terminal_info().trade_allowed
    sim.advance_to(START + 400.0)
    assert not sim.terminal_info().trade_allowed
    sim.advance_to(START + 700.0)
    assert sim.terminal_info().trade_allowed


def test_algo_trading_off_is_one_warning_row_when_it_goes_off_and_one_when_back(tmp_path):
    config = short_config(tmp_path, _window("algo_trading_off"))
    run(config)
    rows = _rows(config.run.journal, "algo_trading")
    assert [r.payload["ok"] for r in rows] == [False, True], [r.payload for r in rows]
    off, back = rows
    assert START + 300.0 <= off.time <= START + 310.0
    assert "Algo Trading is off" in off.payload["message"]
    assert START + 600.0 <= back.time <= START + 610.0


def test_expert_disabled_on_the_account_is_journaled_and_shown_by_status(tmp_path):
    extra = _window("expert_disabled").replace("duration_s = 300.0", "duration_s = 3600.0")
    config = short_config(tmp_path, extra)
    run(config)
    rows = _rows(config.run.journal, "expert")
    assert [r.payload["ok"] for r in rows] == [False]
    journal = Journal(config.run.journal, writable=False)
    try:
        data = collect(journal)
    finally:
        journal.close()
    assert [w["what"] for w in data["trade_warnings"]] == ["expert"]
    assert "expert" in data["trade_warnings"][0]["message"].lower()


def _telemetry(folder, now: float) -> None:
    t = EaTelemetry(sequence=1, written_utc=int(now), failsafe=False, limits_sequence=0,
                    heartbeat_utc=0, trade_allowed=True, symbols={})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TELEMETRY_FILE).write_text(format_telemetry(t), encoding="ascii", newline="")


def test_ea_not_attached_is_warned_once_shown_live_and_cleared_by_its_heartbeat(tmp_path):
    common = tmp_path / "common"
    config = short_config(tmp_path).model_copy(
        update={"ea": EaSettings(enabled=True, common_folder=str(common))})
    guard = build_guard(config)
    sim = guard.replay
    guard.start()
    assert isinstance(guard.ea_link, EaLink)
    for _ in range(30):
        sim.advance(1.0)
        guard.fast_guard()
    assert [r.payload["ok"] for r in _rows(config.run.journal, "ea_attached")] == [False]
    shown = _text(guard_view(guard, "lca · sim"))
    assert "EA not attached" in shown
    _telemetry(link_folder_from_common(common), sim.now())
    for _ in range(10):
        sim.advance(1.0)
        guard.fast_guard()
    assert [r.payload["ok"] for r in _rows(config.run.journal, "ea_attached")] == [False, True]
    assert "EA not attached" not in _text(guard_view(guard, "lca · sim"))
    guard.stop("test over")
    guard.journal.close()
