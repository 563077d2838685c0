"""The scripted terminal: the simulated terminal behind an object shaped like the `MetaTrader5`
module that records every call and, per function call, can fail, answer instead, or alter the
answer.

One object for every fake the tests need: a recorder of what a real terminal would receive
(the executor tests), a terminal whose `order_send` answers any retcode or `last_error()` code
(the fault matrix), a terminal gone for some minutes (the disconnect test), a REAL account, frozen
quotes, a process that dies once its n-th order executed (the crash test), a count of log-ins.

- `faults` (armed with `arm(Fault(...))`): the first armed fault that matches a call hits it;
  see `Fault`.
- `before[name](*args, **kwargs)` runs before a call of that name is forwarded (a stop-out or a
  hand close between the executor's read and its send).
- `replace[name](sim, *args, **kwargs)` answers instead of the simulated terminal.
- `after[name](answer)` returns the answer the caller sees (a REAL account, a frozen tick).

The executor treats an exception from a terminal call as a lost answer, so a failed assertion
inside a hook is also kept in `hook_failures`, for the test to check when it ends.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridge.mt5.records import OrderSendResult
from bridge.sim import SimTerminal

__all__ = ["MT5_FUNCTIONS", "Call", "Fault", "ScriptedTerminal", "real_account"]

MT5_FUNCTIONS = frozenset({
    "initialize", "login", "shutdown", "version", "last_error", "account_info", "terminal_info",
    "symbols_total", "symbols_get", "symbol_info", "symbol_info_tick", "symbol_select",
    "market_book_add", "market_book_release", "market_book_get", "positions_total",
    "positions_get", "orders_total", "orders_get", "history_deals_get", "history_deals_total",
    "history_orders_get", "history_orders_total", "order_calc_margin", "order_calc_profit",
    "order_check", "order_send", "copy_rates_from", "copy_rates_from_pos", "copy_rates_range",
    "copy_ticks_from", "copy_ticks_range",
})
"""The 32 functions of the MetaTrader5 module (mt5-api.md); everything else on the simulated
terminal (constants, the replay API: `advance`, `now`, `faults` ...) passes through unscripted."""

_BOOL_FUNCTIONS = frozenset({"initialize", "login", "symbol_select", "market_book_add",
                             "market_book_release"})


@dataclass(frozen=True)
class Call:
    """One call the terminal received: its name, deep copies of its arguments, its answer."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: Any


@dataclass
class Fault:
    """One scripted failure of `function` ("*": every MT5 function but `last_error`).

    `code`: a trade retcode (> 1000: `order_send` answers a result with it) or a `last_error()`
    code (≤ 1: the call answers None, or False for the bool functions, and `last_error()` says
    `code` and `message`). `executed`: the call reaches the simulated terminal all the same (the
    deal is done, the answer lies or is lost). `raises`: instead of answering, raise it (after
    the call executed, when `executed`). `count`: how many calls it hits (-1: all); `skip`: how
    many matching calls pass through untouched first; `when`: it hits only while this says True
    (e.g. a window of simulated time)."""

    code: int = 0
    executed: bool = False
    count: int = 1
    function: str = "order_send"
    message: str = ""
    skip: int = 0
    raises: BaseException | type[BaseException] | None = None
    when: Callable[[], bool] | None = None

    def matches(self, function: str) -> bool:
        return self.function in (function, "*") and (self.when is None or self.when())


class ScriptedTerminal:
    """Looks like the MetaTrader5 module; forwards to `sim` unless a script says otherwise."""

    def __init__(self, sim: SimTerminal) -> None:
        self.sim = sim
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.before: dict[str, Callable[..., None]] = {}
        self.replace: dict[str, Callable[..., Any]] = {}
        self.after: dict[str, Callable[[Any], Any]] = {}
        self.injected = 0
        self.hook_failures: list[AssertionError] = []
        self._error: tuple[int, str] | None = None

    # -- scripting ------------------------------------------------------------------------
    def arm(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    # -- what the caller sees -------------------------------------------------------------
    def last_error(self) -> tuple[int, str]:
        """The scripted error of the last call, else the simulated terminal's (recorded)."""
        error = self._error if self._error is not None else self.sim.last_error()
        self.calls.append(Call("last_error", (), {}, error))
        return error

    def __dir__(self) -> list[str]:  # the module's constants too (mt5remote lists them)
        return sorted(set(super().__dir__()) | set(dir(self.sim)))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        attr = getattr(self.sim, name)
        if name not in MT5_FUNCTIONS:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            saved_args, saved_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
            try:
                result = self._answer(name, attr, args, kwargs)
            except AssertionError as exc:
                self.hook_failures.append(exc)
                raise
            self.calls.append(Call(name, saved_args, saved_kwargs, result))
            return result

        return call

    def _answer(self, name: str, attr: Callable[..., Any], args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        self._error = None
        if name in self.before:
            self.before[name](*args, **kwargs)
        fault = self._due(name)
        if fault is not None:
            return self._inject(fault, name, attr, args, kwargs)
        if name in self.replace:
            result = self.replace[name](self.sim, *args, **kwargs)
        else:
            result = attr(*args, **kwargs)
        if name in self.after:
            result = self.after[name](result)
        return result

    def _due(self, name: str) -> Fault | None:
        fault = next((f for f in self.faults if f.matches(name)), None)
        if fault is None:
            return None
        if fault.skip > 0:
            fault.skip -= 1
            return None
        if fault.count > 0:
            fault.count -= 1
            if fault.count == 0:
                self.faults.remove(fault)
        return fault

    def _inject(self, fault: Fault, name: str, attr: Callable[..., Any],
                args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.injected += 1
        real = attr(*args, **kwargs) if fault.executed else None
        if fault.raises is not None:
            raise fault.raises
        if fault.code <= 1:
            self._error = (fault.code, fault.message or f"injected error {fault.code}")
            return False if name in _BOOL_FUNCTIONS else None
        if real is None:
            return _refusal(fault.code)
        # executed, but the answer does not say so (a timeout, a lost reply)
        return real._replace(retcode=fault.code, deal=0, volume=0.0, price=0.0,
                             comment=f"injected {fault.code}")

    # -- what it received -----------------------------------------------------------------
    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def count(self, *names: str) -> int:
        """How many calls of these functions the terminal received (answered or not)."""
        return sum(1 for c in self.calls if c.name in names)

    def requests(self) -> list[dict[str, Any]]:
        """The request dicts passed to order_send, in order."""
        return [c.args[0] for c in self.named("order_send")]

    def names(self) -> list[str]:
        return [c.name for c in self.calls]


def real_account(sim: SimTerminal) -> ScriptedTerminal:
    """The simulated terminal reporting a REAL account (`account_info().trade_mode` 2)."""
    terminal = ScriptedTerminal(sim)
    terminal.after["account_info"] = lambda info: info._replace(trade_mode=2)
    return terminal


def _refusal(code: int) -> OrderSendResult:
    return OrderSendResult(retcode=code, deal=0, order=0, volume=0.0, price=0.0, bid=0.0,
                           ask=0.0, comment=f"injected {code}", request_id=0, retcode_external=0,
                           request=None)  # type: ignore[arg-type]
