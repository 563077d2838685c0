"""Shared pieces of the reliability tests: a config on a temporary journal, a terminal wrapper
that answers `order_send` with any retcode or `last_error()` code, and the checks on the
terminal's deal history (the only ground truth for "closed twice")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.config import AppConfig, RunSettings
from bridge.journal import Journal
from bridge.runtime import Guard
from controller.settings import PlanSettings

MAGIC = 770077
FIGURES: dict[str, int] = defaultdict(int)
"""Counters for the closing figures (faults injected, plans completed, duplicates, kill points,
rows lost), printed at the end of the session by this folder's conftest."""
TOL = 1e-8


def config(folder: Path, slice_depth_fraction: float = 0.01, **run: Any) -> AppConfig:
    """The default config on a journal in `folder`; thin slices give a staged plan (9 slices
    over 5 minutes on flash-gbp-2016)."""
    return AppConfig(run=RunSettings(journal=f"sqlite:///{folder}/journal.db", log_file="",
                                     compare_unguarded=False, **run),
                     plan=PlanSettings(slice_depth_fraction=slice_depth_fraction))


def guard_deals(sim: Any) -> list[Any]:
    """The deals the guard made (its magic), from the terminal's history."""
    return [d for d in sim.history_deals_get(0, 2**31 - 1) if d.magic == MAGIC]


def planned_slices(journal: Journal) -> dict[tuple[str, int, int], float]:
    """(plan tag, slice index, ticket) → lots, over every plan the journal holds."""
    out: dict[tuple[str, int, int], float] = {}
    for row in journal.rows("plan"):
        for a in row.payload.get("actions", []):
            tag = _tag(a["plan_id"])
            out[(tag, a["slice_index"], a["ticket"])] = a["volume"]
    return out


def _tag(plan_id: str) -> str:
    from bridge.executor import plan_tag

    return plan_tag(plan_id)


def closed_by_slice(sim: Any) -> dict[tuple[str, int, int], float]:
    """(plan tag, slice index, ticket) → lots closed, from the deals' comments."""
    out: dict[tuple[str, int, int], float] = defaultdict(float)
    for d in guard_deals(sim):
        _, tag, frac = d.comment.split()
        out[(tag, int(frac.split("/")[0]), int(d.position_id))] += d.volume
    return dict(out)


def duplicates(sim: Any, journal: Journal) -> list[str]:
    """Every slice the terminal closed more of than the plan asked (a close sent twice), and
    every guard deal that belongs to no planned slice. Empty when nothing was closed twice."""
    planned = planned_slices(journal)
    found = []
    for key, lots in closed_by_slice(sim).items():
        if key not in planned:
            found.append(f"deal for unplanned slice {key}: {lots} lots")
        elif lots > planned[key] + TOL:
            found.append(f"slice {key}: closed {lots} lots of {planned[key]}")
    return found


def completed(sim: Any, journal: Journal) -> bool:
    """Every slice of the newest plan with actions closed in full (per the deal history); a
    later "target reached" row (an empty plan) does not count as completing it."""
    rows = [r for r in journal.rows("plan", newest_first=True) if r.payload.get("actions")]
    assert rows, "no plan in the journal"
    row = rows[0]
    closed = closed_by_slice(sim)
    return all(abs(closed.get((_tag(a["plan_id"]), a["slice_index"], a["ticket"]), 0.0)
                   - a["volume"]) < 1e-6 for a in row.payload["actions"])


def drive(guard: Guard, sim: Any, steps: int, seconds: float = 15.0) -> None:
    """The fast guard every `seconds` of simulated time, `steps` times (stops early once the plan
    is empty and at least one slice went out)."""
    for _ in range(steps):
        sim.advance(seconds)
        guard.fast_guard()
        if not guard.plan and guard.journal.rows("slice", limit=1):
            return


@dataclass
class Fault:
    """One answer to force: a trade retcode (`code` > 1000) or a `last_error()` code with a None
    answer; `executed` sends the request to the terminal all the same (the deal is done, the
    answer lies or is lost); `count` how many sends it hits (-1: all)."""

    code: int
    executed: bool = False
    count: int = 1


class FaultyTerminal:
    """The simulated terminal with `order_send` answering per the armed `Fault`s."""

    def __init__(self, sim: Any) -> None:
        self._sim = sim
        self.faults: list[Fault] = []
        self.injected = 0
        self._error: tuple[int, str] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)

    def arm(self, fault: Fault) -> None:
        self.faults.append(fault)

    def last_error(self) -> tuple[int, str]:
        if self._error is not None:
            return self._error
        return self._sim.last_error()  # type: ignore[no-any-return]

    def order_send(self, request: dict[str, Any]) -> Any:
        self._error = None
        fault = next(iter(self._armed()), None)
        if fault is None:
            return self._sim.order_send(request)
        self.injected += 1
        if fault.count > 0:
            fault.count -= 1
            if fault.count == 0:
                self.faults.remove(fault)
        real = self._sim.order_send(request) if fault.executed else None
        if fault.code <= 1:
            self._error = (fault.code, f"injected error {fault.code}")
            return None
        if real is None:
            return _refusal(fault.code)
        # executed, but the answer does not say so (a timeout, a lost reply)
        return real._replace(retcode=fault.code, deal=0, volume=0.0, price=0.0,
                             comment=f"injected {fault.code}")

    def _armed(self) -> Iterator[Fault]:
        return iter(self.faults)


def _refusal(code: int) -> Any:
    from bridge.sim.records import OrderSendResult

    return OrderSendResult(retcode=code, deal=0, order=0, volume=0.0, price=0.0, bid=0.0,
                           ask=0.0, comment=f"injected {code}", request_id=0, retcode_external=0,
                           request=None)  # type: ignore[arg-type]


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
                    try:
                        op, name, *rest = message
                        if op == "call":
                            value = getattr(sim, name)(*rest[0], **rest[1])
                        elif op == "attr":
                            value = getattr(sim, name)
                        else:
                            value = callable(getattr(sim, name))
                        answer = ("ok", value)
                    except Exception as exc:
                        answer = ("err", f"{type(exc).__name__}: {exc}")
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
