"""Shared pieces of the reliability tests: the closing figures, and the simulated terminal served
on loopback to guard processes. The config, the guard, the scripted terminal and the "closed
twice" checks are the shared test kit's (tests/kit)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

FIGURES: dict[str, int] = defaultdict(int)
"""Counters for the closing figures (faults injected, plans completed, duplicates, kill points,
rows lost), printed at the end of the session by this folder's conftest."""


def _answer(sim: Any, message: Any) -> tuple[str, Any]:
    """One request from a guard process: ("call", name, args, kwargs), ("attr", name) or
    ("callable", name) → ("ok", value) or ("err", "Type: message")."""
    try:
        op, name, *rest = message
        if op == "call":
            value = getattr(sim, name)(*rest[0], **rest[1])
        elif op == "attr":
            value = getattr(sim, name)
        else:
            value = callable(getattr(sim, name))
        return ("ok", value)
    except Exception as exc:
        return ("err", f"{type(exc).__name__}: {exc}")


def serve_terminal(sim: Any, authkey: bytes) -> tuple[int, Any]:
    """Serve `sim` on a loopback port to guard processes (tests/reliability/crash_child.py), one
    thread per connection, calls serialized; returns (port, listener) (close the listener to
    stop accepting)."""
    import threading
    from multiprocessing.connection import Listener

    listener = Listener(("127.0.0.1", 0), authkey=authkey)
    lock = threading.Lock()

    def handle(conn: Any) -> None:
        with conn:
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    return  # the guard process died or finished
                with lock:
                    answer = _answer(sim, message)
                try:
                    conn.send(answer)
                except OSError:
                    return

    def accept() -> None:
        while True:
            try:
                conn = listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return int(listener.address[1]), listener
