"""`order_check` and `order_send` of the simulated terminal: the request's field types, the trade
server's checks (bridge.sim.trade_checks), the margin check, the injected trade faults
(bridge.sim.faults) and the execution: a fill walking the book, booked in the ledger, after which
the risk engine acts at once (a deal can itself trigger a stop-out).

Money in the account currency; volumes in lots; the result echoes the request with every field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bridge.mt5 import constants as c
from bridge.mt5.records import TRADE_REQUEST_FIELDS, OrderCheckResult, OrderSendResult, TradeRequest
from bridge.sim.errors import RETCODE_COMMENTS
from bridge.sim.faults import TRADE_FAULT_RETCODES
from bridge.sim.ledger import SimPosition
from bridge.sim.risk_series import Legs
from bridge.sim.scenario import FaultSpec
from bridge.sim.state import SimState
from bridge.sim.trade_checks import ParsedRequest, validate

__all__ = ["order_check", "order_send", "parse_request"]

_INT_FIELDS = {
    "action", "magic", "order", "deviation", "type", "type_filling", "type_time", "expiration",
    "position", "position_by",
}
_FLOAT_FIELDS = {"volume", "price", "stoplimit", "sl", "tp"}
_STR_FIELDS = {"symbol", "comment"}
_QUOTED = (c.TRADE_RETCODE_DONE, c.TRADE_RETCODE_DONE_PARTIAL, c.TRADE_RETCODE_REQUOTE,
           c.TRADE_RETCODE_PRICE_CHANGED)
_NUMBERED = (c.TRADE_RETCODE_DONE, c.TRADE_RETCODE_DONE_PARTIAL, c.TRADE_RETCODE_REQUOTE)


def _field_ok(key: str, v: object) -> bool:
    return (
        (key in _INT_FIELDS and isinstance(v, int))
        or (key in _FLOAT_FIELDS and isinstance(v, float))
        or (key in _STR_FIELDS and isinstance(v, str))
    )


def parse_request(st: SimState, request: object,
                  fields: Mapping[str, object]) -> ParsedRequest | None:
    """The request (a dict, or keyword fields) with its fields type-checked as the real module
    does; None with last_error set when a field is unknown or of the wrong type."""
    if request is not None and fields:
        st.fail(c.RES_E_INVALID_PARAMS, "Unnamed arguments not allowed")
        return None
    if not isinstance(request, dict | None):
        st.fail(c.RES_E_INVALID_PARAMS, "Invalid request argument")
        return None
    req: dict[str, object] = dict(request) if request is not None else dict(fields)
    for key, v in req.items():
        if not isinstance(key, str) or not _field_ok(key, v):
            what = "argument" if key in TRADE_REQUEST_FIELDS else "field"
            st.fail(c.RES_E_INVALID_PARAMS, f"Invalid '{key}' {what}")
            return None
    vals = [req.get(f, 0.0 if f in _FLOAT_FIELDS else ("" if f in _STR_FIELDS else 0))
            for f in TRADE_REQUEST_FIELDS]
    side = req.get("type", -1)
    return ParsedRequest(TradeRequest._make(vals), side if isinstance(side, int) else -1)


def _result(st: SimState, code: int, req: ParsedRequest, *, deal: int = 0, order: int = 0,
            volume: float = 0.0, price: float = 0.0, quotes: bool = False) -> OrderSendResult:
    bid = ask = 0.0
    if quotes or code in _QUOTED:
        k = st.symbol_index(str(req.echo.symbol))
        if k is not None:
            bid, ask = st.quotes.quote(k)
    rid = 0
    if code in _NUMBERED:
        st.request_id += 1
        rid = st.request_id
    return OrderSendResult(code, deal, order, volume, price, bid, ask,
                           RETCODE_COMMENTS.get(code, ""), rid, 0, req.echo)


def _margin_after(st: SimState, k: int, side: int, vol: float, pos: SimPosition | None) -> float:
    """The account's margin if the deal went through (account currency)."""
    legs = st.risk.legs()
    lg = legs.setdefault(k, Legs())
    bid, ask = st.quotes.quote(k)
    price = ask if side == c.ORDER_TYPE_BUY else bid
    close = min(vol, pos.volume) if pos is not None and pos.type != side else 0.0
    if close > 0 and pos is not None:
        if pos.type == c.POSITION_TYPE_BUY:
            lg.vl -= close
            lg.al -= close * pos.price_open
        else:
            lg.vs -= close
            lg.as_ -= close * pos.price_open
    add = vol - close if (st.netting or pos is not None) else vol
    if add > 1e-9:
        lg.add(side == c.ORDER_TYPE_BUY, add, price)
    legs = {kk: v for kk, v in legs.items() if v.vl > 1e-9 or v.vs > 1e-9}
    return st.risk.margin(legs)


