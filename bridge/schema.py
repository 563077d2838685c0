"""The journal database's layout version, and the upgrades from each older one.

Table `lca_schema`: one row per upgrade applied (`version`, `applied` wall-clock UTC epoch s,
`note`); the journal's version is the highest. Versions:

1. the layout before versioning (no `lca_schema` table): `journal` (id, account, time, kind,
   plan_id, ticket, payload) and `lease`;
2. `journal.server`: the trade server of every row (``""`` for the rows written before it), so
   one journal holds many accounts whose logins may repeat across brokers.

A guard (a writable journal) upgrades an older journal in place, one step per transaction, rows
kept; two guards upgrading at the same instant are safe (the loser finds the step applied). A
journal newer than this lca is refused with a sentence, never written to. `lca status` reads an
older journal without upgrading it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

__all__ = ["CURRENT", "SCHEMA", "SchemaTooNew", "check_version", "mark_current", "upgrade",
           "version"]

#: the layout this lca writes
CURRENT = 2

SCHEMA_META = MetaData()
SCHEMA = Table(
    "lca_schema",
    SCHEMA_META,
    Column("version", Integer, primary_key=True),
    Column("applied", Float, nullable=False),  # wall-clock UTC epoch seconds
    Column("note", String(200), nullable=False),
)


class SchemaTooNew(ValueError):
    """The journal was written by a newer lca than this one."""


def _add_server(conn: Connection) -> None:
    columns = {c["name"] for c in inspect(conn).get_columns("journal")}
    if "server" not in columns:
        conn.execute(sql("ALTER TABLE journal ADD COLUMN server VARCHAR(64) NOT NULL DEFAULT ''"))
    indexes = {i["name"] for i in inspect(conn).get_indexes("journal")}
    if "ix_journal_server" not in indexes:
        conn.execute(sql("CREATE INDEX ix_journal_server ON journal (server)"))


#: version → (the step that makes it from the one before, what it does)
STEPS: dict[int, tuple[Callable[[Connection], None], str]] = {
    2: (_add_server, "journal.server: the trade server of every row"),
}


def version(engine: Engine | Connection) -> int:
    """The journal's layout version (1 for a journal from before versioning, 0 for none)."""
    found = inspect(engine)
    if not found.has_table("journal"):
        return 0
    if not found.has_table("lca_schema"):
        return 1
    query = select(func.max(SCHEMA.c.version))
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            v = conn.execute(query).scalar()
    else:
        v = engine.execute(query).scalar()
    return int(v) if v is not None else 1


def check_version(engine: Engine, where: str) -> None:
    """`SchemaTooNew` (naming the journal and both versions) when lca cannot read it."""
    v = version(engine)
    if v > CURRENT:
        raise SchemaTooNew(f"journal {where} has layout version {v}, written by a newer lca "
                           f"(this one knows up to {CURRENT}): upgrade lca to read it")


def mark_current(engine: Engine) -> None:
    """A journal created just now by this lca: record the current version."""
    SCHEMA_META.create_all(engine)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(SCHEMA)).scalar() == 0:
            conn.execute(insert(SCHEMA).values(version=CURRENT, applied=time.time(),
                                               note="created"))


def upgrade(engine: Engine) -> list[int]:
    """Apply every step from the journal's version to CURRENT; returns the versions applied
    (empty when it was current). `SchemaTooNew` for a newer journal."""
    for attempt in range(3):
        try:
            return _upgrade(engine)
        except DBAPIError:  # another guard applied the same step at the same instant
            if attempt == 2:
                raise
            time.sleep(0.1)
    return []


def _upgrade(engine: Engine) -> list[int]:
    SCHEMA_META.create_all(engine)
    done: list[int] = []
    start = version(engine)
    if start > CURRENT:
        raise SchemaTooNew(f"layout version {start} is newer than this lca's ({CURRENT})")
    for v in range(max(start, 1) + 1, CURRENT + 1):
        step, note = STEPS[v]
        with engine.begin() as conn:
            if version(conn) >= v:  # applied meanwhile by another guard
                continue
            step(conn)
            conn.execute(insert(SCHEMA).values(version=v, applied=time.time(), note=note))
        done.append(v)
    return done
