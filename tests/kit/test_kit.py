"""The kit itself: the oracle says which slice was closed twice and by how much (and a deal for no
planned slice, a position closed beyond its volume); the scripted terminal's faults hit exactly
the calls they are armed for; the builder's config is the one the tests used to write out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.config import AppConfig, RunSettings
from bridge.mt5 import constants as c
from controller.settings import PlanSettings
from tests.kit import (
    Fault,
    ScriptedTerminal,
    assert_never_closed_twice,
    closed_twice,
    guard_deals,
    open_sim,
    overclosed_positions,
    sim_config,
    sim_guard,
)


def _resend(sim: Any, deal: Any, comment: str | None = None, volume: float | None = None) -> None:
    """Close `volume` (default: the deal's) more of the deal's position, as the guard would."""
    (p,) = sim.positions_get(ticket=deal.position_id)
    r = sim.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": p.symbol, "position": p.ticket,
                        "volume": deal.volume if volume is None else volume,
                        "type": c.ORDER_TYPE_SELL if p.type == 0 else c.ORDER_TYPE_BUY,
                        "type_filling": c.ORDER_FILLING_IOC, "magic": deal.magic,
                        "comment": deal.comment if comment is None else comment})
    assert r.retcode == c.TRADE_RETCODE_DONE, r


@pytest.fixture
def planned(tmp_path: Path) -> tuple[Any, Any]:
    guard, sim = sim_guard(sim_config(tmp_path))
    guard.start()
    guard.cycle()  # the first slices of a staged plan go out
    assert guard_deals(sim)
    return guard, sim


def test_nothing_closed_twice_reads_as_empty(planned: tuple[Any, Any]) -> None:
    guard, sim = planned
    assert closed_twice(sim, guard.journal) == []
    assert overclosed_positions(sim) == []


def test_a_slice_sent_twice_is_named_with_the_lots_too_many(planned: tuple[Any, Any]) -> None:
    guard, sim = planned
    first = guard_deals(sim)[0]
    _resend(sim, first)
    (found,) = closed_twice(sim, guard.journal)
    tag, frac = first.comment.split()[1:]
    assert found.startswith(f"slice ({tag!r}, {int(frac.split('/')[0])}, {first.position_id})")
    assert f"({first.volume:.8g} lots too many)" in found


def test_a_guard_deal_for_no_planned_slice_is_named(planned: tuple[Any, Any]) -> None:
    guard, sim = planned
    first = guard_deals(sim)[0]
    _resend(sim, first, comment="lca 00000000 99/99", volume=0.01)
    (found,) = closed_twice(sim, guard.journal)
    assert found.startswith("deal for unplanned slice ('00000000', 99,")


def test_a_position_closed_beyond_its_volume_is_named() -> None:
    sim: Any = open_sim()
    (p, *_) = sim.positions_get()
    held = p.volume

    def sold(volume: float) -> Any:
        return sim.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": p.symbol,
                               "position": p.ticket, "volume": volume,
                               "type": c.ORDER_TYPE_SELL, "type_filling": c.ORDER_FILLING_IOC})

    assert sold(held).retcode == c.TRADE_RETCODE_DONE
    assert overclosed_positions(sim) == []
    assert_never_closed_twice(sim)
    # the history as a terminal that booked a close twice would show it
    sim_deals = sim.history_deals_get(0, 2**33)
    twice = (*sim_deals, sim_deals[-1]._replace(ticket=sim_deals[-1].ticket + 1))
    faked = ScriptedTerminal(sim)
    faked.replace["history_deals_get"] = lambda inner, *a, **k: twice
    (found,) = overclosed_positions(faked)
    assert f"which held only 0.0 ({held:.8g} lots too many)" in found
    with pytest.raises(AssertionError, match="which held only"):
        assert_never_closed_twice(faked)


def test_a_fault_hits_the_calls_it_is_armed_for_and_no_others() -> None:
    terminal = ScriptedTerminal(open_sim())
    terminal.arm(Fault(-10005, function="symbol_info", skip=1, count=2))
    answers = [terminal.symbol_info("GBPUSD") for _ in range(4)]
    assert [a is None for a in answers] == [False, True, True, False]
    assert terminal.injected == 2
    assert terminal.account_info() is not None  # another function: untouched
    assert terminal.faults == []  # spent
    terminal.arm(Fault(-10004, function="*", count=-1, when=lambda: gone))
    gone = True
    assert terminal.positions_get() is None
    assert terminal.initialize() is False  # the bool functions answer False
    assert terminal.last_error() == (-10004, "injected error -10004")
    gone = False
    assert terminal.positions_get() is not None
    assert terminal.last_error()[0] == c.RES_S_OK


def test_an_executed_fault_trades_and_hides_it() -> None:
    terminal = ScriptedTerminal(open_sim())
    (p, *_) = terminal.positions_get()
    terminal.arm(Fault(c.TRADE_RETCODE_TIMEOUT, executed=True))
    answer = terminal.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": p.symbol,
                                  "position": p.ticket, "volume": 0.1,
                                  "type": c.ORDER_TYPE_SELL,
                                  "type_filling": c.ORDER_FILLING_IOC})
    assert (answer.retcode, answer.deal, answer.volume) == (c.TRADE_RETCODE_TIMEOUT, 0, 0.0)
    (after,) = terminal.positions_get(ticket=p.ticket)
    assert after.volume == pytest.approx(p.volume - 0.1)  # it did execute
    assert terminal.names()[-2:] == ["order_send", "positions_get"]


def test_the_builder_config_is_the_one_the_tests_wrote_out(tmp_path: Path) -> None:
    by_hand = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/journal.db",
                                        log_file="", compare_unguarded=False),
                        plan=PlanSettings(slice_depth_fraction=0.01))
    assert sim_config(tmp_path) == by_hand
    plain = AppConfig(run=RunSettings(journal="sqlite:///x.db", log_file="",
                                      compare_unguarded=False, stale_after_seconds=5.0))
    assert sim_config(None, journal="sqlite:///x.db", slice_depth_fraction=None,
                      stale_after_seconds=5.0) == plain