def order_check(st: SimState, request: object,
                fields: Mapping[str, object]) -> OrderCheckResult | None:
    """What the deal would do to the account, without trading (after `gate`)."""
    req = parse_request(st, request, fields)
    if req is None:
        return None
    code, pos, k = validate(st, req)
    profit, equity, margin, free, level = st.risk.state()
    bal = st.ledger.balance
    if code == 0 and req.echo.action == c.TRADE_ACTION_DEAL:
        margin = _margin_after(st, k, req.side, req.echo.volume, pos)
        free = round(equity - margin, 2)
        level = equity / margin * 100.0 if margin > 0 else 0.0
        if free < 0 and margin > st.risk.margin():
            code = c.TRADE_RETCODE_NO_MONEY
    comment = "Done" if code == 0 else RETCODE_COMMENTS.get(code, "")
    return OrderCheckResult(code, bal, equity, profit, margin, free, level, comment, req.echo)


def order_send(st: SimState, request: object,
               fields: Mapping[str, object]) -> OrderSendResult | None:
    """Check and execute a DEAL or SLTP request (after `gate`)."""
    req = parse_request(st, request, fields)
    if req is None:
        return None
    code, pos, k = validate(st, req)
    if code:
        return _result(st, code, req, quotes=code == c.TRADE_RETCODE_REQUOTE)
    if req.echo.action == c.TRADE_ACTION_SLTP and pos is not None:  # validate: pos exists
        sl, tp = req.echo.sl, req.echo.tp
        if sl == pos.sl and tp == pos.tp:
            return _result(st, c.TRADE_RETCODE_NO_CHANGES, req)
        pos.sl, pos.tp = sl, tp
        return _result(st, c.TRADE_RETCODE_DONE, req)
    fault = st.faults.take("order_send", st.now, ipc=False)
    vol = req.echo.volume
    spec = st.market.symbols[k]
    if fault is not None and fault.kind not in ("request_timeout", "partial_fill"):
        return _result(st, TRADE_FAULT_RETCODES[fault.kind], req,
                       quotes=fault.kind in ("requote", "price_changed"))
    if fault is not None and fault.kind == "request_timeout" and not fault.executed:
        return _result(st, c.TRADE_RETCODE_TIMEOUT, req)
    if fault is not None and fault.kind == "partial_fill":
        steps = math.floor((vol * fault.fraction - spec.volume_min) / spec.volume_step + 1e-9)
        vol = round(spec.volume_min + max(steps, 0) * spec.volume_step, 8)
    return _execute(st, req, pos, k, vol, fault)


def _execute(st: SimState, req: ParsedRequest, pos: SimPosition | None, k: int, vol: float,
             fault: FaultSpec | None) -> OrderSendResult:
    """Margin check, fill walking the book, book-keeping, the result."""
    side = req.side
    opening = pos is None or pos.type == side or vol > pos.volume + 1e-9
    if opening:
        _, equity, margin_now, _, _ = st.risk.state()
        after = _margin_after(st, k, side, vol, pos)
        if after > margin_now and equity - after < 0:
            return _result(st, c.TRADE_RETCODE_NO_MONEY, req)
    t_ms = int(st.market.time_msc[st.quotes.tick_index()])
    t_ms = max(t_ms, int(st.now * 1000))
    price = st.quotes.fill_price(k, side, vol, st.now)
    r = req.echo
    deal, order, _ = st.ledger.deal(k=k, side=side, volume=vol, price=price, t_ms=t_ms,
                                    reason=c.DEAL_REASON_EXPERT, magic=r.magic, comment=r.comment,
                                    position=pos, type_filling=r.type_filling)
    if st.ledger.positions:
        st.risk.act(st.quotes.tick_index())  # a deal can itself trigger a stop-out
    if fault is not None and fault.kind == "request_timeout":
        return _result(st, c.TRADE_RETCODE_TIMEOUT, req)
    code = c.TRADE_RETCODE_DONE_PARTIAL if fault is not None else c.TRADE_RETCODE_DONE
    return _result(st, code, req, deal=deal, order=order, volume=vol, price=price)
