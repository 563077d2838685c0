"""The "ea" alert channel: MT5 push to the trader's phone through the guard EA.

The channel writes each alert into notify.txt in the EA link folder (`NotifyWriter`); the EA
reads it on its timer and calls MT5's `SendNotification`, which reaches the MetaTrader app
paired with the terminal (Tools > Options > Notifications, MetaQuotes ID). "sent" in the journal
means written to the file for the EA (the EA's own Experts log says what MT5 answered). The
link folder is the guard's: the channel looks it up at each send, so it follows the link being
switched on at the guard's start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bridge.alerts.events import Alert
from bridge.ealink.errors import EaLinkError
from bridge.ealink.notify import NotifyWriter

__all__ = ["EA_CHANNEL", "ENV_EA_PUSH", "EaPushChannel"]

EA_CHANNEL = "MT5 push (EA)"
ENV_EA_PUSH = "LCA_EA_PUSH"


class EaPushChannel:
    """Writes alerts for the EA to push; `folder()` is the EA link folder, None when the link
    is off."""

    name = EA_CHANNEL

    def __init__(self, folder: Callable[[], Path | None]) -> None:
        self._folder = folder
        self._writer: NotifyWriter | None = None

    def send(self, alert: Alert) -> tuple[bool, str]:
        """(written, the reason in words when not)."""
        folder = self._folder()
        if folder is None:
            return False, "the EA link is off: nothing to push through"
        if self._writer is None or self._writer.folder != folder:
            self._writer = NotifyWriter(folder)
        try:
            notice = self._writer.add(alert.title, alert.body)
        except (EaLinkError, OSError) as exc:
            return False, f"notify.txt not written: {exc}"
        return True, f"written to notify.txt, sequence {notice.sequence}; the EA pushes it"
