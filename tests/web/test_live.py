"""The dashboard and /metrics served by uvicorn beside a running replay: Prometheus scrapes while
the guard runs; headless Chromium loads the page during the replay and shows the live numbers."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from bridge.app import run
from bridge.config import AppConfig, RunSettings, TerminalSettings
from bridge.web import attach_dashboard
from tests.web.browser import chromium, dump_dom, screenshot

SCENARIO = Path(__file__).parents[1] / "alerts" / "snb-2015-short.toml"
STAGED = Path(__file__).parents[1] / "alerts" / "flash-gbp-2016-short.toml"
TOKEN = "live-token-0123456789abcdef"
ENV = {"LCA_DASHBOARD_TOKEN": TOKEN}


def _config(folder: Path, scenario: Path = SCENARIO) -> AppConfig:
    return AppConfig(terminal=TerminalSettings(scenario=str(scenario)),
                     run=RunSettings(journal=f"sqlite:///{folder}/journal.db", log_file="",
                                     compare_unguarded=False))


def _gauge(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_are_scraped_while_a_replay_runs(tmp_path):
    dashboards = []
    scrapes: list[str] = []
    codes: list[int] = []
    stop = threading.Event()

    def setup(guard):
        d = attach_dashboard(guard, ENV, "127.0.0.1:0")
        dashboards.append(d)
        url = f"http://127.0.0.1:{d.port}/metrics"

        def scrape() -> None:  # a Prometheus server's job, every 50 ms
            with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
                while not stop.is_set():
                    try:
                        r = client.get(url)
                    except httpx.HTTPError:
                        return  # the run is over and the server gone
                    codes.append(r.status_code)
                    scrapes.append(r.text)
                    time.sleep(0.05)
        threading.Thread(target=scrape, daemon=True).start()
        return d

    run(_config(tmp_path), speed=100.0, setup=setup)
    stop.set()
    assert set(codes) == {200}
    assert len(scrapes) >= 20
    minimum = [s for s in scrapes if _gauge(s, "lca_regime", regime="MINIMUM") == 1.0]
    assert minimum, "no scrape saw the MINIMUM regime"
    last = minimum[-1]
    states = {s.split('state="')[1].split('"')[0]: float(s.rsplit(" ", 1)[1])
              for s in last.splitlines() if s.startswith("lca_state{")}
    assert sorted(states.values())[-1] == 1.0
    assert sum(states.values()) == 1.0  # one state at a time
    assert states["ACTIVE"] == 0.0  # the crash's reduction: not ACTIVE
    assert _gauge(last, "lca_crash_flag") in (0.0, 1.0)
    for name in ("lca_eff_lev", "lca_mu", "lca_msi", "lca_lvi", "lca_l_safe",
                 "lca_snapshot_age_seconds"):
        assert _gauge(last, name) is not None, name
    orders = re.findall(r'lca_orders_total\{[^}]*retcode="10009"[^}]*\} (\S+)', scrapes[-1])
    assert orders
    assert float(orders[0]) > 0
    for hist in ("lca_step_seconds_count", "lca_cycle_seconds_count", "lca_decide_seconds_count"):
        assert float(re.search(rf"^{hist} (\S+)", scrapes[-1], re.M).group(1)) > 0, hist


def test_the_page_loads_during_the_replay_and_shows_the_live_numbers(tmp_path):
    chromium()
    seen: dict[str, object] = {}

    def setup(guard):
        d = attach_dashboard(guard, ENV, "127.0.0.1:0")
        seen["port"] = d.port
        return d

    def on_step(guard) -> None:
        # once the crash has put the regime at MINIMUM, the browser opens the page while the
        # replay waits mid-run (the server answers from its own thread)
        d = guard.decision
        if "dom" in seen or d is None or d.regime.value != "MINIMUM":
            return
        url = f"http://127.0.0.1:{seen['port']}/?token={TOKEN}"
        seen["dom"] = dump_dom(url)
        seen["eff_lev"] = f"{d.metrics.eff_lev:.2f}"
        seen["state"] = d.state.value
        seen["shot"] = screenshot(url, tmp_path / "dashboard.png")

    run(_config(tmp_path), speed=0.0, setup=setup, on_step=on_step)
    dom = str(seen["dom"])
    assert 'data-loaded="1"' in dom, dom[-3000:]
    assert 'data-regime="MINIMUM"' in dom
    assert f'data-state="{seen["state"]}"' in dom
    assert f'data-eff-lev="{seen["eff_lev"]}"' in dom
    assert re.search(r'id="regime" class="value sev-MINIMUM">MINIMUM<', dom)
    shot = Path(str(seen["shot"]))
    assert shot.stat().st_size > 30_000  # a drawn page, not a blank one
    keep = os.environ.get("LCA_DASHBOARD_SCREENSHOT")
    if keep:  # for a human look: LCA_DASHBOARD_SCREENSHOT=/tmp/d.png uv run pytest tests/web
        shutil.copy(shot, keep)


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch):
    monkeypatch.delenv("LCA_ALERT_URLS", raising=False)


def test_a_pause_from_the_page_stops_new_slices(tmp_path):
    from bridge.journal import Journal
    from controller.settings import PlanSettings
    from tests.web.cdp import Browser

    chromium()
    config = _config(tmp_path, STAGED).model_copy(
        update={"plan": PlanSettings(slice_depth_fraction=0.01)})  # 11 slices over 5 minutes
    seen: dict[str, object] = {"steps": 0}
    browser = Browser()

    def setup(guard):
        d = attach_dashboard(guard, ENV, "127.0.0.1:0")
        seen["port"] = d.port
        return d

    def on_step(guard) -> None:
        seen["steps"] = int(seen["steps"]) + 1
        if seen["steps"] == 5:  # the first slices went; the rest of the plan is due later
            browser.open(f"http://127.0.0.1:{seen['port']}/?token={TOKEN}")
            browser.wait_for("document.body.dataset.loaded === '1'")
            browser.evaluate("document.getElementById('who').value = 'anna';"
                             "document.getElementById('why').value = 'from the page';"
                             "document.getElementById('pause').click(); true")
        # the guard applies it between two of its steps, once the page's request has arrived
        # (a fast replay can run many steps before it does); then the page says so
        if seen["steps"] > 5 and "paused" not in seen and guard.paused:
            seen["paused"] = guard.paused
            seen["paused_at_step"] = seen["steps"]
            seen["result"] = browser.wait_for(
                "document.getElementById('control_result').textContent")

    try:
        run(config, speed=0.0, setup=setup, on_step=on_step)
    finally:
        browser.close()
    assert seen.get("paused") is True, f"not paused after {seen['steps']} steps"
    assert str(seen["result"]).startswith("paused")
    journal = Journal(config.run.journal)
    journal.account = journal.latest_account() or 0
    [pause] = journal.rows("control")
    assert (pause.payload["action"], pause.payload["who"], pause.payload["why"]) == (
        "pause", "anna", "from the page")
    assert pause.payload["origin"] == "127.0.0.1"
    slices = journal.rows("slice")
    assert any(s.id < pause.id for s in slices)  # slices went before the pause
    assert not any(s.id > pause.id for s in slices)  # and none after it, to the end
    later_plans = [p for p in journal.rows("plan") if p.id > pause.id and p.payload["actions"]]
    assert later_plans  # the guard kept deciding (the crash's reduction was planned)
    journal.close()
