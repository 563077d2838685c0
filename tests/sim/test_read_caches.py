"""What the simulated terminal keeps between reads (issue 18) is never served stale: a read after
a change of what it was made from sees the change, and equals the read of a terminal that kept
nothing (a fresh terminal at the same time, or the same one with its kept values dropped)."""

from __future__ import annotations

from dataclasses import replace

from bridge.mt5 import constants as c
from bridge.sim import SimTerminal, bars
from bridge.sim.replay.clock import ServerClock

SCENARIO = "snb-2015"
SYMBOL = "EURCHF"


def _terminal(after_s: float = 0.0) -> SimTerminal:
    mt5 = SimTerminal.from_scenario(SCENARIO)
    mt5.initialize()
    for s in mt5.market.symbols:
        mt5.market_book_add(s.name)
    mt5.advance(after_s)
    return mt5


def _next_quote(mt5: SimTerminal) -> None:
    """Advance until SYMBOL's quote changes."""
    bid = mt5.symbol_info_tick(SYMBOL).bid
    while mt5.symbol_info_tick(SYMBOL).bid == bid:
        mt5.advance(5.0)


def _reads(mt5: SimTerminal) -> tuple[object, ...]:
    return (mt5.account_info(), mt5.positions_get(), mt5.symbol_info_tick(SYMBOL),
            mt5.market_book_get(SYMBOL), mt5.symbol_info(SYMBOL))


def test_reads_after_a_new_quote_see_it_and_equal_a_fresh_terminals() -> None:
    mt5 = _terminal(600.0)
    before = _reads(mt5)
    assert _reads(mt5) == before  # a repeat at the same tick is the same
    _next_quote(mt5)
    after = _reads(mt5)
    fresh = _terminal(mt5.now() - mt5.start_time)
    assert fresh.now() == mt5.now()
    assert after == _reads(fresh)
    assert after[2] != before[2]  # the tick
    assert after[3] != before[3]  # the book around it
    assert after[0].equity != before[0].equity  # the account valued at it


def test_a_book_read_after_the_impact_coefficient_changes_sees_it() -> None:
    mt5 = _terminal(600.0)
    book = mt5.market_book_get(SYMBOL)
    broker = mt5.scenario.broker
    mt5.scenario = replace(mt5.scenario,
                           broker=replace(broker, impact_coefficient=broker.impact_coefficient * 4))
    wider = mt5.market_book_get(SYMBOL)
    assert wider[0].price > book[0].price  # the farthest ask moved away from the touch
    mt5.scenario = replace(mt5.scenario, broker=broker)
    assert mt5.market_book_get(SYMBOL) == book


def test_a_book_read_after_its_release_fails_and_off_quotes_is_empty() -> None:
    mt5 = _terminal(600.0)
    book = mt5.market_book_get(SYMBOL)
    assert book
    mt5.market_book_release(SYMBOL)
    assert mt5.market_book_get(SYMBOL) is None
    mt5.market_book_add(SYMBOL)
    assert mt5.market_book_get(SYMBOL) == book
    quotes = mt5._st.quotes
    broker = quotes.broker
    quotes.broker = replace(broker, quote_timeout_s=1e-9)  # every quote is too old now
    mt5.advance(0.5)
    assert mt5.market_book_get(SYMBOL) == ()  # no level kept from before
    quotes.broker = broker
    assert mt5.market_book_get(SYMBOL)


def test_a_tick_read_after_the_server_clock_mapping_changes_sees_it() -> None:
    mt5 = _terminal(600.0)
    tick = mt5.symbol_info_tick(SYMBOL)
    mt5.ledger.to_server_ms = lambda t_ms: t_ms  # a broker on UTC from now on
    utc = mt5.symbol_info_tick(SYMBOL)
    assert tick.time_msc - utc.time_msc == 2 * 3600 * 1000  # winter: UTC+2
    assert utc._replace(time=tick.time, time_msc=tick.time_msc) == tick


def test_a_zero_bid_fault_hits_a_kept_tick_once() -> None:
    mt5 = _terminal(600.0)
    tick = mt5.symbol_info_tick(SYMBOL)
    mt5.faults.inject("zero_bid")
    assert mt5.symbol_info_tick(SYMBOL) == tick._replace(bid=0.0)
    assert mt5.symbol_info_tick(SYMBOL) == tick


def _bytes(rates: object) -> bytes | None:
    return None if rates is None else rates.tobytes()  # type: ignore[attr-defined]


