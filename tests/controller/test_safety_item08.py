"""Issue 10 item 8: the MSI floor published to the EA is the controller's own floor (the level
the broker cap keeps), not the broker's margin-call level."""

from __future__ import annotations

import pytest

from controller import Settings, decide
from tests.controller.builders import account, fx, pos, snapshot

S = Settings()


def test_item08_published_msi_floor_is_the_level_the_broker_cap_keeps():
    # margin call 100 %, stop-out 50 %: the broker floor is max(1.00, 2 × 0.50) = 1.00 and the
    # broker cap keeps MSI ≥ 1.2 × 1.00; that, not the margin call, is what the EA must hold
    snap = snapshot(account(equity=10_000.0, margin=1_000.0), [fx()], [pos(1, "EURUSD", 0.1)],
                    {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, S)
    broker = next(c for c in d.caps if c.name == "broker")
    assert "MSI ≥ 1.20" in broker.reason
    assert d.limits.msi_floor == pytest.approx(1.2)
    assert d.limits.msi_floor > snap.account.margin_so_call / 100.0
