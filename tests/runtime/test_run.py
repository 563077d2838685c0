"""The main job end to end: `lca run` on the default config, then `lca status --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`lca run` exactly as the README says, in a copy of the default config that writes its
    journal and log into a temporary folder."""
    folder = tmp_path_factory.mktemp("run")
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('journal = "sqlite:///runs/journal.db"',
                        f'journal = "sqlite:///{folder}/journal.db"')
    text = text.replace('log_file = "runs/lca.log"', f'log_file = "{folder}/lca.log"')
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    summary = folder / "summary.json"
    env = {**os.environ, "LCA_MT5_PASSWORD": "s3cret-Known-Password"}
    proc = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "run", "--config", str(config), "--summary-json",
         str(summary)], cwd=REPO, capture_output=True, text=True, timeout=600, env=env,
        check=False)
    status = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "status", "--json", "--config", str(config)],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=env, check=False)
    return proc, json.loads(summary.read_text()) if summary.exists() else None, status, folder


def test_run_exits_zero_and_writes_the_summary(default_run):
    proc, summary, _, _ = default_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert summary is not None
    for side in ("guarded", "unguarded"):
        assert {"stop_outs", "max_drawdown", "final_equity", "orders"} <= set(summary[side])


def test_guard_steps_down_before_the_trough_and_avoids_the_stop_out(default_run):
    _, summary, _, _ = default_run
    guarded, unguarded = summary["guarded"], summary["unguarded"]
    assert unguarded["stop_outs"] > 0  # the broker stops the same book out
    assert guarded["stop_outs"] == 0
    assert guarded["orders"] >= 2  # staged: more than one partial close
    assert guarded["first_order_time"] < summary["crash_time"]
    assert guarded["max_drawdown"] < unguarded["max_drawdown"]
    assert guarded["final_equity"] > unguarded["final_equity"]


def test_status_lists_orders_with_retcodes_and_decisions_with_binding_caps(default_run):
    _, summary, status, _ = default_run
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["orders"], "no orders in the journal"
    assert all(isinstance(o["retcode"], int) for o in data["orders"])
    assert data["decisions"]
    assert all(d["binding_cap"] for d in data["decisions"])
    assert data["end"]["guarded"]["stop_outs"] == summary["guarded"]["stop_outs"]


def test_the_password_never_reaches_the_outputs(default_run):
    proc, _, status, folder = default_run
    secret = "s3cret-Known-Password"
    assert secret not in proc.stdout + proc.stderr + status.stdout + status.stderr
    for path in folder.iterdir():
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
