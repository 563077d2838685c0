"""The top of summary.json (docs/stress.md "summary.json"): its keys and their types.

A scenario's entry and a run's metrics stay JSON objects (`dict[str, Any]`): their keys are
documented in docs/stress.md and read by name in the report, the plots and the checks.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = ["Check", "Summary", "Timing"]


class Check(TypedDict):
    """One line of the must-show list (summary.json "checks")."""

    scenario: str
    check: str
    holds: bool
    detail: str


class Timing(TypedDict):
    """What the sweep cost: wall seconds, processes, runs, where, the runs' CPU seconds."""

    runs_wall_seconds: float
    jobs: int
    runs: int
    executor: str
    cpu_seconds: float
    total_wall_seconds: NotRequired[float]
    """the runs, the report and the plots (set once they are written)"""


class Summary(TypedDict):
    """summary.json, as `bridge.stress.run_stress` returns and writes it."""

    version: int
    generated_utc: str
    data_dir: str
    policies: list[str]
    presets: dict[str, dict[str, Any]]
    scenarios: dict[str, dict[str, Any]]
    """scenario name (window-preset) → its account, book, kind and each policy's metrics"""
    timing: Timing
    equal_exposure_pooled: dict[str, Any] | None
    frontier: dict[str, Any] | None
    checks: list[Check]
