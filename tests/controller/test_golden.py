"""The seed's worked example (seed 003), exact: as a value test and through `lca decide`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.cli import main
from controller import Settings, TradingState, Urgency, decide
from controller.margin_state import leverage_metrics
from tests.controller.builders import seed_example

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed-003-worked-example.json"


def test_before_the_move():
    m = leverage_metrics(equity=100.0, margin=50.0, position_value=200.0)
    assert (m.eff_lev, m.mu, m.msi) == (2.0, 0.5, 2.0)


def test_seed_example_metrics_and_cut():
    d = decide(seed_example(), Settings())
    assert d.metrics.eff_lev == pytest.approx(2.857142857, rel=1e-9)
    assert round(d.metrics.eff_lev, 3) == 2.857
    assert round(100 * d.metrics.mu, 1) == 71.4
    assert d.metrics.msi == pytest.approx(1.40, rel=1e-12)
    assert d.target_eff_lev == 2.0
    assert d.binding_cap == "rule"
    assert d.state is TradingState.REDUCING
    assert d.urgency is Urgency.FORCED  # EffLev 2.857 > 2.5
    # staged: three slices of 0.2 lots over the forced window of 5 minutes
    assert [(a.ticket, a.side, a.volume) for a in d.actions] == [(5001, "sell", 0.2)] * 3
    assert [a.not_before - d.time for a in d.actions] == [0.0, 100.0, 200.0]
    cut_value = sum(a.volume for a in d.actions) * 100.0 * 1.0
    assert cut_value == pytest.approx(0.30 * 200.0, rel=1e-12)


def test_seed_example_after_the_plan():
    d = decide(seed_example(), Settings())
    pv_after = 200.0 - sum(a.volume for a in d.actions) * 100.0
    margin_after = 50.0 * pv_after / 200.0
    after = leverage_metrics(equity=70.0, margin=margin_after, position_value=pv_after)
    assert pv_after == pytest.approx(140.0, rel=1e-12)
    assert after.eff_lev == pytest.approx(2.0, rel=1e-12)
    assert after.mu == pytest.approx(0.5, rel=1e-12)
    assert after.msi == pytest.approx(2.0, rel=1e-12)


def test_seed_example_through_the_cli(capsys):
    assert main(["decide", "--snapshot", str(EXAMPLE), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert round(out["metrics"]["eff_lev"], 3) == 2.857
    assert round(out["metrics"]["mu"], 3) == 0.714
    assert round(out["metrics"]["msi"], 2) == 1.40
    assert out["metrics"]["lvi"] == pytest.approx(200 / 70)
    assert out["regime"] == "UNAVAILABLE"
    assert out["state"] == "REDUCING"
    assert out["target_eff_lev"] == 2.0
    assert out["binding_cap"] == "rule"
    volumes = [a["volume"] for a in out["actions"]]
    assert sum(volumes) == pytest.approx(0.30 * 2.0, abs=1e-12)
    assert {"ticket", "symbol", "volume", "urgency"} <= set(out["actions"][0])
    assert out["limits"]["symbols"][0]["max_volume"] == 2.0


def test_table_output_names_the_numbers(capsys):
    assert main(["decide", "--snapshot", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    for text in ("REDUCING", "2.86", "71.4 %", "1.40", "0.2", "3 slice(s)", "bound by rule"):
        assert text in out
