"""Issue 11 §8 (Python side): volumes, times, tickets and prices have sane limits, and a value
beyond them is a `SnapshotError` naming the field, not an overflow, an infinity or a plan built
on it. Checked where a snapshot enters: `lca decide` (controller/parse.py) and the terminal
port's decoding of what the terminal hands over (bridge/terminal.py).

The limits (controller/bounds.py) are far beyond any real account: 1e9 lots, prices up to 1e12,
money up to 1e15, contract sizes up to 1e9, times between 1970 and 2100 (UTC), tickets, logins
and magic numbers positive 64-bit integers, each ticket once.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bridge.cli import main
from bridge.sim import SimTerminal
from bridge.terminal import TerminalPort
from controller import Settings, SnapshotError, parse_snapshot

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" /
                      "seed-003-worked-example.json").read_text())


def _with(*changes: tuple[tuple[Any, ...], Any]) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    for path, value in changes:
        node = doc
        *parents, last = path
        for key in parents:
            node = node[key]
        node[last] = value
    return doc


def _second_position(**fields: Any) -> tuple[tuple[Any, ...], Any]:
    return ("positions",), [EXAMPLE["positions"][0], {**EXAMPLE["positions"][0], **fields}]


CASES = [
    ((("positions", 0, "volume"), 1e308), "positions[0].volume", "lots"),
    ((("positions", 0, "price_open"), 1e308), "positions[0].price_open", "price"),
    ((("positions", 0, "price_current"), 1e300), "positions[0].price_current", "price"),
    ((("positions", 0, "profit"), 1e300), "positions[0].profit", "money"),
    ((("positions", 0, "time"), 10**20), "positions[0].time", "between 1970 and 2100"),
    ((("positions", 0, "ticket"), 0), "positions[0].ticket", "ticket"),
    ((("positions", 0, "ticket"), 2**64), "positions[0].ticket", "ticket"),
    ((("positions", 0, "magic"), -1), "positions[0].magic", "magic"),
    (_second_position(volume=0.5), "positions[1].ticket", "twice"),
    ((("time",), 1e20), "time", "between 1970 and 2100"),
    ((("time",), -1.0), "time", "between 1970 and 2100"),
    ((("market", "EXAMPLE", "time"), 1e20), "market.EXAMPLE.time", "between 1970 and 2100"),
    ((("market", "EXAMPLE"), {"bid": 1e300, "ask": 1e300}), "market.EXAMPLE.bid", "price"),
    ((("market", "EXAMPLE", "ask_depth"), 1e308), "market.EXAMPLE.ask_depth", "lots"),
    ((("account", "equity"), 1e308), "account.equity", "money"),
    ((("account", "balance"), -1e300), "account.balance", "money"),
    ((("account", "login"), 2**64), "account.login", "login"),
    ((("symbols", "EXAMPLE", "volume_max"), 1e308), "symbols.EXAMPLE.volume_max", "lots"),
    ((("symbols", "EXAMPLE", "trade_contract_size"), 1e300),
     "symbols.EXAMPLE.trade_contract_size", "contract"),
    ((("events",), [{"time": 1e20, "currencies": ["USD"], "cap_factor": 0.5}]),
     "events[0].time", "between 1970 and 2100"),
    ((("market", "EXAMPLE", "book"), [{"type": 1, "price": 1.0, "volume_dbl": 1e308},
                                      {"type": 2, "price": 1.0, "volume_dbl": 5.0}]),
     "market.EXAMPLE.book[0].volume", "volume"),
    ((("market", "EXAMPLE", "history"), {"rates_h1": {"time": [1e20], "open": [1.0],
                                                      "high": [1.0], "low": [1.0],
                                                      "close": [1.0]}}),
     "market.EXAMPLE.history.rates_h1.time[0]", "between 1970 and 2100"),
]


@pytest.mark.parametrize(("change", "field", "words"), CASES,
                         ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_a_value_beyond_its_bound_is_an_error_naming_the_field(change, field, words):
    doc = _with(change)
    with pytest.raises(SnapshotError) as caught:
        parse_snapshot(doc, Settings())
    assert caught.value.field == field
    assert words in caught.value.problem


def test_values_at_real_extremes_are_accepted():
    """A large real book: 50,000 lots, a price of 90,000 (BTC), 2**62 tickets, the year 2099."""
    doc = _with((("positions", 0, "volume"), 50_000.0),
                (("positions", 0, "ticket"), 2**62),
                (("symbols", "EXAMPLE", "volume_max"), 100_000.0),
                (("time",), "2099-12-31T00:00:00Z"),
                (("account", "equity"), 7e12), (("account", "balance"), 7e12))
    assert parse_snapshot(doc, Settings()).snapshot.positions[0].volume == 50_000.0


@pytest.mark.parametrize(("change", "field"), [
    ((("positions", 0, "volume"), 1e308), "positions[0].volume"),
    (_second_position(volume=0.5), "positions[1].ticket"),
    ((("time",), 1e20), "time"),
])
def test_lca_decide_rejects_the_value_by_name(tmp_path, capsys, monkeypatch, change, field):
    monkeypatch.setenv("COLUMNS", "300")  # one line per message
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(_with(change)), encoding="utf-8")
    assert main(["decide", "--snapshot", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"bad snapshot {path}" in err
    assert field in err
    assert "Traceback" not in err


class _Lying:
    """The simulated terminal with one answer altered."""

    def __init__(self, sim: SimTerminal, function: str, alter: Any) -> None:
        self.sim, self.function, self.alter = sim, function, alter

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.sim, name)
        if name != self.function:
            return real
        return lambda *a, **k: self.alter(real(*a, **k))


@pytest.mark.parametrize(("function", "alter", "field"), [
    ("positions_get", lambda ps: (ps[0]._replace(volume=1e308), *ps[1:]), r"positions\[0\].volume"),
    ("positions_get", lambda ps: (*ps, ps[0]), r"positions\[[1-9]\].ticket"),
    ("positions_get", lambda ps: (ps[0]._replace(time=10**20), *ps[1:]), r"positions\[0\].time"),
    ("account_info", lambda a: a._replace(equity=1e308), r"account.equity"),
    ("symbol_info_tick", lambda t: t._replace(time_msc=10**23), r"market\.[A-Z]{6}\.time"),
    ("symbol_info_tick", lambda t: t._replace(bid=1e300, ask=1e300), r"market\.[A-Z]{6}\.bid"),
], ids=["volume", "duplicate ticket", "position time", "equity", "quote time", "price"])
def test_the_terminal_port_rejects_the_value_by_name(function, alter, field):
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    port = TerminalPort(_Lying(sim, function, alter), server_clock=sim.scenario.clock)
    port.connect(attempts=1)
    with pytest.raises(SnapshotError) as caught:
        port.snapshot(sim.now())
    assert re.fullmatch(field, caught.value.field)
