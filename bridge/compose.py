"""The composition root's parts: the terminal opened by kind with its clocks, the EA link, the
account's mode check.

Only here does the shell name the simulator: the live loop (`bridge.terminal`, `bridge.executor`,
`bridge.runtime`, `bridge.driver`) takes the object it is handed (an import-linter contract in
pyproject.toml keeps it so).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loguru import logger

from bridge.clock import Clock, Replay, SimClock, WallClock
from bridge.config import AppConfig, Mode
from bridge.ealink import EaLink
from bridge.ealink.errors import EaLinkError
from bridge.ealink.folder import resolve_link_folder
from bridge.mt5 import constants as mt5c
from bridge.runtime.guard import ModeCheck
from bridge.servertime import ServerClock
from bridge.terminal import TerminalError, TerminalPort
from controller import Account

__all__ = ["OpenedTerminal", "ea_link_opener", "open_module", "open_terminal",
           "real_account_check"]


def open_module(kind: str, *, scenario: str = "", data_dir: str | None = None,
                host: str = "localhost", port: int = 18812,
                allow_remote: bool = False, timeout_ms: int = 60_000) -> Any:
    """The module-shaped object for `kind`: "sim", "mt5" (the MetaTrader5 package, imported
    here and nowhere else) or "mt5linux" (the mt5linux RPyC server of a terminal under Wine,
    through `bridge.mt5remote.RemoteMT5`: one round trip per call)."""
    if kind == "sim":
        from bridge.sim import SimTerminal

        return SimTerminal.from_scenario(scenario, data_dir=data_dir)
    if kind == "mt5":
        try:
            import MetaTrader5
        except ImportError:
            raise TerminalError(
                "import", -1, "the MetaTrader5 package is not installed: it exists for Windows "
                "only; on Linux use kind = \"mt5linux\"") from None
        return MetaTrader5
    if kind == "mt5linux":
        try:
            import rpyc  # noqa: F401  (the transport; only its import is checked here)
        except ImportError:
            raise TerminalError("import", -1, "rpyc (the mt5linux transport) is not installed "
                                "in lca's Python: uv sync --extra mt5linux") from None
        from bridge.mt5remote import RemoteMT5

        # one call may last the terminal's own timeout, plus the round trip; an ImportError
        # raised by the server (no MetaTrader5 there) is RemoteMT5's own TerminalError
        return RemoteMT5(host, port, allow_remote=allow_remote,
                         timeout_s=timeout_ms / 1000.0 + 10.0)
    raise ValueError(f"terminal kind {kind!r} is unknown (allowed: sim, mt5, mt5linux)")



@dataclass(frozen=True)
class OpenedTerminal:
    """A terminal opened for the guard: the module-shaped object, the trade server's clock, the
    guard's clock, how the port waits between connection attempts, and for a replay the
    simulated terminal (None live)."""

    module: Any
    server_clock: ServerClock
    clock: Clock
    connect_sleep: Callable[[float], None] | None
    replay: Replay | None


def open_terminal(config: AppConfig, module: Any | None = None) -> OpenedTerminal:
    """The terminal of `config.terminal` (or `module`, shaped like it), with its clocks: a replay
    runs on the simulated clock and the scenario's server time, a live terminal on the wall
    clock and the configured server time."""
    t = config.terminal
    mt5 = module if module is not None else open_module(
        t.kind, scenario=t.scenario, data_dir=t.data_dir or None, host=t.host, port=t.port,
        allow_remote=t.allow_remote, timeout_ms=t.timeout_ms)
    if t.kind == "sim":
        return OpenedTerminal(mt5, mt5.scenario.clock, SimClock(mt5), None, mt5)
    server = ServerClock(config.terminal.server_utc_offset_hours, config.terminal.server_dst)
    return OpenedTerminal(mt5, server, WallClock(), time.sleep, None)


def ea_link_opener(config: AppConfig) -> Callable[[TerminalPort], EaLink | None] | None:
    """How the guard opens its EA link once connected (`[ea] enabled`; unset: on for a real
    terminal, off for the simulator): the link folder from the configuration or the terminal. A
    folder that cannot be found or opened leaves the link off, with a warning."""
    enabled = config.ea.enabled
    if enabled is None:
        enabled = config.terminal.kind != "sim"
    if not enabled:
        return None
    common = config.ea.common_folder or None

    def open_link(port: TerminalPort) -> EaLink | None:
        try:
            return EaLink(resolve_link_folder(port.mt5, common))
        except (EaLinkError, OSError) as exc:
            logger.warning("EA link off: {}", exc)
            return None

    return open_link


def real_account_check(config: AppConfig) -> ModeCheck:
    """The account's mode check: enforce on a REAL account only with `run.allow_real_account`;
    otherwise the guard observes (a warning, and the reason for the journal's `mode` row)."""

    def check(account: Account, mode: Mode) -> tuple[Mode, str | None]:
        if mode is Mode.ENFORCE and account.trade_mode == mt5c.ACCOUNT_TRADE_MODE_REAL and \
                not config.run.allow_real_account:
            logger.warning("REAL account {}: orders refused (set run.allow_real_account = true "
                           "to enforce); observing only", account.login)
            return Mode.OBSERVE, "observe: real account without allow_real_account"
        return mode, None

    return check
