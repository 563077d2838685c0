r"""Sane bounds on a snapshot's values, far beyond any real account, so that a corrupt or hostile
value is an error naming its field rather than an overflow, an infinity or a plan built on it.

| what | bound |
|---|---|
| volumes (lots): positions, volume_min/step/max, EA depth | ≤ 1e9 lots |
| order-book volumes (the broker's units) | ≤ 1e12 |
| prices (bid, ask, price_open, price_current, book prices) | ≤ 1e12 |
| money (balance, equity, margin, credit, profit, swap) | \|x\| ≤ 1e15 |
| contract sizes | ≤ 1e9 |
| times (UTC epoch seconds; a position's open time) | 0 (1970) … 4,102,444,800 (2100-01-01) |
| tickets and logins | 1 … 2**63 − 1 (MT5 ulong, int64 in the EA); each ticket once |
| magic numbers | 0 … 2**63 − 1 |

`check_time` is used by the parser for every time it reads; `check_bounds` on a built snapshot
by `parse_snapshot` and by the terminal port.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from controller.errors import SnapshotError
from controller.snapshot import Account, MarketState, Position, Snapshot, SymbolSpec

__all__ = ["MAX_LOTS", "MAX_MONEY", "MAX_PRICE", "MAX_TIME", "check_bounds", "check_time"]

MAX_LOTS = 1e9
MAX_BOOK_VOLUME = 1e12
MAX_PRICE = 1e12
MAX_MONEY = 1e15
MAX_CONTRACT = 1e9
MAX_TIME = 4_102_444_800.0  # 2100-01-01T00:00:00Z
MAX_ID = 2**63 - 1
# what makes a first pass give way to the walk: a value of the wrong kind (the walk then raises
# what it raised before)
_WRONG_KIND = (TypeError, ValueError, OverflowError)


def check_time(field: str, value: float) -> float:
    """`value` (UTC epoch seconds) if it lies between 1970 and 2100, else `SnapshotError`."""
    if not 0.0 <= value <= MAX_TIME:
        raise SnapshotError(field, value, "a time must be between 1970 and 2100 (UTC epoch "
                            "seconds 0 … 4102444800)")
    return value


def _at_most(field: str, value: float, bound: float, what: str) -> None:
    if abs(value) > bound:
        raise SnapshotError(field, value, f"beyond any real {what} (at most {bound:g})")


def _identifier(field: str, value: int, what: str, lowest: int = 1) -> None:
    if not lowest <= value <= MAX_ID:
        raise SnapshotError(field, value, f"a {what} is an integer {lowest} … 2**63 − 1")


def _account_within(a: Account) -> bool:
    """True when the account's login and money are within their bounds (False: walk)."""
    return (a.login == 0 or 1 <= a.login <= MAX_ID) and -MAX_MONEY <= a.balance <= MAX_MONEY \
        and -MAX_MONEY <= a.equity <= MAX_MONEY and -MAX_MONEY <= a.margin <= MAX_MONEY \
        and -MAX_MONEY <= a.credit <= MAX_MONEY and -MAX_MONEY <= a.profit <= MAX_MONEY


def _check_account(a: Account) -> None:
    try:
        if _account_within(a):
            return  # the walk below would find nothing (a NaN fails the comparisons: walk)
    except _WRONG_KIND:
        pass
    if a.login != 0:  # 0: not given (parse default)
        _identifier("account.login", a.login, "login")
    for name in ("balance", "equity", "margin", "credit", "profit"):
        _at_most(f"account.{name}", getattr(a, name), MAX_MONEY, "money amount")


def _check_symbol(spec: SymbolSpec) -> None:
    prefix = f"symbols.{spec.name}"
    for name in ("volume_min", "volume_step", "volume_max"):
        _at_most(f"{prefix}.{name}", getattr(spec, name), MAX_LOTS, "volume in lots")
    _at_most(f"{prefix}.trade_contract_size", spec.trade_contract_size, MAX_CONTRACT,
             "contract size")


def _check_market(name: str, m: MarketState) -> None:
    prefix = f"market.{name}"
    _at_most(f"{prefix}.bid", m.bid, MAX_PRICE, "price")
    _at_most(f"{prefix}.ask", m.ask, MAX_PRICE, "price")
    check_time(f"{prefix}.time", m.time)
    for depth_name in ("bid_depth", "ask_depth"):
        depth = getattr(m, depth_name)
        if depth is not None:
            _at_most(f"{prefix}.{depth_name}", depth, MAX_LOTS, "depth in lots")
    for i, level in enumerate(m.book or ()):
        _at_most(f"{prefix}.book[{i}].price", level.price, MAX_PRICE, "price")
        _at_most(f"{prefix}.book[{i}].volume", level.volume, MAX_BOOK_VOLUME, "book volume")


