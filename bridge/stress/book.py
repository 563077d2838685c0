"""`lca stress --book BOOK.toml`: my positions on any window, built-in or mine.

A book file is a few `[[book]]` tables, one per position, and an optional starting balance:

    balance = 25000.0          # optional: the account's starting balance (account currency)

    [[book]]
    symbol = "GBPUSD"          # a symbol of the window
    side = "buy"               # buy | sell
    lots = 1.2                 # lots (> 0), rounded to the symbol's volume step by the broker

Every position opens at the window's first quote (its `start`), as a scenario's `[[book]]` does.
The scenario spelling (`type` for side, `volume` for lots) is accepted too, so a scenario file
(`lca run --scenario FILE`, a recorded scenario folder's TOML) can be given as a book: only its
`[[book]]` tables are read, not its account.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from bridge.mt5 import constants as c
from bridge.sim.scenario import BookEntry, Scenario

__all__ = ["Book", "BookError", "BookPosition", "apply_book", "check_book", "read_book"]

_SIDES = {"buy": c.ORDER_TYPE_BUY, "sell": c.ORDER_TYPE_SELL}
#: keys of a scenario file: a book file that has one of them is read as a scenario (books only)
_SCENARIO_KEYS = {"start", "end", "symbols", "data", "generator"}


class BookError(ValueError):
    """A book file that cannot be used; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class BookPosition:
    """One position: `lots` in lots (> 0), `side` "buy" or "sell"."""

    symbol: str
    side: str
    lots: float


@dataclass(frozen=True)
class Book:
    """The positions of a book file and its starting balance (None: the window's)."""

    source: str
    positions: tuple[BookPosition, ...]
    balance: float | None = None


def _positive(where: str, key: str, value: object, fix: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value <= 0:
        raise BookError(f"{where}: {key} = {value!r} must be a number above 0 ({fix})")
    return float(value)


def _position(raw: object, where: str) -> BookPosition:
    if not isinstance(raw, dict):
        raise BookError(f"{where}: must be a table (symbol, side, lots)")
    allowed = {"symbol", "side", "lots", "type", "volume", "magic", "comment"}
    extra = sorted(set(raw) - allowed)
    if extra:
        raise BookError(f"{where}: unknown key {extra[0]!r}; a position has symbol, side "
                        "(buy | sell) and lots")
    symbol = raw.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise BookError(f"{where}: symbol is missing (e.g. symbol = \"GBPUSD\")")
    side = raw.get("side", raw.get("type", "buy"))
    if side not in _SIDES:
        raise BookError(f"{where}: side = {side!r} is not allowed; use \"buy\" or \"sell\"")
    if "lots" not in raw and "volume" not in raw:
        raise BookError(f"{where}: lots is missing (e.g. lots = 1.0)")
    lots = _positive(where, "lots", raw.get("lots", raw.get("volume")), "e.g. lots = 1.0")
    return BookPosition(symbol, str(side), lots)


def read_book(path: str | Path) -> Book:
    """Read and check a book file (or the `[[book]]` tables of a scenario file)."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BookError(f"book file {p} not found (--book takes a TOML file: docs/stress.md "
                        "\"Your own scenario and book\")") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BookError(f"book file {p} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BookError(f"book file {p}: not valid TOML: {exc}") from None
    scenario = bool(_SCENARIO_KEYS & set(raw))
    if not scenario:
        extra = sorted(set(raw) - {"balance", "book", "name", "description"})
        if extra:
            raise BookError(f"book file {p}: unknown key {extra[0]!r}; a book file has "
                            "[[book]] tables (symbol, side, lots) and an optional balance")
    tables = raw.get("book", [])
    if not isinstance(tables, list) or not tables:
        raise BookError(f"book file {p}: no position; add one [[book]] table per position "
                        "(symbol = \"GBPUSD\", side = \"buy\", lots = 1.0)")
    positions = tuple(_position(t, f"book file {p}, [[book]] {i + 1}")
                      for i, t in enumerate(tables))
    balance = None
    if not scenario and "balance" in raw:
        balance = _positive(f"book file {p}", "balance", raw["balance"],
                            "the starting balance in the account currency")
    return Book(str(p), positions, balance)


def check_book(book: Book, scenario: Scenario, window: str) -> None:
    """Raise BookError when a position's symbol is not one of the window's symbols."""
    known = [s.name for s in scenario.symbols]
    for i, pos in enumerate(book.positions):
        if pos.symbol not in known:
            raise BookError(f"book file {book.source}, [[book]] {i + 1}: symbol "
                            f"{pos.symbol!r} is not in window {window} (its symbols: "
                            f"{', '.join(known)}); use one of them or a scenario of your own "
                            "with that symbol's data")


def apply_book(scenario: Scenario, book: Book) -> Scenario:
    """The same window with the book's positions (and its balance, if it has one)."""
    entries = tuple(BookEntry(p.symbol, _SIDES[p.side], p.lots, 0, "my book")
                    for p in book.positions)
    account = scenario.account if book.balance is None else replace(scenario.account,
                                                                    balance=book.balance)
    return replace(scenario, book=entries, account=account)
