"""The dashboard's REST API with FastAPI's test client: every endpoint, 401 without the token,
control actions applied on the guard's thread and journaled with who and why, the read-only
journal view of `lca serve`, the bind and token checks."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bridge.app import build_guard
from bridge.config import AppConfig, Mode, RunSettings, TerminalSettings
from bridge.journal import Journal
from bridge.metrics import MetricsObserver
from bridge.web import token_from_env
from bridge.web.app import create_app
from bridge.web.board import LiveBoard
from bridge.web.control import Controls
from bridge.web.journal_board import JournalBoard
from bridge.web.server import check_bind
from controller.settings import PlanSettings

SCENARIO = Path(__file__).parents[1] / "alerts" / "flash-gbp-2016-short.toml"
TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
READS = ["/", "/api/state", "/api/series", "/api/plan", "/api/orders", "/api/warnings",
         "/api/alerts", "/api/controls", "/metrics", "/docs", "/openapi.json",
         "/static/app.js", "/fleet", "/api/fleet", "/static/fleet.js"]


@pytest.fixture
def live(tmp_path):
    config = AppConfig(
        terminal=TerminalSettings(scenario=str(SCENARIO)),
        run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db", log_file="",
                        compare_unguarded=False),
        plan=PlanSettings(slice_depth_fraction=0.01))  # a staged plan: 11 slices
    guard = build_guard(config)
    sim = guard.replay
    board, metrics, controls = LiveBoard(), MetricsObserver(), Controls()
    guard.observers.extend([board, metrics, controls])
    guard.start()
    client = TestClient(create_app(board, TOKEN, registry=metrics.registry, controls=controls))
    yield guard, sim, client
    client.close()


def _while_stepping(guard, sim, fn):
    """Call fn (an HTTP request) on a thread while the guard steps on this one: the control
    queue is served between two guard steps, as in a run."""
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("r", fn()))
    worker.start()
    while worker.is_alive():
        sim.advance(1.0)
        guard.fast_guard()
        worker.join(0.005)
    return out["r"]


@pytest.mark.parametrize("path", READS)
def test_every_endpoint_answers_401_without_the_token(live, path):
    _, _, client = live
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.mark.parametrize("action", ["pause", "resume", "mode", "flatten", "lift_prop_lock"])
def test_every_control_answers_401_without_the_token(live, action):
    guard, _, client = live
    r = client.post(f"/api/control/{action}", json={"who": "x", "why": "y"})
    assert r.status_code == 401
    assert guard.journal.rows("control") == []


@pytest.mark.parametrize("path", READS)
def test_every_endpoint_answers_with_the_token(live, path):
    guard, sim, client = live
    sim.advance(1.0)
    guard.fast_guard()
    r = client.get(path, headers=AUTH)
    assert r.status_code == 200, r.text


def test_the_live_state_shows_the_numbers_against_their_bands(live):
    guard, sim, client = live
    guard.cycle()
    sim.advance(1.0)
    guard.fast_guard()
    s = client.get("/api/state", headers=AUTH).json()
    d = guard.decision
    assert s["eff_lev"] == pytest.approx(d.metrics.eff_lev)
    assert s["msi"] == pytest.approx(d.metrics.msi)
    assert s["lvi"] == pytest.approx(d.metrics.lvi)
    assert (s["regime"], s["state"], s["binding_cap"]) == (d.regime.value, d.state.value,
                                                            d.binding_cap)
    assert s["limits"]["eff_lev_reduce_above"] == 2.0
    assert s["eff_lev_band"] == d.metrics.eff_lev_band
    assert s["read_only"] is False
    plan = client.get("/api/plan", headers=AUTH).json()
    assert len(plan) == len(guard.plan) > 0
    orders = client.get("/api/orders", headers=AUTH).json()
    assert orders[0]["retcode"] == 10009


def test_the_token_in_the_address_sets_a_cookie_and_clears_the_address(live):
    _, _, client = live
    r = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert "httponly" in r.headers["set-cookie"].lower()
    assert client.get("/api/state").status_code == 200  # the cookie is enough now


def test_a_pause_stops_new_slices_and_is_journaled_with_who_and_why(live):
    guard, sim, client = live
    r = _while_stepping(guard, sim, lambda: client.post(
        "/api/control/pause", headers=AUTH, json={"who": "anna", "why": "news at 14:30"}))
    assert r.status_code == 200, r.text
    assert guard.paused
    before = len(guard.journal.rows("slice"))  # the first steps' slices, before the pause
    for _ in range(60):  # the staged plan's next slices fall due: none is sent
        sim.advance(1.0)
        guard.fast_guard()
    guard.cycle()
    assert guard.plan
    assert len(guard.journal.rows("slice")) == before
    r = _while_stepping(guard, sim, lambda: client.post(
        "/api/control/resume", headers=AUTH, json={"who": "anna", "why": "news out"}))
    assert r.status_code == 200
    sim.advance(1.0)
    guard.fast_guard()
    assert len(guard.journal.rows("slice")) > before  # slices go again
    rows = [r.payload for r in guard.journal.rows("control")]
    assert [(c["action"], c["who"], c["why"], c["ok"]) for c in rows] == [
        ("pause", "anna", "news at 14:30", True), ("resume", "anna", "news out", True)]
    assert rows[0]["origin"] == "testclient"
    log = client.get("/api/controls", headers=AUTH).json()
    assert [c["action"] for c in log] == ["resume", "pause"]


def test_a_control_without_who_or_why_is_refused_naming_them(live):
    _, _, client = live
    r = client.post("/api/control/pause", headers=AUTH, json={"who": " ", "why": "x"})
    assert r.status_code == 400
    assert "who and why" in r.json()["detail"]


def test_the_mode_switch_is_applied_and_journaled(live):
    guard, sim, client = live
    r = _while_stepping(guard, sim, lambda: client.post(
        "/api/control/mode", headers=AUTH,
        json={"who": "anna", "why": "watch only", "mode": "observe"}))
    assert r.status_code == 200
    assert guard.mode is Mode.OBSERVE
    assert guard.journal.last("control").payload["result"] == "mode observe"
    bad = client.post("/api/control/mode", headers=AUTH,
                      json={"who": "anna", "why": "x", "mode": "paper"})
    assert bad.status_code == 400
    assert "observe, shadow or enforce" in bad.json()["detail"]


def test_the_mode_switch_accepts_shadow_and_the_live_state_labels_it(live):
    guard, sim, client = live
    r = _while_stepping(guard, sim, lambda: client.post(
        "/api/control/mode", headers=AUTH,
        json={"who": "anna", "why": "dry run", "mode": "shadow"}))
    assert r.status_code == 200, r.text
    assert guard.mode is Mode.SHADOW
    assert guard.journal.last("control").payload["result"].startswith("mode shadow")
    sim.advance(1.0)
    guard.fast_guard()  # the board refreshes at the step after the switch
    state = client.get("/api/state", headers=AUTH).json()
    assert state["mode"] == "shadow"
    assert set(state["shadow"]) >= {"lots", "saved", "marked_at"}


def test_flatten_needs_the_confirmation_then_closes_every_position(live):
    guard, sim, client = live
    r = client.post("/api/control/flatten", headers=AUTH, json={"who": "anna", "why": "exit"})
    assert r.status_code == 400
    assert "FLATTEN" in r.json()["detail"]
    assert sim.positions_total() > 0
    r = _while_stepping(guard, sim, lambda: client.post(
        "/api/control/flatten", headers=AUTH,
        json={"who": "anna", "why": "weekend", "confirm": "FLATTEN"}))
    assert r.status_code == 200, r.text
    assert sim.positions_total() == 0
    row = guard.journal.last("control").payload
    assert (row["action"], row["who"], row["ok"]) == ("flatten", "anna", True)
    slices = [s.payload for s in guard.journal.rows("slice")]
    assert slices
    assert all(s["status"] == "done" for s in slices)


def test_flatten_in_observe_mode_is_refused_and_journaled(live):
    guard, sim, client = live
    guard.mode = Mode.OBSERVE
    r = _while_stepping(guard, sim, lambda: client.post(
        "/api/control/flatten", headers=AUTH,
        json={"who": "anna", "why": "x", "confirm": "FLATTEN"}))
    assert r.status_code == 409
    assert "enforce first" in r.json()["detail"]
    assert sim.positions_total() > 0
    assert guard.journal.last("control").payload["ok"] is False


def test_serve_shows_a_journal_read_only(live):
    guard, sim, _ = live
    guard.cycle()
    for _ in range(10):
        sim.advance(1.0)
        guard.fast_guard()
    journal = Journal(guard.journal.url)
    client = TestClient(create_app(JournalBoard(journal), TOKEN))
    s = client.get("/api/state", headers=AUTH).json()
    assert s["read_only"] is True
    assert s["state"] == guard.decision.state.value
    assert s["eff_lev"] is not None
    assert client.get("/api/orders", headers=AUTH).json()[0]["status"] == "done"
    assert len(client.get("/api/series", headers=AUTH).json()["time"]) >= 1
    r = client.post("/api/control/pause", headers=AUTH, json={"who": "a", "why": "b"})
    assert r.status_code == 403
    assert client.get("/api/state").status_code == 401
    journal.close()


def test_a_non_loopback_bind_is_refused_without_a_reason():
    with pytest.raises(ValueError, match="not loopback"):
        check_bind("0.0.0.0", "")
    check_bind("127.0.0.1", "")
    check_bind("::1", "")
    check_bind("0.0.0.0", "behind the office VPN with TLS on nginx")


def test_a_missing_or_short_token_is_refused_naming_the_variable():
    with pytest.raises(ValueError, match="LCA_DASHBOARD_TOKEN"):
        token_from_env({})
    with pytest.raises(ValueError, match="LCA_DASHBOARD_TOKEN"):
        token_from_env({"LCA_DASHBOARD_TOKEN": "short"})
