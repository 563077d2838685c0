"""Issue 10 item 14: output a trader can trust.

- while reducing, `limits.max_eff_lev` is the target, not the current EffLev;
- REDUCING only with a plan in flight; a freeze without actions is FROZEN;
- warnings give observed and limit in the same unit;
- a prop breach says breach, not "102 % used";
- no last slice smaller than a quarter of the others (it is merged);
- prop urgency follows the distance to the breach.
"""

from __future__ import annotations

import pytest

from controller import Settings, TradingState, Urgency, decide
from controller.memory import ControllerMemory
from controller.settings import PropSettings
from tests.controller.builders import account, fx, pos, seed_example, snapshot

S = Settings()
EURUSD = {"EURUSD": (1.0999, 1.1001)}


def test_item14_while_reducing_max_eff_lev_is_the_target():
    d = decide(seed_example(), S)
    assert d.state is TradingState.REDUCING
    assert d.target_eff_lev == pytest.approx(2.0)
    assert d.limits.max_eff_lev == pytest.approx(2.0)  # not the current 2.857


def test_item14_a_freeze_without_actions_is_frozen_not_reducing():
    # MU 55.6 % (> 50 %: no new exposure), MSI 1.8, EffLev 1.1: nothing to cut
    snap = snapshot(account(equity=10_000.0, margin=5_560.0), [fx()], [pos(1, "EURUSD", 0.1)],
                    EURUSD)
    d = decide(snap, S)
    assert not d.actions
    assert d.state is TradingState.FROZEN
    assert not d.limits.new_exposure_allowed


def test_item14_reducing_means_actions_and_active_means_headroom():
    reducing = decide(seed_example(), S)
    assert reducing.state is TradingState.REDUCING
    assert reducing.actions
    calm = snapshot(account(equity=10_000.0, margin=200.0), [fx()], [pos(1, "EURUSD", 0.05)],
                    EURUSD)
    active = decide(calm, S)
    assert active.state is TradingState.ACTIVE
    assert not active.actions
    assert active.limits.new_exposure_allowed


def test_item14_every_warning_with_a_limit_has_an_observed_value_in_its_unit():
    d = decide(seed_example(), S)  # EffLev 2.86, MSI 1.40, buffer short
    assert d.warnings
    for w in d.warnings:
        assert (w.observed is None) == (w.limit is None), w
    caps = {w.code: w for w in d.warnings if w.code.startswith("cap_")}
    assert "cap_buffer" in caps
    # a cap is an EffLev ceiling: the observed value is the EffLev, in the same unit
    assert caps["cap_buffer"].observed == pytest.approx(d.metrics.eff_lev)
    msi = next(w for w in d.warnings if w.code == "msi")
    assert msi.observed == pytest.approx(1.4)
    assert "MSI 1.40" in msi.message


def _prop(equity: float, lots: float, memory: ControllerMemory | None = None):
    s = Settings(prop=PropSettings(enabled=True, daily_loss_fraction=0.05,
                                   max_drawdown_fraction=None, initial_balance=100_000.0))
    snap = snapshot(account(equity=equity, margin=1_000.0, balance=100_000.0), [fx()],
                    [pos(1, "EURUSD", lots, profit=equity - 100_000.0)], EURUSD)
    return decide(snap, s, memory=memory), snap


def test_item14_a_prop_breach_says_breach_not_percent_used():
    d, _ = _prop(94_800.0, 0.5)  # daily loss 5 200 of an allowance of 5 000: breached
    w = next(x for x in d.warnings if x.code == "prop_daily_loss")
    assert "breach" in w.message
    assert "% used" not in w.message
    assert w.observed == pytest.approx(5_200.0)
    assert w.limit == pytest.approx(5_000.0)


def test_item14_prop_urgency_follows_the_distance_to_the_breach():
    # 4 500 of 5 000 lost; 500 left on a net notional of ~125 000: a 0.4 % move breaches
    d, _ = _prop(95_500.0, 1.136)
    dist = next(x for x in d.distances if x.name == "daily_loss")
    assert dist.adverse_move_pct == pytest.approx(0.4, rel=0.01)
    assert d.actions
    assert d.urgency is Urgency.EMERGENCY


def test_item14_prop_cut_is_exactly_what_survives_the_reference_move():
    d, _ = _prop(95_500.0, 1.136)
    cap = next(c for c in d.caps if c.name == "prop")
    # (E − floor) / (E × move) = 500 / (95 500 × 1 %)
    assert cap.value == pytest.approx(500.0 / (95_500.0 * 0.01))
    assert d.target_eff_lev == pytest.approx(cap.value)
    # target PV = 0.52356 × 95 500 = 50 000, i.e. 0.4545 lot at 110 000 a lot: cut 0.6815 lot,
    # rounded up to the 0.01 step
    assert sum(a.volume for a in d.actions) == pytest.approx(0.69, abs=1e-9)


def test_item14_no_last_slice_under_a_quarter_of_the_others():
    # forced, 3 slices at least: a cut of 1.01 lots would leave a last slice of 0.01
    snap = snapshot(account(equity=40_000.0, margin=1_000.0), [fx()], [pos(1, "EURUSD", 1.4)],
                    EURUSD)
    d = decide(snap, S)  # EffLev 3.85: forced, back to 2.0
    sizes = [a.volume for a in d.actions]
    assert len(sizes) > 1
    assert min(sizes) >= 0.25 * max(sizes) - 1e-9, sizes
