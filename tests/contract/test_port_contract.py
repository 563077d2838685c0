"""The port contract (tests/contract/contract.py) on every terminal: the simulated one, the
mt5linux client on loopback, and the real module (marked `terminal`). What a case checks is in
its check's docstring; a case that cannot run on a terminal says why in its skip."""

from __future__ import annotations

import pytest

from tests.contract.contract import CHECKS, SCRIPTED_ONLY, TRADING
from tests.contract.rigs import Rig


@pytest.mark.parametrize("case", list(CHECKS))
def test_the_terminal_keeps_the_port_contract(rig: Rig, case: str) -> None:
    if case in TRADING and not rig.trades:
        pytest.skip("sends an order that executes: tests/terminal does that on its own position")
    if case in SCRIPTED_ONLY and rig.script is None:
        pytest.skip("a wrong password counts against a real account (brokers lock it)")
    CHECKS[case](rig)
