"""Issue 11 §4, plans unique per run: `lca run` twice in a row on the default journal gives the
same summary both times (before, the second replay found the first one's plan ids in the
journal and skipped "already closed" slices); every plan id carries its run's id; `lca status`
shows the latest run by default, another with `--run ID`, all of them with `--all`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _lca(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", *args], cwd=folder,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """`lca run` twice in a folder holding the shipped config.toml: the default journal
    (runs/journal.db in that folder)."""
    folder = tmp_path_factory.mktemp("runs")
    shutil.copy(REPO / "config.toml", folder / "config.toml")
    summaries = []
    for i in (1, 2):
        proc = _lca(folder, "run", "--quiet", "--summary-json", f"summary{i}.json")
        assert proc.returncode == 0, proc.stderr[-3000:]
        summaries.append(json.loads((folder / f"summary{i}.json").read_text()))
    return folder, summaries


@pytest.mark.slow
def test_running_the_default_job_twice_on_one_journal_gives_the_same_summary(
        two_runs: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, (first, second) = two_runs
    assert (folder / "runs" / "journal.db").exists()
    assert first["guarded"]["orders"] >= 2
    assert second == first


def _status(folder: Path, *args: str) -> dict[str, Any]:
    proc = _lca(folder, "status", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def test_every_plan_id_carries_its_run_and_status_shows_the_latest_run_by_default(
        two_runs: tuple[Path, list[dict[str, Any]]]) -> None:
    folder, _ = two_runs
    latest = _status(folder)
    runs = latest["runs"]
    assert len(runs) == 2
    first_id, second_id = runs[0]["id"], runs[1]["id"]
    assert latest["run"]["id"] == second_id
    assert latest["orders"]
    assert all(o["plan_id"].startswith(f"{second_id}-") for o in latest["orders"])
    earlier = _status(folder, "--run", first_id)
    assert earlier["run"]["id"] == first_id
    assert earlier["orders"]
    assert all(o["plan_id"].startswith(f"{first_id}-") for o in earlier["orders"])
    assert len(earlier["orders"]) == len(latest["orders"])  # the same job, the same orders
    every = _status(folder, "--all")
    assert len(every["orders"]) == 2 * len(latest["orders"])
    unknown = _lca(folder, "status", "--run", "R999999")
    assert unknown.returncode == 2
    assert "R999999" in unknown.stderr
    assert first_id in unknown.stderr
