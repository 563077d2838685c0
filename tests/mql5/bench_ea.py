"""Time the EA's handlers compiled natively (-O2): 20 symbols with a 10-level book, 200 positions.

    uv run python tests/mql5/bench_ea.py

MQL5 runs slower than native C++ (it is compiled too, but with bounds checks on every array
access), so read the figures as a lower bound; the point is the order of magnitude against the
250 ms timer. Not part of the test suite.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness


def main() -> int:
    binary = harness.build(sanitize=False, optimize=True)
    with tempfile.TemporaryDirectory(prefix="lca-bench-") as work:
        proc = subprocess.run([str(binary), "bench", work], capture_output=True, text=True)
    sys.stdout.write(proc.stdout + proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
