"""Issue 10 item 5: a prop evaluation with balance 0 (credit only) or no known initial balance
gives a clear state and message, never ZeroDivisionError."""

from __future__ import annotations

from controller import Account, Settings, decide
from controller.settings import PropSettings
from tests.controller.builders import fx, pos, snapshot

PROP = Settings(prop=PropSettings(enabled=True))


def _credit_only(balance: float = 0.0) -> Account:
    return Account(login=7, currency="USD", balance=balance, equity=500.0, margin=20.0,
                   margin_so_call=100.0, margin_so_so=50.0, credit=500.0)


def test_item05_credit_only_prop_account_says_why_and_freezes_new_exposure():
    snap = snapshot(_credit_only(), [fx()], [pos(1, "EURUSD", 0.01)],
                    {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, PROP)
    codes = {w.code: w for w in d.warnings}
    assert "prop_unavailable" in codes
    assert "prop.initial_balance" in codes["prop_unavailable"].message
    assert not d.limits.new_exposure_allowed
    assert all(x.max_volume <= x.current_volume for x in d.limits.symbols)


def test_item05_credit_only_with_no_positions_does_not_divide_by_zero():
    snap = snapshot(_credit_only(), [fx()], [], {"EURUSD": (1.0999, 1.1001)})
    d = decide(snap, PROP)
    assert any(w.code == "prop_unavailable" for w in d.warnings)
    assert not d.limits.new_exposure_allowed
