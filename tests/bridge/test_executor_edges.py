"""The executor against the simulated terminal, continued: the small pieces (comment, bad
input), foreign closes, late fills, a transport that raises, a restart mid-send, the log.

Same setup as tests/bridge/test_executor.py: the executor unchanged on `SimTerminal` behind a
recorder; faults from the sim's injector; waiting advances the simulated clock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.executor import Executor, comment_for, plan_tag
from bridge.sim import constants as c
from tests.bridge.conftest import GBP_TICKET, Env
from tests.bridge.helpers import close_by_hand
from tests.kit import assert_never_closed_twice, closing_deals

MakeEnv = Callable[[str | Path], Env]




# ---------------------------------------------------------------------- small pieces
def test_comment_is_short_and_names_plan_and_slice(env: Env) -> None:
    a = env.action(k=12, n=40, plan_id="123456789-1475773200")
    text = comment_for(a)
    assert text == f"lca {plan_tag(a.plan_id)} 12/40"
    assert len(text) <= 27  # fits the brokers that cut comments at 27 characters


def test_bad_actions_and_settings_raise(env: Env) -> None:
    with pytest.raises(ValueError, match="side"):
        env.executor().execute(env.action(side="close"))
    with pytest.raises(ValueError, match="volume"):
        env.executor().execute(env.action(volume=0.0))
    with pytest.raises(ValueError, match="not a short"):
        env.executor().execute(env.action(side="buy"))  # the GBPUSD ticket is a long
    with pytest.raises(ValueError, match="max_attempts"):
        Executor(env.port(), env.journal, env, max_attempts=0)
    assert env.mt5.requests() == []


def test_a_foreign_close_during_a_timeout_counts_as_ours_never_twice(env: Env) -> None:
    """Nothing executed, but the trader closed 0.3 lots meanwhile: the drop is counted as ours
    (no tagged deal to tell otherwise), so the slice under-closes rather than closing twice."""
    first = {"yes": True}

    def trader_closes_meanwhile(request: dict[str, Any]) -> None:
        if first.pop("yes", False):
            close_by_hand(env.sim, GBP_TICKET, 0.3)
            env.sim.faults.inject("request_timeout", executed=False)  # hits our send

    env.mt5.before["order_send"] = trader_closes_meanwhile
    out = env.executor().execute(env.action(volume=0.5))
    assert out.status == "done"
    assert [r.payload["conclusion"] for r in env.journal.rows("result")] == [
        "partly executed", "done"]
    assert env.journal.rows("result")[0].payload["evidence"] == "position"
    assert [r["volume"] for r in env.mt5.requests()] == [0.5, 0.2]
    assert env.position_volume() == pytest.approx(1.0)
    assert_never_closed_twice(env.sim)


def test_nothing_is_sent_when_the_intent_cannot_be_journaled(env: Env) -> None:
    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("disk full")

    env.journal.append = broken  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        env.executor().execute(env.action())
    assert env.mt5.requests() == []
    assert env.position_volume() == 1.5


def test_a_slice_above_volume_max_goes_out_in_pieces(env: Env) -> None:
    env.mt5.replace["symbol_info"] = lambda inner, symbol: inner.symbol_info(symbol)._replace(
        volume_max=0.5)
    out = env.executor().execute(env.action(volume=1.2))
    assert (out.status, out.attempts) == ("done", 3)
    assert out.filled == pytest.approx(1.2)
    assert [r["volume"] for r in env.mt5.requests()] == [0.5, 0.5, 0.2]
    assert env.position_volume() == pytest.approx(0.3)


def test_instant_execution_requote_from_a_real_price_move(
    make_env: MakeEnv, variants: dict[str, Path]
) -> None:
    """GBPUSD on instant execution, no FOK/IOC bit: RETURN filling, and the sim itself requotes
    when the price moved beyond the deviation between the tick and the send."""
    env = make_env(variants["instant"])
    info = env.sim.symbol_info("GBPUSD")
    assert (info.trade_exemode, info.filling_mode) == (c.SYMBOL_TRADE_EXECUTION_INSTANT, 0)
    moved = {"yes": False}

    def price_moves_before_the_send(request: dict[str, Any]) -> None:
        if not moved["yes"]:
            moved["yes"] = True
            env.sim.advance(600)

    env.mt5.before["order_send"] = price_moves_before_the_send
    out = env.executor(deviation_points=5).execute(env.action())
    sends = env.mt5.named("order_send")
    assert [s.result.retcode for s in sends] == [c.TRADE_RETCODE_REQUOTE, c.TRADE_RETCODE_DONE]
    assert out.status == "done"
    first, second = (s.args[0] for s in sends)
    assert first["type_filling"] == second["type_filling"] == c.ORDER_FILLING_RETURN
    assert first["price"] != second["price"]
    assert second["price"] == env.mt5.named("symbol_info_tick")[-1].result.bid
    assert second["deviation"] == 5


def test_netting_position_on_the_other_side_is_gone(
    make_env: MakeEnv, variants: dict[str, Path]
) -> None:
    env = make_env(variants["netting"])
    (net,) = env.sim.positions_get(symbol="GBPUSD")  # a long: a "buy" slice would add to it
    out = env.executor().execute(env.action(side="buy", hedging=False, ticket=net.ticket))
    assert (out.status, out.attempts) == ("gone", 0)
    assert env.mt5.requests() == []


def _answer(inner: Any, request: dict[str, Any], retcode: int, comment: str) -> Any:
    """A real answer object that executed nothing (10014 from an off-step volume), relabelled."""
    refused = inner.order_send({**request, "volume": 0.503})
    assert refused.retcode == c.TRADE_RETCODE_INVALID_VOLUME
    return refused._replace(retcode=retcode, comment=comment)


def _server_places_then_fills_late(env: Env, delay_s: float) -> dict[str, Any]:
    """order_send answers 10008 and executes the request `delay_s` later (seen by the next
    positions_get); meanwhile further closes of the position get 10039."""
    pending: dict[str, Any] = {}

    def placed(inner: Any, request: dict[str, Any]) -> Any:
        if not pending:
            pending.update(request=request, at=inner.now())
            return _answer(inner, request, c.TRADE_RETCODE_PLACED, "Order placed")
        return _answer(inner, request, c.TRADE_RETCODE_CLOSE_ORDER_EXIST,
                       "Close order already exists")

    def fills_late(**kwargs: Any) -> None:
        if pending and "deal" not in pending and env.sim.now() >= pending["at"] + delay_s:
            pending["deal"] = env.sim.order_send(pending["request"]).deal

    env.mt5.replace["order_send"] = placed
    env.mt5.before["positions_get"] = fills_late
    return pending


def test_an_order_placed_then_filled_late_is_credited_not_resent(env: Env) -> None:
    """10008 (placed): the read-back sees nothing yet; the server refuses a second close while
    the first is pending (10039); when the first fills, its tagged deal is credited and nothing
    more is sent."""
    pending = _server_places_then_fills_late(env, 2.0)
    out = env.executor().execute(env.action())
    assert [s.result.retcode for s in env.mt5.named("order_send")] == [
        c.TRADE_RETCODE_PLACED, c.TRADE_RETCODE_CLOSE_ORDER_EXIST]
    assert (out.status, out.filled, out.attempts) == ("done", 0.5, 2)
    assert "filled late" in out.message
    assert [r.payload["conclusion"] for r in env.journal.rows("result")] == [
        "not executed", "back_off", "late fill"]
    assert env.journal.rows("result")[-1].payload["deals"] == [pending["deal"]]
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]
    assert env.position_volume() == 1.0
    assert_never_closed_twice(env.sim)


def test_a_late_fill_between_two_calls_is_credited_by_the_next_call(env: Env) -> None:
    _server_places_then_fills_late(env, 5.0)
    a = env.action()
    first = env.executor(max_attempts=1).execute(a)
    assert (first.status, first.filled, first.retcode) == ("failed", 0.0, 10008)
    assert first.retry_at is not None
    env.sim.advance_to(first.retry_at + 5.0)
    again = env.executor().execute(a)
    assert (again.status, again.filled, again.attempts) == ("done", 0.5, 0)
    assert len(env.mt5.requests()) == 1
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]


def test_none_with_success_from_positions_get_means_gone(env: Env) -> None:
    env.mt5.replace["positions_get"] = lambda inner, **kw: (inner.positions_get(**kw), None)[1]
    out = env.executor().execute(env.action())
    assert (out.status, out.attempts) == ("gone", 0)
    assert env.waits == []


def test_a_ticket_of_another_symbol_raises(env: Env) -> None:
    with pytest.raises(ValueError, match="not a long EURUSD position"):
        env.executor().execute(env.action(symbol="EURUSD"))  # the ticket is GBPUSD's
    assert env.mt5.requests() == []


def test_a_transport_that_raises_after_executing_is_read_back(env: Env) -> None:
    """mt5linux/RPyC raise ("result expired") instead of returning None: a lost answer."""

    def executed_then_raise(inner: Any, request: dict[str, Any]) -> Any:
        assert inner.order_send(request).retcode == c.TRADE_RETCODE_DONE
        raise TimeoutError("result expired")

    env.mt5.replace["order_send"] = executed_then_raise
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.attempts) == ("done", 0.5, 1)
    (result,) = env.journal.rows("result")
    assert result.payload["error"] == [
        -10000, "order_send() raised TimeoutError: result expired"]
    assert result.payload["conclusion"] == "executed"
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]


@pytest.mark.parametrize("reached_the_server", [True, False])
def test_a_restart_after_dying_mid_send_settles_the_intent_first(
    env: Env, reached_the_server: bool
) -> None:
    """The process dies between the intent and the result: the restarted executor (same journal)
    finds the dangling intent and reads the position back before sending anything."""

    def die(inner: Any, request: dict[str, Any]) -> Any:
        if reached_the_server:
            inner.order_send(request)
        raise SystemExit("killed")

    env.mt5.replace["order_send"] = die
    a = env.action()
    with pytest.raises(SystemExit):
        env.executor().execute(a)
    assert env.journal.rows("result") == []
    del env.mt5.replace["order_send"]
    restarted = env.executor()
    out = restarted.execute(a)
    assert (out.status, out.filled) == ("done", 0.5)
    conclusions = [r.payload["conclusion"] for r in env.journal.rows("result")]
    if reached_the_server:
        assert conclusions == ["executed (resolved)"]
        assert out.attempts == 0
    else:
        assert conclusions == ["not executed (resolved)", "done"]
        assert out.attempts == 1
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]
    assert env.position_volume() == 1.0


def test_one_log_line_per_outcome_not_per_retry(env: Env) -> None:
    from loguru import logger

    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="DEBUG", format="{level} {message}")
    try:
        env.sim.faults.inject("requote", count=2)
        env.sim.faults.inject("too_many_requests")
        out = env.executor().execute(env.action())
    finally:
        logger.remove(sink)
    assert out.attempts == 4
    assert len(lines) == 1
    assert lines[0].startswith("INFO GBPUSD #50000001 slice 1/1: done, closed 0.50 of 0.50 lots")
