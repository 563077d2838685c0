"""The executor against the simulated terminal: exact requests, every retcode path, never twice.

Every test runs the executor unchanged on `SimTerminal` behind a recorder (tests/kit/scripted.py);
faults come from the sim's injector; waiting advances the simulated clock, never the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bridge.executor import MARKET_CLOSED_RETRY_S, plan_tag
from bridge.sim import constants as c
from tests.bridge.conftest import GBP_TICKET, Env
from tests.bridge.helpers import TRADE_REQUEST_TYPES, close_by_hand
from tests.kit import assert_never_closed_twice, closing_deals

MakeEnv = Callable[[str | Path], Env]



# ---------------------------------------------------------------------- exact requests
def test_staged_three_slice_plan_sends_exactly_these_requests(env: Env) -> None:
    t0 = env.sim.now()
    plan = [env.action(volume=0.5, k=k, n=3, not_before=t0 + 60 + 600 * (k - 1))
            for k in (1, 2, 3)]
    ex = env.executor()
    tag = plan_tag(plan[0].plan_id)
    for a in plan:
        env.sim.advance_to(a.not_before - 1)
        early = ex.execute(a)
        assert (early.status, early.filled, early.attempts) == ("not_due", 0.0, 0)
        assert early.retry_at == a.not_before
        env.mt5.calls.clear()
        env.sim.advance_to(a.not_before)
        out = ex.execute(a)
        assert (out.status, out.filled, out.remaining, out.retcode, out.attempts) == (
            "done", 0.5, 0.0, 10009, 1)
        assert out.retry_at is None
        # what the terminal saw, in order: the symbol, the position, a fresh tick, the send
        assert env.mt5.names() == ["symbol_info", "positions_get", "symbol_info_tick",
                                   "order_send"]
        pos_call, tick_call, send = env.mt5.calls[1], env.mt5.calls[2], env.mt5.calls[3]
        assert pos_call.args == ()
        assert pos_call.kwargs == {"ticket": GBP_TICKET}
        assert tick_call.args == ("GBPUSD",)
        assert len(send.args) == 1
        assert send.kwargs == {}
        request = send.args[0]
        assert request == {
            "action": c.TRADE_ACTION_DEAL,
            "symbol": "GBPUSD",
            "volume": 0.5,
            "type": c.ORDER_TYPE_SELL,
            "position": GBP_TICKET,
            "price": tick_call.result.bid,
            "deviation": 20,
            "type_filling": c.ORDER_FILLING_FOK,
            "type_time": c.ORDER_TIME_GTC,
            "magic": 770077,
            "comment": f"lca {tag} {a.slice_index}/3",
        }
        for key, value in request.items():
            assert type(value) is TRADE_REQUEST_TYPES[key], key  # int is not float, bool not int
        assert len(request["comment"]) <= 31
        assert send.result.request.position == GBP_TICKET  # the terminal's echo agrees
    assert env.position_volume() == 0.0
    deals = closing_deals(env.sim)
    assert [(d.volume, d.comment, d.magic, d.position_id) for d in deals] == [
        (0.5, f"lca {tag} {k}/3", 770077, GBP_TICKET) for k in (1, 2, 3)]
    assert [d.reason for d in deals] == [c.DEAL_REASON_EXPERT] * 3
    intents, results = env.journal.rows("intent"), env.journal.rows("result")
    assert len(intents) == len(results) == 3
    for i, r in zip(intents, results, strict=True):
        assert i.id < r.id
        assert i.plan_id == r.plan_id == plan[0].plan_id
        assert r.payload["retcode"] == 10009
        assert r.payload["filled"] == 0.5
        assert r.payload["deal"] > 0
        assert r.payload["order"] > 0
    assert_never_closed_twice(env.sim)


def test_netting_sends_an_opposite_deal_on_the_net_position(
    make_env: MakeEnv, variants: dict[str, Path]
) -> None:
    env = make_env(variants["netting"])
    assert env.sim.account_info().margin_mode == c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING
    (net,) = env.sim.positions_get(symbol="GBPUSD")
    plan = [env.action(volume=0.75, k=k, n=2, hedging=False, ticket=net.ticket) for k in (1, 2)]
    ex = env.executor()
    for a in plan:
        assert ex.execute(a).status == "done"
    gets = env.mt5.named("positions_get")
    assert gets
    assert all(g.kwargs == {"symbol": "GBPUSD"} for g in gets)
    for req in env.mt5.requests():
        assert req["type"] == c.ORDER_TYPE_SELL
        assert req["volume"] == 0.75
        assert req["position"] == net.ticket  # recommended on netting: it can never reverse
    assert env.sim.positions_get(symbol="GBPUSD") == ()
    assert_never_closed_twice(env.sim)


def test_netting_never_reverses_when_the_position_shrank_before_the_send(
    make_env: MakeEnv, variants: dict[str, Path]
) -> None:
    env = make_env(variants["netting"])
    (net,) = env.sim.positions_get(symbol="GBPUSD")
    shrink = {"done": False}

    def stop_out_between_read_and_send(request: dict[str, Any]) -> None:
        if not shrink["done"]:
            shrink["done"] = True
            close_by_hand(env.sim, net.ticket, 1.3)  # 0.2 lots left

    env.mt5.before["order_send"] = stop_out_between_read_and_send
    out = env.executor().execute(env.action(volume=1.0, hedging=False, ticket=net.ticket))
    assert [r.retcode for r in (c_.result for c_ in env.mt5.named("order_send"))] == [
        c.TRADE_RETCODE_INVALID_CLOSE_VOLUME, c.TRADE_RETCODE_DONE]
    assert env.mt5.requests()[1]["volume"] == pytest.approx(0.2)
    assert out.status == "done"
    assert out.filled == pytest.approx(0.2)
    assert env.sim.positions_get(symbol="GBPUSD") == ()  # closed, not reversed into a short
    assert_never_closed_twice(env.sim)


def test_a_position_smaller_than_the_slice_is_closed_and_no_more(env: Env) -> None:
    out = env.executor().execute(env.action(volume=2.0))
    assert (out.status, out.filled, out.remaining) == ("done", 1.5, 0.0)
    assert "held only 1.50 lots" in out.message
    assert [r["volume"] for r in env.mt5.requests()] == [1.5]
    assert_never_closed_twice(env.sim)


def test_a_short_is_closed_with_a_buy_at_the_ask(env: Env) -> None:
    r = env.sim.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": "EURUSD", "volume": 0.3,
                            "type": c.ORDER_TYPE_SELL, "type_filling": c.ORDER_FILLING_IOC})
    out = env.executor().execute(env.action(symbol="EURUSD", ticket=r.order, side="buy",
                                            volume=0.3))
    assert out.status == "done"
    (req,) = env.mt5.requests()
    tick = env.mt5.named("symbol_info_tick")[-1].result
    assert (req["type"], req["price"], req["position"]) == (c.ORDER_TYPE_BUY, tick.ask, r.order)


# ---------------------------------------------------------------------- retcode paths
@pytest.mark.parametrize(("kind", "code"), [("requote", 10004), ("price_changed", 10020),
                                            ("off_quotes", 10021)])
def test_price_retcodes_retry_with_a_fresh_tick(env: Env, kind: str, code: int) -> None:
    env.sim.faults.inject(kind, count=2)
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.attempts, out.retcode) == ("done", 0.5, 3, 10009)
    sends = env.mt5.named("order_send")
    assert [s.result.retcode for s in sends] == [code, code, 10009]
    assert env.waits == ([1.0, 1.0] if kind == "off_quotes" else [])  # no quotes: a pause
    names = env.mt5.names()
    for i in (i for i, n in enumerate(names) if n == "order_send"):
        assert names[i - 1] == "symbol_info_tick"  # a fresh price before every send
    assert len(closing_deals(env.sim)) == 1


def test_price_retcodes_are_bounded(env: Env) -> None:
    env.sim.faults.inject("requote", count=10)
    out = env.executor(max_attempts=4).execute(env.action())
    assert (out.status, out.filled, out.attempts, out.retcode) == ("failed", 0.0, 4, 10004)
    assert out.retry_at is not None
    assert out.retry_at > env.sim.now()
    assert closing_deals(env.sim) == []


def test_market_closed_postpones_a_minute(env: Env) -> None:
    env.sim.faults.inject("market_closed")
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.remaining, out.attempts) == ("postponed", 0.0, 0.5, 1)
    assert out.retry_at == env.sim.now() + MARKET_CLOSED_RETRY_S
    assert env.position_volume() == 1.5


def test_invalid_filling_switches_to_the_next_allowed_mode(env: Env) -> None:
    env.sim.faults.inject("invalid_filling")
    out = env.executor().execute(env.action())
    assert (out.status, out.attempts) == ("done", 2)
    assert [r["type_filling"] for r in env.mt5.requests()] == [c.ORDER_FILLING_FOK,
                                                               c.ORDER_FILLING_IOC]


def test_invalid_filling_on_every_allowed_mode_fails(env: Env) -> None:
    env.sim.faults.inject("invalid_filling", count=5)
    out = env.executor().execute(env.action())
    assert (out.status, out.attempts, out.retcode) == ("failed", 2, 10030)
    assert out.retry_at is None
    assert "no filling mode" in out.message


def test_too_many_requests_backs_off_exponentially(env: Env) -> None:
    env.sim.faults.inject("too_many_requests", count=3)
    t0 = env.sim.now()
    out = env.executor(backoff_seconds=0.5).execute(env.action())
    assert (out.status, out.attempts) == ("done", 4)
    assert env.waits == [0.5, 1.0, 2.0]
    assert env.sim.now() == pytest.approx(t0 + 3.5)


def test_timeout_that_did_execute_is_never_sent_again(env: Env) -> None:
    env.sim.faults.inject("request_timeout", executed=True)
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.attempts, out.retcode) == ("done", 0.5, 1, 10012)
    assert len(env.mt5.requests()) == 1
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]
    (result,) = env.journal.rows("result")
    assert result.payload["conclusion"] == "executed"
    assert (result.payload["held_before"], result.payload["held_after"]) == (1.5, 1.0)
    assert result.payload["evidence"] == "deals"  # the tagged deal, not just the drop
    assert result.payload["deals"] == [closing_deals(env.sim)[0].ticket]
    assert_never_closed_twice(env.sim)


def test_timeout_that_did_not_execute_is_retried_once(env: Env) -> None:
    env.sim.faults.inject("request_timeout", executed=False)
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.attempts) == ("done", 0.5, 2)
    assert [s.result.retcode for s in env.mt5.named("order_send")] == [10012, 10009]
    assert [r.payload["conclusion"] for r in env.journal.rows("result")] == ["not executed",
                                                                             "done"]
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]
    assert env.position_volume() == 1.0


def test_partial_fill_sends_the_remainder(env: Env) -> None:
    env.sim.faults.inject("partial_fill", fraction=0.5)
    out = env.executor().execute(env.action(volume=0.5))
    assert (out.status, out.filled, out.attempts) == ("done", 0.5, 2)
    assert [r["volume"] for r in env.mt5.requests()] == [0.5, 0.25]
    assert [d.volume for d in closing_deals(env.sim)] == [0.25, 0.25]
    assert env.position_volume() == 1.0


def test_partial_fill_out_of_attempts_is_partial_and_resumes_from_the_journal(env: Env) -> None:
    env.sim.faults.inject("partial_fill", fraction=0.5)
    a = env.action(volume=0.5)
    first = env.executor(max_attempts=1).execute(a)
    assert (first.status, first.filled, first.remaining) == ("partial", 0.25, 0.25)
    assert first.retry_at is not None
    env.sim.advance_to(first.retry_at)
    again = env.executor().execute(a)  # the same action again (also after a restart)
    assert (again.status, again.filled, again.remaining) == ("done", 0.25, 0.0)
    assert [r["volume"] for r in env.mt5.requests()] == [0.5, 0.25]
    assert env.position_volume() == 1.0
    done = env.executor().execute(a)  # a third call sends nothing
    assert (done.status, done.filled, done.attempts) == ("done", 0.0, 0)
    assert len(env.mt5.requests()) == 2


def test_ipc_timeout_none_reads_back_then_resends(env: Env) -> None:
    env.sim.faults.inject("ipc_timeout", function="order_send")
    out = env.executor().execute(env.action())
    sends = env.mt5.named("order_send")
    assert [s.result is None for s in sends] == [True, False]
    assert (out.status, out.filled, out.attempts) == ("done", 0.5, 2)
    first = env.journal.rows("result")[0].payload
    assert first["retcode"] is None
    assert first["error"] == [-10005, "IPC timeout"]
    assert first["conclusion"] == "not executed"
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]


def test_ipc_timeout_after_the_order_executed_is_not_resent(env: Env) -> None:
    def executed_then_lost(inner: Any, request: dict[str, Any]) -> None:
        assert inner.order_send(request).retcode == c.TRADE_RETCODE_DONE
        inner.faults.inject("ipc_timeout")  # the answer is lost: None, (-10005, 'IPC timeout')
        assert inner.account_info() is None

    env.mt5.replace["order_send"] = executed_then_lost
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.attempts) == ("done", 0.5, 1)
    assert len(env.mt5.requests()) == 1
    (result,) = env.journal.rows("result")
    assert result.payload["error"] == [-10005, "IPC timeout"]
    assert result.payload["conclusion"] == "executed"
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]
    assert_never_closed_twice(env.sim)


def test_connection_lost_everywhere_fails_without_resending_then_resolves(env: Env) -> None:
    """The order executed, then the link died for every read: nothing is resent; the next call
    settles the unknown attempt from the position and sends nothing either."""

    def executed_then_link_down(inner: Any, request: dict[str, Any]) -> None:
        assert inner.order_send(request).retcode == c.TRADE_RETCODE_DONE
        inner.faults.inject("no_connection", count=50)
        assert inner.account_info() is None  # last_error (-10004, 'No IPC connection')

    env.mt5.replace["order_send"] = executed_then_link_down
    a = env.action()
    out = env.executor().execute(a)
    assert (out.status, out.filled, out.attempts) == ("failed", 0.0, 1)
    assert "may have executed" in out.message
    assert out.retry_at is not None
    assert env.journal.rows("result")[-1].payload["conclusion"] == "unknown"
    env.sim.faults.clear()
    del env.mt5.replace["order_send"]
    again = env.executor().execute(a)
    assert (again.status, again.attempts, again.filled) == ("done", 0, 0.5)
    assert env.journal.rows("result")[-1].payload["conclusion"] == "executed (resolved)"
    assert len(env.mt5.requests()) == 1
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]
    assert env.position_volume() == 1.0


def test_trade_server_disconnect_is_read_back_and_retried_later(env: Env) -> None:
    env.sim.faults.inject("disconnect", duration_s=30)
    a = env.action()
    out = env.executor(max_attempts=3).execute(a)
    assert (out.status, out.filled, out.retcode) == ("failed", 0.0, 10031)
    assert out.retry_at is not None
    assert all(r.payload["conclusion"] == "not executed" for r in env.journal.rows("result"))
    env.sim.advance(31)
    again = env.executor().execute(a)
    assert (again.status, again.filled) == ("done", 0.5)
    assert [d.volume for d in closing_deals(env.sim)] == [0.5]


def test_position_closed_before_the_slice_is_gone_without_a_send(env: Env) -> None:
    close_by_hand(env.sim, GBP_TICKET, 1.5)
    out = env.executor().execute(env.action())
    assert (out.status, out.filled, out.remaining, out.attempts) == ("gone", 0.0, 0.0, 0)
    assert env.mt5.requests() == []


def test_position_closed_between_read_and_send_is_gone(env: Env) -> None:
    env.mt5.before["order_send"] = lambda request: close_by_hand(env.sim, GBP_TICKET, 1.5)
    out = env.executor().execute(env.action())
    assert (out.status, out.retcode, out.attempts) == ("gone", c.TRADE_RETCODE_POSITION_CLOSED, 1)
    assert_never_closed_twice(env.sim)


def test_algo_trading_off_fails_and_says_what_to_do(
    make_env: MakeEnv, variants: dict[str, Path]
) -> None:
    env = make_env(variants["algo_off"])
    out = env.executor().execute(env.action())
    assert (out.status, out.retcode, out.attempts) == ("failed", 10027, 1)
    assert "Algo Trading" in out.message
    assert "switch it on" in out.message
    assert out.retry_at is None
    assert env.position_volume() == 1.5


def test_invalid_volume_is_rerounded_once(env: Env) -> None:
    calls = {"n": 0}

    def refuse_first(inner: Any, request: dict[str, Any]) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            return inner.order_send({**request, "volume": 0.503})  # → 10014 from the sim
        return inner.order_send(request)

    env.mt5.replace["order_send"] = refuse_first
    out = env.executor().execute(env.action(volume=0.5))
    assert (out.status, out.attempts) == ("done", 2)
    assert [s.result.retcode for s in env.mt5.named("order_send")] == [10014, 10009]
    assert env.mt5.named("symbol_info")[-1] is not env.mt5.named("symbol_info")[0]


def test_invalid_volume_twice_fails(env: Env) -> None:
    env.mt5.replace["order_send"] = lambda inner, request: inner.order_send(
        {**request, "volume": 0.503})
    out = env.executor().execute(env.action(volume=0.5))
    assert (out.status, out.attempts, out.retcode) == ("failed", 2, 10014)
    assert out.retry_at is None


def test_a_malformed_request_answer_none_fails(env: Env) -> None:
    env.mt5.replace["order_send"] = lambda inner, request: inner.order_send(
        {**request, "volume": 1})  # an int volume: None + (-2, ...)
    out = env.executor().execute(env.action())
    assert (out.status, out.attempts, out.retcode) == ("failed", 1, -2)  # last_error's code
    assert "Invalid 'volume' argument" in out.message or "arguments" in out.message
