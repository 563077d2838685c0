"""`lca stress`: windows, presets, policies, the checks, and one short end-to-end run (the live
code path on real data) whose report a real browser opens with every plot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bridge.cli import main
from bridge.config import AppConfig, Mode
from bridge.sim.scenario import load_scenario
from bridge.stress import POLICIES, PRESETS, WINDOWS, RunSpec
from bridge.stress.report import write_report
from bridge.stress.suite import checks, resolve_scenarios, run_all, summarise
from bridge.stress.windows import policy_config, with_preset


@pytest.mark.parametrize("name", list(WINDOWS))
def test_every_window_loads_on_the_real_data_under_both_presets(shared_data: Path, name: str):
    w = WINDOWS[name]
    s = load_scenario(w.path, data_dir=shared_data)
    assert s.book, "every window has a documented book"
    assert w.main_symbol in {x.name for x in s.symbols}
    assert (w.kind == "calm") == (s.crash_time is None)
    esma = with_preset(s, PRESETS["esma"]).account
    off = with_preset(s, PRESETS["offshore"]).account
    assert (esma.margin_so_call, esma.margin_so_so, esma.negative_balance_protection) == \
        (100.0, 50.0, True)
    assert (off.margin_so_call, off.margin_so_so, off.negative_balance_protection) == \
        (50.0, 20.0, False)


def test_every_window_of_the_issue_is_there():
    assert set(WINDOWS) == {"snb-2015", "gbp-flash-2016", "jpy-flash-2019", "covid-2020",
                            "gilt-2022", "calm-2019", "calm-2019-short", "calm-long-2018"}
    assert [w.name for w in WINDOWS.values() if w.kind == "calm"] == [
        "calm-2019", "calm-2019-short", "calm-long-2018"]
    long = WINDOWS["calm-long-2018"]
    assert long.modelled  # modelled ticks from H4 bars, labelled as such


def test_policies_are_configurations_of_the_same_guard():
    w = WINDOWS["gbp-flash-2016"]
    none = policy_config("none", w)
    full = policy_config("full", w)
    vol = policy_config("vol-only", w)
    rules = policy_config("rules-only", w)
    assert none.run.mode is Mode.OBSERVE  # no orders: the broker's stop-out only
    assert full.run.mode is Mode.ENFORCE
    assert full.components == AppConfig().components  # the whole controller, defaults
    assert {k for k, v in vol.components.model_dump().items() if v} == {"safe_leverage"}
    assert {k for k, v in rules.components.model_dump().items() if v} == {"rules"}
    assert full.run.guard_seconds == w.guard_seconds
    with pytest.raises(ValueError, match="unknown"):
        policy_config("hope", w)


def test_scenario_names():
    assert resolve_scenarios(["snb-2015"]) == [("snb-2015", "esma"), ("snb-2015", "offshore")]
    assert resolve_scenarios(["gilt-2022-offshore"]) == [("gilt-2022", "offshore")]
    assert resolve_scenarios(["calm-2019-short-esma"]) == [("calm-2019-short", "esma")]
    assert len(resolve_scenarios(None)) == 2 * len(WINDOWS)
    with pytest.raises(ValueError, match="unknown"):
        resolve_scenarios(["ltcm-1998"])


def _m(dd: float, so: int = 0, neg: float = 0.0, ret: float = 0.0) -> dict[str, Any]:
    return {"max_drawdown": dd, "stop_outs": so, "negative_balance": neg, "return": ret}


def test_checks_say_which_hold_and_which_do_not():
    summary = {"scenarios": {
        "a": {"kind": "crash", "policies": {"none": _m(0.9, 1, 50.0), "vol-only": _m(0.3),
                                            "rules-only": _m(0.2), "full": _m(0.25)}},
        "calm": {"kind": "calm", "policies": {
            "none": _m(0.05, ret=0.02), "full": {**_m(0.01, ret=0.019),
                                                  "return_given_up": 0.001,
                                                  "false_alarms": _fa(minimum=3)}}},
    }}
    got = {(c["scenario"], c["check"]): c["holds"] for c in checks(summary)}
    assert got[("a", "full: 0 stop-outs where none has them")]
    assert got[("a", "full: 0 negative balance where none has one")]
    assert got[("a", "full: max drawdown ≤ 50% of none's")]
    assert got[("a", "full: max drawdown no worse than vol-only")]
    assert not got[("a", "full: max drawdown no worse than rules-only")]
    assert got[("calm", "full: return given up on the calm control ≤ 10% of none's")]
    assert not got[("calm", "full: 0 crash flags and 0 MINIMUM on a calm window")]


def _fa(minimum: int = 0) -> dict[str, Any]:
    return {"crash_flag_steps": 0, "crash_flag_episodes": 0, "minimum_steps": minimum,
            "wait_steps": 0, "unasked_cuts": 0}


def test_the_command_refuses_an_unknown_scenario(shared_data: Path, capsys):
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "ltcm-1998",
                 "--out", str(Path(tempfile.mkdtemp()) / "o")])
    assert code == 2
    assert "ltcm-1998" in capsys.readouterr().err


@pytest.fixture(scope="module")
def short_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sterling flash on the offshore preset, cut 50 min after the crash: none, full, the full
    guard at appetite 4 and two static books; and the same policies on the first two hours of the
    calm control (the calm end of the risk-appetite frontier)."""
    s = load_scenario(WINDOWS["gbp-flash-2016"].path, data_dir=shared_data)
    calm = load_scenario(WINDOWS["calm-2019"].path, data_dir=shared_data)
    assert s.crash_time is not None
    end = s.crash_time + 3000.0
    policies = ("none", "full", "full@4", "static-2", "static-20")
    specs = [*(RunSpec("gbp-flash-2016", "offshore", p, str(shared_data), end=end)
               for p in policies),
             *(RunSpec("calm-2019", "offshore", p, str(shared_data), end=calm.start + 7200.0)
               for p in policies)]
    results = run_all(specs, jobs=2)
    summary = summarise(results, str(shared_data), {})
    out = tmp_path_factory.mktemp("stress")
    write_report(summary, results, out)
    (out / "summary.json").write_text(json.dumps(summary, allow_nan=False), encoding="utf-8")
    return {"summary": summary, "out": out}


