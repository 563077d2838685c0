"""A `Snapshot` built directly (not through make_snapshot / parse_snapshot) checks itself and
computes its currency rates, so a bot author's own snapshot either decides or is refused at once
with a SnapshotError naming the field (issue 13 item 7)."""

from __future__ import annotations

import pytest

from controller import MarketState, Settings, Snapshot, SnapshotError, decide, make_snapshot
from tests.controller.builders import T0, account, fx, pos


def _usdjpy_parts() -> dict[str, object]:
    spec = fx("USDJPY")
    return {
        "time": T0,
        "account": account(equity=10_000.0, margin=500.0),
        "symbols": {"USDJPY": spec},
        "positions": (pos(1, "USDJPY", 1.0, price=150.0),),
        "market": {"USDJPY": MarketState(bid=150.0, ask=150.02)},
    }


def test_a_snapshot_built_directly_computes_its_currency_rates() -> None:
    parts = _usdjpy_parts()
    direct = Snapshot(**parts)  # type: ignore[arg-type]
    checked = make_snapshot(**parts)  # type: ignore[arg-type]
    assert direct.rates == checked.rates
    assert direct.rates["JPY"] == pytest.approx(1.0 / 150.01)


def test_a_snapshot_built_directly_decides_like_one_from_make_snapshot() -> None:
    parts = _usdjpy_parts()
    direct = decide(Snapshot(**parts), Settings())  # type: ignore[arg-type]
    checked = decide(make_snapshot(**parts), Settings())  # type: ignore[arg-type]
    assert direct.metrics.position_value == pytest.approx(checked.metrics.position_value)
    assert direct.metrics.position_value == pytest.approx(100_000.0)  # one lot of USD
    assert direct.target_eff_lev == checked.target_eff_lev


def test_a_snapshot_built_directly_refuses_a_negative_bid_naming_the_field() -> None:
    parts = _usdjpy_parts()
    parts["market"] = {"USDJPY": MarketState(bid=-1.0, ask=150.02)}
    with pytest.raises(SnapshotError) as caught:
        Snapshot(**parts)  # type: ignore[arg-type]
    assert caught.value.field == "market.USDJPY.bid"


def test_a_snapshot_built_directly_refuses_a_position_without_a_symbol_spec() -> None:
    parts = _usdjpy_parts()
    parts["symbols"] = {}
    with pytest.raises(SnapshotError) as caught:
        Snapshot(**parts)  # type: ignore[arg-type]
    assert caught.value.field == "positions[0].symbol"


def test_a_snapshot_built_directly_refuses_a_profit_currency_it_cannot_convert() -> None:
    spec = fx("EURJPY")
    with pytest.raises(SnapshotError) as caught:
        Snapshot(time=T0, account=account(), symbols={"EURJPY": spec},
                 positions=(pos(1, "EURJPY", 1.0, price=160.0),),
                 market={"EURJPY": MarketState(bid=160.0, ask=160.02)})
    assert caught.value.field == "positions[0].symbol"
    assert "JPY" in caught.value.problem


def test_a_snapshot_given_a_list_of_positions_holds_a_tuple() -> None:
    parts = _usdjpy_parts()
    parts["positions"] = list(parts["positions"])  # type: ignore[call-overload]
    snap = Snapshot(**parts)  # type: ignore[arg-type]
    assert isinstance(snap.positions, tuple)
    hash(snap.positions)
