"""Every contract check can fail: on a simulated terminal broken in the way the check exists to
catch (contract.BREAKS), directly and behind the mt5linux wire, the check raises; on the same
terminal unbroken it passes (test_port_contract.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.terminal import TerminalError
from tests.contract.conftest import open_rig
from tests.contract.contract import BREAKS, CHECKS

BROKEN = (AssertionError, TerminalError, ValueError)  # ValueError: SnapshotError and the arrays'
WHY = {  # what the failure says: the break was caught by the check meant for it
    "connect": "initialize.. failed: injected error -10003",
    "refused login": "a wrong password: no TerminalError",
    "connection lost": "account_info after shutdown: no TerminalError",
    "account": "equity",
    "symbols": "volume_step 0.0",
    "positions": "a ticket twice",
    "market": "a crossed quote",
    "server time": "10800 s in the future",
    "history": "times must be sorted ascending",
    "deals": "history_deals_get.position=",
    "order refused": "answered 10009",
    "order fills": "answered 10004",
    "last error": "a failed call with last_error.. success",
}


def test_every_check_has_a_break() -> None:
    assert set(BREAKS) == set(CHECKS) == set(WHY)


@pytest.mark.parametrize("kind", ["sim", "mt5linux"])
@pytest.mark.parametrize("case", list(CHECKS))
def test_a_broken_terminal_fails_the_check(tmp_path: Path, kind: str, case: str) -> None:
    rigs = open_rig(kind, tmp_path)  # a generator: closing it closes the rig
    rig = next(rigs)
    try:
        assert rig.script is not None
        BREAKS[case](rig.script)
        with pytest.raises(BROKEN, match=WHY[case]):
            CHECKS[case](rig)
    finally:
        rigs.close()
