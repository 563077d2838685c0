"""The journal: an append-only record of what the guard saw, decided, sent and got back.

One table, `journal`, one row per event, each committed before the next action (an order intent is
durable before its `order_send`). SQLite in WAL mode by default; any SQLAlchemy URL works
(PostgreSQL for a fleet of accounts: the `account` (login) and `server` (the trade server's
name, ``sim`` on the simulated terminal) columns tell them apart).

The layout is versioned (`bridge.schema`): a guard opening a journal written by an older lca
upgrades it in place (rows kept), and a newer journal than this lca knows is refused.

Row kinds: `bridge.journal_kinds.JournalKind` (run, snapshot, decision, plan, intent, result,
slice, state, stop, end, …); docs/journal.md describes each one: who writes it, when, its payload
fields with their units, and who reads it. Readers take payloads as the typed rows of
`bridge.journal_rows`.

Rows are never updated or deleted. Credentials are never written. Beside it, the `lease` table
(`bridge.lease`) holds one row per guarded account, updated in place, and `lca_schema` the
layout's version.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    inspect,
    literal,
    make_url,
    select,
)
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError

from bridge.journal_json import EncodedPayload, json_safe, payload_text, serialize
from bridge.journal_kinds import JournalKind
from bridge.lease import LEASE_META
from bridge.schema import SchemaTooNew, check_version, mark_current, upgrade

__all__ = ["AccountSeen", "Journal", "JournalError", "JournalKind", "JournalRow", "PendingRow",
           "mask_url"]

_PROBE = "probe"  # the row a writable journal tries, then rolls back: never committed
_KINDS = frozenset(k.value for k in JournalKind)
_COLUMNS = ("id", "account", "time", "kind", "plan_id", "ticket", "payload")

_META = MetaData()
JOURNAL = Table(
    "journal",
    _META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", Integer, nullable=False, index=True),  # the login
    Column("server", String(64), nullable=False, server_default="", index=True),  # schema 2
    Column("time", Float, nullable=False),  # UTC epoch seconds (simulated time in a replay)
    Column("kind", String(16), nullable=False, index=True),
    Column("plan_id", String(64), nullable=True, index=True),
    Column("ticket", Integer, nullable=True),
    Column("payload", JSON, nullable=False),
)
_INSERT = insert(JOURNAL)  # one statement object: SQLAlchemy compiles it once, then reuses it

PendingRow = tuple[JournalKind | str, float, dict[str, Any], str | None, int | None]
"""A row for `Journal.append_many`: kind, time (UTC epoch s), payload, plan_id, ticket."""


@dataclass(frozen=True, slots=True)
class AccountSeen:
    """One account of a journal: login, trade server, its newest row (id, UTC epoch s)."""

    login: int
    server: str
    last_id: int
    last_time: float

    @property
    def name(self) -> str:
        """``LOGIN@SERVER`` (``LOGIN`` when the server is not recorded: a schema-1 row)."""
        return f"{self.login}@{self.server}" if self.server else str(self.login)


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One journal row; `payload` is plain JSON data (`bridge.journal_rows` types it); `kind` a
    `JournalKind` (the text itself for a kind this lca does not know)."""

    id: int
    account: int
    time: float
    kind: JournalKind | str
    plan_id: str | None
    ticket: int | None
    payload: dict[str, Any]
    server: str = ""  # the trade server ("" in a row written before schema 2)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for attempt in range(100):  # switching to WAL needs a moment alone with the file: another
        try:                    # guard opening it at the same instant answers "locked"
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except Exception as exc:  # sqlite3.OperationalError (the driver's own class)
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class JournalError(ValueError):
    """The journal cannot be used; the message names it (password masked) and the fix."""


def mask_url(url: str) -> str:
    """`url` with its password (if any) shown as ``***``: the only form ever printed."""
    try:
        parsed = make_url(url)
        return url if parsed.password is None else parsed.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1] if "@" in url else url


