"""The regime matrix: hysteresis, dwell, the crash flag and no flapping inside the band."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from controller.memory import Regime
from controller.regime import RegimeInputs, next_regime
from controller.settings import RegimeSettings

R = RegimeSettings()  # thin below 0.5, thick above 0.6, dwell 15 min


def _x(sigma=0.01, depth=1.0, crash=False):
    # σ enters "high" above 0.012 and leaves below 0.010
    return RegimeInputs(sigma_now=sigma, sigma_enter=0.012, sigma_exit=0.010, depth_ratio=depth,
                        crash_flag=crash)


def _run(series, start=Regime.NORMAL):
    high = thin = start is Regime.MINIMUM  # flags consistent with the starting regime
    regime, since = start, 0.0
    out = []
    for i, x in enumerate(series):
        step = next_regime(60.0 * i, x, regime, since, high, thin, R)
        regime, since, high, thin = step.regime, step.since, step.vol_high, step.depth_thin
        out.append(regime)
    return out


def test_matrix_cells():
    assert _run([_x(0.005, 1.0)])[-1] is Regime.NORMAL
    assert _run([_x(0.005, 0.3)])[-1] is Regime.NO_EXPANSION
    assert _run([_x(0.020, 1.0)])[-1] is Regime.WAIT
    assert _run([_x(0.020, 0.3)])[-1] is Regime.MINIMUM


def test_crash_flag_forces_minimum():
    assert _run([_x(0.005, 1.0, crash=True)])[-1] is Regime.MINIMUM


def test_unknown_inputs_are_unavailable():
    x = RegimeInputs(None, None, None, 1.0, False)
    assert next_regime(0.0, x, Regime.UNAVAILABLE, None, False, False, R).regime is \
        Regime.UNAVAILABLE


def test_escalation_is_immediate_relaxation_waits_for_the_dwell():
    series = [_x(0.02, 0.3)] + [_x(0.005, 1.0)] * 20  # MINIMUM then calm, one step a minute
    regimes = _run(series)
    assert regimes[0] is Regime.MINIMUM
    assert regimes[14] is Regime.MINIMUM  # 14 minutes: still held
    assert regimes[15] is Regime.NORMAL  # 15 minutes of dwell


def test_hysteresis_on_depth():
    regimes = _run([_x(0.005, 0.45), _x(0.005, 0.55)] + [_x(0.005, 0.58)] * 20)
    assert set(regimes) == {Regime.NO_EXPANSION}  # 0.55 and 0.58 are inside the band
    assert _run([_x(0.005, 0.45)] + [_x(0.005, 0.65)] * 20)[-1] is Regime.NORMAL


@given(st.lists(st.floats(0.501, 0.599), min_size=2, max_size=200),
       st.lists(st.floats(0.01001, 0.01199), min_size=2, max_size=200))
def test_never_flaps_inside_the_hysteresis_band(depths, sigmas):
    n = min(len(depths), len(sigmas))
    series = [_x(sigmas[i], depths[i]) for i in range(n)]
    for start in (Regime.NORMAL, Regime.MINIMUM):
        regimes = _run(series, start)
        assert len(set(regimes)) == 1
