"""The live guard of the SIGTERM test (tests/reliability/test_sigterm.py): the guard composed as
`lca run` composes it (`bridge.app.build_guard`) on the simulated terminal served by the parent,
run under APScheduler exactly as on a live terminal (`bridge.app.run_guard` with live=True),
until a signal stops it. Prints "step" after its first fast guard.

    python -m tests.reliability.sigterm_child ADDRESS_PORT AUTHKEY_HEX FOLDER
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Client
from pathlib import Path
from typing import Any

from bridge import app
from bridge.driver import run_live
from tests.kit import sim_config, sim_guard
from tests.reliability.crash_child import RemoteSim, _Link


def main(port: str, authkey: str, folder: str) -> int:
    link = _Link(Client(("127.0.0.1", int(port)), authkey=bytes.fromhex(authkey)))
    sim = RemoteSim(link, None)
    guard, _ = sim_guard(sim_config(Path(folder)), sim)
    said = {"step": False}

    def on_step(_guard: Any) -> None:
        if not said["step"]:
            said["step"] = True
            print("step", flush=True)

    run_guard = getattr(app, "run_guard", None)
    if run_guard is None:  # main before issue 11: start and schedule, nothing else
        guard.start()
        run_live(guard, on_step=on_step)
        return 0
    result = run_guard(guard, guard.config, on_step=on_step, live=True)
    print(f"stopped: {result.stopped}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
