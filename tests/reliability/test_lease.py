"""Issue 11 §1, one guard per account: two guard processes on one served terminal and one
journal, started together and staggered; exactly one acts and the terminal's deal history shows
no slice closed twice.

The terminal (`SimTerminal`, flash-gbp-2016 with thin slices: a staged plan of 11 slices) lives
in this process and is served on loopback (`harness.serve_terminal`), as in the SIGKILL test.
The two guards are two worker processes (`tests/reliability/lease_child.py`) started once for
all tries (each import costs about 2.5 s); for every try the test serves a fresh terminal, gives
both workers a fresh journal folder and a seeded delay (both 0: started together; otherwise one
of them 0–0.4 s later) and sends them the go at the same instant.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bridge.app import build_guard
from bridge.journal import Journal
from bridge.lease import Lease, LeaseHeld, LeaseLost, read_holder
from bridge.sim import SimTerminal
from tests.reliability.harness import FIGURES, duplicates, guard_deals, serve_terminal

REPO = Path(__file__).resolve().parents[2]
AUTHKEY = os.urandom(16)
TRIES = 20


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.lease_child"], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def go(self, port: int, folder: Path, delay: float, url: str | None) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"port": port, "authkey": AUTHKEY.hex(),
                                          "folder": str(folder), "delay": delay,
                                          "url": url}) + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the guard worker died"
        return dict(json.loads(line))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def workers() -> Any:
    pair = [_Worker(), _Worker()]
    yield pair
    for w in pair:
        w.close()


def _delays(rng: random.Random, i: int) -> tuple[float, float]:
    if i % 2 == 0:
        return 0.0, 0.0  # started together
    late = round(rng.uniform(0.0, 0.4), 3)
    return (0.0, late) if rng.random() < 0.5 else (late, 0.0)


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_two_guards_on_one_account_exactly_one_acts_and_nothing_is_closed_twice(
        workers: list[_Worker], tmp_path: Path, database: str,
        request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue("pg_server") if database == "postgres" else None
    rng = random.Random(11)
    began = time.perf_counter()
    for i in range(TRIES):
        folder = tmp_path / f"try{i}"
        folder.mkdir()
        url = server.url(server.create_database(), with_password=True) if server else \
            f"sqlite:///{folder}/journal.db"
        sim = SimTerminal.from_scenario("flash-gbp-2016")
        port, listener = serve_terminal(sim, AUTHKEY)
        try:
            for w, delay in zip(workers, _delays(rng, i), strict=True):
                w.go(port, folder, delay, url)
            answers = [w.answer() for w in workers]
        finally:
            listener.close()
        acted = [a for a in answers if a["sends"] > 0]
        assert len(acted) == 1, f"try {i}: {answers}"
        other = next(a for a in answers if a["sends"] == 0)
        # refused while the first one runs, or started after its clean stop and found the
        # plan done
        assert other["error"] is None or "lease held by host" in other["error"], answers
        FIGURES[f"two-guard second refused, lease held ({database})" if other["error"] else
                f"two-guard second started after the first's clean stop ({database})"] += 1
        journal = Journal(url)
        journal.account = journal.latest_account() or 0
        try:
            assert guard_deals(sim), f"try {i}: nothing closed"
            assert duplicates(sim, journal) == [], f"try {i}"
        finally:
            journal.close()
        FIGURES[f"two-guard tries ({database})"] += 1
    FIGURES["two-guard duplicate closes (deal history)"] += 0
    FIGURES[f"two-guard test seconds ({database})"] = round(time.perf_counter() - began)


# -- the lease itself, on SQLite and on PostgreSQL ------------------------------------------------

class _Wall:
    """A wall clock the test moves (epoch seconds)."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


_OPEN: list[Journal] = []


@pytest.fixture(autouse=True)
def _close_journals() -> Any:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _other_process_lease(url: str, wall: _Wall, **kwargs: Any) -> Lease:
    """A lease as another guard process would take it (another host: never 'process gone')."""
    journal = Journal(url)
    _OPEN.append(journal)
    return Lease(journal.engine, "sim:10000001", 30.0, wall=wall,
                 host=kwargs.get("host", "other-host"), pid=kwargs.get("pid", 4242))


