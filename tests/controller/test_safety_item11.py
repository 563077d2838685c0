"""Issue 10 item 11: `bands.msi_danger` is used as documented ("MSI at or below this: danger")."""

from __future__ import annotations

import pytest

from controller.margin_state import band_names, leverage_metrics
from controller.settings import Bands


def _msi_band(msi: float, bands: Bands) -> str:
    m = leverage_metrics(equity=msi * 1_000.0, margin=1_000.0, position_value=1_000.0)
    return band_names(m, msi * 1_000.0, bands)[2]


@pytest.mark.parametrize(("msi", "band"), [
    (1.6, "safe"), (1.3, "caution"), (1.1, "low"), (1.0, "danger"), (0.9, "danger"),
    (0.8, "forced_close"),
])
def test_item11_msi_bands_follow_their_documented_thresholds(msi, band):
    assert _msi_band(msi, Bands()) == band


def test_item11_msi_danger_moves_the_danger_band():
    bands = Bands(msi_danger=1.1)
    assert _msi_band(1.15, bands) == "low"
    assert _msi_band(1.1, bands) == "danger"
    assert _msi_band(1.05, bands) == "danger"
