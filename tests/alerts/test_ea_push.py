"""The "ea" alert channel: alerts written to notify.txt for the EA's MT5 push, journaled with the
channel's result."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.alerts import (
    Alert,
    AlertConfigError,
    AlertDispatcher,
    EaPushChannel,
    Severity,
    attach_alerts,
)
from bridge.app import build_guard
from bridge.config import AppConfig, EaSettings, RunSettings, TerminalSettings
from bridge.ealink.notify import NOTIFY_FILE, parse_notify


def _alert(title: str = "lca: HALTED", body: str = "EffLev 5.1×") -> Alert:
    return Alert("state", Severity.CRITICAL, title, body, 0.0)


def test_the_ea_channel_writes_the_alert_for_the_ea_and_says_so(tmp_path: Path) -> None:
    dispatcher = AlertDispatcher([EaPushChannel(lambda: tmp_path)])
    dispatcher.submit(_alert())
    (delivery,) = dispatcher.close()
    assert delivery.ok
    assert delivery.channel == "MT5 push (EA)"
    sequence, _, notices = parse_notify((tmp_path / "notify.txt").read_text())
    assert notices[-1].text == "lca: HALTED: EffLev 5.1x"
    assert delivery.error == f"written to notify.txt, sequence {sequence}; the EA pushes it"


def test_the_ea_channel_fails_in_words_when_the_link_is_off() -> None:
    assert EaPushChannel(lambda: None).send(_alert()) == \
        (False, "the EA link is off: nothing to push through")


def test_the_ea_channel_fails_in_words_when_the_folder_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ok, error = EaPushChannel(lambda: blocker / "lca").send(_alert())
    assert not ok
    assert error.startswith("notify.txt not written:")


class _Guard:
    def __init__(self, enabled: bool | None) -> None:
        self.config = AppConfig(ea=EaSettings(enabled=enabled))
        self.observers: list[object] = []
        self.ea_link = None


def test_attach_alerts_adds_the_ea_channel_when_the_link_is_on_unless_turned_off() -> None:
    on = attach_alerts(_Guard(True), {})
    assert on is not None
    assert [c.name for c in on.dispatcher.channels] == ["MT5 push (EA)"]
    on.dispatcher.close()
    assert attach_alerts(_Guard(None), {}) is None  # the simulated terminal: no link
    assert attach_alerts(_Guard(True), {"LCA_EA_PUSH": "0"}) is None
    with pytest.raises(AlertConfigError, match="LCA_EA_PUSH = 'yes': use 1"):
        attach_alerts(_Guard(True), {"LCA_EA_PUSH": "yes"})


def test_a_guard_with_the_ea_link_journals_each_alert_of_the_ea_channel(tmp_path: Path) -> None:
    scenario = Path(__file__).with_name("flash-gbp-2016-short.toml")
    config = AppConfig(
        terminal=TerminalSettings(scenario=str(scenario)),
        run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                        compare_unguarded=False),
        ea=EaSettings(enabled=True, common_folder=str(tmp_path / "Common")))
    guard = build_guard(config)
    observer = attach_alerts(guard, {"LCA_ALERT_WINDOW_SECONDS": "0"})
    assert observer is not None
    guard.start()  # "guard started" is the first alert
    guard.stop("test over")
    rows = [r.payload for r in guard.journal.rows("alert")]
    assert rows
    assert {r["channel"] for r in rows} == {"MT5 push (EA)"}
    assert all(r["ok"] and r["result"] == "sent" for r in rows)
    assert all(r["error"].startswith("written to notify.txt, sequence ") for r in rows)
    _, _, notices = parse_notify(
        (tmp_path / "Common" / "Files" / "lca" / NOTIFY_FILE).read_text())
    assert [n.text for n in notices] == [f"{r['title']}: {r['body']}" for r in rows][-8:]
