"""The report's zoomed panel: ±N around the largest price move, N from the window's own data
(bridge.stress.zoom), and a chart legend with only the regimes that occurred."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.stress.plot import regimes_shown
from bridge.stress.zoom import crash_zoom


def _flash(step_s: float, hours: float, crash_at_s: float, leg_steps: int,
           fall: float) -> tuple[list[float], list[float]]:
    """A flat price with a little noise, a fall of `fall` over `leg_steps` steps, then a partial
    rebound."""
    t = np.arange(0.0, hours * 3600.0, step_s) + 1_475_773_200.0
    rng = np.random.default_rng(7)
    px = 1.26 + rng.normal(0.0, 1e-5, len(t))
    k = int(crash_at_s / step_s)
    for j in range(leg_steps):
        px[k + j:] *= (1.0 + fall) ** (1.0 / leg_steps)
    for j in range(60):  # a rebound of 3 % over 60 steps, slower than the fall
        px[k + leg_steps + 30 + j:] *= 1.03 ** (1.0 / 60)
    return list(t), list(px)


def test_the_zoom_is_centred_on_the_flash_and_at_least_ten_minutes_either_side():
    t, px = _flash(20.0, 12.0, 6 * 3600.0, 3, -0.06)
    z = crash_zoom(t, px)
    assert z is not None
    crash = t[0] + 6 * 3600.0
    assert crash <= z.centre <= crash + 3 * 20.0
    assert z.move == pytest.approx(-0.06, abs=0.002)
    assert z.move_end - z.move_start == pytest.approx(60.0)  # the three falling steps
    assert z.half_width_s == 600.0  # 10 min > 20 steps (400 s) > 4 × the leg (240 s)
    assert (z.start, z.end) == (z.centre - 600.0, z.centre + 600.0)


def test_the_zoom_widens_for_coarse_steps_and_for_a_long_leg():
    t, px = _flash(900.0, 26 * 24.0, 13 * 86_400.0, 2, -0.05)  # 15-min steps over 26 days
    z = crash_zoom(t, px)
    assert z is not None
    assert z.half_width_s == 20 * 900.0  # 20 steps: 5 h
    t, px = _flash(60.0, 48.0, 24 * 3600.0, 90, -0.08)  # a fall lasting 90 min
    z = crash_zoom(t, px)
    assert z is not None
    assert z.move_end - z.move_start == pytest.approx(90 * 60.0, rel=0.05)
    assert z.half_width_s == pytest.approx(4 * z.move_end - 4 * z.move_start, abs=60.0)


def test_the_zoom_is_at_most_a_quarter_of_the_window_and_none_without_a_move():
    t, px = _flash(20.0, 1.0, 1800.0, 3, -0.06)  # one hour: 10 min would be fine, 15 min max
    z = crash_zoom(t, px)
    assert z is not None
    assert z.half_width_s <= 900.0
    assert crash_zoom(t[:2], px[:2]) is None
    assert crash_zoom(t, [1.26] * len(t)) is None


def test_the_chart_legend_lists_only_the_regimes_that_occurred():
    assert regimes_shown(["NORMAL", "MINIMUM", "MINIMUM", "NORMAL"]) == ["MINIMUM"]
    assert regimes_shown(["WAIT", "NO_EXPANSION", "UNAVAILABLE"]) == ["NO_EXPANSION", "WAIT"]
    assert regimes_shown(["NORMAL"]) == []
