"""Issue 11 §5: SIGTERM is a clean stop like Ctrl-C, for the replay (`lca run`) and for the live
scheduler: a `stop` row, the lease released, exit 0 with a message. `lca status` says when the
last run ended without a stop row (killed, since when).

The live scheduler runs in a child process (`tests/reliability/sigterm_child.py`) on the
simulated terminal served by this process, under APScheduler as on a live terminal."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bridge.sim import SimTerminal
from tests.reliability.harness import serve_terminal

REPO = Path(__file__).resolve().parents[2]
AUTHKEY = os.urandom(16)


def _rows(db: Path, kind: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT id, payload FROM journal WHERE kind = ?", (kind,)))


def _leases(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT * FROM lease"))


def _status(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", "status", *args], cwd=folder,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                               "COLUMNS": "200"})


def _wait_for_run_row(db: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db.exists():
            try:
                if _rows(db, "run"):
                    return
            except sqlite3.OperationalError:
                pass  # the table is being created
        assert proc.poll() is None, "the guard ended before it started"
        time.sleep(0.1)
    raise AssertionError("no run row after 60 s")


def test_sigterm_stops_the_replay_cleanly_with_a_stop_row_and_the_lease_released(
        tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text((REPO / "config.toml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    db = tmp_path / "runs" / "journal.db"
    with subprocess.Popen([sys.executable, "-m", "bridge.cli", "run", "--quiet", "--speed",
                           "600"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env={"PATH": "/usr/bin:/bin",
                                          "PYTHONPATH": str(REPO)}) as proc:
        _wait_for_run_row(db, proc)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "stopped (SIGTERM)" in err
    assert "Traceback" not in err
    stops = _rows(db, "stop")
    assert len(stops) == 1
    assert json.loads(stops[0][1])["reason"] == "SIGTERM"
    assert _leases(db) == []
    assert _rows(db, "end") == []  # stopped before the end of the replay
    status = json.loads(_status(tmp_path, "--json").stdout)
    assert status["run"]["ended"]["how"] == "stop"
    assert status["run"]["ended"]["reason"] == "SIGTERM"


def _live_child(tmp_path: Path) -> tuple[subprocess.Popen[str], Any]:
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    port, listener = serve_terminal(sim, AUTHKEY)
    proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.sigterm_child", str(port),
                             AUTHKEY.hex(), str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "step"  # started, lease taken, one fast guard
    return proc, listener


def test_sigterm_stops_the_live_scheduler_cleanly_with_a_stop_row_and_the_lease_released(
        tmp_path: Path) -> None:
    proc, listener = _live_child(tmp_path)
    try:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        listener.close()
    assert proc.returncode == 0, err[-2000:]
    assert "stopped: SIGTERM" in out
    db = tmp_path / "journal.db"
    stops = _rows(db, "stop")
    assert [json.loads(p)["reason"] for _, p in stops] == ["SIGTERM"]
    assert _leases(db) == []


def test_status_says_the_last_run_ended_without_a_stop_row_when_the_guard_was_killed(
        tmp_path: Path) -> None:
    proc, listener = _live_child(tmp_path)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        listener.close()
    (tmp_path / "config.toml").write_text(
        f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\n', encoding="utf-8")
    data = json.loads(_status(tmp_path, "--json").stdout)
    ended = data["run"]["ended"]
    assert ended["how"] == "killed"
    assert ended["since"].startswith("2016-10-06T")  # the last row, on the simulated clock
    assert "lease_last_renewed" in ended  # the killed guard never released its lease
    text = _status(tmp_path).stdout
    assert "ended without a stop row (killed or crashed) since 2016-10-06T" in text
