"""`Mt5Module`: the part of the `MetaTrader5` module lca uses, as a typing Protocol.

The real package (Windows), `bridge.mt5remote.RemoteMT5` (an mt5linux terminal under Wine) and
the simulated terminal (`bridge.sim.SimTerminal`) all provide these names; `bridge.terminal`'s
`TerminalPort` (the one adapter: `bridge.executor.Executor` and the guard go through it) calls
nothing else on the module. Parameters are
positional-only where lca passes them by position, so the stubs' and the sim's parameter names
need not match; results are `Any` (C namedtuples, numpy record arrays, RPyC netrefs: decoded by
attribute access in `bridge.terminal`). Times in arguments are trade-server epoch seconds.

The list is checked against metatrader5-stubs and the simulated terminal by
tests/bridge/test_mt5_port.py.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["MT5_FUNCTIONS", "Mt5Module"]


@runtime_checkable
class Mt5Module(Protocol):
    """The functions lca calls on a module shaped like `MetaTrader5`. Its constants are read
    from `bridge.mt5.constants` (the values are fixed by the API and checked against the stubs),
    not from the module."""

    # connection
    def initialize(self, path: str | None = ..., /, *, login: int | None = ...,
                   password: str | None = ..., server: str | None = ...,
                   timeout: int = ...) -> bool: ...
    def shutdown(self) -> Any: ...
    def last_error(self) -> tuple[int, str]: ...
    def terminal_info(self) -> Any: ...
    def account_info(self) -> Any: ...

    # symbols and prices
    def symbols_get(self) -> Any: ...
    def symbol_info(self, symbol: str, /) -> Any: ...
    def symbol_info_tick(self, symbol: str, /) -> Any: ...
    def symbol_select(self, symbol: str, enable: bool = ..., /) -> bool: ...
    def market_book_add(self, symbol: str, /) -> bool: ...
    def market_book_get(self, symbol: str, /) -> Any: ...
    def market_book_release(self, symbol: str, /) -> bool: ...

    # history (server-time epoch seconds)
    def copy_rates_from_pos(self, symbol: str, timeframe: int, start_pos: int, count: int,
                            /) -> Any: ...
    def copy_rates_range(self, symbol: str, timeframe: int, date_from: Any, date_to: Any,
                         /) -> Any: ...
    def copy_ticks_range(self, symbol: str, date_from: Any, date_to: Any, flags: int,
                         /) -> Any: ...
    def history_deals_get(self, date_from: Any = ..., date_to: Any = ..., /, *,
                          position: int | None = ...) -> Any: ...

    # trading
    def positions_get(self, *, symbol: str | None = ..., ticket: int | None = ...) -> Any: ...
    def order_calc_margin(self, action: int, symbol: str, volume: float, price: float,
                          /) -> float | None: ...
    def order_check(self, request: dict[str, Any], /) -> Any: ...
    def order_send(self, request: dict[str, Any], /) -> Any: ...


MT5_FUNCTIONS: tuple[str, ...] = tuple(
    name for name in vars(Mt5Module)
    if not name.startswith("_") and callable(getattr(Mt5Module, name))
)
"""The function names of `Mt5Module`, in declaration order."""
