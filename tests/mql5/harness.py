"""Build the EA's host-test binary with g++ and run its scenarios.

The binary is the real ``mql5/LiquidityGuard.mq5`` (translated by `mq5_to_cpp`, never edited)
compiled with ``shim/mql5_shim.h`` and ``scenarios.cpp``. Builds are cached in
``tests/mql5/build/<hash>/`` by a hash of every input (sources, shim, flags, compiler version), so
an unchanged tree does not recompile.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from mq5_to_cpp import translate_file

__all__ = [
    "BUILD_DIR",
    "EA_MAIN",
    "GOLDEN_DIR",
    "MQL5_DIR",
    "BuildError",
    "build",
    "compile_snippet",
    "gxx",
    "run_scenario",
    "scenario_names",
    "strict_check",
]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MQL5_DIR = REPO / "mql5"
GOLDEN_DIR = MQL5_DIR / "golden"
BUILD_DIR = HERE / "build"
SHIM = HERE / "shim" / "mql5_shim.h"
SCENARIOS = HERE / "scenarios.cpp"
SCENARIO_PARTS = sorted(HERE.glob("scenarios_*.h"))  # included by scenarios.cpp
TRANSLATOR = HERE / "mq5_to_cpp.py"
EA_MAIN = "LiquidityGuard.mq5"

_WARN = ["-Wall", "-Wextra", "-Wno-unused-parameter"]
_TEST_FLAGS = ["-std=c++17", "-g", "-O0", *_WARN]
_SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
# -Wconversion and -Wshadow stand in for MetaEditor's "possible loss of data due to type
# conversion" and "declaration of 'x' hides global variable" warnings
_STRICT_FLAGS = ["-std=c++17", "-fsyntax-only", "-DMQL5_STRICT_INPUTS", *_WARN, "-Wconversion",
                 "-Wshadow", "-Werror"]
_RUN_ENV = {"ASAN_OPTIONS": "detect_leaks=0", "UBSAN_OPTIONS": "print_stacktrace=1"}


class BuildError(RuntimeError):
    """g++ refused the translated EA or the scenarios; the message holds its diagnostics."""


def gxx() -> str | None:
    """Path of g++, or None when it is not installed (.ci/run installs it)."""
    return shutil.which("g++")


def _ea_sources(mql5_dir: Path) -> list[Path]:
    return sorted(p for p in mql5_dir.iterdir() if p.suffix in (".mq5", ".mqh"))


def _key(mql5_dir: Path, flags: list[str]) -> str:
    h = hashlib.sha256()
    for path in [*_ea_sources(mql5_dir), SHIM, SCENARIOS, *SCENARIO_PARTS, TRANSLATOR]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(" ".join(flags).encode())
    version = subprocess.run([gxx() or "g++", "--version"], capture_output=True, text=True)
    h.update(version.stdout.encode())
    return h.hexdigest()[:20]


def _compile(args: list[str], what: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"g++ failed on {what}:\n{proc.stderr[-6000:]}")


def build(
    mql5_dir: Path = MQL5_DIR,
    *,
    sanitize: bool = True,
    optimize: bool = False,
    build_root: Path = BUILD_DIR,
) -> Path:
    """Compile the scenario binary for the EA in ``mql5_dir``; return its path (cached).

    ``sanitize`` adds ASan and UBSan (the tests); ``optimize`` builds with -O2 (timings).
    """
    flags = _TEST_FLAGS + (_SANITIZE if sanitize else []) + (["-O2"] if optimize else [])
    key = _key(mql5_dir, flags)
    out = build_root / key
    binary = out / "guard_tests"
    if binary.exists():
        return binary
    tmp = build_root / f"{key}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "ea.gen.cpp").write_text(translate_file(mql5_dir / EA_MAIN), encoding="utf-8")
    _compile(
        ["g++", *flags, f"-I{tmp}", "-include", str(SHIM), str(SCENARIOS), "-o",
         str(tmp / "guard_tests")],
        f"{mql5_dir / EA_MAIN} with the scenarios",
    )
    try:
        tmp.rename(out)
    except OSError:  # built meanwhile by another process: use that one
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(build_root, keep=4)
    return binary


def _prune(build_root: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recent cached builds."""
    builds = sorted(
        (p for p in build_root.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f]{20}", p.name)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def strict_check(mql5_dir: Path = MQL5_DIR, *, build_root: Path = BUILD_DIR) -> None:
    """Compile the EA alone, inputs ``const``, warnings as errors; raise `BuildError`."""
    build_root.mkdir(parents=True, exist_ok=True)
    gen = build_root / f"strict{os.getpid()}.gen.cpp"
    gen.write_text(translate_file(mql5_dir / EA_MAIN), encoding="utf-8")
    try:
        _compile(["g++", *_STRICT_FLAGS, "-include", str(SHIM), str(gen)], "the EA (strict)")
    finally:
        gen.unlink(missing_ok=True)


def compile_snippet(mq5: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Translate and syntax-check a piece of MQL5 against the shim (returncode 0 = accepted)."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "Snippet.mq5"
    src.write_text(mq5, encoding="utf-8")
    gen = folder / "Snippet.gen.cpp"
    gen.write_text(translate_file(src), encoding="utf-8")
    return subprocess.run(
        ["g++", *_STRICT_FLAGS, "-include", str(SHIM), str(gen)], capture_output=True, text=True
    )


def scenario_names() -> list[str]:
    """The scenarios listed in scenarios.cpp, read from the source (no build needed)."""
    text = SCENARIOS.read_text(encoding="utf-8")
    table = text[text.index("kScenarios[] = {") :]
    return re.findall(r'\{"(\w+)", \w+\}', table)


def run_scenario(
    binary: Path,
    name: str,
    work: Path,
    *,
    golden: Path = GOLDEN_DIR,
    gmt: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run one scenario in its own process; exit code 0 = every check held."""
    work.mkdir(parents=True, exist_ok=True)
    args = [str(binary), "run", name, str(golden), str(work)]
    if gmt is not None:
        args.append(str(gmt))
    full_env = {**os.environ, **_RUN_ENV, **(env or {})}
    # errors="replace": a mutant (tests/mql5/mutation_check.py) may print any byte
    return subprocess.run(args, capture_output=True, text=True, errors="replace",
                          timeout=timeout, env=full_env)