def test_short_run_keys_and_the_guard_acting(short_run: dict[str, Any]):
    summary = json.loads((short_run["out"] / "summary.json").read_text(encoding="utf-8"))
    sc = summary["scenarios"]["gbp-flash-2016-offshore"]
    assert sc["kind"] == "crash"
    assert sc["modelled"] is True
    for policy in ("none", "full"):
        m = sc["policies"][policy]
        for key in ("max_drawdown", "stop_outs", "negative_balance", "final_equity", "return",
                    "slippage_paid", "first_order_time", "warning_to_order_s",
                    "regime_seconds"):
            assert key in m
    none, full = sc["policies"]["none"], sc["policies"]["full"]
    assert none["orders"] == 0
    assert none["slippage_paid"] >= 0.0
    assert none["stop_outs"] >= 1  # a 20:1 long-sterling book does not survive the flash
    assert full["orders"] > 0
    assert full["stop_outs"] == 0
    assert full["max_drawdown"] < none["max_drawdown"]


def test_short_run_is_warm_and_compares_full_with_static_books(short_run: dict[str, Any]):
    summary = json.loads((short_run["out"] / "summary.json").read_text(encoding="utf-8"))
    sc = summary["scenarios"]["gbp-flash-2016-offshore"]
    for policy in ("none", "full"):
        m = sc["policies"][policy]
        assert m["regime_available_share"] >= 0.99, policy  # warm from the history folders
        assert m["mean_eff_lev"] > 0.0
        assert m["mean_eff_lev_before_crash"] > 0.0
    assert sc["policies"]["none"]["mean_eff_lev_before_crash"] == pytest.approx(20.0, rel=0.1)
    assert sc["policies"]["static-20"]["mean_eff_lev_before_crash"] == pytest.approx(20.0,
                                                                                       rel=0.1)
    eq = sc["equal_exposure"]
    assert eq["full_mean_eff_lev_before_crash"] == \
        sc["policies"]["full"]["mean_eff_lev_before_crash"]
    assert set(eq["comparable"]) <= {"static-2", "static-20"}
    rows = [c for c in summary["checks"] if "pre-crash EffLev" in c["check"]]
    assert len(rows) == 1
    assert rows[0]["holds"] == eq["holds"]
    assert summary["equal_exposure_pooled"]["scenarios"] == 1
    html = (short_run["out"] / "report.html").read_text(encoding="utf-8")
    assert "The same leverage into the crash" in html
    assert "static-20" in html


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_report_opens_in_a_real_browser_with_every_plot(short_run: dict[str, Any]):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium) and CI unset")
    out: Path = short_run["out"]
    report = out / "report.html"
    assert "gbp-flash-2016-offshore.png" in report.read_text(encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars"]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [browser, *flags, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
             "--dump-dom", report.as_uri()],
            capture_output=True, text=True, timeout=120, check=True).stdout
    # two scenario plots, the frontier of the one crash window and the pooled frontier
    assert 'data-total="4"' in dom, dom[-2000:]
    assert 'data-loaded="4"' in dom, dom[-2000:]
    shot = out / "report-screenshot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, *flags, f"--user-data-dir={profile}", "--window-size=1280,2400",
             "--virtual-time-budget=5000", f"--screenshot={shot}", report.as_uri()],
            capture_output=True, text=True, timeout=120, check=True)
    assert shot.stat().st_size > 20_000  # a page with a plot, not a blank one
    keep = os.environ.get("LCA_STRESS_SCREENSHOT")
    if keep:  # for a human look: LCA_STRESS_SCREENSHOT=/tmp/shot.png uv run pytest tests/stress
        shutil.copy(shot, keep)
        shutil.copy(out / "gbp-flash-2016-offshore.png", Path(keep).with_suffix(".plot.png"))
        shutil.copy(out / "frontier-pooled.png", Path(keep).with_suffix(".frontier.png"))


