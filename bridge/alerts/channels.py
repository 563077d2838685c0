"""Alert channels through Apprise (Telegram, Discord, Slack, e-mail, ntfy, webhooks, ...).

The URLs come from the environment only: `LCA_ALERT_URLS`, several separated by spaces. A URL
holds tokens and passwords, so it is never logged, journaled or shown: a channel is named by its
service and position ("JSON #1", "Telegram #2"), and every text that leaves a channel (an error
from Apprise) has each part of its URL masked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

import apprise

from bridge.alerts.events import Alert, Severity

__all__ = ["ENV_URLS", "AlertConfigError", "AppriseChannel", "Delivery", "channels_from_env",
           "mask"]

ENV_URLS = "LCA_ALERT_URLS"
_NOTIFY_TYPE = {Severity.INFO: apprise.NotifyType.INFO,
                Severity.WARNING: apprise.NotifyType.WARNING,
                Severity.CRITICAL: apprise.NotifyType.FAILURE}
_SCHEMA = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# a quiet default for Apprise's own logger: nothing of it reaches stderr unless captured
_APPRISE_LOG = logging.getLogger("apprise")
_APPRISE_LOG.addHandler(logging.NullHandler())
_APPRISE_LOG.propagate = False  # its messages may quote a URL: only LogCapture (masked) reads them


class AlertConfigError(ValueError):
    """An alert URL Apprise cannot use; the message names the variable and the channel, never
    the URL."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one channel did with one alert: `ok`, the masked `error` when not, `seconds` the
    wall-clock time the send took, `latency` the wall-clock seconds from the alert's raising to
    the end of this send (its wait in the queue included)."""

    alert: Alert
    channel: str
    ok: bool
    error: str
    seconds: float
    latency: float = 0.0


def secrets_of(url: str) -> list[str]:
    """Every part of `url` (after its scheme) that could be a token, longest first."""
    rest = _SCHEMA.sub("", url)
    parts = {p for raw in re.split(r"[/:@?&=#,]+", rest) for p in (raw, unquote(raw))
             if len(p) >= 4}
    return sorted(parts, key=len, reverse=True)


def mask(text: str, secrets: list[str]) -> str:
    """`text` with every secret replaced by ***."""
    for s in secrets:
        text = text.replace(s, "***")
    return text


class AppriseChannel:
    """One Apprise URL. `send` blocks for up to Apprise's timeouts (`cto`/`rto`, 4 s each by
    default): call it from the alert worker, never from the guard."""

    def __init__(self, url: str, index: int) -> None:
        self.secrets = secrets_of(url)
        with apprise.LogCapture(level=logging.WARNING):  # type: ignore[no-untyped-call]
            plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise AlertConfigError(
                f"{ENV_URLS}: URL #{index} is not one Apprise can use (check its scheme, e.g. "
                "tgram://, json://, mailto://, ntfy://, and its fields; "
                "https://github.com/caronc/apprise/wiki)")
        self.plugin = plugin
        self.name = f"{plugin.service_name} #{index}"
        self._apprise = apprise.Apprise()
        self._apprise.add(plugin)

    def send(self, alert: Alert) -> tuple[bool, str]:
        """Send one alert; (delivered, the masked error in words)."""
        try:
            with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
                ok = bool(self._apprise.notify(title=alert.title, body=alert.body,
                                               notify_type=_NOTIFY_TYPE[alert.severity]))
            text = captured.getvalue() if not ok else ""
        except Exception as exc:  # a channel must never kill the worker
            ok, text = False, f"{type(exc).__name__}: {exc}"
        lines = [line.split(" - ", 2)[-1] for line in text.strip().splitlines()]
        return ok, mask("; ".join(lines) or ("" if ok else "not delivered"), self.secrets)


def channels_from_env(environ: Mapping[str, str]) -> list[AppriseChannel]:
    """The channels of `LCA_ALERT_URLS` (empty when unset)."""
    urls = environ.get(ENV_URLS, "").split()
    return [AppriseChannel(url, i) for i, url in enumerate(urls, start=1)]
