"""The cheaper shell of issue 18 gives what the plain code gave: slices renamed by
`with_plan_id` equal `dataclasses.replace`, a payload written by `payload_text` is the bytes of
``json.dumps(json_safe(payload))`` (and `append_many` writes what `append` writes), the offset
of one instant is the array lookup's value and type, and the snapshot's reads decode every field
by name and fail as every checked call fails."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import fields, replace
from enum import IntEnum, StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from bridge.journal import Journal
from bridge.journal_json import json_safe, payload_text
from bridge.journal_kinds import JournalKind
from bridge.runtime.records import with_plan_id
from bridge.servertime import DstRule, ServerClock, _boundaries
from bridge.terminal import TerminalError, TerminalPort
from bridge.terminal_errors import CONNECTION_CODES
from controller import BookLevel, Position
from tests.kit import drive, sim_config, sim_guard


class _Side(StrEnum):
    SELL = "sell"


class _Level(IntEnum):
    TWO = 2


PAYLOADS: list[Any] = [
    {},
    {"equity": 1.5, "n": 3, "ok": True, "none": None, "text": "é → £", "big": 1e308},
    {"x": float("inf")}, {"x": float("-inf")}, {"x": float("nan")},
    {"deep": {"list": [1.0, (2.0, float("nan")), {"y": float("inf")}]}},
    {"tuple": (1, 2.5, "a"), "nested": [(), [()]]},
    {"by_ticket": {5: 1.0, 7: 2.0}, "by_price": {1.25: "a", 0.1: "b"}},
    {"side": _Side.SELL, "keyed": {_Side.SELL: 1}, "level": _Level.TWO, "lv": {_Level.TWO: 1}},
    {"np": np.float64(1.1), "np_nan": np.float64("nan"), "small": 5e-324, "neg": -0.0},
    {"nan_key": {float("nan"): 1}},
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_text_is_json_dumps_of_the_json_safe_copy(payload: Any) -> None:
    assert payload_text(payload) == json.dumps(json_safe(payload))


def test_append_many_writes_the_bytes_append_writes(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path}/j.db", account=7, server="s")
    for payload in PAYLOADS:
        journal.append(JournalKind.STATE, 1.0, payload)
    journal.append_many([(JournalKind.STATE, 1.0, p, None, None) for p in PAYLOADS])
    journal.close()
    with sqlite3.connect(tmp_path / "j.db") as db:
        stored = [r[0] for r in db.execute("SELECT payload FROM journal WHERE kind = 'state' "
                                           "ORDER BY id")]
    n = len(PAYLOADS)
    assert stored[:n] == stored[n:]
    assert stored[2] == '{"x": null}'
    assert "NaN" not in "".join(stored)


def test_with_plan_id_is_replace_of_the_plan_id(tmp_path: Path) -> None:
    guard, sim = sim_guard(sim_config(tmp_path))
    guard.start()
    guard.cycle()
    drive(guard, sim, 5)
    assert guard.decision is not None
    assert guard.decision.actions
    for a in guard.decision.actions:
        renamed = with_plan_id(a, f"R9-{a.plan_id}")
        assert renamed == replace(a, plan_id=f"R9-{a.plan_id}")
        assert [type(getattr(renamed, f.name)) for f in fields(a)][1:] == \
            [type(getattr(a, f.name)) for f in fields(a)][1:]


def test_the_offset_of_one_instant_is_the_array_lookups_value_and_type() -> None:
    for rule in DstRule:
        clock = ServerClock(2.0, rule)
        edges = [float(b) + e for b in _boundaries(DstRule.US) for e in (-1.0, -0.5, 0.0, 0.5)]
        edges += [float(b) for b in _boundaries(DstRule.EU)] + [math.nan, math.inf, -math.inf]
        for t in edges + [int(b) for b in _boundaries(DstRule.EU)]:
            one, array = clock.offset_seconds(t), clock.offset_seconds(np.asarray(t, float))
            assert (one, type(one)) == (array, type(array)), (rule, t)


class _Module:
    """A terminal shaped like the MetaTrader5 module, records as plain attribute objects."""

    def __init__(self) -> None:
        self.fail: str | None = None
        self.error = (-10004, "No IPC connection")

    def last_error(self) -> tuple[int, str]:
        return self.error

    def positions_get(self) -> Any:
        if self.fail == "positions_get":
            return None
        return (SimpleNamespace(ticket=11, symbol="EURUSD", type=1, volume=0.25,
                                price_open=1.5, price_current=1.25, profit=-3.5, swap=-0.75,
                                time=1_600_000_000, magic=42),)

    def symbol_info_tick(self, name: str) -> Any:
        if self.fail == "symbol_info_tick":
            return None
        return SimpleNamespace(bid=1.1, ask=1.2, time_msc=1_600_000_000_500)

    def market_book_get(self, name: str) -> Any:
        return (SimpleNamespace(type=1, price=1.3, volume=4, volume_dbl=4.5),
                SimpleNamespace(type=2, price=1.0, volume=2, volume_dbl=2.25))


def test_the_snapshots_reads_decode_every_field_by_name() -> None:
    module = _Module()
    port = TerminalPort(module, server_clock=ServerClock(2.0, DstRule.NONE))  # type: ignore[arg-type]
    (p,) = port.positions()
    record = module.positions_get()[0]
    assert p == Position(**{f.name: getattr(record, f.name) for f in fields(Position)})
    port._books["EURUSD"] = True
    m = port.market("EURUSD")
    assert (m.bid, m.ask, m.time) == (1.1, 1.2, 1_600_000_000.5 - 7200)
    assert m.book == (BookLevel(1, 1.3, 4.5), BookLevel(2, 1.0, 2.25))


@pytest.mark.parametrize("function", ["positions_get", "symbol_info_tick"])
def test_a_failed_read_raises_terminal_error_and_a_lost_connection_disconnects(
        function: str) -> None:
    module = _Module()
    port = TerminalPort(module)  # type: ignore[arg-type]
    port.connected = True
    module.fail = function
    with pytest.raises(TerminalError) as caught:
        port.positions() if function == "positions_get" else port.market("EURUSD")
    assert (caught.value.function, caught.value.code) == (function, -10004)
    assert -10004 in CONNECTION_CODES
    assert port.connected is False


class _Symbols(_Module):
    """A terminal of many symbols: a EUR account's conversions, counted `symbols_get` reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        pairs = [("EUR", "USD"), ("USD", "JPY"), ("GBP", "USD"), ("AUD", "CAD"), ("XAU", "USD")]
        pairs += [(f"X{i:02d}", f"Y{i:02d}") for i in range(200)]
        self.rows = tuple(SimpleNamespace(name=f"{b}{p}", currency_base=b, currency_profit=p)
                          for b, p in pairs)

    def symbols_get(self) -> Any:
        self.reads += 1
        return self.rows


