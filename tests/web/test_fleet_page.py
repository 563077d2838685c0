"""The dashboard's fleet page (issue 17 §2): every account of the journal on /fleet and
/api/fleet, read from a guard's own journal without changing the account its rows are written
for, and drawn by headless Chromium."""

from __future__ import annotations

import time

import pytest

from bridge.journal import Journal
from bridge.web.app import create_app
from bridge.web.journal_board import JournalBoard
from bridge.web.server import DashboardServer
from tests.web.browser import chromium, dump_dom, screenshot
from tests.web.test_dashboard import AUTH, TOKEN, live  # noqa: F401  (the fixture)


def _account(url: str, login: int, server: str, *, state: str, eff_lev: float, msi: float,
             prop: bool = False) -> None:
    """The rows a guard of `login@server` writes: run, snapshot (with distances), decision."""
    j = Journal(url, login, server=server)
    j.append("run", 1000.0, {"login": login, "mode": "enforce", "currency": "USD"})
    distances = {"stop_out": {"loss": 8_000.0, "move_pct": 4.2}}
    if prop:
        distances["daily_loss"] = {"loss": 450.0, "move_pct": 0.9}
    j.append("snapshot", time.time() - 3.0, {"equity": 10_000.0, "eff_lev": eff_lev, "msi": msi,
                                              "distances": distances})
    j.append("decision", time.time() - 3.0, {"state": state, "regime": "NORMAL",
                                              "target_eff_lev": 2.0, "binding_cap": "rule",
                                              "reasons": [], "warnings": []})
    j.close()


def test_the_live_dashboard_lists_every_account_and_the_guard_keeps_its_own(live):  # noqa: F811
    guard, _, client = live
    own = (guard.journal.account, guard.journal.server)
    _account(str(guard.journal.engine.url.render_as_string(hide_password=False)), 7001,
             "OtherBroker-Live", state="ACTIVE", eff_lev=3.1, msi=2.5, prop=True)
    rows = client.get("/api/fleet", headers=AUTH).json()
    names = {r["account"]: r for r in rows}
    assert set(names) == {f"{own[0]}@{own[1]}", "7001@OtherBroker-Live"}
    other = names["7001@OtherBroker-Live"]
    assert (other["state"], other["eff_lev"], other["msi"]) == ("ACTIVE", 3.1, 2.5)
    assert other["prop_limit"] == "daily_loss"
    assert other["holder"] is None
    assert names[f"{own[0]}@{own[1]}"]["holder"] is not None  # the running guard's lease
    assert (guard.journal.account, guard.journal.server) == own  # its rows stay its own
    row_id = guard.journal.append("state", guard.now(), {"what": "test"})
    assert next(r for r in guard.journal.rows("state") if r.id == row_id).account == own[0]


@pytest.fixture
def served(tmp_path):
    chromium()
    url = f"sqlite:///{tmp_path}/journal.db"
    _account(url, 51234567, "ICMarketsSC-Demo", state="NORMAL", eff_lev=12.5, msi=1.43)
    _account(url, 30000001, "sim", state="FROZEN", eff_lev=2.0, msi=5.43, prop=True)
    _account(url, 30000002, "sim", state="HALTED", eff_lev=0.0, msi=9.9, prop=True)
    journal = Journal(url, writable=False)
    server = DashboardServer(create_app(JournalBoard(journal), TOKEN), "127.0.0.1", 0)
    port = server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
    journal.close()


def test_the_fleet_page_draws_a_row_per_account(served, tmp_path):
    dom = dump_dom(f"{served}/fleet?token={TOKEN}")
    assert 'data-loaded="1"' in dom, dom[-2000:]
    for name in ("51234567@ICMarketsSC-Demo", "30000001@sim", "30000002@sim"):
        assert f'data-account="{name}"' in dom
    assert "3 account(s)" in dom
    assert 'class="sev-HALTED">HALTED<' in dom
    assert "daily loss: 450 (0.9 %)" in dom
    assert "8,000 (4.2 %)" in dom
    assert "no guard" in dom
    shot = screenshot(f"{served}/fleet?token={TOKEN}", tmp_path / "fleet.png")
    assert shot.stat().st_size > 10_000


def test_the_fleet_page_needs_the_token(served):
    assert 'data-account="' not in dump_dom(f"{served}/fleet")
