"""Alerts to where the trader is: guard events → rate limit → queue → Apprise channels.

`attach_alerts(guard, environ)` turns them on when `LCA_ALERT_URLS` is set (docs/operator.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bridge.alerts.channels import ENV_URLS, AlertConfigError, AppriseChannel, channels_from_env
from bridge.alerts.dispatch import AlertDispatcher
from bridge.alerts.events import Alert, Severity
from bridge.alerts.limit import AlertLimiter
from bridge.alerts.observer import AlertObserver

__all__ = ["ENV_URLS", "Alert", "AlertConfigError", "AlertDispatcher", "AlertLimiter",
           "AlertObserver", "AppriseChannel", "Severity", "attach_alerts"]

ENV_WINDOW = "LCA_ALERT_WINDOW_SECONDS"


def attach_alerts(guard: Any, environ: Mapping[str, str]) -> AlertObserver | None:
    """Add an `AlertObserver` to `guard.observers` when `LCA_ALERT_URLS` names channels."""
    channels = channels_from_env(environ)
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
