"""What the parts of one simulated terminal share: the scenario, the market at the replay cursor,
the books, the risk engine, the faults, the simulated clock and `last_error()`.

`SimState.gate(function)` is the connection check every MT5-shaped call starts with (IPC faults,
`initialize()` done). Times: `now` is UTC epoch seconds; `server_s()` the broker's server clock.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as c
from bridge.mt5.records import BookInfo, Tick
from bridge.sim.broker import BrokerSymbol
from bridge.sim.errors import ERROR_MESSAGES
from bridge.sim.faults import FaultInjector
from bridge.sim.ledger import Ledger
from bridge.sim.market import Market, Stream
from bridge.sim.quotes import MarketCursor
from bridge.sim.replay.clock import ServerClock
from bridge.sim.risk_engine import RiskEngine
from bridge.sim.scenario import Scenario

__all__ = ["DateArg", "SimState", "epoch"]

DateArg = dt.datetime | float
"""A date argument of the MT5 functions: a `datetime` (naive = UTC) or epoch seconds."""


def epoch(v: object) -> float | None:
    """A date argument as epoch seconds (None when it is neither a datetime nor a number)."""
    if isinstance(v, dt.datetime):
        return v.timestamp() if v.tzinfo else v.replace(tzinfo=dt.UTC).timestamp()
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return None


@dataclass
class SimState:
    """The shared state of one `SimTerminal` (see the module docstring)."""

    scenario: Scenario
    market: Market
    quotes: MarketCursor
    ledger: Ledger
    risk: RiskEngine
    faults: FaultInjector
    now: float
    initialized: bool = False
    error: tuple[int, str] = (c.RES_S_OK, ERROR_MESSAGES[c.RES_S_OK])
    selected: dict[str, bool] = field(default_factory=dict)
    books: set[str] = field(default_factory=set)
    request_id: int = 0
    _server_ms: dict[int, tuple[ServerClock, npt.NDArray[np.int64]]] = field(
        default_factory=dict, repr=False)
    _index: tuple[tuple[BrokerSymbol, ...], dict[str, int]] | None = field(
        default=None, repr=False)
    ticks_kept: dict[int, tuple[int, Callable[[int], int], Stream, Tick]] = field(
        default_factory=dict, repr=False)
    """Per symbol index: the last `symbol_info_tick` record and what it was made from."""
    books_kept: dict[int, tuple[tuple[object, ...], tuple[object, ...], tuple[BookInfo, ...]]] = (
        field(default_factory=dict, repr=False))
    """Per symbol index: what the last `market_book_get` read was a function of, what its
    levels were made from (empty off quotes) and the levels."""

    @property
    def netting(self) -> bool:
        """Whether the account nets positions per symbol (else it hedges)."""
        return self.scenario.account.margin_mode == c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING

    def ok(self) -> None:
        self.error = (c.RES_S_OK, ERROR_MESSAGES[c.RES_S_OK])

    def fail(self, code: int, message: str | None = None) -> None:
        self.error = (code, message or ERROR_MESSAGES[code])

    def ipc_fault(self, function: str) -> bool:
        """An armed IPC fault hits `function` now: last_error set, True."""
        f = self.faults.take(function, self.now, ipc=True)
        if f is None:
            return False
        timeout = f.kind == "ipc_timeout"
        self.fail(c.RES_E_INTERNAL_FAIL_TIMEOUT if timeout else c.RES_E_INTERNAL_FAIL_CONNECT)
        return True

    def gate(self, function: str) -> bool:
        """Connection state and IPC faults; False (with last_error set) if the call fails."""
        if self.ipc_fault(function):
            return False
        if not self.initialized:
            self.fail(c.RES_E_INTERNAL_FAIL_CONNECT)
            return False
        self.ok()
        return True

    def auth(self, login: int, password: str | None, server: str | None) -> bool:
        """Whether the credentials fit the scenario's account (else last_error is set)."""
        a = self.scenario.account
        if (
            login != a.login
            or (a.password and password not in (None, a.password))
            or (server is not None and server != a.server)
        ):
            self.fail(c.RES_E_AUTH_FAILED)
            return False
        return True

    def server_s(self) -> int:
        """Now on the broker's server clock, epoch seconds."""
        return int(self.scenario.clock.to_server(self.now))

    def symbol_index(self, symbol: str) -> int | None:
        """The market index of `symbol` (None if the scenario has no such symbol). The name →
        index table is kept for the market's symbol tuple it was built from (immutable), and
        rebuilt when another market is set; the first symbol of a name wins, as a scan would."""
        kept = self._index
        symbols = self.market.symbols
        if kept is None or kept[0] is not symbols:
            table: dict[str, int] = {}
            for i, s in enumerate(symbols):
                table.setdefault(s.name, i)
            kept = (symbols, table)
            self._index = kept
        try:
            return kept[1].get(symbol)
        except TypeError:  # an unhashable argument names no symbol
            return None

    def group(self, group: str) -> list[str]:
        """The symbol names an MT5 `group` filter selects ("EUR*,!*JPY": patterns, ! excludes)."""
        names = [s.name for s in self.market.symbols]
        out: list[str] = []
        for cond in (x.strip() for x in group.split(",")):
            if not cond:
                continue
            if cond.startswith("!"):
                out = [n for n in out if not fnmatch.fnmatchcase(n, cond[1:])]
            else:
                out += [n for n in names if fnmatch.fnmatchcase(n, cond) and n not in out]
        return out

    def played(self, k: int) -> tuple[npt.NDArray[np.int64], Stream]:
        """Server-clock ms of symbol k's ticks played so far (read-only), and its stream."""
        st = self.market.streams[k]
        n = int(self.market.pos[k, self.quotes.tick_index()]) + 1
        if self.quotes.cursor == 0:
            n = 0
        return self.server_ms(k)[:n], st

    def server_ms(self, k: int) -> npt.NDArray[np.int64]:
        """Server-clock ms of every quote of symbol k (read-only). Built once per stream and
        clock and shared by every terminal on the market: each stamp depends only on its own
        UTC time and the server clock's value (a frozen, comparable `ServerClock`), so a kept
        array is another one only for another stream or a clock of other settings."""
        clock = self.scenario.clock
        kept = self._server_ms.get(k)
        if kept is None or kept[0] is not clock:
            stream = self.market.streams[k]
            by_clock = _SERVER_MS.setdefault(stream, {})
            arr = by_clock.get(clock)
            if arr is None:
                ms = stream.time_msc
                arr = ms + clock.offset_seconds(ms // 1000) * 1000
                arr.flags.writeable = False
                by_clock[clock] = arr
            kept = (clock, arr)
            self._server_ms[k] = kept
        return kept[1]


_SERVER_MS: weakref.WeakKeyDictionary[Stream, dict[ServerClock, npt.NDArray[np.int64]]] = (
    weakref.WeakKeyDictionary())
"""Per stream and server clock: the server-clock ms of its quotes (`SimState.server_ms`)."""
