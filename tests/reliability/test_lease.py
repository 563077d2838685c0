"""Issue 11 §1, one guard per account: two guard processes on one served terminal and one
journal, started together and staggered; exactly one acts and the terminal's deal history shows
no slice closed twice.

The terminal (`SimTerminal`, flash-gbp-2016 with thin slices: a staged plan of 11 slices) lives
in this process and is served on loopback (`harness.serve_terminal`), as in the SIGKILL test.
The two guards are two worker processes (`tests/reliability/lease_child.py`) started once for
all tries (each import costs about 2.5 s); for every try the test serves a fresh terminal, gives
both workers a fresh journal folder and a seeded delay (both 0: started together; otherwise one
of them 0–0.8 s later) and sends them the go at the same instant.
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

from bridge.journal import Journal
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

    def go(self, port: int, folder: Path, delay: float) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"port": port, "authkey": AUTHKEY.hex(),
                                          "folder": str(folder), "delay": delay}) + "\n")
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


@pytest.fixture(scope="module")
def workers() -> Any:
    pair = [_Worker(), _Worker()]
    yield pair
    for w in pair:
        w.close()


def _delays(rng: random.Random, i: int) -> tuple[float, float]:
    if i % 2 == 0:
        return 0.0, 0.0  # started together
    late = round(rng.uniform(0.0, 0.8), 3)
    return (0.0, late) if rng.random() < 0.5 else (late, 0.0)


@pytest.mark.slow
def test_two_guards_on_one_account_exactly_one_acts_and_nothing_is_closed_twice(
        workers: list[_Worker], tmp_path: Path) -> None:
    rng = random.Random(11)
    began = time.perf_counter()
    for i in range(TRIES):
        folder = tmp_path / f"try{i}"
        folder.mkdir()
        sim = SimTerminal.from_scenario("flash-gbp-2016")
        port, listener = serve_terminal(sim, AUTHKEY)
        try:
            for w, delay in zip(workers, _delays(rng, i), strict=True):
                w.go(port, folder, delay)
            answers = [w.answer() for w in workers]
        finally:
            listener.close()
        acted = [a for a in answers if a["sends"] > 0]
        assert len(acted) == 1, f"try {i}: {answers}"
        refused = [a for a in answers if a["sends"] == 0]
        assert refused[0]["error"] is None or "held by" in refused[0]["error"], answers
        journal = Journal(f"sqlite:///{folder}/journal.db")
        try:
            assert guard_deals(sim), f"try {i}: nothing closed"
            assert duplicates(sim, journal) == [], f"try {i}"
        finally:
            journal.close()
        FIGURES["two-guard tries"] += 1
    FIGURES["two-guard duplicate closes (deal history)"] += 0
    FIGURES["two-guard test seconds"] = round(time.perf_counter() - began)
