"""A guard worker for the two-guards test (tests/reliability/test_lease.py).

One process serves many tries (it imports the guard once: about 2.5 s). For every JSON line
on stdin, ``{"port": P, "authkey": HEX, "folder": DIR, "delay": S, "url": URL}``, it waits S
seconds, then runs the guard exactly as `lca run` composes it (`bridge.app.build_guard`)
against the simulated terminal served by the parent (`harness.serve_terminal`), on the journal
in DIR (or at URL, a PostgreSQL database): start (which takes the account's lease), the
controller cycle when the journal has no plan, then the fast guard every 15 simulated seconds
until the plan is done, then a clean stop. It answers one JSON line,
``{"sends": N, "error": TEXT | null}``: N counts the `order_send` calls this process made, TEXT
is the message of the error that stopped it (a refused start).

    python -m tests.reliability.lease_child
"""

from __future__ import annotations

import json
import sys
import time
from multiprocessing.connection import Client
from pathlib import Path
from typing import Any

from bridge.app import build_guard
from tests.reliability.crash_child import RemoteSim, _Link
from tests.reliability.harness import config


def one_try(port: int, authkey: bytes, folder: Path, delay: float,
            url: str | None = None) -> dict[str, Any]:
    cfg = config(folder)
    if url:
        cfg = cfg.model_copy(update={"run": cfg.run.model_copy(update={"journal": url})})
    time.sleep(delay)
    conn = Client(("127.0.0.1", port), authkey=authkey)
    sim = RemoteSim(_Link(conn), None)
    guard = None
    try:
        guard = build_guard(cfg, module=sim)
        guard.start()
        if guard.journal.last("plan") is None:
            guard.cycle()
        for _ in range(40):
            if not guard.plan and guard.journal.rows("slice", limit=1):
                break
            sim.advance(15.0)
            guard.fast_guard()
        guard.stop("done")
        return {"sends": sim._sends, "error": None}
    except Exception as exc:
        return {"sends": sim._sends, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        if guard is not None:
            guard.journal.close()
        conn.close()


def main() -> int:
    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        result = one_try(int(job["port"]), bytes.fromhex(job["authkey"]), Path(job["folder"]),
                         float(job["delay"]), job.get("url"))
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