def _with_password(url: str, password_env: str) -> URL:
    """The URL to connect with: its own password, else the one in `password_env` (if set)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise JournalError(f"journal {mask_url(url)!r} is not a database URL (e.g. "
                           "sqlite:///runs/journal.db or postgresql+psycopg://lca@127.0.0.1/lca);"
                           " set [run] journal") from None
    secret = os.environ.get(password_env) if password_env else None
    if parsed.password is None and secret and parsed.get_backend_name() != "sqlite":
        parsed = parsed.set(password=secret)
    return parsed


class Journal:
    """Append-only journal over SQLAlchemy. `url` e.g. ``sqlite:///runs/journal.db``; a database
    password comes from the URL or from the environment variable `password_env`. With
    `writable` (the guard) the journal is created if missing and a write is tried (then rolled
    back) so that a read-only journal stops the guard before it connects to the terminal; without
    it (`lca status`) the journal is only read. Any problem is a `JournalError`."""

    def __init__(self, url: str, account: int = 0, *, server: str | None = None,
                 password_env: str = "LCA_JOURNAL_PASSWORD", writable: bool = True) -> None:
        self.url = mask_url(url)  # never the password
        self.account = account  # the login rows are written for and read of
        #: the trade server rows are written for; reading, None means any server of the login
        self.server = server
        full = _with_password(url, password_env)
        self._secret = full.password if isinstance(full.password, str) else None
        self.engine: Engine = _engine(full, self.url, writable)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            self._open(writable)
        except DBAPIError as exc:
            self.engine.dispose()
            raise JournalError(self._explain(exc)) from None
        except SchemaTooNew as exc:
            self.engine.dispose()
            raise JournalError(str(exc)) from None
        except JournalError:
            self.engine.dispose()
            raise

    def _open(self, writable: bool) -> None:
        """Check the layout (creating, upgrading and trying a write when `writable`)."""
        if writable:
            _create_tables(self.engine)
        self._check_schema()
        check_version(self.engine, self.url)
        if writable:
            upgrade(self.engine)
        self._has_server = "server" in {c["name"] for c in
                                        inspect(self.engine).get_columns("journal")}
        if writable:
            self._try_write()

    def _check_schema(self) -> None:
        tables = inspect(self.engine)
        if not tables.has_table("journal"):
            raise JournalError(f"journal {self.url}: no `journal` table (nothing journaled yet: "
                               "run `uv run lca run` first)")
        found = {c["name"] for c in tables.get_columns("journal")}
        missing = [c for c in _COLUMNS if c not in found]
        if missing:
            raise JournalError(
                f"journal {self.url}: its `journal` table is not lca's (no column "
                f"{', '.join(missing)}; found {', '.join(sorted(found))}): point [run] journal at "
                "another database or file")

    def _try_write(self) -> None:
        with self.engine.connect() as conn:
            trans = conn.begin()
            conn.execute(insert(JOURNAL).values(account=0, time=0.0, kind=_PROBE, payload={}))
            trans.rollback()

    def _explain(self, exc: DBAPIError) -> str:
        text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if self._secret:
            text = text.replace(self._secret, "***")
        low = text.lower()
        if "file is not a database" in low:
            fix = "it is not an SQLite database (another kind of file?): point [run] journal " \
                  "at another file or move this one away"
        elif "readonly" in low or "read-only" in low or "permission denied" in low:
            fix = "it cannot be written (read-only file, folder or database user): fix the " \
                  "permissions; the guard journals every order before it sends it"
        elif "unable to open" in low:
            fix = "it cannot be opened (missing or unwritable folder?)"
        elif "password" in low or "authentication" in low:
            fix = "the database refused the login: put the password in the environment " \
                  "variable of [run] journal_password_env (LCA_JOURNAL_PASSWORD by default)"
        elif "connection" in low or "could not connect" in low:
            fix = "cannot connect to the database server (is it running? host and port?)"
        else:
            fix = "the database cannot be used"
        return f"journal {self.url}: {fix} ({text})"

    def append(self, kind: JournalKind | str, time: float, payload: dict[str, Any], *,
               plan_id: str | None = None, ticket: int | None = None) -> int:
        """Write one row of `kind` (a `JournalKind`; its text is taken too) for this account
        (login and server) at `time` (UTC epoch seconds) and commit it; returns its id."""
        with self.engine.begin() as conn:
            result = conn.execute(_INSERT, self._values(kind, time, payload, plan_id, ticket))
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

    def append_many(self, rows: Sequence[PendingRow]) -> None:
        """Write `rows` (kind, time, payload, plan_id, ticket) in their order, committed
        together in one transaction: all of them or, if the process dies first, none. For the
        rows of one event that nothing acts on before they are all written (a decision's
        snapshot, decision and memory rows: docs/journal.md, "Rows written together").
        Their payloads' dict keys are text or numbers (`bridge.journal_json.payload_text`:
        the same bytes as `append` writes, in one pass of the C encoder)."""
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(_INSERT, [self._values(kind, time, EncodedPayload(payload_text(p)),
                                                plan_id, ticket)
                                   for kind, time, p, plan_id, ticket in rows])

    def _values(self, kind: JournalKind | str, time: float,
                payload: dict[str, Any] | EncodedPayload, plan_id: str | None,
                ticket: int | None) -> dict[str, Any]:
        return {"account": self.account, "server": self.server or "", "time": time,
                "kind": str(kind), "plan_id": plan_id, "ticket": ticket,
                "payload": payload if type(payload) is EncodedPayload else json_safe(payload)}

    def rows(self, kind: JournalKind | str | tuple[JournalKind | str, ...] | None = None, *,
             plan_id: str | None = None, ticket: int | None = None,
             slice_index: int | None = None, after_id: int = 0,
             before_id: int | None = None, limit: int | None = None,
             newest_first: bool = False, what: str | None = None) -> list[JournalRow]:
        """Rows of this account with `after_id` < id < `before_id`, oldest first unless
        `newest_first`, of `kind` (one, or any of a tuple), of `plan_id` and of position
        `ticket` when given; with `slice_index`, only rows whose payload's "slice_index" is it
        (an intent, result or slice row's slice); with `what`, only rows whose payload's "what"
        is it (a state row's subject). The database filters: no other row is decoded."""
        query = select(*self._columns()).where(JOURNAL.c.account == self.account,
                                               JOURNAL.c.id > after_id)
        if self.server is not None and self._has_server:
            query = query.where(JOURNAL.c.server == self.server)
        if before_id is not None:
            query = query.where(JOURNAL.c.id < before_id)
        if isinstance(kind, tuple):
            query = query.where(JOURNAL.c.kind.in_([str(k) for k in kind]))
        elif kind is not None:
            query = query.where(JOURNAL.c.kind == str(kind))
        if plan_id is not None:
            query = query.where(JOURNAL.c.plan_id == plan_id)
        if ticket is not None:
            query = query.where(JOURNAL.c.ticket == ticket)
        if slice_index is not None:
            query = query.where(JOURNAL.c.payload["slice_index"].as_integer() == slice_index)
        if what is not None:
            query = query.where(JOURNAL.c.payload["what"].as_string() == what)
        query = query.order_by(JOURNAL.c.id.desc() if newest_first else JOURNAL.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def last(self, kind: JournalKind | str) -> JournalRow | None:
        """The newest row of `kind`, or None."""
        found = self.rows(kind, limit=1, newest_first=True)
        return found[0] if found else None

    def latest_account(self) -> int | None:
        """The account of the newest row of any account (what `lca status` shows by default)."""
        query = select(JOURNAL.c.account).order_by(JOURNAL.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else int(found)

    def accounts(self) -> list[AccountSeen]:
        """Every account the journal holds rows of, the most recently active first."""
        server = JOURNAL.c.server if self._has_server else literal("").label("server")
        query = (select(JOURNAL.c.account, server, func.max(JOURNAL.c.id).label("last_id"),
                        func.max(JOURNAL.c.time).label("last_time"))
                 .where(JOURNAL.c.kind != _PROBE)
                 .group_by(JOURNAL.c.account, server))
        with self.engine.connect() as conn:
            found = [AccountSeen(int(r.account), str(r.server or ""), int(r.last_id),
                                 float(r.last_time)) for r in conn.execute(query)]
        return sorted(found, key=lambda a: -a.last_id)

    def for_account(self, login: int, server: str | None) -> Journal:
        """A reader of `login` on `server` sharing this journal's connection pool, leaving this
        one's account as it is (a running guard's journal keeps writing its own rows). Do not
        close it: closing disposes the shared pool."""
        view = copy.copy(self)
        view.account, view.server = login, server
        return view

    def use_account(self, login: int, server: str | None) -> None:
        """Read (and write) the rows of `login` on `server` (None: any server)."""
        self.account, self.server = login, server

    def _columns(self) -> list[Any]:
        """The columns a read selects (a schema-1 journal, read only, has no `server`)."""
        return [c for c in JOURNAL.c if c.name != "server" or self._has_server]

    def __iter__(self) -> Iterator[JournalRow]:
        return iter(self.rows())

    def close(self) -> None:
        self.engine.dispose()


def _engine(full: URL, shown: str, writable: bool) -> Engine:
    """The engine for `full` (a writable SQLite file gets its folder); `shown` is the URL
    without its password, for the `JournalError`."""
    try:
        if full.get_backend_name() == "sqlite" and writable and full.database and \
                full.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(full.database)), exist_ok=True)
        return create_engine(full, future=True, json_serializer=serialize)
    except ModuleNotFoundError as exc:
        raise JournalError(
            f"journal {shown}: the database driver `{exc.name}` is not installed; for "
            "PostgreSQL run `uv sync --extra postgres` (psycopg 3)") from None
    except OSError as exc:
        raise JournalError(f"journal {shown}: cannot create its folder: "
                           f"{exc.strerror}") from None


def _create_tables(engine: Engine) -> None:
    """Create the journal and lease tables if missing; a guard starting at the same instant may
    create them first (the loser's CREATE TABLE fails: fine when the tables are there now)."""
    for attempt in range(3):
        try:
            fresh = not inspect(engine).has_table("journal")
            _META.create_all(engine)
            LEASE_META.create_all(engine)
            if fresh:
                mark_current(engine)
            return
        except DBAPIError:
            if attempt == 2:
                raise
            time.sleep(0.1)


def _row(r: Any) -> JournalRow:
    payload = r.payload if isinstance(r.payload, dict) else json.loads(r.payload)
    kind = JournalKind(r.kind) if r.kind in _KINDS else r.kind
    return JournalRow(id=r.id, account=r.account, time=r.time, kind=kind, plan_id=r.plan_id,
                      ticket=r.ticket, payload=payload, server=getattr(r, "server", "") or "")