_LAYOUT = """(() => {
  const w = document.documentElement.clientWidth;
  const over = [];
  for (const el of document.querySelectorAll('h1, h2, h3, p, table, td, th, img, dl, dd')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5 || el.scrollWidth > el.clientWidth + 1) {
      over.push(el.tagName + ' ' + (el.id || el.textContent.slice(0, 50)));
    }
  }
  return JSON.stringify({
    width: w, scroll: document.documentElement.scrollWidth, over: over,
    legend: [...document.querySelectorAll('#legend dt')].map(x => x.textContent),
    zoom: [...document.querySelectorAll('p.zoom')].map(x => x.id + ' ' + x.textContent),
    images: [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth]),
    text: document.body.innerText});
})()"""


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_report_in_a_real_browser_has_the_legend_the_zoom_and_nothing_overflows(
        short_run: dict[str, Any], width: int):
    from tests.stress.test_report import _INTERNAL
    from tests.web.cdp import Browser

    report = short_run["out"] / "report.html"
    browser = Browser()
    try:
        browser.open("about:blank")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
                     session=browser.session)
        browser.send("Page.navigate", {"url": report.as_uri()}, session=browser.session)
        browser.wait_for("document.readyState === 'complete' && "
                         "document.getElementById('img-status') !== null && "
                         "document.getElementById('img-status').hasAttribute('data-loaded')")
        page = json.loads(browser.evaluate(_LAYOUT))
    finally:
        browser.close()
    assert page["width"] == width
    assert page["scroll"] <= width, page["over"]  # no horizontal scrolling
    assert page["over"] == []
    assert all(w > 0 for _, w in page["images"]), page["images"]
    text = " ".join(page["text"].split())
    for word in _INTERNAL:
        assert word not in text, word
    assert "went below zero by" in text  # none on the offshore flash: the debt is kept
    assert "still owed to the broker" in text
    assert "before the first warning" in text or "after the first warning" in text
    # the crash window has its zoom beside the whole window; the calm one has none
    (zoom,) = page["zoom"]
    assert zoom.startswith("zoom-gbp-flash-2016-offshore ")
    assert "±10 min around the largest move of GBPUSD" in zoom
    # every column of the metrics tables is in the legend, in the tables' order
    from bridge.stress.columns import COLUMNS

    assert page["legend"] == COLUMNS


