"""The alert queue and its worker thread: the guard hands an alert over and goes on.

`submit` never blocks: the queue is bounded (`max_queued`), and when a dead channel has filled
it the oldest alert waiting is dropped and counted (`dropped`), so the newest news still goes
out. One daemon thread sends each alert to every channel in turn (Apprise's own timeouts bound a
server that never answers). What each channel did comes back as a `Delivery`, collected by
`drain()` on the guard's thread, which journals it (a journal is written from one thread).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from loguru import logger

from bridge.alerts.channels import Delivery
from bridge.alerts.events import Alert

__all__ = ["AlertDispatcher", "Channel"]


class Channel(Protocol):
    """Where alerts go: `AppriseChannel`, `bridge.alerts.ea_push.EaPushChannel`."""

    name: str

    def send(self, alert: Alert) -> tuple[bool, str]:
        """Deliver `alert`: (ok, error in words or "")."""
        ...


class AlertDispatcher:
    """Queue + worker over `channels` (objects with `name` and `send(alert) -> (ok, error)`)."""

    def __init__(self, channels: Sequence[Channel], *, max_queued: int = 256) -> None:
        self.channels = list(channels)
        self._queue: queue.Queue[Alert | None] = queue.Queue(max_queued)  # None: stop
        self._done: deque[Delivery] = deque()
        self._lock = threading.Lock()
        self.dropped = 0
        self.sent = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._work, name="lca-alerts", daemon=True)
        self._thread.start()

    def submit(self, alert: Alert) -> None:
        """Queue `alert` for every channel; returns at once."""
        while True:
            try:
                self._queue.put_nowait(alert)
                return
            except queue.Full:
                try:
                    lost = self._queue.get_nowait()
                except queue.Empty:
                    continue
                if lost is not None:
                    with self._lock:
                        self.dropped += 1
                        self._done.extend(Delivery(lost, c.name, False,
                                                   "dropped: the alert queue was full", 0.0)
                                          for c in self.channels)

    def drain(self) -> list[Delivery]:
        """The deliveries finished since the last call."""
        with self._lock:
            out = list(self._done)
            self._done.clear()
        return out

    def close(self, timeout: float = 5.0) -> list[Delivery]:
        """Stop after the queued alerts are sent (up to `timeout` seconds); the deliveries not
        yet drained, plus one "not sent" per alert still waiting."""
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout)
        out = self.drain()
        while True:
            try:
                left = self._queue.get_nowait()
            except queue.Empty:
                break
            if left is not None:
                out.extend(Delivery(left, c.name, False, "not sent: the guard stopped first",
                                    0.0) for c in self.channels)
        return out

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            for channel in self.channels:
                started = time.perf_counter()
                ok, error = channel.send(item)
                delivery = Delivery(item, channel.name, ok, error, time.perf_counter() - started,
                                    time.time() - item.raised_at)
                if not ok:
                    logger.warning("alert '{}' not delivered by {}: {}", item.title,
                                   channel.name, error)
                with self._lock:
                    self._done.append(delivery)
                    if ok:
                        self.sent += 1
                    else:
                        self.failed += 1