def test_the_conversion_symbols_are_the_same_answer_each_time_from_one_symbol_list_read() -> None:
    module = _Symbols()
    port = TerminalPort(module)  # type: ignore[arg-type]
    asks = [("EUR", ("USD", "JPY")), ("EUR", ("JPY", "USD")), ("EUR", ("CAD", "GBP")),
            ("USD", ("JPY", "XAU")), ("EUR", ("EUR",)), ("EUR", ())]
    first = [port.conversion_symbols(a, c) for a, c in asks]
    fresh = [list(port._conversion_symbols(a, c)) for a, c in asks]
    again = [port.conversion_symbols(a, iter(c)) for a, c in asks]  # any iterable, kept
    assert first == fresh == again
    assert first[0] == ["EURUSD", "EURUSD", "USDJPY"]  # JPY through USD: the hop first
    assert first[1] == ["EURUSD", "USDJPY", "EURUSD"]  # in the order asked
    assert first[2] == ["EURUSD", "EURUSD", "GBPUSD"]  # CAD has no route: only its USD hop
    assert first[4] == first[5] == []  # the account currency, or nothing, needs none
    assert module.reads == 1
    first[0].append("changed")  # a caller's list is its own
    assert port.conversion_symbols("EUR", ("USD", "JPY")) == ["EURUSD", "EURUSD", "USDJPY"]
