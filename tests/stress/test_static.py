"""Exposure-matched baselines (issue 12 item 4): `static-<L>` books, their time-averaged EffLev
and the equal-exposure verdict."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from bridge.cli import main
from bridge.sim.scenario import load_scenario
from bridge.stress import WINDOWS, RunSpec, run_one
from bridge.stress.static import (
    STATIC_GRID,
    equal_exposure,
    mean_eff_lev,
    parse_static,
    static_name,
)
from bridge.stress.suite import default_policies, pooled_equal_exposure


def test_static_policy_names():
    assert STATIC_GRID == (1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
    assert [static_name(x) for x in (1.0, 2.5, 20.0)] == ["static-1", "static-2.5", "static-20"]
    assert parse_static("static-5") == 5.0
    assert parse_static("static-2.5") == 2.5
    for bad in ("static-", "static-x", "static-0", "static--3", "full", "static-inf"):
        assert parse_static(bad) is None, bad
    assert default_policies((1.0, 3.0)) == ("none", "vol-only", "rules-only", "full", "static-1",
                                            "static-3")


def test_mean_eff_lev_is_time_weighted_and_stops_at_the_crash():
    t, lev = [0.0, 10.0, 30.0], [1.0, 2.0, 4.0]
    assert mean_eff_lev(t, lev, 40.0) == pytest.approx((1 * 10 + 2 * 20 + 4 * 10) / 40)
    assert mean_eff_lev(t, lev, 20.0) == pytest.approx((1 * 10 + 2 * 10) / 20)
    assert mean_eff_lev(t, [1.0, float("nan"), 4.0], 40.0) == pytest.approx((10 + 40) / 20)
    assert mean_eff_lev([], [], 5.0) is None


def _m(lev: float, dd: float) -> dict[str, Any]:
    return {"mean_eff_lev_before_crash": lev, "max_drawdown": dd}


def test_equal_exposure_compares_full_with_the_static_books_at_its_exposure_or_more():
    pol = {"full": _m(1.4, 0.05), "static-1": _m(1.0, 0.02), "static-2": _m(2.0, 0.10),
           "static-5": _m(5.0, 0.30)}
    v = equal_exposure(pol)
    assert v is not None
    assert v["holds"] is True
    assert v["comparable"] == ["static-2", "static-5"]  # static-1 held less: not comparable
    assert v["matched"] == "static-2"
    assert v["margin"] == pytest.approx(0.05)
    assert "full beat static" in v["detail"]
    pol["static-3"] = _m(3.0, 0.04)  # more exposure and a smaller drawdown: full did not beat it
    v = equal_exposure(pol)
    assert v["holds"] is False
    assert v["lower_drawdown"] == ["static-3"]
    assert "did NOT beat" in v["detail"]
    untestable = equal_exposure({"full": _m(30.0, 0.5), "static-20": _m(20.0, 0.9)})
    assert untestable["holds"] is False
    assert untestable["matched"] is None
    assert "not testable" in untestable["detail"]
    assert equal_exposure({"full": _m(1.0, 0.1)}) is None


def test_pooled_verdict_counts_the_windows_and_compares_mean_drawdowns():
    a = equal_exposure({"full": _m(1.4, 0.05), "static-2": _m(2.0, 0.10)})
    b = equal_exposure({"full": _m(1.9, 0.02), "static-2": _m(2.0, 0.01)})
    pooled = pooled_equal_exposure({"a": {"equal_exposure": a}, "b": {"equal_exposure": b},
                                    "calm": {"equal_exposure": None}})
    assert pooled is not None
    assert (pooled["scenarios"], pooled["holds_in"]) == (2, 1)
    assert pooled["full_mean_max_drawdown"] == pytest.approx(0.035)
    assert pooled["matched_static_mean_max_drawdown"] == pytest.approx(0.055)
    assert pooled["holds"] is False  # one window fails: the pooled claim does not hold


def test_a_static_run_scales_the_book_once_and_never_trades(shared_data: Path):
    s = load_scenario(WINDOWS["gbp-flash-2016"].path, data_dir=shared_data)
    r = run_one(RunSpec("gbp-flash-2016", "esma", "static-5", str(shared_data),
                        end=s.start + 2 * 3600.0))
    m = r["metrics"]
    assert m["start_eff_lev"] == pytest.approx(5.0, rel=0.02)  # lots rounded to 0.01
    assert m["book_eff_lev_unscaled"] == pytest.approx(20.0, rel=0.05)
    assert m["book"] == [{"symbol": "GBPUSD", "volume": pytest.approx(1.6 * 5.0 / 20.27, abs=0.01)}]
    assert m["orders"] == 0
    assert m["stop_outs"] == 0
    assert m["mean_eff_lev"] == pytest.approx(5.0, rel=0.05)
    assert m["mean_eff_lev_before_crash"] == pytest.approx(m["mean_eff_lev"], rel=0.05)
    assert m["regime_available_share"] is None  # no guard ran


def test_the_command_refuses_a_bad_static_policy(shared_data: Path, capsys):
    out = str(Path(tempfile.mkdtemp()) / "o")
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "gbp-flash-2016-esma",
                 "--policy", "static-abc", "--out", out])
    assert code == 2
    assert "static-<L>" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # argparse refuses it (bridge.commands.numbers)
        main(["stress", "--data-dir", str(shared_data), "--scenario", "gbp-flash-2016-esma",
              "--static", "0", "--out", out])
    assert stop.value.code == 2
    assert "argument --static: '0' is refused" in capsys.readouterr().err
