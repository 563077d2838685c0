"""A guard process of the hot-standby test (tests/fleet/test_standby.py): the active guard, or
its standby, on the simulated terminal served by the test process (the link of
tests/reliability/crash_child.py), one journal for both. Usage:

    python -m tests.fleet.standby_child PORT AUTHKEY_HEX FOLDER ROLE PACE JOURNAL_URL

ROLE is ``active`` or ``standby``; PACE the wall seconds slept after every fast-guard step (so
the test can kill the active guard mid-plan). Prints ``started`` once the guard holds the lease
and has resumed, ``waiting`` when a standby first finds the lease held, and appends every row id
it committed to FOLDER/committed-<ROLE>.txt.
"""

from __future__ import annotations

import os
import sys
import time
from multiprocessing.connection import Client
from pathlib import Path
from typing import Any

from bridge.app import build_guard
from bridge.config import AppConfig, LeaseSettings, RunSettings
from bridge.journal import Journal
from controller.settings import PlanSettings
from tests.reliability.crash_child import RemoteSim, _Link

LEASE = LeaseSettings(renew_seconds=1.0, timeout_seconds=3.0)


def _log_rows(log: Path) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    original = Journal.append

    def append(self: Journal, *args: Any, **kwargs: Any) -> int:
        row_id = original(self, *args, **kwargs)
        os.write(fd, f"{row_id}\n".encode())
        return row_id

    Journal.append = append  # type: ignore[method-assign]


def main(port: str, authkey: str, folder: str, role: str, pace: str, url: str) -> int:
    link = _Link(Client(("127.0.0.1", int(port)), authkey=bytes.fromhex(authkey)))
    sim = RemoteSim(link, None)
    _log_rows(Path(folder) / f"committed-{role}.txt")
    config = AppConfig(run=RunSettings(journal=url, log_file="", compare_unguarded=False,
                                       standby=role == "standby"),
                       plan=PlanSettings(slice_depth_fraction=0.01), lease=LEASE)
    guard = build_guard(config, module=sim)
    said = {"waiting": False}

    def sleep(seconds: float) -> None:
        if not said["waiting"]:
            print("waiting", flush=True)
            said["waiting"] = True
        time.sleep(seconds)

    guard.sleep_wall = sleep
    guard.start()
    print("started", flush=True)
    if guard.journal.last("plan") is None:
        guard.cycle()
    for _ in range(60):
        if not guard.plan and guard.journal.rows("slice", limit=1):
            break
        sim.advance(15.0)
        guard.fast_guard()
        time.sleep(float(pace))
    guard.stop("done")
    guard.journal.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
