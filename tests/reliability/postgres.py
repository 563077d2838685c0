"""A throwaway PostgreSQL server for the journal and lease tests.

Debian's binaries (`apt-get install postgresql`; `.ci/run` installs them when `initdb` is
missing) are looked for in /usr/lib/postgresql/*/bin (or $LCA_PG_BIN). The server lives in a
temporary folder, listens on 127.0.0.1 on a free port (its unix socket in that folder), asks for
a password (scram-sha-256, superuser `lca`), and is stopped and removed at the end of the
session. As root (CI, this workplace) it runs as the `postgres` user, since PostgreSQL refuses to
run as root. Without the binaries the tests that need it are skipped with the reason, except
under CI (`CI` set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "pg-" + uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class PgServer:
    """A running server: `url(db)` is a SQLAlchemy URL without the password."""

    port: int
    password: str

    def url(self, database: str, *, with_password: bool = False) -> str:
        secret = f":{self.password}" if with_password else ""
        return f"postgresql+psycopg://lca{secret}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh empty database; returns its name."""
        import psycopg

        name = "t" + uuid.uuid4().hex[:12]
        with psycopg.connect(host="127.0.0.1", port=self.port, user="lca",
                             password=self.password, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _bin_dir() -> Path | None:
    if os.environ.get("LCA_PG_BIN"):
        return Path(os.environ["LCA_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> Iterator[PgServer]:
    """Start the server, yield it, stop it (the body of the session fixture)."""
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        reason = ("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/initdb or "
                  "$LCA_PG_BIN): `apt-get install postgresql` to run the PostgreSQL tests")
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run them: .ci/run installs postgresql)")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="lca-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if prefix:
        shutil.chown(pwfile, "postgres", "postgres")
    data, log = folder / "data", folder / "log"
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "lca",
                    f"--pwfile={pwfile}", "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"],
                   **run)  # type: ignore[call-overload]
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o",
                    options, "-w", "start"], **run)  # type: ignore[call-overload]
    try:
        yield PgServer(port, PASSWORD)
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], check=False, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
