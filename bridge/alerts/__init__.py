"""Alerts to where the trader is: guard events → rate limit → queue → Apprise channels and
the EA's MT5 push.

`attach_alerts(guard, environ)` turns them on when `LCA_ALERT_URLS` is set or the EA link is on
(the "ea" channel, `LCA_EA_PUSH=0` turns it off; docs/operator.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.alerts.channels import ENV_URLS, AlertConfigError, AppriseChannel, channels_from_env
from bridge.alerts.dispatch import AlertDispatcher, Channel
from bridge.alerts.ea_push import ENV_EA_PUSH, EaPushChannel
from bridge.alerts.events import Alert, Severity
from bridge.alerts.limit import AlertLimiter
from bridge.alerts.observer import AlertObserver
from bridge.config import TerminalKind

if TYPE_CHECKING:
    from bridge.observe import GuardView

__all__ = ["ENV_EA_PUSH", "ENV_URLS", "Alert", "AlertConfigError", "AlertDispatcher",
           "AlertLimiter", "AlertObserver", "AppriseChannel", "EaPushChannel", "Severity",
           "attach_alerts"]

ENV_WINDOW = "LCA_ALERT_WINDOW_SECONDS"


def attach_alerts(guard: GuardView, environ: Mapping[str, str]) -> AlertObserver | None:
    """Add an `AlertObserver` to `guard.observers` when `LCA_ALERT_URLS` names channels or
    the guard's EA link is on (unless `LCA_EA_PUSH` is "0")."""
    channels: list[Channel] = list(channels_from_env(environ))
    if _ea_link_on(guard):
        push = environ.get(ENV_EA_PUSH, "1").strip()
        if push not in ("0", "1"):
            raise AlertConfigError(f"{ENV_EA_PUSH} = {push!r}: use 1 (push through the EA, "
                                   "the default) or 0 (off)")
        if push == "1":
            channels.append(EaPushChannel(lambda: _link_folder(guard)))
    if not channels:
        return None
    raw = environ.get(ENV_WINDOW, "300")
    try:
        window = float(raw)
        limiter = AlertLimiter(window)
    except ValueError as exc:
        raise AlertConfigError(f"{ENV_WINDOW} = {raw!r}: use seconds ≥ 0 (default 300)") \
            from exc
    observer = AlertObserver(AlertDispatcher(channels), limiter)
    guard.observers.append(observer)
    return observer


def _ea_link_on(guard: GuardView) -> bool:
    """The guard's `[ea] enabled` as its start resolves it (default: on for a real terminal)."""
    config = getattr(guard, "config", None)
    if config is None:
        return getattr(guard, "ea_link", None) is not None
    enabled = config.ea.enabled
    return bool(config.terminal.kind != TerminalKind.SIM if enabled is None else enabled)


def _link_folder(guard: GuardView) -> Path | None:
    link = getattr(guard, "ea_link", None)
    return None if link is None else link.writer.folder