def test_short_run_has_the_frontier_with_the_appetite_per_run(short_run: dict[str, Any]):
    summary = json.loads((short_run["out"] / "summary.json").read_text(encoding="utf-8"))
    crash = summary["scenarios"]["gbp-flash-2016-offshore"]["policies"]
    assert (crash["full"]["appetite"], crash["full@4"]["appetite"]) == (1.0, 4.0)
    assert crash["none"]["appetite"] == 1.0
    assert crash["static-2"]["appetite"] is None
    # appetite 4: the rule target is 8:1, not 2:1, so the guard holds much more before the crash
    assert crash["full@4"]["mean_eff_lev_before_crash"] > \
        2.0 * crash["full"]["mean_eff_lev_before_crash"]
    fr = summary["frontier"]["presets"]["offshore"]
    assert fr["calm_scenarios"] == ["calm-2019-offshore"]
    assert fr["crash_scenarios"] == ["gbp-flash-2016-offshore"]
    points = {p["policy"]: p for p in fr["points"]}
    assert set(points) == {"none", "full", "full@4", "static-2", "static-20"}
    calm = summary["scenarios"]["calm-2019-offshore"]["policies"]
    for policy, p in points.items():
        assert p["calm_return"] == calm[policy]["return"]
        assert p["calm_given_up"]["calm-2019-offshore"] == pytest.approx(
            calm["none"]["return"] - calm[policy]["return"])
        assert p["crash_max_drawdown"]["gbp-flash-2016-offshore"] == crash[policy]["max_drawdown"]
        assert p["pooled_max_drawdown"] == crash[policy]["max_drawdown"]  # one crash window
    assert (points["full@4"]["family"], points["full@4"]["appetite"]) == ("full", 4.0)
    assert (points["static-20"]["family"], points["static-20"]["static_eff_lev"]) == \
        ("static", 20.0)
    out: Path = short_run["out"]
    html = (out / "report.html").read_text(encoding="utf-8")
    for png in ("frontier-gbp-flash-2016.png", "frontier-pooled.png"):
        assert (out / png).stat().st_size > 10_000
        assert png in html
    assert "Risk-appetite frontier" in html
    from bridge.stress.frontier import frontier_rows

    head, rows = frontier_rows(summary["frontier"], "offshore")
    assert head[-1] == "max drawdown pooled"  # the words of the metrics table, not "max DD"
    given = head.index("given up vs none calm-2019")
    assert all(r[given].endswith(" pt") for r in rows)  # percentage points, as in the table


def test_appetite_flags_add_the_full_guard_at_each_appetite():
    from bridge.cli import build_parser
    from bridge.commands.stress import _policies

    parser = build_parser()
    got = _policies(parser.parse_args(["stress", "--appetite", "1", "2", "4", "8"]))
    assert got == ["none", "vol-only", "rules-only", "full", "full@2", "full@4", "full@8",
                   "static-1", "static-2", "static-3", "static-5", "static-10", "static-20"]
    assert _policies(parser.parse_args(["stress", "--policy", "none", "--appetite", "2.5"])) == \
        ["none", "full@2.5"]
    assert "full@" not in " ".join(_policies(parser.parse_args(["stress"])))
    with pytest.raises(SystemExit):  # argparse refuses it (bridge.commands.numbers)
        parser.parse_args(["stress", "--appetite", "0"])


def test_the_command_refuses_a_bad_appetite(shared_data: Path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["stress", "--data-dir", str(shared_data), "--appetite", "-1",
              "--out", str(Path(tempfile.mkdtemp()) / "o")])
    assert stop.value.code == 2
    assert "argument --appetite: '-1' is refused: give a number above 0 and at most 100" in \
        capsys.readouterr().err
    code = main(["stress", "--data-dir", str(shared_data), "--appetite", "0.4",
                 "--scenario", "snb-2015-esma", "--out", str(Path(tempfile.mkdtemp()) / "o")])
    assert code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "risk.appetite 0.4" in err
    assert "below regime.minimum_eff_lev" in err


