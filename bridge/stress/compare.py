"""Compare two stress summaries, leaving out what only measures the machine.

`python -m bridge.stress.compare A/summary.json B/summary.json` prints every figure that differs
(a path such as `scenarios.snb-2015-esma.policies.full.max_drawdown`, with both values) and
exits 1 when any does, 0 when the two runs agree. Left out: the `timing` block, the time the
summary was written (`generated_utc`), each run's `wall_seconds` and `cpu_seconds`, and the data
folder's absolute path (another checkout sees the same data at another path). Everything else
— drawdowns, stop-outs, lead times, the checks, the frontier — must be identical, to the last
digit. With `--runs` only the runs of B (scenario × policy) are compared with the same runs of A:
a smaller sweep checked against a bigger one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["MACHINE_KEYS", "comparable", "differences", "main", "run_differences"]

#: keys whose values measure the machine or the checkout, not the guard
MACHINE_KEYS = frozenset({"timing", "wall_seconds", "cpu_seconds", "data_dir", "generated_utc"})


def comparable(value: object) -> object:
    """`value` with every MACHINE_KEYS entry removed, at any depth."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in MACHINE_KEYS}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def differences(a: object, b: object, path: str = "") -> Iterator[str]:
    """One line per differing leaf between two comparable summaries."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            where = f"{path}.{k}" if path else str(k)
            if k not in a or k not in b:
                yield f"{where}: only in {'the second' if k not in a else 'the first'}"
            else:
                yield from differences(a[k], b[k], where)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {a!r} != {b!r}"


def run_differences(a: Any, b: Any) -> Iterator[str]:
    """One line per differing figure of every run (scenario × policy) of `b`, against the same
    run in `a`: a smaller sweep checked against a bigger one (its pooled figures — checks,
    frontier, equal exposure — depend on which runs it holds, so only the runs are compared)."""
    for name, sc in sorted(b.get("scenarios", {}).items()):
        for policy, run in sorted(sc.get("policies", {}).items()):
            ref = a.get("scenarios", {}).get(name, {}).get("policies", {}).get(policy)
            if ref is None:
                yield f"{name} {policy}: not in the first"
                continue
            yield from differences(ref, run, f"scenarios.{name}.policies.{policy}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    runs_only = "--runs" in args
    args = [x for x in args if x != "--runs"]
    if len(args) != 2:
        print("usage: python -m bridge.stress.compare [--runs] A/summary.json "  # noqa: T201
              "B/summary.json")
        return 2
    a, b = (comparable(json.loads(Path(p).read_text(encoding="utf-8"))) for p in args)
    found = list(run_differences(a, b) if runs_only else differences(a, b))
    for line in found:
        print(line)  # noqa: T201
    print(f"{len(found)} difference(s)" if found else "the summaries agree")  # noqa: T201
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