def _check_positions(positions: Sequence[Position]) -> None:
    seen: dict[int, int] = {}
    for i, p in enumerate(positions):
        prefix = f"positions[{i}]"
        _identifier(f"{prefix}.ticket", p.ticket, "ticket")
        if p.ticket in seen:
            raise SnapshotError(f"{prefix}.ticket", p.ticket, f"the same ticket twice (also "
                                f"positions[{seen[p.ticket]}]): each position has its own")
        seen[p.ticket] = i
        _identifier(f"{prefix}.magic", p.magic, "magic number", lowest=0)
        check_time(f"{prefix}.time", float(p.time))
        _at_most(f"{prefix}.volume", p.volume, MAX_LOTS, "volume in lots")
        _at_most(f"{prefix}.price_open", p.price_open, MAX_PRICE, "price")
        _at_most(f"{prefix}.price_current", p.price_current, MAX_PRICE, "price")
        _at_most(f"{prefix}.profit", p.profit, MAX_MONEY, "money amount")
        _at_most(f"{prefix}.swap", p.swap, MAX_MONEY, "money amount")


# The first pass over each kind of value: chained comparisons in one loop, no function call or
# field name per value. It says True only when the field walk above would find nothing (a NaN
# fails every comparison, so it sends the walk to decide; a value of the wrong kind raises,
# which `check_bounds` also takes as "walk").


def _market_within(markets: Iterable[MarketState]) -> bool:
    """True when every market value is within its bound (False: walk the fields to name it)."""
    for m in markets:
        if not (-MAX_PRICE <= m.bid <= MAX_PRICE and -MAX_PRICE <= m.ask <= MAX_PRICE
                and 0.0 <= m.time <= MAX_TIME):
            return False
        for depth in (m.bid_depth, m.ask_depth):
            if depth is not None and not -MAX_LOTS <= depth <= MAX_LOTS:
                return False
        for level in m.book or ():
            if not (-MAX_PRICE <= level.price <= MAX_PRICE
                    and -MAX_BOOK_VOLUME <= level.volume <= MAX_BOOK_VOLUME):
                return False
    return True


def _symbols_within(specs: Iterable[SymbolSpec]) -> bool:
    """True when every symbol's volumes and contract size are within their bounds."""
    for v in specs:
        if not (-MAX_LOTS <= v.volume_min <= MAX_LOTS and -MAX_LOTS <= v.volume_step <= MAX_LOTS
                and -MAX_LOTS <= v.volume_max <= MAX_LOTS
                and -MAX_CONTRACT <= v.trade_contract_size <= MAX_CONTRACT):
            return False
    return True


def _positions_within(positions: Sequence[Position]) -> bool:
    """True when every position value is within its bound and each ticket is there once."""
    tickets = set()
    for p in positions:
        # the time compared as given: for a whole number the same answer as float(time) gives
        if not (1 <= p.ticket <= MAX_ID and 0 <= p.magic <= MAX_ID and 0.0 <= p.time <= MAX_TIME
                and -MAX_LOTS <= p.volume <= MAX_LOTS
                and -MAX_PRICE <= p.price_open <= MAX_PRICE
                and -MAX_PRICE <= p.price_current <= MAX_PRICE
                and -MAX_MONEY <= p.profit <= MAX_MONEY and -MAX_MONEY <= p.swap <= MAX_MONEY):
            return False
        tickets.add(p.ticket)
    return len(tickets) == len(positions)


def check_bounds(snapshot: Snapshot) -> None:
    """Raise `SnapshotError` naming the first value beyond its bound (module table): the time,
    the account, the symbols, the market, then the positions.

    The account, the symbols, the market and the positions are first checked in one pass of
    comparisons each; only when that finds something (or a NaN) are they walked field by field
    to name it, so the error raised is the same as the walk's."""
    check_time("time", snapshot.time)
    _check_account(snapshot.account)
    try:
        if _symbols_within(snapshot.symbols.values()) and \
                _market_within(snapshot.market.values()) and \
                _positions_within(snapshot.positions):
            return
    except _WRONG_KIND:  # a value of the wrong kind: the walk names it
        pass
    for spec in snapshot.symbols.values():
        _check_symbol(spec)
    for name, m in snapshot.market.items():
        _check_market(name, m)
    _check_positions(snapshot.positions)
