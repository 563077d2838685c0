"""Symbols and market depth of the simulated terminal: `symbol_info` (the contract with the quote
now, tick values in the account currency), `symbol_info_tick`, `symbol_select` and
`market_book_*` (levels of the square-root book around the touch, bridge.sim.broker). Prices in
quote units, volumes in lots, times on the server clock. Functions are called after `gate`.
"""

from __future__ import annotations

from bridge.mt5 import constants as c
from bridge.mt5.records import BookInfo, SymbolInfo, Tick, symbol_info_defaults
from bridge.sim.book_levels import level_prices as _level_prices
from bridge.sim.broker import book_offsets, profit_factor
from bridge.sim.state import SimState

__all__ = [
    "market_book_add",
    "market_book_get",
    "market_book_release",
    "symbol_info",
    "symbol_info_tick",
    "symbol_select",
    "symbols_get",
]

_new = tuple.__new__
_ORDER_MODE = c.SYMBOL_ORDER_MARKET | c.SYMBOL_ORDER_SL | c.SYMBOL_ORDER_TP


def symbols_get(st: SimState, group: str | None) -> tuple[SymbolInfo, ...]:
    """Every symbol (or those `group` selects), in the market's order."""
    names = [s.name for s in st.market.symbols] if group is None else st.group(group)
    return tuple(record(st, k) for k in map(st.symbol_index, names) if k is not None)


def symbol_info(st: SimState, symbol: str) -> SymbolInfo | None:
    k = st.symbol_index(symbol)
    if k is None:
        st.fail(c.RES_E_FAIL)
        return None
    return record(st, k)


def record(st: SimState, k: int) -> SymbolInfo:
    """Symbol k's `SymbolInfo` at the current quote."""
    spec = st.market.symbols[k]
    q = st.quotes
    bid, ask = q.quote(k)
    s = st.market.streams[k]
    j = int(st.market.pos[k, q.tick_index()])
    server_t = int(st.ledger.to_server_ms(int(s.time_msc[j]))) // 1000
    tv = q.convert(spec.tick * profit_factor(spec), spec.currency_profit, "profit")
    tv_loss = q.convert(-spec.tick * profit_factor(spec), spec.currency_profit, "profit")
    d = symbol_info_defaults()
    d.update(
        select=st.selected[spec.name], visible=st.selected[spec.name], time=server_t,
        digits=spec.digits, spread=round((ask - bid) / spec.point), spread_float=True,
        ticks_bookdepth=spec.book_depth, trade_calc_mode=spec.calc_mode,
        trade_mode=spec.trade_mode, trade_stops_level=spec.trade_stops_level,
        trade_freeze_level=spec.trade_freeze_level, trade_exemode=spec.trade_exemode,
        swap_mode=c.SYMBOL_SWAP_MODE_DISABLED, swap_rollover3days=c.DAY_OF_WEEK_WEDNESDAY,
        margin_hedged_use_leg=spec.margin_hedged_use_leg, expiration_mode=c.SYMBOL_EXPIRATION_GTC,
        filling_mode=spec.filling_mode, order_mode=_ORDER_MODE, order_gtc_mode=c.SYMBOL_ORDERS_GTC,
        bid=bid, bidhigh=bid, bidlow=bid, ask=ask, askhigh=ask, asklow=ask, point=spec.point,
        trade_tick_value=tv, trade_tick_value_profit=tv, trade_tick_value_loss=-tv_loss,
        trade_tick_size=spec.tick, trade_contract_size=spec.contract_size,
        volume_min=spec.volume_min, volume_max=spec.volume_max, volume_step=spec.volume_step,
        volume_limit=spec.volume_limit, margin_initial=spec.margin_initial,
        margin_maintenance=spec.margin_maintenance, margin_hedged=spec.margin_hedged,
        currency_base=spec.currency_base, currency_profit=spec.currency_profit,
        currency_margin=spec.currency_margin, description=spec.description, name=spec.name,
        path=spec.path,
    )
    return SymbolInfo(**d)


def symbol_info_tick(st: SimState, symbol: str) -> Tick | None:
    """The last played tick of `symbol` (a `zero_bid` fault reports bid 0 once)."""
    k = st.symbol_index(symbol)
    if k is None or not st.selected[symbol]:
        st.fail(c.RES_E_FAIL)
        return None
    tick = _tick(st, k)
    if st.faults.bad_reading("symbol_info_tick", st.now):
        return tick._replace(bid=0.0)
    return tick


