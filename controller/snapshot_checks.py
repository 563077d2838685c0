"""The field checks of a `Snapshot` (controller.snapshot): a bad value raises `SnapshotError`
naming the field, the first one in the order of the walk: the time, the account, each symbol,
each market (bid, ask, the book level by level, the depths), each position, then the currency
each position's profit is converted from.

Every snapshot the terminal gives goes through them, so the book levels, the positions, the
symbols and the account are first checked in one pass that builds no field name and calls no
function per value (comparisons, and one `isfinite` on the sum: a NaN or an infinity anywhere
makes the sum non-finite); only when that finds something (or a value of the wrong kind raises)
are the fields walked one by one, and the walk raises what it raised before, with the same text.
The first pass only ever says "all fine" when the walk would find nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from controller.errors import SnapshotError

if TYPE_CHECKING:
    from controller.snapshot import Account, BookLevel, MarketState, Position, Snapshot, SymbolSpec

__all__ = ["check_convertible", "check_fields"]

# what makes the bulk checks fall back to the walk: a value of the wrong kind (the walk then
# raises what it raised before), an integer too large for a float
_WRONG_KIND = (TypeError, ValueError, OverflowError)

_POSITIVE = "must be a finite number > 0"
# a field's name is built only when it fails (these checks run on every snapshot)


def _check_positive(field_name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0.0):
        raise SnapshotError(field_name, value, _POSITIVE)


def _check_finite(field_name: str, value: float) -> None:
    if not math.isfinite(value):
        raise SnapshotError(field_name, value, "must be a finite number")


def _account_fine(a: Account) -> bool:
    """True when the account's money is finite (a NaN or an infinity makes the sum non-finite;
    a sum that overflows sends the walk to decide)."""
    return math.isfinite(a.balance + a.equity + a.margin + a.margin_so_call + a.margin_so_so
                         + a.credit + a.profit)


def _check_account(account: Account) -> None:
    try:
        fine = _account_fine(account)
    except _WRONG_KIND:
        fine = False
    if not fine:  # a NaN or an infinity somewhere (or a sum that overflows): name it
        for name in ("balance", "equity", "margin", "margin_so_call", "margin_so_so", "credit",
                     "profit"):
            _check_finite(f"account.{name}", getattr(account, name))
    if account.margin < 0.0:
        raise SnapshotError("account.margin", account.margin, "margin must be ≥ 0")
    if account.margin_so_so < 0.0:
        raise SnapshotError("account.margin_so_so", account.margin_so_so, "must be ≥ 0")
    if account.margin_so_mode not in (0, 1):
        raise SnapshotError("account.margin_so_mode", account.margin_so_mode,
                            "must be 0 (percent) or 1 (money)")
    if not account.currency:
        raise SnapshotError("account.currency", account.currency, "must name a currency")


def _symbol_fine(spec: SymbolSpec) -> bool:
    """True when the contract size and volumes are positive and finite, volume_max ≥ volume_min
    (a sum of finite values may overflow: the walk decides)."""
    c, lo, st, hi = spec.trade_contract_size, spec.volume_min, spec.volume_step, spec.volume_max
    return min(c, lo, st, hi) > 0.0 and math.isfinite(c + lo + st + hi) and lo <= hi


def _check_symbol(spec: SymbolSpec) -> None:
    try:
        if _symbol_fine(spec):
            return
    except _WRONG_KIND:
        pass
    prefix = f"symbols.{spec.name}"
    _check_positive(f"{prefix}.trade_contract_size", spec.trade_contract_size)
    _check_positive(f"{prefix}.volume_min", spec.volume_min)
    _check_positive(f"{prefix}.volume_step", spec.volume_step)
    _check_positive(f"{prefix}.volume_max", spec.volume_max)
    if spec.volume_max < spec.volume_min:
        raise SnapshotError(f"{prefix}.volume_max", spec.volume_max, "must be ≥ volume_min")


_BOOK_TYPES = frozenset({1, 2, 3, 4})


def _book_fine(book: tuple[BookLevel, ...]) -> bool:
    """True when every level has a positive finite price, a finite volume ≥ 0 and a known type
    (False, or an exception: `_check_book` walks the levels to name the bad one)."""
    total = 0.0
    for level in book:
        if not (level.price > 0.0 and level.volume >= 0.0 and level.type in _BOOK_TYPES):
            return False  # a NaN fails the comparisons
        total += level.price + level.volume
    # finite values give a finite sum unless it overflows (then the walk decides); an infinity
    # anywhere makes it infinite or NaN
    return math.isfinite(total)


def _check_book(name: str, book: tuple[BookLevel, ...]) -> None:
    try:
        if not book or _book_fine(book):
            return
    except _WRONG_KIND:
        pass
    for i, level in enumerate(book):
        price, volume = level.price, level.volume
        if not (math.isfinite(price) and price > 0.0):
            raise SnapshotError(f"market.{name}.book[{i}].price", price, _POSITIVE)
        if not (math.isfinite(volume) and volume >= 0.0):
            raise SnapshotError(f"market.{name}.book[{i}].volume", volume, "must be ≥ 0")
        if level.type not in (1, 2, 3, 4):
            raise SnapshotError(f"market.{name}.book[{i}].type", level.type,
                                "must be 1 (sell) or 2 (buy), or 3/4 (market)")


def _check_market(name: str, state: MarketState) -> None:
    bid, ask = state.bid, state.ask
    if not (math.isfinite(bid) and bid > 0.0):
        raise SnapshotError(f"market.{name}.bid", bid, _POSITIVE)
    if not (math.isfinite(ask) and ask > 0.0):
        raise SnapshotError(f"market.{name}.ask", ask, _POSITIVE)
    if ask < bid:
        raise SnapshotError(f"market.{name}.ask", ask, f"ask is below the bid {bid}")
    if state.book is not None:
        _check_book(name, state.book)
    for depth_name, depth in (("bid_depth", state.bid_depth), ("ask_depth", state.ask_depth)):
        if depth is not None and not (math.isfinite(depth) and depth >= 0.0):
            raise SnapshotError(f"market.{name}.{depth_name}", depth, "depth in lots must be ≥ 0")


def _check_position(i: int, position: Position, symbols: Mapping[str, SymbolSpec],
                    market: Mapping[str, MarketState]) -> None:
    if position.symbol not in symbols:
        raise SnapshotError(f"positions[{i}].symbol", position.symbol,
                            "this symbol has no entry in `symbols` (add its SymbolInfo fields)")
    if position.symbol not in market:
        raise SnapshotError(f"positions[{i}].symbol", position.symbol,
                            "this symbol has no quote in `market` (add its bid and ask)")
    if position.type not in (0, 1):
        raise SnapshotError(f"positions[{i}].type", position.type, "must be 0 (buy) or 1 (sell)")
    volume, price_open, price_current = position.volume, position.price_open, \
        position.price_current
    if not (math.isfinite(volume) and volume >= 0.0):
        raise SnapshotError(f"positions[{i}].volume", volume, "volume in lots must be ≥ 0")
    if not (math.isfinite(price_open) and price_open > 0.0):
        raise SnapshotError(f"positions[{i}].price_open", price_open, _POSITIVE)
    if not (math.isfinite(price_current) and price_current > 0.0):
        raise SnapshotError(f"positions[{i}].price_current", price_current, _POSITIVE)
    if not math.isfinite(position.profit):
        raise SnapshotError(f"positions[{i}].profit", position.profit, "must be a finite number")


_POSITION_TYPES = frozenset({0, 1})  # POSITION_TYPE_BUY, POSITION_TYPE_SELL


def _positions_fine(positions: tuple[Position, ...], symbols: Mapping[str, SymbolSpec],
                    market: Mapping[str, MarketState]) -> bool:
    """True when every position passes `_check_position` (False, or an exception: walk)."""
    total = 0.0
    for p in positions:
        name = p.symbol
        if not (name in symbols and name in market and p.type in _POSITION_TYPES
                and p.volume >= 0.0 and p.price_open > 0.0 and p.price_current > 0.0):
            return False  # a NaN fails the comparisons
        total += p.volume + p.price_open + p.price_current + p.profit
    return math.isfinite(total)  # as in `_book_fine`


def _check_positions(positions: tuple[Position, ...], symbols: Mapping[str, SymbolSpec],
                     market: Mapping[str, MarketState]) -> None:
    try:
        if not positions or _positions_fine(positions, symbols, market):
            return
    except _WRONG_KIND:
        pass
    for i, position in enumerate(positions):
        _check_position(i, position, symbols, market)


def check_fields(snap: Snapshot) -> None:
    """Raise `SnapshotError` naming the first bad field of `snap` (module text)."""
    _check_finite("time", snap.time)
    _check_account(snap.account)
    for spec in snap.symbols.values():
        _check_symbol(spec)
    for name, state in snap.market.items():
        _check_market(name, state)
    _check_positions(snap.positions, snap.symbols, snap.market)


def _all_convertible(snap: Snapshot, rates: Mapping[str, float]) -> bool:
    """True when `rates` converts the profit currency of every held symbol."""
    symbols = snap.symbols
    return rates.keys() >= {symbols[n].currency_profit for n in {p.symbol for p in snap.positions}}


def check_convertible(snap: Snapshot, rates: Mapping[str, float]) -> None:
    """Raise `SnapshotError` naming the first position whose profit currency `rates` (the
    conversion table of `snap`) cannot convert to the account currency."""
    if _all_convertible(snap, rates):
        return
    symbols, account = snap.symbols, snap.account
    for i, position in enumerate(snap.positions):
        profit_ccy = symbols[position.symbol].currency_profit
        if profit_ccy not in rates:
            raise SnapshotError(
                f"positions[{i}].symbol", position.symbol,
                f"cannot convert {profit_ccy} to the account currency {account.currency}: add a "
                f"quote for a pair of {profit_ccy} with {account.currency} (or a common currency) "
                "to `market`",
            )
