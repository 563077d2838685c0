"""Before and after in one run, on one machine: every benchmark at two revisions, interleaved.

    uv run python benchmarks/compare.py BEFORE_REV [AFTER_REV] [--only decide cycle ...]
        [--rounds 2] [--scenario gbp-flash-2016 snb-2015] [--keep]

Each revision is checked out into a temporary `git worktree` (AFTER_REV omitted: this checkout as
it is, uncommitted edits included) and each benchmark script of that revision runs as a child
process with the revision's own code first on the import path (`PYTHONPATH`) and this checkout's
environment (the same Python and packages: only the code differs). The runs alternate: round 1
runs BEFORE then AFTER, round 2 AFTER then BEFORE, and so on, so a machine that gets busier or
quieter meets both sides alike. Of the rounds, each figure keeps its best value (the lowest time,
the highest rate): the repeat least disturbed by the other processes of the machine.

The table has one row per figure a benchmark prints (times in ns/µs/ms/s, rates per second,
ratios), the value before and after, after ÷ before and the speed-up (how many times faster:
before ÷ after for a time, after ÷ before for a rate). A benchmark the old revision does not have
is said so in the table ("missing in BEFORE"), as is one that fails (its last error line). Every
child's own CPU time (user + system, from the kernel, with its worker processes) is a figure too.

The benchmarks (`--only` picks some): decide.py, cycle.py, replay.py --step 1 and --step 60,
stress.py over `--scenario` windows (one round only: it takes minutes; the full set is
`benchmarks/stress.py --full`), alerts.py, indicators.py, status.py. docs/performance.md says
what each one measures.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (name, script, arguments); the name is what --only takes
BENCHMARKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("decide", "decide.py", ()),
    ("cycle", "cycle.py", ()),
    ("replay-1s", "replay.py", ("--step", "1")),
    ("replay-60s", "replay.py", ("--step", "60")),
    ("stress", "stress.py", ()),
    ("alerts", "alerts.py", ()),
    ("indicators", "indicators.py", ()),
    ("status", "status.py", ()),
)
#: benchmarks that run once per revision whatever --rounds says (minutes each)
ONCE = frozenset({"stress"})
DEFAULT_SCENARIOS = ("gbp-flash-2016", "snb-2015")

_NUMBER = re.compile(r"(?<![\w.])[-+]?\d(?:[\d,]*\d)?(?:\.\d+)?(?:e[-+]?\d+)?")
_UNIT = re.compile(r"\s*(?:(ns|µs|us|ms|s)\b|([kMG]?\s*[\w-]+/s)"
                   r"|([\w -]*?per (?:CPU-)?second)|(×))")
#: a line's target clause ("(target: median ≤ 0.5 ms)", "; target ≥ 8×") holds no measurement
_TARGET = re.compile(r"[(;]\s*target.*$|^target.*$")


@dataclass(frozen=True)
class Figure:
    """One number a benchmark printed: `label` (the line's text before it, other numbers shown
    as #), its value and unit; `lower_is_better` for a time, else a rate or a ratio."""

    label: str
    value: float
    unit: str
    lower_is_better: bool


@dataclass
class Outcome:
    """What one benchmark gave at one revision over the rounds (best value per figure)."""

    figures: dict[str, Figure] = field(default_factory=dict)
    missing: bool = False
    error: str = ""

    def keep_best(self, found: list[Figure]) -> None:
        for f in found:
            old = self.figures.get(f.label)
            better = old is None or (f.value < old.value if f.lower_is_better
                                     else f.value > old.value)
            if better:
                self.figures[f.label] = f


def _measured(line: str) -> list[tuple[re.Match[str], str, bool]]:
    """(number, unit, lower is better) of each measured number of one line."""
    found = []
    for m in _NUMBER.finditer(line):
        u = _UNIT.match(line, m.end())
        if line[:m.start()].endswith("by "):  # a setting ("stepping by 60 s"), not a figure
            continue
        if u is None and "ratio" in line[:m.start()].lower() and not line[m.end():].strip():
            found.append((m, "×", False))  # a bare ratio ending its line
            continue
        if u is None:
            continue
        if u.group(1):
            found.append((m, u.group(1), True))
        elif u.group(4) and "ratio" not in line[:m.start()].lower():
            continue
        else:
            found.append((m, (u.group(2) or u.group(3) or u.group(4)).strip(), False))
    return found


def figures(output: str) -> list[Figure]:
    """The figures of a benchmark's output: every number followed by a time unit, a rate (…/s,
    per second) or × on a ratio line (a target clause left out). The label is the line with
    this figure shown as [·] and every other number as #."""
    out: list[Figure] = []
    for line in output.splitlines():
        line = _TARGET.sub("", line.strip()).rstrip(" ,;:")
        found = _measured(line)
        for m, unit, lower in found:
            text, last = "", 0
            for other, _, _ in found:
                text += _NUMBER.sub("#", line[last:other.start()]) + (
                    "[·]" if other is m else "#")
                last = other.end()
            # every other number masked too: a count that differs between the revisions
            # ("queue: 304") must not split one figure into two rows
            label = re.sub(r"\s+", " ", text + _NUMBER.sub("#", line[last:])).strip()[:90]
            key, n = label, 2
            while key in {f.label for f in out}:
                key, n = f"{label} ({n})", n + 1
            out.append(Figure(key, float(m.group().replace(",", "")), unit, lower))
    return out


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_benchmark(tree: Path, script: str, args: list[str], env: dict[str, str],
                  timeout: float) -> tuple[list[Figure] | None, str]:
    """Run `tree`/benchmarks/`script` with `args`: (its figures, "") or (None, why not);
    (None, "missing") when the revision has no such script."""
    path = tree / "benchmarks" / script
    if not path.is_file():
        return None, "missing"
    cpu0 = _children_cpu()
    try:
        done = subprocess.run([sys.executable, str(path), *args], cwd=tree, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    cpu = _children_cpu() - cpu0
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return None, f"failed ({done.returncode}): {last[:120]}"
    return [*figures(done.stdout), Figure("process CPU (with its workers)", cpu, "s", True)], ""


@contextmanager
def checkout(rev: str | None, base: Path) -> Iterator[tuple[Path, str]]:
    """(folder, description) of `rev` checked out in a temporary git worktree under `base`
    (None: this checkout itself, as it is); the worktree is removed on exit."""
    if rev is None:
        yield ROOT, "this checkout"
        return
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", f"{rev}^{{commit}}"],
                         capture_output=True, text=True)
    if sha.returncode != 0:
        raise SystemExit(f"revision {rev!r} is not known to git here ({sha.stderr.strip()}): "
                         "give a commit, branch or tag")
    tree = base / f"rev-{sha.stdout.strip()}-{len(list(base.iterdir()))}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree),
                    rev], check=True)
    try:
        yield tree, f"{rev} ({sha.stdout.strip()})"
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(tree), *filter(None, [env.get("PYTHONPATH", "")])])
    env.setdefault("LCA_SHARED_DATA", str((ROOT / ".." / "shared" / "data").resolve()))
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(v, "1")
    return env