def _tick(st: SimState, k: int) -> Tick:
    """Symbol k's last played tick. Kept while its quote index and the server-clock mapping are
    the same: the record depends on nothing else (the market's arrays are read-only)."""
    s = st.market.streams[k]
    j = int(st.market.pos[k, st.quotes.tick_index()])
    to_server = st.ledger.to_server_ms
    kept = st.ticks_kept.get(k)
    if kept is not None and kept[0] == j and kept[1] is to_server and kept[2] is s:
        return kept[3]
    ms = int(to_server(int(s.time_msc[j])))
    tick = Tick(ms // 1000, float(s.bid[j]), float(s.ask[j]), 0.0, 0, ms, int(s.flags[j]), 0.0)
    st.ticks_kept[k] = (j, to_server, s, tick)
    return tick


def symbol_select(st: SimState, symbol: str, enable: bool) -> bool:
    """Show or hide `symbol` in Market Watch (one with an open position stays)."""
    k = st.symbol_index(symbol)
    if k is None:
        st.fail(c.RES_E_FAIL)
        return False
    if not enable and any(p.sym == k for p in st.ledger.positions):
        st.fail(c.RES_E_FAIL)
        return False
    st.selected[symbol] = bool(enable)
    return True


def market_book_add(st: SimState, symbol: str) -> bool:
    if st.symbol_index(symbol) is None:
        st.fail(c.RES_E_FAIL)
        return False
    st.books.add(symbol)
    return True


def market_book_release(st: SimState, symbol: str) -> bool:
    if symbol not in st.books:
        st.fail(c.RES_E_FAIL)
        return False
    st.books.discard(symbol)
    return True


def market_book_get(st: SimState, symbol: str) -> tuple[BookInfo, ...] | None:
    """The book levels of `symbol` (sells from the farthest ask, then buys from the best bid);
    empty without a book or a quote."""
    k = st.symbol_index(symbol)
    if k is None or symbol not in st.books:
        st.fail(c.RES_E_FAIL)
        return None
    q = st.quotes
    i = q.tick_index()
    # What this read is a function of: the time (the quote's age, the weekend, a no-quote
    # window, the depth multiplier), the tick played, the cursor's broker policy and market (the
    # quote timeout, the weekend close), the scenario's broker (the impact coefficient) and the
    # market read (its symbols and streams); the policies are frozen values and the market's
    # arrays read-only. A read with all of them the same is served what the last one gave.
    read = (st.now, i, q.broker, q.market, st.scenario.broker, st.market)
    kept = st.books_kept.get(k)
    if kept is not None and kept[0] == read:
        return kept[2]
    book = _levels(st, k, i, None if kept is None else kept[1:])
    st.books_kept[k] = (read, *book)
    return book[1]


def _levels(st: SimState, k: int, i: int, kept: tuple[tuple[object, ...], tuple[BookInfo, ...]]
            | None) -> tuple[tuple[object, ...], tuple[BookInfo, ...]]:
    """(what the levels were made from, the levels) of symbol k at tick i; `kept` the last
    ones, served again when they were made from the same."""
    spec = st.market.symbols[k]
    if spec.book_depth <= 0 or not st.quotes.quoted(k, st.now):
        return (), ()
    d = max(st.market.streams[k].depth.value_at(st.now), 1e-4)
    coef = max(st.scenario.broker.impact_coefficient, 1e-3)
    # Kept for the next read with the same inputs: the levels are a function of the symbol's
    # last played quote (its bid, ask and σ: its index in the read-only stream), the depth
    # multiplier and the impact coefficient, all in the key; the tuple of records is immutable.
    key = (int(st.market.pos[k, i]), d, coef, st.market)
    if kept is not None and kept[0] == key:
        return kept
    return key, _book(st, k, d, coef)


def _book(st: SimState, k: int, d: float, coef: float) -> tuple[BookInfo, ...]:
    spec = st.market.symbols[k]
    bid, ask = st.quotes.quote(k)
    lots = spec.book_level_lots * d
    offs = book_offsets(
        spec.book_depth,
        level_lots=lots,
        coef=coef,
        sigma_d=st.quotes.sigma(k),
        price=bid,
        daily_volume_lots=spec.daily_volume_lots * d,
    )
    asks, bids = _level_prices(bid, ask, offs, spec.point, spec.digits)
    vol = round(lots, 2)
    whole = max(round(vol), 0)
    asks.reverse()
    # tuple.__new__ is what the namedtuple's own __new__ calls: the same records, without a
    # Python-level call per level
    sell, buy = c.BOOK_TYPE_SELL, c.BOOK_TYPE_BUY
    return (*[_new(BookInfo, (sell, p, whole, vol)) for p in asks],
            *[_new(BookInfo, (buy, p, whole, vol)) for p in bids])