def _bars_without_kept(mt5: SimTerminal, *args: int) -> bytes | None:
    """The bars as a build from the played ticks gives them (nothing kept from before)."""
    bars._TICK_BARS.clear()
    bars._HISTORY.clear()
    return _bytes(mt5.copy_rates_from_pos(SYMBOL, *args))


def test_bars_read_after_new_ticks_see_the_forming_bar_grow_and_equal_a_build_from_scratch(
) -> None:
    mt5 = _terminal(600.0)
    for tf in (c.TIMEFRAME_M1, c.TIMEFRAME_H1, c.TIMEFRAME_D1, c.TIMEFRAME_MN1):
        for start_pos, count in ((0, 3), (1, 400), (0, 100_000 - 1)):
            mt5.copy_rates_from_pos(SYMBOL, tf, start_pos, count)
    forming = mt5.copy_rates_from_pos(SYMBOL, c.TIMEFRAME_H1, 0, 1)
    mt5.advance(900.0)
    grown = mt5.copy_rates_from_pos(SYMBOL, c.TIMEFRAME_H1, 0, 1)
    assert grown["time"][0] == forming["time"][0]
    assert grown["tick_volume"][0] > forming["tick_volume"][0]
    for tf in (c.TIMEFRAME_M1, c.TIMEFRAME_H1, c.TIMEFRAME_D1, c.TIMEFRAME_MN1):
        for start_pos, count in ((0, 3), (1, 400), (0, 100_000 - 1)):
            kept = mt5.copy_rates_from_pos(SYMBOL, tf, start_pos, count)
            assert _bytes(kept) == _bars_without_kept(mt5, tf, start_pos, count)


def test_bars_read_after_the_server_clock_changes_are_on_the_new_clock() -> None:
    mt5 = _terminal(3 * 3600.0)
    h1 = mt5.copy_rates_from_pos(SYMBOL, c.TIMEFRAME_H1, 1, 2)
    mt5.scenario = replace(mt5.scenario, clock=ServerClock(utc_offset_hours=3.0, dst="none"))
    later = mt5.copy_rates_from_pos(SYMBOL, c.TIMEFRAME_H1, 1, 2)
    assert (later["time"] - h1["time"]).tolist() == [3600, 3600]
    assert _bytes(later) == _bars_without_kept(mt5, c.TIMEFRAME_H1, 1, 2)


def test_an_unhashable_symbol_names_no_symbol() -> None:
    mt5 = _terminal()
    assert mt5.symbol_info_tick(["EURCHF"]) is None  # type: ignore[arg-type]
    assert mt5.last_error()[0] == c.RES_E_FAIL


def test_a_book_read_at_the_same_instant_after_the_quote_timeout_shrinks_is_empty() -> None:
    mt5 = _terminal(600.0)
    book = mt5.market_book_get(SYMBOL)
    assert book
    quotes = mt5._st.quotes
    broker = quotes.broker
    quotes.broker = replace(broker, quote_timeout_s=-1.0)  # the same time and tick: too old
    assert mt5.market_book_get(SYMBOL) == ()
    quotes.broker = broker
    assert mt5.market_book_get(SYMBOL) == book



def test_book_reads_on_an_unchanged_quote_follow_their_own_time() -> None:
    """The quote's age (against the quote timeout) and the depth multiplier move with the time
    while the quote stays: each read equals the read of a terminal that kept nothing."""
    mt5 = SimTerminal.from_scenario("covid-2020")  # depth multipliers interpolated in time
    mt5.initialize()
    symbol = "GBPUSD"
    mt5.market_book_add(symbol)
    st = mt5._st
    st.quotes.broker = replace(st.quotes.broker, quote_timeout_s=0.5)
    k = st.symbol_index(symbol)
    moved = 0
    last: tuple[int, object] | None = None
    for _ in range(400):
        mt5.advance(0.2)
        book = mt5.market_book_get(symbol)
        assert mt5.market_book_get(symbol) == book  # a repeat at the same instant
        st.books_kept.clear()
        assert mt5.market_book_get(symbol) == book  # what a terminal that kept nothing reads
        j = int(st.market.pos[k, st.quotes.tick_index()])
        if last is not None and last[0] == j and last[1] != book:
            moved += 1
        last = (j, book)
    assert moved > 0  # some reads on an unchanged quote differ from the one before
