"""Rate limit and de-duplication of alerts: a flapping signal sends one message, then a summary.

Per `Alert.key`, on the guard's clock:
- the first alert is sent;
- a repeat within `window_seconds` of the last one sent is held back (counted, the latest kept),
  unless it is more severe than the one sent (a HALTED after a REDUCING always goes at once);
- an identical repeat (same title and body) is dropped as a duplicate and counted the same way;
- once the window has passed, the held-back ones go as one summary ("5 more in 5 min; latest:
  ...") and the window starts again.
Pure bookkeeping: no clock, no I/O (the time is an argument).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bridge.alerts.events import SEVERITY_RANK, Alert

__all__ = ["AlertLimiter"]


@dataclass
class _Key:
    sent_at: float
    sent: Alert
    held: int = 0
    latest: Alert | None = None


class AlertLimiter:
    """Decides which alerts go now; `window_seconds` per key (default 5 minutes)."""

    def __init__(self, window_seconds: float = 300.0) -> None:
        if not window_seconds >= 0.0:
            raise ValueError(f"alert window_seconds = {window_seconds}: use seconds ≥ 0")
        self.window = window_seconds
        self._keys: dict[str, _Key] = {}

    def offer(self, alert: Alert) -> tuple[list[Alert], bool]:
        """The alerts to send now (summaries due, then this one if it goes) and whether
        `alert` itself was held back."""
        out = self.due(alert.time)
        k = self._keys.get(alert.key)
        worse = k is not None and SEVERITY_RANK[alert.severity] > SEVERITY_RANK[k.sent.severity]
        if k is None or worse or alert.time - k.sent_at >= self.window:
            self._keys[alert.key] = _Key(alert.time, alert)
            out.append(alert)
            return out, False
        k.held += 1
        k.latest = alert
        return out, True

    def due(self, now: float) -> list[Alert]:
        """The summaries whose window has passed at `now`."""
        out: list[Alert] = []
        for k in self._keys.values():
            if k.held and k.latest is not None and now - k.sent_at >= self.window:
                out.append(_summary(k, now))
                k.sent_at, k.sent, k.held, k.latest = now, k.latest, 0, None
        return out

    def pending(self) -> list[Alert]:
        """Every summary still held back (at the end of a run), whatever the window."""
        out = [_summary(k, k.latest.time) for k in self._keys.values()
               if k.held and k.latest is not None]
        for k in self._keys.values():
            k.held, k.latest = 0, None
        return out


def _summary(k: _Key, now: float) -> Alert:
    latest = k.latest
    assert latest is not None
    minutes = (now - k.sent_at) / 60.0
    return replace(latest, title=f"{latest.title} (+{k.held} more)",
                   body=f"{k.held} more '{latest.key}' alert(s) in {minutes:.0f} min since the "
                   f"last message; latest: {latest.body}", time=now,
                   figures={**latest.figures, "held_back": k.held})
