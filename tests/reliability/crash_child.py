"""The guard process of the SIGKILL test (tests/reliability/test_crash.py).

It runs the guard exactly as `lca run` composes it (`bridge.app.build_guard`), against the
simulated terminal that lives in the *parent* process (reached through a
`multiprocessing.connection` link, every answer pickled like a real IPC reply), so the terminal
and its deal history survive when this process is killed. Usage:

    python -m tests.reliability.crash_child ADDRESS_PORT AUTHKEY_HEX FOLDER KILL

KILL is ``none``, ``after-row:N`` (SIGKILL right after the N-th journal row of this process is
committed), ``before-row:N`` (SIGKILL just before the N-th row is written) or ``in-send:N`` (the
N-th `order_send` executes in the terminal, SIGKILL before its answer reaches the guard). Every
row id this process saw committed is appended to FOLDER/committed.txt (unbuffered) so the parent
can check that none is lost.
"""

from __future__ import annotations

import os
import signal
import sys
from multiprocessing.connection import Client
from pathlib import Path
from typing import Any

from bridge.app import build_guard
from bridge.journal import Journal
from tests.reliability.harness import config


class _Link:
    """One request, one answer, over the parent's listener (see `serve_terminal`)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def _ask(self, *message: Any) -> Any:
        self._conn.send(message)
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(value)
        return value

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._ask("call", name, args, kwargs)

    def attr(self, name: str) -> Any:
        return self._ask("attr", name)

    def is_method(self, name: str) -> bool:
        return bool(self._ask("is_method", name))


class RemoteSim:
    """The parent's SimTerminal, seen through the link (`call` and `attr`)."""

    def __init__(self, proxy: _Link, kill_send: int | None) -> None:
        self._proxy = proxy
        self._kinds: dict[str, bool] = {}
        self._sends = 0
        self._kill_send = kill_send
        self.scenario = proxy.attr("scenario")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._kinds:
            self._kinds[name] = self._proxy.is_method(name)
        if not self._kinds[name]:
            return self._proxy.attr(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = self._proxy.call(name, args, kwargs)
            if name == "order_send":
                self._sends += 1
                if self._sends == self._kill_send:
                    os.kill(os.getpid(), signal.SIGKILL)  # executed; the answer never arrives
            return result

        return call


def _arm_row_kill(log: Path, kind: str, n: int | None) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    original = Journal.append
    count = {"n": 0}

    def append(self: Journal, *args: Any, **kwargs: Any) -> int:
        count["n"] += 1
        if kind == "before-row" and count["n"] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        row_id = original(self, *args, **kwargs)
        os.write(fd, f"{row_id}\n".encode())
        if kind == "after-row" and count["n"] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return row_id

    Journal.append = append  # type: ignore[method-assign]


def main(port: str, authkey: str, folder: str, kill: str) -> int:
    kind, _, n = kill.partition(":")
    count = int(n) if n else None
    link = _Link(Client(("127.0.0.1", int(port)), authkey=bytes.fromhex(authkey)))
    sim = RemoteSim(link, count if kind == "in-send" else None)
    _arm_row_kill(Path(folder) / "committed.txt", kind, count)
    guard = build_guard(config(Path(folder)), module=sim)
    guard.start()
    print("started", flush=True)  # the test's random-instant kills count from here
    if guard.journal.last("plan") is None:
        guard.cycle()
    for _ in range(40):
        if not guard.plan and guard.journal.rows("slice", limit=1):
            break
        sim.advance(15.0)
        guard.fast_guard()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
