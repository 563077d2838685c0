"""A recorder around the simulated terminal, scenario variants, and the "never closed twice" check.

The recorder forwards every MetaTrader5 call to the `SimTerminal` and keeps a deep copy of its
arguments and the answer, so a test can show exactly what a real terminal would receive. Hooks
(`before`) let a test act on the world between the executor's read and its send (a stop-out, the
trader closing by hand) without any test-only branch in the executor.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.sim import SimTerminal
from bridge.sim import constants as c
from bridge.sim.scenario import BUILTIN_DIR

MT5_FUNCTIONS = frozenset({
    "initialize", "login", "shutdown", "version", "last_error", "account_info", "terminal_info",
    "symbols_total", "symbols_get", "symbol_info", "symbol_info_tick", "symbol_select",
    "market_book_add", "market_book_release", "market_book_get", "positions_total",
    "positions_get", "orders_total", "orders_get", "history_deals_get", "history_deals_total",
    "history_orders_get", "history_orders_total", "order_calc_margin", "order_calc_profit",
    "order_check", "order_send", "copy_rates_from", "copy_rates_from_pos", "copy_rates_range",
    "copy_ticks_from", "copy_ticks_range",
})

TRADE_REQUEST_TYPES: dict[str, type] = {
    "action": int, "magic": int, "order": int, "symbol": str, "volume": float, "price": float,
    "stoplimit": float, "sl": float, "tp": float, "deviation": int, "type": int,
    "type_filling": int, "type_time": int, "expiration": int, "comment": str, "position": int,
    "position_by": int,
}
"""The 17 TradeRequest fields of mt5-api.md §2.1 and the Python type each must have."""


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: Any


class Recorder:
    """Looks like the MetaTrader5 module; records every API call, forwards to `inner`.

    `before[name]` runs before a call of that name is forwarded (with the call's arguments);
    `replace[name]` answers instead of `inner` (it gets `inner` and the arguments)."""

    def __init__(self, inner: SimTerminal) -> None:
        self.inner = inner
        self.calls: list[Call] = []
        self.before: dict[str, Callable[..., None]] = {}
        self.replace: dict[str, Callable[..., Any]] = {}
        # the executor treats an exception from a terminal call as a lost answer, so a failed
        # assertion inside a hook is kept here too and checked when the test ends
        self.hook_failures: list[AssertionError] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in MT5_FUNCTIONS:
            return attr  # constants and the replay API pass through unrecorded

        def call(*args: Any, **kwargs: Any) -> Any:
            saved_args, saved_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
            try:
                if name in self.before:
                    self.before[name](*args, **kwargs)
                if name in self.replace:
                    result = self.replace[name](self.inner, *args, **kwargs)
                else:
                    result = attr(*args, **kwargs)
            except AssertionError as exc:
                self.hook_failures.append(exc)
                raise
            self.calls.append(Call(name, saved_args, saved_kwargs, result))
            return result

        return call

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def requests(self) -> list[dict[str, Any]]:
        """The request dicts passed to order_send, in order."""
        return [c.args[0] for c in self.named("order_send")]

    def names(self) -> list[str]:
        return [c.name for c in self.calls]


def scenario_variant(tmp: Path, name: str, *, netting: bool = False,
                     algo_trading: bool = True, gbp_instant: bool = False) -> Path:
    """flash-gbp-2016 with the account switched to netting, Algo Trading off, or GBPUSD on
    instant execution with no FOK/IOC bit (price and deviation checked, RETURN filling)."""
    text = (BUILTIN_DIR / "gbp-flash-2016.toml").read_text(encoding="utf-8")
    if gbp_instant:
        assert text.count('name = "GBPUSD"\n') == 1
        text = text.replace('name = "GBPUSD"\n',
                            'name = "GBPUSD"\nexecution = "instant"\nfilling = []\n')
    if netting:
        assert 'margin_mode = "hedging"' in text
        text = text.replace('margin_mode = "hedging"', 'margin_mode = "netting"')
    if not algo_trading:
        text += "\n[terminal]\ntrade_allowed = false\n"
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def open_sim(source: str | Path) -> SimTerminal:
    mt5 = SimTerminal.from_scenario(source)
    assert mt5.initialize()
    return mt5


def all_deals(mt5: SimTerminal) -> tuple[Any, ...]:
    deals = mt5.history_deals_get(0, 2**33)
    assert deals is not None
    return tuple(d for d in deals if d.type in (c.DEAL_TYPE_BUY, c.DEAL_TYPE_SELL))


def assert_never_closed_twice(mt5: SimTerminal) -> None:
    """Per position: closing volume never exceeds what was opened, no deal reverses a position,
    and nothing trades on a position after it reached zero."""
    opened: dict[int, float] = {}
    for d in all_deals(mt5):
        assert d.entry != c.DEAL_ENTRY_INOUT, f"deal {d.ticket} reversed position {d.position_id}"
        if d.entry == c.DEAL_ENTRY_IN:
            opened[d.position_id] = opened.get(d.position_id, 0.0) + d.volume
        else:
            left = opened.get(d.position_id, 0.0)
            assert d.volume <= left + 1e-9, (
                f"deal {d.ticket} closes {d.volume} lots of position {d.position_id}, "
                f"which held only {left}")
            opened[d.position_id] = left - d.volume


def closing_deals(mt5: SimTerminal, comment_prefix: str = "lca ") -> list[Any]:
    return [d for d in all_deals(mt5)
            if d.entry == c.DEAL_ENTRY_OUT and d.comment.startswith(comment_prefix)]
