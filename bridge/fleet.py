"""Many accounts in one journal: which accounts it holds and where each one stands.

`fleet_status(journal, now)` reads, for every account (login and trade server) of the journal,
its newest decision and snapshot rows and its lease: the trading state, EffLev, MSI, the
distance to the broker's stop-out and to the nearest prop-firm limit (the loss in account
currency that would reach it, and the adverse move of the net book in percent), who holds the
lease and since when it was renewed, and how old the last snapshot is. Times are UTC epoch
seconds; `now` is the wall clock (the lease's clock). On the simulated terminal (server
``sim``) a snapshot's time is the replay's, so its age is not shown, only the simulated time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from bridge.journal import AccountSeen, Journal
from bridge.journal_kinds import JournalKind
from bridge.journal_rows import DecisionRow, Distance, SnapshotRow
from bridge.lease import Holder, read_holder

__all__ = ["AccountStatus", "UnknownAccount", "fleet_rows", "fleet_status", "parse_account",
           "use_account"]

_BROKER = ("stop_out", "margin_call")


class UnknownAccount(ValueError):
    """`--account` names no account of the journal (the message lists the ones it holds)."""


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """One line of `lca fleet status` (money in the account's currency, times UTC epoch s)."""

    account: AccountSeen
    state: str | None
    eff_lev: float | None
    msi: float | None
    equity: float | None
    stop_out_loss: float | None  # equity that may be lost before the stop-out
    stop_out_move_pct: float | None  # adverse move of the net book that reaches it
    prop_limit: str | None  # the nearest prop limit's name
    prop_loss: float | None
    prop_move_pct: float | None
    holder: Holder | None
    lease_age: float | None  # wall seconds since the lease was last renewed
    snapshot_time: float | None
    snapshot_age: float | None  # wall seconds (None on the simulated terminal)

    @property
    def simulated(self) -> bool:
        return self.account.server == "sim"


def parse_account(text: str) -> tuple[int, str | None]:
    """``LOGIN`` or ``LOGIN@SERVER`` → (login, server or None)."""
    login, _, server = text.partition("@")
    if not login.strip().isdigit():
        raise UnknownAccount(f"--account {text!r}: write the login number, optionally with its "
                             "trade server, e.g. 51234567 or 51234567@ICMarketsSC-Demo")
    return int(login), (server.strip() or None)


def use_account(journal: Journal, text: str | None) -> None:
    """Point `journal` at the account `text` names (``LOGIN[@SERVER]``), or at the most recently
    active one when `text` is None. `UnknownAccount` when the journal has no such account."""
    seen = journal.accounts()
    if text is None:
        if seen:
            journal.use_account(seen[0].login, seen[0].server or None)
        return
    login, server = parse_account(text)
    match = [a for a in seen if a.login == login and (server is None or a.server == server)]
    if not match:
        known = ", ".join(a.name for a in seen) or "none"
        raise UnknownAccount(f"no account {text} in the journal (accounts: {known})")
    servers = {a.server for a in match}
    if len(servers) > 1:
        raise UnknownAccount(f"login {login} is in the journal for {len(servers)} servers "
                             f"({', '.join(sorted(servers))}): write --account {login}@SERVER")
    journal.use_account(login, match[0].server or None)


def _lease(journal: Journal, seen: AccountSeen) -> Holder | None:
    key = f"{seen.server or '?'}:{seen.login}"
    try:
        return read_holder(journal.engine, key)
    except DBAPIError:  # a journal from before the lease table
        return None


def _nearest_prop(distances: Mapping[str, Distance]
                  ) -> tuple[str | None, float | None, float | None]:
    prop = [(name, d) for name, d in distances.items() if name not in _BROKER]
    if not prop:
        return None, None, None
    name, d = min(prop, key=lambda kv: kv[1]["loss"])
    return name, d["loss"], d.get("move_pct")


def fleet_status(journal: Journal, now: float) -> list[AccountStatus]:
    """Every account of the journal, the most recently active first (`journal`'s own account
    is left as it is: the dashboard of a running guard calls this on the guard's journal)."""
    out = []
    for seen in journal.accounts():
        reader = journal.for_account(seen.login, seen.server or None)  # `journal` untouched
        decision, snap = reader.last(JournalKind.DECISION), reader.last(JournalKind.SNAPSHOT)
        p = SnapshotRow.from_payload(snap.payload if snap else {})
        distances = p.distances or {}
        stop = distances.get("stop_out")
        prop_name, prop_loss, prop_move = _nearest_prop(distances)
        holder = _lease(reader, seen)
        out.append(AccountStatus(
            account=seen,
            state=DecisionRow.from_payload(decision.payload).state if decision else None,
            eff_lev=p.eff_lev, msi=p.msi, equity=p.equity,
            stop_out_loss=stop.get("loss") if stop else None,
            stop_out_move_pct=stop.get("move_pct") if stop else None,
            prop_limit=prop_name, prop_loss=prop_loss, prop_move_pct=prop_move, holder=holder,
            lease_age=now - holder.renewed if holder else None,
            snapshot_time=snap.time if snap else None,
            snapshot_age=None if snap is None or seen.server == "sim" else now - snap.time))
    return out


def fleet_rows(journal: Journal, now: float) -> list[dict[str, Any]]:
    """`fleet_status` as plain JSON data (the dashboard's /api/fleet, `lca fleet status --json`):
    money in the account's currency, times UTC epoch seconds."""
    rows = []
    for a in fleet_status(journal, now):
        row = {k: getattr(a, k) for k in AccountStatus.__slots__ if k not in ("account", "holder")}
        rows.append({**row, "account": a.account.name, "login": a.account.login,
                     "server": a.account.server, "simulated": a.simulated,
                     "holder": None if a.holder is None else a.holder.as_dict()})
    return rows