def test_full_at_an_appetite_is_the_full_guard_with_risk_appetite():
    w = WINDOWS["gbp-flash-2016"]
    full, four = policy_config("full", w), policy_config("full@4", w)
    assert four.risk.appetite == 4.0
    assert four.rules.eff_lev_target == 8.0
    assert four.safe_leverage.k_daily_equity_vol == 0.08
    assert four.components == full.components
    assert four.model_copy(update={"risk": full.risk, "rules": full.rules,
                                   "safe_leverage": full.safe_leverage}) == full
    with pytest.raises(ValueError, match="unknown"):
        policy_config("full@0", w)


def test_policies_tuple():
    assert POLICIES == ("none", "vol-only", "rules-only", "full")


def test_short_run_reports_the_lead_of_the_first_market_warning_and_the_false_alarms(
        short_run: dict[str, Any]):
    summary = json.loads((short_run["out"] / "summary.json").read_text(encoding="utf-8"))
    sc = summary["scenarios"]["gbp-flash-2016-offshore"]
    for policy in ("none", "full"):
        m = sc["policies"][policy]
        first = m["first_market_warning_time"]
        assert first is not None, policy  # the flash shows: thin depth, crash flag, spreads
        assert m["lead_seconds"] == pytest.approx(sc["crash_time"] - first)
        market = {k: v for k, v in m["signal_first_on"].items()
                  if k not in ("thin_hours", "weekend", "scheduled_event")}
        assert min(market.values()) == first  # clock signals never count as the warning
        assert "crash_flag" in m["signal_first_on"]
        assert m["signals_on_at_start"] == []  # nothing on at 17:00: the first one switched on
        assert m["lead_seconds_switched_on"] == m["lead_seconds"]
        fa = m["false_alarms"]
        for key in ("crash_flag_steps", "crash_flag_episodes", "minimum_steps", "wait_steps",
                    "unasked_cuts", "rollover_only_cuts"):
            assert isinstance(fa[key], int)
            assert fa[key] >= 0
        assert fa["crash_flag_episodes"] >= 1
        assert "eff_lev_at_crash" in m
        assert "orders_warning_to_crash" in m
    # the thin-hours window of the early Asian session was on hours before, and is not a lead
    assert sc["policies"]["full"]["signal_first_on"]["thin_hours"] < \
        sc["policies"]["full"]["first_market_warning_time"]
    html = (short_run["out"] / "report.html").read_text(encoding="utf-8")
    assert "Warnings and false alarms" in html


def test_the_lead_sentence_says_when_nothing_warned_and_when_a_signal_was_on_from_the_start():
    from bridge.stress.report_warnings import lead_sentence

    base = {"lead_seconds": 12_600.0, "first_market_warning_time": 1_421_301_600.0,
            "signal_first_on": {"volatility_regime": 1_421_301_600.0,
                                "thin_depth": 1_421_314_200.0},
            "signals_on_at_start": ["volatility_regime"],
            "false_alarms": {}}
    sc = {"crash_time": 1_421_314_200.0, "policies": {"full": {
        **base, "lead_seconds_switched_on": 0.0, "first_market_switch_on_time": 1_421_314_200.0}}}
    text = lead_sentence(sc)
    assert text.startswith("Nothing warned before the crash (full)")
    assert "Already on at the first step: high volatility (volatility_regime)" in text
    assert "Signals first on: high volatility (volatility_regime) 2015-01-15 06:00:00" in text
    sc["policies"]["full"].update(lead_seconds_switched_on=7200.0,
                                  first_market_switch_on_time=1_421_307_000.0)
    assert lead_sentence(sc).startswith("Warned 2.0 h before the crash (full)")


def test_the_calm_sentence_names_the_false_alarms_in_words():
    from bridge.stress.report_warnings import lead_sentence

    fa = {"crash_flag_episodes": 0, "crash_flag_steps": 0, "minimum_steps": 0, "wait_steps": 3,
          "unasked_cuts": 1, "rollover_only_cuts": 0}
    sc = {"crash_time": None, "policies": {"full": {"lead_seconds": None, "false_alarms": fa}}}
    assert lead_sentence(sc) == (
        "Calm window (full): 0 liquidity-crash flags, 0 steps at minimum leverage (MINIMUM) "
        "and 3 waiting (WAIT), 1 cut beyond the leverage rules (0 with the daily rollover as "
        "the only trigger).")
