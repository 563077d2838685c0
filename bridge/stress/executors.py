"""Where the stress runs execute: local processes, or a Dask distributed cluster.

Every run of `lca stress` is an independent task (`bridge.stress.runner.run_one(spec)` returns a
plain dict), so any `concurrent.futures.Executor` can run them. `--executor local` (the default)
is a spawn-context process pool on this machine; `--executor dask://HOST:PORT` submits the runs to
the Dask scheduler at HOST:PORT (`distributed.Client(...).get_executor()`). The workers need the
same lca version installed and the data folder at the same path (`--data-dir`); `open_executor`
checks both on every worker before the first run is sent, and says which worker lacks what.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

__all__ = ["LOCAL", "ExecutorError", "ExecutorSpec", "default_jobs", "open_executor",
           "parse_executor"]

_DASK_EXTRA = "uv sync --extra dask"


class ExecutorError(ValueError):
    """The executor cannot be used: the message names the flag's value and the fix."""


@dataclass(frozen=True)
class ExecutorSpec:
    """`local`, or a Dask scheduler's address (`tcp://HOST:PORT`)."""

    kind: str  # "local" | "dask"
    address: str = ""

    def describe(self) -> str:
        return "local processes" if self.kind == "local" else f"Dask cluster at {self.address}"


#: today's default: processes on this machine
LOCAL = ExecutorSpec("local")


def parse_executor(text: str) -> ExecutorSpec:
    """`local` or `dask://HOST:PORT` (also `tcp://HOST:PORT`) → an ExecutorSpec."""
    if text == "local":
        return ExecutorSpec("local")
    for prefix in ("dask://", "tcp://"):
        if text.startswith(prefix):
            hostport = text[len(prefix):]
            host, sep, port = hostport.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                break
            return ExecutorSpec("dask", f"tcp://{host}:{port}")
    raise ExecutorError(f"--executor {text!r} is not understood: use local or "
                        "dask://HOST:PORT (the Dask scheduler's address, e.g. "
                        "dask://127.0.0.1:8786)")


def _worker_check(data_dir: str) -> dict[str, Any]:
    """Runs on a worker: its lca version and whether it sees the data folder."""
    from importlib.metadata import version

    return {"version": version("liquidity-crash-avoidance"), "data": Path(data_dir).is_dir()}


@contextlib.contextmanager
def open_executor(spec: ExecutorSpec, jobs: int, data_dir: str) -> Iterator[Executor]:
    """An executor for the runs; closed (and the Dask client disconnected) on exit.

    `jobs` is the number of local processes; a Dask cluster runs as many at once as its
    workers have threads. Raises ExecutorError when the cluster cannot be reached or a worker
    has another lca version or no data folder.
    """
    if spec.kind == "local":
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            yield pool
        return
    try:
        from distributed import Client as _Client
    except ImportError:
        raise ExecutorError(f"--executor dask://… needs Dask distributed: {_DASK_EXTRA}") from None
    try:
        make_client: Any = _Client  # distributed has no type hints
        client: Any = make_client(spec.address, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise ExecutorError(f"no Dask scheduler answers at {spec.address} ({exc}): start one "
                            "with `dask scheduler` and workers with `dask worker "
                            f"{spec.address}`, or use --executor local") from None
    try:
        _check_workers(client, data_dir)
        with client.get_executor(pure=False) as pool:
            yield pool
    finally:
        client.close()


def _check_workers(client: Any, data_dir: str) -> None:
    from importlib.metadata import version

    ours = version("liquidity-crash-avoidance")
    found = client.run(_worker_check, data_dir)
    if not found:
        raise ExecutorError("the Dask cluster has no workers: start some with `dask worker "
                            f"{client.scheduler.address}`")
    problems = []
    for worker, info in sorted(found.items()):
        if info["version"] != ours:
            problems.append(f"{worker} runs lca {info['version']} (this is {ours}): install "
                            "the same version on every worker")
        if not info["data"]:
            problems.append(f"{worker} has no data folder {data_dir}: mount or copy it at the "
                            "same path, or pass a --data-dir every worker sees")
    if problems:
        raise ExecutorError("; ".join(problems))


def default_jobs(n_specs: int) -> int:
    """Local processes when --jobs is not given: one per CPU, never more than runs."""
    return max(1, min(n_specs, os.cpu_count() or 1))
