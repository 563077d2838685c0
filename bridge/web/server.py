"""uvicorn in a daemon thread beside the guard; loopback unless a reason is given.

`check_bind(host, reason)` refuses a non-loopback address without a reason (the dashboard can
flatten the account: on a LAN it needs a deliberate choice, and TLS in front of it). uvicorn's
access log is off: a `?token=` in an address never reaches a log.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from typing import TYPE_CHECKING

import uvicorn
from loguru import logger

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["DashboardServer", "check_bind", "parse_bind"]

DEFAULT_BIND = "127.0.0.1:8787"


def parse_bind(text: str) -> tuple[str, int]:
    """`HOST:PORT` (or `PORT`) → (host, port)."""
    host, _, port = text.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise ValueError(f"dashboard bind = {text!r}: use HOST:PORT, e.g. {DEFAULT_BIND}")
    return host or "127.0.0.1", number


def check_bind(host: str, reason: str) -> None:
    """Refuse a non-loopback `host` unless `reason` says why."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not reason.strip():
        raise ValueError(f"dashboard bind host {host!r} is not loopback: the dashboard can "
                         "flatten the account; bind 127.0.0.1 (and tunnel), or give the reason "
                         "with --dashboard-public-reason (put TLS in front of it)")
    if not loopback:
        logger.warning("dashboard on {} (not loopback): {}", host, reason)


class DashboardServer:
    """uvicorn serving `app` on (host, port) in a daemon thread."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="lca-dashboard",
                                       daemon=True)
        self.host = host

    def start(self, timeout: float = 10.0) -> int:
        """Start and wait until it listens; the port (useful with port 0)."""
        self.thread.start()
        end = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > end:
                raise RuntimeError("the dashboard did not start (is the port in use?)")
            time.sleep(0.01)
        port = int(self.server.servers[0].sockets[0].getsockname()[1])
        logger.info("dashboard on http://{}:{}/", self.host, port)
        return port

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5.0)
