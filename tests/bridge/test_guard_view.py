"""The observers' view of the guard (`bridge.observe.GuardView`) names only what a guard has.

The observers (alerts, metrics, dashboard, live view) are typed against the protocol, not the
guard's class; this pins the protocol to the real guard, so a rename in the guard fails here
instead of in an observer at run time."""

from __future__ import annotations

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings
from bridge.observe import GuardView
from bridge.web.control import ControlledGuard


def _members(protocol: type) -> set[str]:
    names = set(getattr(protocol, "__annotations__", {}))
    names |= {n for n, v in vars(protocol).items() if callable(v) and not n.startswith("__")}
    return names


def test_a_guard_has_every_member_its_observers_and_controls_read(tmp_path):
    config = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/j.db", log_file=""))
    guard = build_guard(config)
    wanted = _members(GuardView) | _members(ControlledGuard)
    assert {"config", "journal", "now", "plan", "notify", "flatten"} <= wanted
    missing = sorted(n for n in wanted if not hasattr(guard, n))
    assert missing == []
