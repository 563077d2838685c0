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

import math
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


def _check_account(a: Account) -> None:
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


def _spans(values: Sequence[float], low: float, high: float) -> bool:
    """True when every value lies in [low, high] (False with a NaN: the field walk decides)."""
    if not values:
        return True
    return low <= min(values) and max(values) <= high and not math.isnan(sum(values))


def _small(values: Iterable[float], bound: float) -> bool:
    """True when no |value| exceeds `bound` (False with a NaN first: the field walk decides)."""
    return max(map(abs, values), default=0.0) <= bound


def _market_within(markets: Iterable[MarketState]) -> bool:
    """True when every market value is within its bound (False: walk the fields to name it)."""
    prices: list[float] = []
    volumes: list[float] = []
    depths: list[float] = []
    times: list[float] = []
    for m in markets:
        prices += (m.bid, m.ask)
        times.append(m.time)
        depths += (d for d in (m.bid_depth, m.ask_depth) if d is not None)
        for level in m.book or ():
            prices.append(level.price)
            volumes.append(level.volume)
    return _small(prices, MAX_PRICE) and _small(volumes, MAX_BOOK_VOLUME) and \
        _small(depths, MAX_LOTS) and _spans(times, 0.0, MAX_TIME)


def _symbols_within(specs: Iterable[SymbolSpec]) -> bool:
    """True when every symbol's volumes and contract size are within their bounds."""
    specs = list(specs)
    return _small([x for v in specs for x in (v.volume_min, v.volume_step, v.volume_max)],
                  MAX_LOTS) and _small([v.trade_contract_size for v in specs], MAX_CONTRACT)


def _positions_within(positions: Sequence[Position]) -> bool:
    """True when every position value is within its bound and each ticket is there once."""
    tickets = [p.ticket for p in positions]
    return _spans(tickets, 1, MAX_ID) and len(set(tickets)) == len(tickets) and \
        _spans([p.magic for p in positions], 0, MAX_ID) and \
        _spans([float(p.time) for p in positions], 0.0, MAX_TIME) and \
        _small([p.volume for p in positions], MAX_LOTS) and \
        _small([x for p in positions for x in (p.price_open, p.price_current)], MAX_PRICE) and \
        _small([x for p in positions for x in (p.profit, p.swap)], MAX_MONEY)


def check_bounds(snapshot: Snapshot) -> None:
    """Raise `SnapshotError` naming the first value beyond its bound (module table): the time,
    the account, the symbols, the market, then the positions.

    The symbols, the market and the positions are first checked in bulk (min / max over each kind of
    value); only when that finds something (or a NaN) are they walked field by field to name it,
    so the error raised is the same as the walk's."""
    check_time("time", snapshot.time)
    _check_account(snapshot.account)
    try:
        if _symbols_within(snapshot.symbols.values()) and \
                _market_within(snapshot.market.values()) and \
                _positions_within(snapshot.positions):
            return
    except (TypeError, ValueError, OverflowError):  # a value of the wrong kind: the walk names it
        pass
    for spec in snapshot.symbols.values():
        _check_symbol(spec)
    for name, m in snapshot.market.items():
        _check_market(name, m)
    _check_positions(snapshot.positions)
