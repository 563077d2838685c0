"""Issue 17 §3, a hot standby: a second guard for the same account, started with `standby`,
waits on the lease; the active guard is killed with SIGKILL in the middle of its staged plan;
the standby takes over (at once when the dead process was on this host, within the lease
timeout when the holder's host cannot be asked: a machine gone), reads the unfinished plan from
the journal and finishes it. 0 duplicate closes (the terminal's deal history), 0 lost rows,
final positions equal to an uninterrupted run; the takeover time is measured and printed.

The terminal is the simulated one, served by this process to both guard processes
(tests/reliability/harness.serve_terminal), so it survives the kill and both see one account.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bridge.journal import Journal
from bridge.lease import LEASE
from bridge.sim import SimTerminal
from tests.fleet.standby_child import LEASE as LEASE_SETTINGS
from tests.kit import closed_twice, guard_deals
from tests.reliability.harness import serve_terminal

REPO = Path(__file__).resolve().parents[2]
AUTHKEY = os.urandom(16)
PACE = 0.25  # wall seconds per fast-guard step of the active guard: a plan lasts seconds


def _child(port: int, folder: Path, role: str, pace: float, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fleet.standby_child", str(port), AUTHKEY.hex(),
         str(folder), role, str(pace), url], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def _expect(proc: subprocess.Popen[str], word: str) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == word, f"expected {word!r}, got {line!r}; stderr: {proc.stderr.read()[-2000:]}"


def _positions(sim: Any) -> dict[int, float]:
    return {int(p.ticket): round(float(p.volume), 8) for p in sim.positions_get()}


def _url(kind: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/journal.db"
    server = request.getfixturevalue("pg_server")
    return str(server.url(server.create_database(), with_password=True))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[int, float]:
    """The final positions of one uninterrupted run of the active guard."""
    folder = tmp_path_factory.mktemp("reference")
    sim = SimTerminal.from_scenario("gbp-flash-2016")
    port, listener = serve_terminal(sim, AUTHKEY)
    try:
        proc = _child(port, folder, "active", 0.0, f"sqlite:///{folder}/journal.db")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
    finally:
        listener.close()
    return _positions(sim)


@pytest.mark.parametrize(("db", "host_gone"), [("sqlite", False), ("postgres", True)],
                         ids=["sqlite-process-gone", "postgres-machine-gone"])
def test_a_standby_takes_over_a_killed_guard_mid_plan_and_finishes_it(
        tmp_path: Path, request: pytest.FixtureRequest, reference: dict[int, float], db: str,
        host_gone: bool) -> None:
    url = _url(db, tmp_path, request)
    sim = SimTerminal.from_scenario("gbp-flash-2016")
    port, listener = serve_terminal(sim, AUTHKEY)
    try:
        active = _child(port, tmp_path, "active", PACE, url)
        _expect(active, "started")
        standby = _child(port, tmp_path, "standby", 0.0, url)
        _expect(standby, "waiting")
        while len(guard_deals(sim)) < 2:  # two slices out, the rest of the plan pending
            assert active.poll() is None, "the active guard finished before it was killed"
            time.sleep(0.02)
        journal = Journal(url, writable=False)
        if host_gone:  # as if its machine vanished: the standby cannot ask for its process
            with journal.engine.begin() as conn:
                conn.execute(update(LEASE).values(host="vps-that-is-gone"))
        active.send_signal(signal.SIGKILL)
        killed = time.time()
        active.communicate(timeout=30)
        sent_by_active = len(guard_deals(sim))
        _expect(standby, "started")
        took_over = time.time() - killed
        _, err = standby.communicate(timeout=300)
        assert standby.returncode == 0, err[-3000:]
    finally:
        listener.close()
    journal.use_account(journal.accounts()[0].login, None)
    lease_rows = journal.rows("lease")
    assert len(lease_rows) == 1
    why = lease_rows[0].payload["why"]
    unrenewed = lease_rows[0].payload["unrenewed_seconds"]
    print(f"\n{db}: takeover {took_over:.2f} s after the SIGKILL ({why}; the lease was last "
          f"renewed {unrenewed:.2f} s before), lease timeout {LEASE_SETTINGS.timeout_seconds:g} s")
    if host_gone:
        assert why.startswith("not renewed for")
        assert unrenewed <= LEASE_SETTINGS.timeout_seconds + 1.5
    else:
        assert why == "its process no longer exists"
        assert took_over < LEASE_SETTINGS.timeout_seconds
    assert 2 <= sent_by_active < len(guard_deals(sim))  # the standby sent the rest
    assert closed_twice(sim, journal) == []
    assert _positions(sim) == reference
    ids = {r.id for r in journal.rows()}
    for role in ("active", "standby"):
        committed = {int(x) for x in (tmp_path / f"committed-{role}.txt").read_text().split()}
        assert committed <= ids, f"{role}: rows lost"
    runs = journal.rows("run")
    assert len(runs) == 2
    assert runs[1].payload["resumed_slices"] > 0  # the unfinished plan came from the journal
    journal.close()
