"""The retcode table: complete against the MetaTrader5 stubs and mt5-api.md §2.4, handlings as
the executor's issue asks (issue 4, item 2)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from bridge.retcodes import ERRORS, RETCODES, Handling, error_handling, retcode_handling


def _stub_constants(prefix: str) -> dict[str, int]:
    """NAME → value from the metatrader5-stubs package (a dev dependency), read as text."""
    for entry in sys.path:
        pyi = Path(entry) / "MetaTrader5-stubs" / "__init__.pyi"
        if pyi.is_file():
            text = pyi.read_text(encoding="utf-8")
            return {m[1]: int(m[2]) for m in re.finditer(
                rf"^({prefix}\w+): Final\[int\] = (-?\d+)", text, re.MULTILINE)}
    pytest.skip("metatrader5-stubs is not installed (uv sync installs it with the dev group)")


def test_every_stub_retcode_is_in_the_table_with_its_name() -> None:
    stubs = _stub_constants("TRADE_RETCODE_")
    assert len(stubs) == 40
    for name, value in stubs.items():
        assert RETCODES[value].name == name
    # the one the stubs lack (mt5-api.md §2.4: mt5linux has it)
    assert RETCODES[10046].name == "TRADE_RETCODE_HEDGE_PROHIBITED"
    assert set(RETCODES) == set(stubs.values()) | {10046}


def test_every_stub_error_code_is_in_the_table() -> None:
    stubs = _stub_constants("RES_E_")
    assert {ERRORS[v].name for v in stubs.values()} == set(stubs)


@pytest.mark.parametrize(("code", "handling"), [
    (10009, Handling.DONE),
    (10010, Handling.PARTIAL),
    (10004, Handling.RETRY_FRESH_PRICE),
    (10020, Handling.RETRY_FRESH_PRICE),
    (10021, Handling.RETRY_FRESH_PRICE),
    (10018, Handling.POSTPONE),
    (10030, Handling.SWITCH_FILLING),
    (10024, Handling.BACK_OFF),
    (10012, Handling.READ_BACK),
    (10031, Handling.READ_BACK),
    (10036, Handling.GONE),
    (10027, Handling.FAIL),
    (10014, Handling.FIX_VOLUME),
    (10038, Handling.REREAD_POSITION),
])
def test_the_handlings_the_issue_names(code: int, handling: Handling) -> None:
    assert retcode_handling(code).handling is handling


@pytest.mark.parametrize("code", [-10001, -10002, -10003, -10004, -10005])
def test_lost_link_errors_are_read_back(code: int) -> None:
    assert error_handling(code).handling is Handling.READ_BACK


def test_unknown_codes_fail_with_their_number() -> None:
    r = retcode_handling(10099)
    assert r.handling is Handling.FAIL
    assert "10099" in r.sentence
    assert error_handling(-77).handling is Handling.FAIL
    assert error_handling(-2).handling is Handling.FAIL  # a malformed request is never resent


def test_algo_trading_sentence_tells_the_trader_what_to_do() -> None:
    assert "switch it on" in RETCODES[10027].sentence
    assert all(r.sentence and not r.sentence.endswith(".") for r in RETCODES.values())
