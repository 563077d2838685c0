"""Can the guard act at all? Algo Trading, the account's expert permission, the EA's heartbeat.

A guard that decides well but cannot send is no guard: the terminal's Algo Trading button off
(`terminal_info().trade_allowed` False: every order_send answers 10027), experts disabled for the
account (`account_info().trade_expert` False: 10026), or — with the EA link on — no heartbeat from
the guard EA (it is not attached to a chart, or its chart is closed, so the terminal-side limits
are not enforced). Each is checked every `CHECK_SECONDS` of the guard's clock and journaled as a
`state` row (`what` = "algo_trading", "expert" or "ea_attached", `ok`, `message`) once per change,
never every second. `problems` is what the live view and `lca status` show while it lasts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loguru import logger

from bridge.journal_kinds import JournalKind
from bridge.terminal import TerminalError

if TYPE_CHECKING:
    from bridge.observe import GuardView

__all__ = ["CHECK_SECONDS", "TradePermissions"]

CHECK_SECONDS = 5.0
"""How often the three permissions are read (guard-clock seconds): two terminal calls."""

_SAY = {
    ("algo_trading", False): "Algo Trading is off in the terminal: no order of the guard (or the "
    "EA) can be sent; press Algo Trading in the terminal's toolbar",
    ("algo_trading", True): "Algo Trading is on again",
    ("expert", False): "experts are disabled for this account (account_info().trade_expert is "
    "false): the broker refuses automated orders; ask the broker or check the account type",
    ("expert", True): "experts are allowed for the account again",
    ("ea_attached", True): "the guard EA is attached again (its telemetry is fresh)",
}


class TradePermissions:
    """The last known state of each permission, and the rows written when one changes."""

    def __init__(self) -> None:
        self.ok: dict[str, bool] = {}
        self.messages: dict[str, str] = {}
        self._checked = float("-inf")

    @property
    def problems(self) -> list[str]:
        """The sentences of the permissions that are off now, in a fixed order."""
        return [self.messages[k] for k in ("algo_trading", "expert", "ea_attached")
                if self.ok.get(k) is False]

    def check(self, guard: GuardView, account_record: Any = None) -> None:
        """Read the three permissions when `CHECK_SECONDS` have passed; journal each change
        (through `guard._record_state`, so alerts and the dashboard hear it too).
        `account_record` is an `account_info()` record read in this same guard step (the
        snapshot's): its `trade_expert` is used instead of asking the terminal again — one read
        per step either way, so the flag is exactly as fresh."""
        now = guard.now()
        if now - self._checked < CHECK_SECONDS:
            return
        self._checked = now
        try:
            algo = bool(guard.port.call("terminal_info").trade_allowed)
            account = account_record if account_record is not None else \
                guard.port.call("account_info")
            expert = bool(getattr(account, "trade_expert", True))
        except TerminalError:
            return  # the connection watch journals an unreachable terminal
        self._set(guard, "algo_trading", algo, _SAY["algo_trading", algo])
        self._set(guard, "expert", expert, _SAY["expert", expert])
        link = guard.ea_link
        if link is not None:
            limit = guard.config.ea.telemetry_max_age_seconds
            t = link.last_telemetry
            age = None if t is None else now - float(t.written_utc)
            attached = age is not None and age <= limit
            if attached:
                message = _SAY["ea_attached", True]
            elif age is None:
                message = ("EA not attached: no telemetry from the guard EA in the link folder; "
                           "attach LcaGuard to a chart (`lca ea install`, docs/ea.md)")
            else:
                message = (f"EA not attached: its last telemetry is {age:.0f} s old (limit "
                           f"{limit:g} s); is its chart open and Algo Trading on?")
            self._set(guard, "ea_attached", attached, message)

    def _set(self, guard: GuardView, what: str, ok: bool, message: str) -> None:
        before = self.ok.get(what)
        if before is ok or (before is None and ok):
            self.ok[what] = ok  # unchanged, or fine from the start: nothing to say
            return
        self.ok[what] = ok
        self.messages[what] = message
        guard.journal.append(JournalKind.STATE, guard.now(),
                             {"what": what, "ok": ok, "message": message})
        guard.notify("on_state", what, message)
        (logger.info if ok else logger.warning)("{}: {}", what, message)
