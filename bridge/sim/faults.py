"""Faults on demand: armed from a scenario's [[faults]] tables or a test, consumed by the calls.

| kind | effect |
|---|---|
| ipc_timeout | the call returns None (False for bool calls), last_error (-10005, 'IPC timeout') |
| no_connection | the call returns None/False, last_error (-10004, 'No IPC connection') |
| disconnect | for `duration_s`: terminal_info().connected is False, order_send → retcode 10031 |
| requote, price_changed, off_quotes | order_send → retcode 10004, 10020, 10021; nothing executed |
| market_closed, invalid_filling | order_send → retcode 10018, 10030; nothing executed |
| too_many_requests, reject | order_send → retcode 10024, 10006; nothing executed |
| request_timeout | order_send → retcode 10012; with `executed` the deal is done all the same |
| partial_fill | order_send fills `fraction` of the volume (down to the step) → retcode 10010 |
| algo_trading_off | for `duration_s`: terminal_info().trade_allowed False, order_send → 10027 |
| expert_disabled | for `duration_s`: account_info().trade_expert False, order_send → 10026 |
| zero_bid | one bad reading: symbol_info_tick reports bid 0 (a disconnect's zero quote) |
| zero_equity | one bad reading: account_info reports equity 0 (profit −balance, margin level 0) |

A fault hits `count` calls of `function` (default: order_send for trade retcodes, any call for
the IPC kinds, symbol_info_tick / account_info for the bad readings) from time `at` on (UTC
epoch seconds; None = at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bridge.mt5 import constants as c
from bridge.sim.scenario import FAULT_KINDS, FaultSpec

__all__ = ["TRADE_FAULT_RETCODES", "WINDOW_KINDS", "FaultInjector"]

TRADE_FAULT_RETCODES = {
    "requote": c.TRADE_RETCODE_REQUOTE,
    "price_changed": c.TRADE_RETCODE_PRICE_CHANGED,
    "off_quotes": c.TRADE_RETCODE_PRICE_OFF,
    "market_closed": c.TRADE_RETCODE_MARKET_CLOSED,
    "invalid_filling": c.TRADE_RETCODE_INVALID_FILL,
    "too_many_requests": c.TRADE_RETCODE_TOO_MANY_REQUESTS,
    "reject": c.TRADE_RETCODE_REJECT,
    "request_timeout": c.TRADE_RETCODE_TIMEOUT,
    "partial_fill": c.TRADE_RETCODE_DONE_PARTIAL,
}
_IPC = ("ipc_timeout", "no_connection")
WINDOW_KINDS = ("disconnect", "algo_trading_off", "expert_disabled")
"""Faults that last `duration_s` seconds instead of hitting `count` calls."""
_READINGS = {"zero_bid": "symbol_info_tick", "zero_equity": "account_info"}


@dataclass
class _Armed:
    spec: FaultSpec
    left: int


class FaultInjector:
    """The armed faults of one SimTerminal. Use `inject(...)` from a test."""

    def __init__(self, specs: tuple[FaultSpec, ...] = ()) -> None:
        self._armed: list[_Armed] = []
        for s in specs:
            self._add(s)

    def _add(self, spec: FaultSpec) -> None:
        if spec.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind {spec.kind!r} is not known; use one of {FAULT_KINDS}")
        if spec.kind in WINDOW_KINDS and spec.duration_s <= 0:
            raise ValueError(f"a {spec.kind} fault needs duration_s > 0 (how many seconds it "
                             "lasts)")
        if spec.count < 1:
            raise ValueError(f"fault count = {spec.count} must be ≥ 1")
        if not 0 < spec.fraction < 1 and spec.kind == "partial_fill":
            raise ValueError(f"partial_fill fraction = {spec.fraction} must be within (0, 1)")
        fn = spec.function or ("*" if spec.kind in _IPC else _READINGS.get(spec.kind, "order_send"))
        self._armed.append(_Armed(replace(spec, function=fn), spec.count))

    def inject(
        self,
        kind: str,
        *,
        count: int = 1,
        at: float | None = None,
        duration_s: float = 0.0,
        function: str = "",
        executed: bool = True,
        fraction: float = 0.5,
    ) -> None:
        """Arm a fault (see the module table). `at` in UTC epoch seconds (None = now)."""
        self._add(FaultSpec(kind, at, count, duration_s, function, executed, fraction))

    def clear(self) -> None:
        self._armed.clear()

    @property
    def pending(self) -> tuple[FaultSpec, ...]:
        return tuple(a.spec for a in self._armed)

    def take(self, function: str, now: float, *, ipc: bool) -> FaultSpec | None:
        """The first armed fault hitting `function` at `now`; consumes one of its calls."""
        if not self._armed:  # nothing armed (the usual case): no predicate to build
            return None
        return self._consume(lambda s: s.kind not in WINDOW_KINDS and s.kind not in _READINGS
                             and (s.kind in _IPC) == ipc and s.function in ("*", function)
                             and (s.at is None or now >= s.at))

    def bad_reading(self, function: str, now: float) -> FaultSpec | None:
        """The first armed bad-reading fault (zero_bid, zero_equity) hitting `function` at
        `now`; consumes one of its calls."""
        if not self._armed:
            return None
        return self._consume(lambda s: s.kind in _READINGS and s.function == function
                             and (s.at is None or now >= s.at))

    def _consume(self, hits: Callable[[FaultSpec], bool]) -> FaultSpec | None:
        """The first armed fault `hits` accepts, one of its calls used up (gone at zero)."""
        for a in self._armed:
            if hits(a.spec):
                a.left -= 1
                if a.left <= 0:
                    self._armed.remove(a)
                return a.spec
        return None

    def disconnected(self, now: float) -> bool:
        """True while a disconnect fault's window covers `now`."""
        return self.active("disconnect", now)

    def active(self, kind: str, now: float) -> bool:
        """True while a window fault of `kind` (`WINDOW_KINDS`) covers `now`; one armed without
        `at` starts at the first question."""
        for a in self._armed:
            s = a.spec
            if s.kind == kind:
                start = s.at if s.at is not None else now
                if s.at is None:
                    a.spec = replace(s, at=now)
                if start <= now < start + s.duration_s:
                    return True
        return False
