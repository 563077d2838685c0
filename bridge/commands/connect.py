"""The configured terminal, connected, for the one-shot commands (`lca snapshot`, `lca record`).

Opened as the guard opens it (bridge/app.py `build_guard`): the simulated terminal speaks its
scenario's server clock and its own simulated now; a live terminal the clock of `[terminal]
server_utc_offset_hours` / `server_dst` and the wall clock. Credentials come from the environment
variables `[terminal]` names, never from a file, and go nowhere but `initialize`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bridge.compose import open_module
from bridge.config import AppConfig, TerminalKind
from bridge.servertime import ServerClock
from bridge.terminal import Credentials, TerminalPort

__all__ = ["Connected", "connect", "parse_utc", "utc_text"]


@dataclass
class Connected:
    """A connected terminal: the port, the module-shaped object, whether it is the simulator."""

    port: TerminalPort
    mt5: Any
    simulated: bool

    def now(self) -> float:
        """The terminal's now, UTC epoch seconds (simulated time for the simulator)."""
        return float(self.mt5.now()) if self.simulated else time.time()

    def close(self) -> None:
        self.mt5.shutdown()


def connect(config: AppConfig) -> Connected:
    """Open and connect the configured terminal (one attempt: a one-shot command does not wait);
    `TerminalError` or `ValueError` (and the simulator's `ScenarioError`) say why not."""
    t = config.terminal
    mt5 = open_module(t.kind, scenario=t.scenario, data_dir=t.data_dir or None, host=t.host,
                      port=t.port, allow_remote=t.allow_remote, timeout_ms=t.timeout_ms)
    simulated = t.kind is TerminalKind.SIM
    clock = mt5.scenario.clock if simulated else ServerClock(t.server_utc_offset_hours,
                                                             t.server_dst)
    credentials = Credentials.from_env(t.login_env, t.password_env, t.server_env)
    port = TerminalPort(mt5, credentials, path=t.path or None, timeout_ms=t.timeout_ms,
                        server_clock=clock, symbol_classes=config.safe_leverage.symbol_classes)
    port.connect(attempts=1)
    return Connected(port, mt5, simulated)


def parse_utc(text: str, flag: str) -> float:
    """A UTC time from an ISO-8601 text with a zone (or a date, taken as 00:00 UTC), epoch s;
    ValueError naming `flag` and the form wanted."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not a time: give a UTC time such as "
                         "2016-10-06T23:30:00Z (or a date, 2016-10-06)") from None
    if value.tzinfo is None:
        if len(text.strip()) > 10:
            raise ValueError(f"{flag} {text!r} has no time zone: add Z for UTC "
                             "(2016-10-06T23:30:00Z)")
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def utc_text(t: float) -> str:
    """Epoch seconds as 2016-10-06T23:30:00Z."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
