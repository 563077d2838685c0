"""`lca serve` and `lca run --dashboard` as a user starts them: the journal served read-only,
a missing token or a public bind without a reason refused with the variable or flag named."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from bridge.app import run
from bridge.config import AppConfig, RunSettings, TerminalSettings
from tests.alerts.servers import refused_port

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "tests" / "alerts" / "snb-2015-short.toml"
TOKEN = "serve-token-0123456789abcdef"


def _lca(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})


def test_serve_shows_a_finished_run_read_only(tmp_path):
    journal = f"sqlite:///{tmp_path}/journal.db"
    run(AppConfig(terminal=TerminalSettings(scenario=str(SCENARIO)),
                  run=RunSettings(journal=journal, log_file="", compare_unguarded=False)))
    port = refused_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli", "serve", "--journal", journal, "--bind",
         f"127.0.0.1:{port}"], cwd=REPO, env={**os.environ, "LCA_DASHBOARD_TOKEN": TOKEN},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            for _ in range(100):
                try:
                    state = client.get(f"{base}/api/state").json()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            assert state["read_only"] is True
            assert state["regime"] == "MINIMUM"
            assert state["running"] is False
            assert client.get(f"{base}/api/orders").json()[0]["retcode"] == 10009
            denied = client.post(f"{base}/api/control/pause", json={"who": "a", "why": "b"})
            assert denied.status_code == 403
        assert httpx.get(f"{base}/api/state").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert TOKEN not in err


def test_run_with_the_dashboard_and_no_token_is_refused_naming_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LCA_DASHBOARD_TOKEN"}
    r = subprocess.run([sys.executable, "-m", "bridge.cli", "run", "--quiet", "--dashboard",
                        "--config", str(REPO / "config.toml"), "--scenario", str(SCENARIO)],
                       cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2
    assert "LCA_DASHBOARD_TOKEN" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_public_bind_without_a_reason_is_refused_naming_the_flag(tmp_path):
    r = _lca("serve", "--journal", f"sqlite:///{tmp_path}/j.db", "--bind", "0.0.0.0:8787",
             env={"LCA_DASHBOARD_TOKEN": TOKEN})
    assert r.returncode == 2
    assert "--dashboard-public-reason" in r.stderr or "--public-reason" in r.stderr
