"""Issue 11 §6 (journal part): every journal error a user can cause is a message naming the
journal and the fix, never a traceback; nothing already journaled is lost; the journal is
checked (opened and found writable) before the terminal is touched: the config points at an
mt5linux terminal on a closed loopback port, so reaching the terminal first would show a
connection error instead of the journal's.

Read-only: SQLite's own read-only mode (``?mode=ro``), since the tests run as root on CI, for
whom file permissions do not apply."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from loguru import logger

from bridge.cli import main
from bridge.journal import Journal, JournalError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    logger.remove()
    logger.add(sys.stderr)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(folder: Path, url: str) -> Path:
    path = folder / "config.toml"
    path.write_text(f'[terminal]\nkind = "mt5linux"\nhost = "127.0.0.1"\nport = {_closed_port()}\n'
                    f'[run]\njournal = "{url}"\nlog_file = "{folder}/lca.log"\n',
                    encoding="utf-8")
    return path


def _lca(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, " ".join(text.split())


def _journal_with_rows(path: Path) -> list[tuple[object, ...]]:
    journal = Journal(f"sqlite:///{path}", account=7)
    journal.append("run", 1.0, {"mode": "observe"})
    journal.append("state", 2.0, {"what": "mode", "message": "planted"})
    journal.close()
    return _dump(path)


def _dump(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT * FROM journal ORDER BY id"))


def test_a_read_only_journal_is_named_before_the_terminal_is_reached(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "journal.db"
    before = _journal_with_rows(db)
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    code, text = _lca(capsys, "run", "--quiet", "--config", str(_config(tmp_path, url)))
    assert code == 2
    assert "journal error" in text
    assert "cannot be written" in text
    assert "refused" not in text.lower()  # the terminal was not reached first
    assert _dump(db) == before


def test_a_journal_that_is_not_a_database_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "journal.db"
    db.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    config = _config(tmp_path, f"sqlite:///{db}")
    code, text = _lca(capsys, "run", "--quiet", "--config", str(config))
    assert code == 2
    assert "not an SQLite database" in text
    assert str(db) in text.replace(" ", "")  # (the console wraps long lines)
    code, text = _lca(capsys, "status", "--config", str(config))
    assert code == 2
    assert "not an SQLite database" in text
    assert db.read_text(encoding="utf-8").startswith("these are my notes")


def test_a_foreign_journal_table_is_named_and_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE journal (entry TEXT, written TEXT)")
        conn.execute("INSERT INTO journal VALUES ('dear diary', 'today')")
    config = _config(tmp_path, f"sqlite:///{db}")
    code, text = _lca(capsys, "run", "--quiet", "--config", str(config))
    assert code == 2
    assert "`journal` table is not lca's" in text
    code, text = _lca(capsys, "status", "--config", str(config))
    assert code == 2
    assert "`journal` table is not lca's" in text
    with sqlite3.connect(db) as conn:
        assert list(conn.execute("SELECT * FROM journal")) == [("dear diary", "today")]


def test_a_missing_database_driver_names_the_extra_to_install(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg2://lca@127.0.0.1:5432/lca"  # psycopg2 is not installed
    code, text = _lca(capsys, "run", "--quiet", "--config", str(_config(tmp_path, url)))
    assert code == 2
    assert "psycopg2" in text
    assert "uv sync --extra postgres" in text


def test_a_journal_folder_that_cannot_be_created_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "sqlite:////proc/lca-cannot-be-here/journal.db"  # not even root can create it
    code, text = _lca(capsys, "run", "--quiet", "--config", str(_config(tmp_path, url)))
    assert code == 2
    assert "journal error" in text
    assert "/proc/lca-cannot-be-here" in text.replace(" ", "")


# -- §7 (journal part): the journal URL's password ---------------------------------------------

def _lca_process(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", *args], cwd=folder,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **env})


def _pg_config(folder: Path, url: str) -> Path:
    path = folder / "config.toml"
    path.write_text(f'[run]\njournal = "{url}"\nlog_file = "{folder}/lca.log"\n'
                    "compare_unguarded = false\n", encoding="utf-8")
    return path


def _leaks(secret: str, folder: Path, *procs: subprocess.CompletedProcess[str]) -> list[str]:
    found = [f"{p.args[3]} {'stdout' if secret in p.stdout else 'stderr'}" for p in procs
             if secret in p.stdout or secret in p.stderr]
    found += [str(f) for f in folder.rglob("*") if f.is_file() and f.name != "config.toml"
              and secret.encode() in f.read_bytes()]  # (the user wrote it into config.toml)
    return found


@pytest.mark.slow
def test_a_password_in_the_journal_url_is_never_printed(tmp_path: Path, pg_server) -> None:
    url = pg_server.url(pg_server.create_database(), with_password=True)
    config = _pg_config(tmp_path, url)
    run = _lca_process(tmp_path, "run", "--config", str(config))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "lca:***@127.0.0.1" in run.stdout  # the journal is named, its password masked
    status = _lca_process(tmp_path, "status", "--config", str(config))
    as_json = _lca_process(tmp_path, "status", "--json", "--config", str(config))
    assert status.returncode == 0, status.stderr
    assert as_json.returncode == 0, as_json.stderr
    wrong_url = url.replace(pg_server.password, "planted-Wrong-pw-77")
    wrong = _lca_process(tmp_path, "run", "--config", str(_pg_config(tmp_path, wrong_url)))
    assert wrong.returncode == 2
    assert "journal_password_env" in wrong.stderr  # the fix is named
    assert "Traceback" not in wrong.stderr
    wrong_status = _lca_process(tmp_path, "status", "--journal", wrong_url)
    assert wrong_status.returncode == 2
    assert _leaks(pg_server.password, tmp_path, run, status, as_json) == []
    assert _leaks("planted-Wrong-pw-77", tmp_path, wrong, wrong_status) == []


def test_the_journal_password_can_come_from_the_environment(
        tmp_path: Path, pg_server, monkeypatch: pytest.MonkeyPatch) -> None:
    url = pg_server.url(pg_server.create_database())  # no password in the URL
    monkeypatch.delenv("LCA_JOURNAL_PASSWORD", raising=False)
    with pytest.raises(JournalError, match="journal_password_env"):
        Journal(url)  # the server asks for a password: refused, the fix named
    monkeypatch.setenv("LCA_JOURNAL_PASSWORD", pg_server.password)  # the default variable
    journal = Journal(url)
    journal.append("state", 1.0, {"what": "mode", "message": "planted"})
    journal.close()
    config = tmp_path / "config.toml"  # a variable of the user's choosing
    config.write_text(f'[run]\njournal = "{url}"\njournal_password_env = "MY_JOURNAL_PW"\n',
                      encoding="utf-8")
    status = _lca_process(tmp_path, "status", "--json", "--config", str(config),
                          MY_JOURNAL_PW=pg_server.password)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["states"][0]["message"] == "planted"
    assert pg_server.password not in status.stdout + status.stderr
