"""Bad input gets a clear error naming the field; equity ≤ 0 is a state, not a crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from bridge.cli import main
from controller import Settings, SnapshotError, TradingState, Urgency, decide, parse_snapshot

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" /
                      "seed-003-worked-example.json").read_text())


def _with(path, value):
    doc = copy.deepcopy(EXAMPLE)
    node = doc
    *parents, last = path
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("market", "EXAMPLE", "bid"), float("nan"), "market.EXAMPLE.bid", "finite number > 0"),
        (("market", "EXAMPLE", "ask"), 0.0, "market.EXAMPLE.ask", "> 0"),
        (("market", "EXAMPLE", "bid"), -1.0, "market.EXAMPLE.bid", "> 0"),
        (("positions", 0, "volume"), -0.5, "positions[0].volume", "≥ 0"),
        (("positions", 0, "symbol"), "GBPUSD", "positions[0].symbol", "no entry in `symbols`"),
        (("positions", 0, "ticket"), _DELETE, "positions[0].ticket", "required"),
        (("account", "equity"), _DELETE, "account.equity", "required"),
        (("account", "equity"), "seventy", "account.equity", "must be a number"),
        (("symbols", "EXAMPLE", "volume_step"), 0.0, "symbols.EXAMPLE.volume_step", "> 0"),
        (("positions", 0, "type"), 5, "positions[0].type", "0 (buy) or 1 (sell)"),
        (("time",), "2024-03-12T14:00:00", "time", "time zone"),
    ],
)
def test_errors_name_the_field(path, value, field, words):
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(_with(path, value), Settings())
    assert info.value.field == field
    assert field in str(info.value)
    assert words in str(info.value)


def test_cli_reports_a_bad_snapshot_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_with(("positions", 0, "volume"), -1.0)))
    assert main(["decide", "--snapshot", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "positions[0].volume" in err
    assert "Traceback" not in err


def test_equity_at_or_below_zero_is_insolvent_with_a_close_all_plan():
    doc = _with(("account", "equity"), -12.5)
    doc["account"]["margin"] = 50.0
    parsed = parse_snapshot(doc, Settings())
    d = decide(parsed.snapshot, Settings())
    assert d.state is TradingState.INSOLVENT
    assert d.urgency is Urgency.EMERGENCY
    assert d.binding_cap == "insolvent"
    assert sum(a.volume for a in d.actions) == pytest.approx(2.0)
    assert all(a.full_close for a in d.actions if a.slice_index == a.slices)
    assert d.metrics.eff_lev is None
    assert d.metrics.leverage_state == "critical"