def test_a_second_guard_for_the_same_account_is_refused_and_the_holder_is_named(
        journal_url: str) -> None:
    wall = _Wall()
    holder = _other_process_lease(journal_url, wall)
    assert holder.acquire() is None
    config_ = _config_on(journal_url)
    guard = build_guard(config_)
    sim = guard.replay
    with pytest.raises(LeaseHeld) as refused:
        guard.start()
    message = str(refused.value)
    for part in ("host other-host", "pid 4242", "since 2027-01-15T08:00:00Z",
                 "last renewed 2027-01-15T08:00:00Z", "[lease] timeout_seconds"):
        assert part in message
    assert guard_deals(sim) == []
    assert guard.journal.rows("run") == []  # the refused guard wrote nothing
    guard.journal.close()


def test_a_lease_not_renewed_within_the_timeout_is_taken_over_and_journaled(
        journal_url: str) -> None:
    wall = _Wall()
    wall.t = time.time() - 31.0  # the holder renewed 31 s ago; timeout 30 s
    crashed = _other_process_lease(journal_url, wall)
    crashed.acquire()
    guard = build_guard(_config_on(journal_url))
    guard.start()
    takeover = guard.journal.last("lease")
    assert takeover is not None
    assert takeover.payload["event"] == "takeover"
    assert takeover.payload["previous"]["host"] == "other-host"
    assert takeover.payload["previous"]["pid"] == 4242
    assert "not renewed for 31 s" in takeover.payload["why"]
    with pytest.raises(LeaseLost):  # the old holder, back to life, must stop acting
        crashed.renew()
    guard.stop("test")
    assert read_holder(guard.journal.engine, "sim:10000001") is None  # released on a clean stop
    assert guard.journal.last("stop").payload["reason"] == "test"
    guard.journal.close()


def test_a_running_guard_renews_its_lease_by_the_wall_clock(journal_url: str) -> None:
    guard = build_guard(_config_on(journal_url))
    sim = guard.replay
    wall = _Wall()
    guard.wall = wall
    guard.start()
    assert guard.lease is not None
    first = read_holder(guard.journal.engine, guard.lease.key)
    assert first is not None
    sim.advance(3600.0)  # an hour of simulated time, no wall time: no renewal due
    guard.fast_guard()
    assert read_holder(guard.journal.engine, guard.lease.key).renewed == first.renewed
    wall.t += 5.0  # [lease] renew_seconds of wall time
    guard.fast_guard()
    assert read_holder(guard.journal.engine, guard.lease.key).renewed == wall.t
    guard.stop("test")
    guard.journal.close()


_RACER = """
import sys, time
from bridge.lease import Lease, LeaseHeld
from bridge.journal import Journal
url, start, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
journal = Journal(url)
lease = Lease(journal.engine, "sim:10000001", 30.0, host=name, pid=1)
time.sleep(max(0.0, start - time.time()))
try:
    lease.acquire()
    print("won")
except LeaseHeld:
    print("refused")
journal.close()
"""


def test_taking_the_lease_is_atomic_across_processes(journal_url: str) -> None:
    Journal(journal_url).close()  # the tables exist: the race is on the lease row
    start = time.time() + 2.5
    procs = [subprocess.Popen([sys.executable, "-c", _RACER, journal_url, str(start),
                               f"racer-{i}"], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(6)]
    outs = [p.communicate(timeout=60) for p in procs]
    answers = sorted(out.strip() for out, _ in outs)
    assert answers == ["refused"] * 5 + ["won"], outs


def _config_on(url: str) -> Any:
    from bridge.config import AppConfig, RunSettings

    return AppConfig(run=RunSettings(journal=url, log_file="", compare_unguarded=False))


def test_a_guard_whose_lease_was_taken_over_sends_nothing_more(journal_url: str) -> None:
    from tests.reliability.harness import PlanSettings  # thin slices: a staged plan

    cfg = _config_on(journal_url).model_copy(
        update={"plan": PlanSettings(slice_depth_fraction=0.01)})
    guard = build_guard(cfg)
    sim = guard.replay
    wall = _Wall()
    guard.wall = wall
    guard.start()
    assert guard.lease is not None
    guard.lease.wall = wall
    guard.cycle()  # the first slices go out; the rest are due over 5 minutes
    sent = len(guard_deals(sim))
    assert guard.plan
    wall.t += 31.0  # this guard hung for longer than the timeout: another one takes over
    other = _other_process_lease(journal_url, wall)
    assert other.acquire() is not None
    for _ in range(20):
        sim.advance(15.0)
        with pytest.raises(LeaseLost):
            guard.fast_guard()
    assert len(guard_deals(sim)) == sent
    guard.journal.close()