def _ratio_cells(before: Figure, after: Figure) -> tuple[str, str]:
    if before.value <= 0.0 or after.value <= 0.0:  # a difference ("median - none") has no ratio
        return "—", "—"
    ratio = after.value / before.value
    speed = 1.0 / ratio if before.lower_is_better else ratio
    return f"{ratio:.3f}", f"{speed:.2f}×"


def _fmt(f: Figure | None) -> str:
    return "—" if f is None else f"{f.value:,.6g} {f.unit}"


def table(results: dict[str, tuple[Outcome, Outcome]], names: tuple[str, str]) -> str:
    """The before/after table (Markdown)."""
    rows = [f"| benchmark | figure | {names[0]} | {names[1]} | after ÷ before | speed-up |",
            "|---|---|---|---|---|---|"]
    for bench, (old, new) in results.items():
        for side, o, name in (("before", old, names[0]), ("after", new, names[1])):
            if o.missing or o.error:
                why = f"missing in {name}" if o.missing else f"{side}: {o.error}"
                rows.append(f"| {bench} | {why} | | | | |")
        labels = list(dict.fromkeys([*new.figures, *old.figures]))
        for label in labels:
            a, b = old.figures.get(label), new.figures.get(label)
            ratio, speed = _ratio_cells(a, b) if a and b else ("—", "—")
            rows.append(f"| {bench} | {label} | {_fmt(a)} | {_fmt(b)} | {ratio} | {speed} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", help="the revision before (commit, branch, tag)")
    ap.add_argument("after", nargs="?", help="the revision after (default: this checkout)")
    ap.add_argument("--only", nargs="+", choices=[b[0] for b in BENCHMARKS],
                    help="these benchmarks only (default: all)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="interleaved rounds; each figure keeps its best (default 2)")
    ap.add_argument("--scenario", nargs="+", default=list(DEFAULT_SCENARIOS),
                    help="the stress windows of stress.py (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=1800.0,
                    help="seconds one benchmark run may take (default 1800)")
    a = ap.parse_args()
    chosen = [b for b in BENCHMARKS if a.only is None or b[0] in a.only]
    results: dict[str, tuple[Outcome, Outcome]] = {b[0]: (Outcome(), Outcome()) for b in chosen}
    base = Path(tempfile.mkdtemp(prefix="lca-compare-"))
    started = time.perf_counter()
    try:
        with checkout(a.before, base) as (old_tree, old_name), \
                checkout(a.after, base) as (new_tree, new_name):
            trees = ((old_tree, 0), (new_tree, 1))
            for r in range(max(1, a.rounds)):
                for name, script, args in chosen:
                    if name in ONCE and r > 0:
                        continue
                    extra = ["--scenario", *a.scenario] if name == "stress" else []
                    for tree, side in (trees if r % 2 == 0 else trees[::-1]):
                        print(f"round {r + 1}: {name} at {(old_name, new_name)[side]} …",
                              file=sys.stderr, flush=True)
                        found, why = run_benchmark(tree, script, [*args, *extra], _env(tree),
                                                   a.timeout)
                        o = results[name][side]
                        o.missing = why == "missing"
                        o.error = "" if why == "missing" else why
                        if found is not None:
                            o.keep_best(found)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"before: {old_name}; after: {new_name}; {a.rounds} interleaved round(s), best of "
          f"each; {time.perf_counter() - started:.0f} s wall; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")
    print(table(results, ("before", "after")))


if __name__ == "__main__":
    main()
