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

from collections.abc import Sequence

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


def check_bounds(snapshot: Snapshot) -> None:
    """Raise `SnapshotError` naming the first value beyond its bound (module table): the time,
    the account, the symbols, the market, then the positions."""
    check_time("time", snapshot.time)
    _check_account(snapshot.account)
    for spec in snapshot.symbols.values():
        _check_symbol(spec)
    for name, m in snapshot.market.items():
        _check_market(name, m)
    _check_positions(snapshot.positions)
