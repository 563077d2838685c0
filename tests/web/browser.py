"""Debian's chromium, headless, on a fresh profile (as tests/stress drives it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium() -> str:
    """The browser's path; skips (fails under CI) when it is not installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium) and CI unset")
    return found


def dump_dom(url: str, budget_ms: int = 4000) -> str:
    """The page's DOM after `budget_ms` of virtual time (scripts run, fetches answered)."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}",
             f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=True).stdout


def screenshot(url: str, out: Path, budget_ms: int = 4000) -> Path:
    """A PNG of the page at 1400 × 1800."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,1800",
             f"--virtual-time-budget={budget_ms}", f"--screenshot={out}", url],
            capture_output=True, text=True, timeout=120, check=True)
    return out
