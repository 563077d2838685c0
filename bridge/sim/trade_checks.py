"""The trade server's checks of a parsed request, in the reference's order (mt5-api.md §2.4):
the action, the target position, the symbol, the permissions and connection, then for a market
deal the side, the market state, the volume, the filling and (instant or request execution) the
price against the current quote. Each check gives a retcode (0 = passed).
"""

from __future__ import annotations

from typing import NamedTuple

from bridge.mt5 import constants as c
from bridge.mt5.records import TradeRequest
from bridge.sim.broker import BrokerSymbol
from bridge.sim.ledger import SimPosition
from bridge.sim.quotes import weekend
from bridge.sim.state import SimState

__all__ = ["Checked", "ParsedRequest", "validate"]

_UNSUPPORTED_ACTIONS = (
    c.TRADE_ACTION_PENDING,
    c.TRADE_ACTION_MODIFY,
    c.TRADE_ACTION_REMOVE,
    c.TRADE_ACTION_CLOSE_BY,
)


class ParsedRequest(NamedTuple):
    """A request whose fields have the right types: every field (defaults filled, as the result
    echoes it), and `side`, the `type` field or −1 when the request has none."""

    echo: TradeRequest
    side: int


class Checked(NamedTuple):
    """The verdict on a request: retcode (0 = passed), the target position, the symbol index
    (−1 when the request names no valid symbol)."""

    code: int
    pos: SimPosition | None
    k: int


def validate(st: SimState, req: ParsedRequest) -> Checked:
    """The checks of a DEAL or SLTP request (see the module docstring)."""
    r = req.echo
    if r.action in _UNSUPPORTED_ACTIONS:
        return Checked(c.TRADE_RETCODE_INVALID_ORDER, None, -1)
    if r.action not in (c.TRADE_ACTION_DEAL, c.TRADE_ACTION_SLTP):
        return Checked(c.TRADE_RETCODE_INVALID, None, -1)
    ledger = st.ledger
    pos = None
    if r.position:
        pos = next((p for p in ledger.positions if p.ticket == r.position), None)
    if r.position and pos is None:
        known = any(d.position_id == r.position for d in ledger.deals)
        return Checked(c.TRADE_RETCODE_POSITION_CLOSED if known else c.TRADE_RETCODE_INVALID,
                       None, -1)
    sym = r.symbol or (st.market.symbols[pos.sym].name if pos else "")
    k = st.symbol_index(sym)
    if k is None or (pos is not None and pos.sym != k):
        return Checked(c.TRADE_RETCODE_INVALID, None, -1)
    code = _permission(st)
    if code:
        return Checked(code, pos, k)
    if r.action == c.TRADE_ACTION_SLTP:
        return Checked(0 if pos is not None else c.TRADE_RETCODE_INVALID, pos, k)
    return _check_deal(st, req, pos, k)


def _permission(st: SimState) -> int:
    """Algo trading, the expert's permission and the connection."""
    if not st.scenario.trade_allowed or st.faults.active("algo_trading_off", st.now):
        return c.TRADE_RETCODE_CLIENT_DISABLES_AT
    if st.faults.active("expert_disabled", st.now):
        return c.TRADE_RETCODE_SERVER_DISABLES_AT
    if st.faults.disconnected(st.now):
        return c.TRADE_RETCODE_CONNECTION
    return 0


def _check_deal(st: SimState, req: ParsedRequest, pos: SimPosition | None, k: int) -> Checked:
    """Trade-server checks of a market deal."""
    spec = st.market.symbols[k]
    side, r = req.side, req.echo
    if side not in (c.ORDER_TYPE_BUY, c.ORDER_TYPE_SELL):
        bad = side in range(2, 9)
        return Checked(c.TRADE_RETCODE_INVALID_ORDER if bad else c.TRADE_RETCODE_INVALID, pos, k)
    if st.netting and pos is None:
        pos = next((p for p in st.ledger.positions if p.sym == k), None)
    if pos is not None and r.position and pos.type == side:
        return Checked(c.TRADE_RETCODE_INVALID, pos, k)
    closing = pos is not None and pos.type != side
    code = _check_market(st, spec, k, closing)
    if code:
        return Checked(code, pos, k)
    if not volume_ok(spec, r.volume):
        return Checked(c.TRADE_RETCODE_INVALID_VOLUME, pos, k)
    if r.position and pos is not None and r.volume > pos.volume + 1e-9:
        return Checked(c.TRADE_RETCODE_INVALID_CLOSE_VOLUME, pos, k)
    return Checked(_check_fill_and_price(st, r, spec, k, side), pos, k)


def _check_market(st: SimState, spec: BrokerSymbol, k: int, closing: bool) -> int:
    if spec.trade_mode == c.SYMBOL_TRADE_MODE_DISABLED:
        return c.TRADE_RETCODE_TRADE_DISABLED
    if spec.trade_mode == c.SYMBOL_TRADE_MODE_CLOSEONLY and not closing:
        return c.TRADE_RETCODE_CLOSE_ONLY
    if st.scenario.broker.weekend_close and weekend(st.now):
        return c.TRADE_RETCODE_MARKET_CLOSED
    if not st.quotes.quoted(k, st.now):
        return c.TRADE_RETCODE_PRICE_OFF
    return 0


def _check_fill_and_price(st: SimState, r: TradeRequest, spec: BrokerSymbol, k: int,
                          side: int) -> int:
    allowed = {
        c.ORDER_FILLING_FOK: spec.filling_mode & c.SYMBOL_FILLING_FOK,
        c.ORDER_FILLING_IOC: spec.filling_mode & c.SYMBOL_FILLING_IOC,
        c.ORDER_FILLING_BOC: spec.filling_mode & c.SYMBOL_FILLING_BOC,
        c.ORDER_FILLING_RETURN: spec.trade_exemode != c.SYMBOL_TRADE_EXECUTION_MARKET,
    }
    if not allowed.get(r.type_filling):
        return c.TRADE_RETCODE_INVALID_FILL
    if spec.trade_exemode in (
        c.SYMBOL_TRADE_EXECUTION_INSTANT,
        c.SYMBOL_TRADE_EXECUTION_REQUEST,
    ):
        if r.price <= 0:
            return c.TRADE_RETCODE_INVALID_PRICE
        bid, ask = st.quotes.quote(k)
        market = ask if side == c.ORDER_TYPE_BUY else bid
        if abs(market - r.price) > r.deviation * spec.point + 1e-12:
            return c.TRADE_RETCODE_REQUOTE
    return 0


def volume_ok(spec: BrokerSymbol, v: float) -> bool:
    """Whether `v` lots is within the symbol's limits and on its volume step."""
    if v < spec.volume_min - 1e-9 or v > spec.volume_max + 1e-9:
        return False
    steps = (v - spec.volume_min) / spec.volume_step
    return bool(abs(steps - round(steps)) * spec.volume_step < 5e-9)
