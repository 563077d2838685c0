"""Issue 11 §6 (the cases outside the journal): every error a user can cause is a message, not a
traceback. A configuration file that is binary, not UTF-8, a directory, or nested beyond reason
(through `lca check`, `lca run` and `lca decide`); a snapshot for `lca decide --snapshot` that is
binary or nested beyond reason; a log folder that cannot be written (`lca run` stops before it
connects to the terminal or opens the journal).

Each case runs the real command in-process and checks the exit code, that the message names the
file and what to do, and that no traceback reaches the user.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from loguru import logger

from bridge.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed-003-worked-example.json"


@pytest.fixture(autouse=True)
def _wide_console_and_default_log(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per message
    yield
    logger.remove()  # lca run may have pointed loguru at a captured stream
    logger.add(sys.stderr)


def _config_case(kind: str, folder: Path) -> tuple[Path, str]:
    """A bad configuration file and a phrase its message must contain."""
    path = folder / "config.toml"
    if kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
        return path, "not UTF-8 text"
    if kind == "not UTF-8":
        path.write_bytes('[run]\nmode = "observe"  # é in Latin-1\n'.encode("latin-1"))
        return path, "not UTF-8 text"
    if kind == "a directory":
        path.mkdir()
        return path, "is a folder, not a file"
    if kind == "arrays nested beyond reason":
        path.write_text("[terminal]\nwatch = " + "[" * 50_000 + "]" * 50_000 + "\n")
        return path, "nested"
    if kind == "tables nested beyond reason":
        path.write_text("[" + ".".join(["a"] * 5_000) + "]\nx = 1\n")
        return path, "nested"
    if kind == "inline tables nested beyond reason":
        path.write_text("x = " + "{a = " * 2_000 + "1" + "}" * 2_000 + "\n")
        return path, "nested"
    raise AssertionError(kind)


CONFIG_CASES = ("binary", "not UTF-8", "a directory", "arrays nested beyond reason",
                "tables nested beyond reason", "inline tables nested beyond reason")


@pytest.mark.parametrize("command", ["check", "run", "decide"])
@pytest.mark.parametrize("kind", CONFIG_CASES)
def test_a_bad_config_file_is_a_message_naming_it(tmp_path, capsys, kind, command):
    path, words = _config_case(kind, tmp_path)
    extra = ["--snapshot", str(EXAMPLE)] if command == "decide" else []
    code = main([command, "--config", str(path), *extra])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2
    assert str(path) in text
    assert words in text
    assert "Traceback" not in text


def _snapshot_case(kind: str, folder: Path) -> tuple[Path, str]:
    path = folder / "snapshot.json"
    if kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
        return path, "not UTF-8 text"
    if kind == "nested beyond reason (arrays)":
        path.write_text("[" * 100_000 + "]" * 100_000)
        return path, "nested"
    if kind == "nested beyond reason (objects, inside a valid snapshot)":
        doc = json.loads(EXAMPLE.read_text())
        deep: dict = {}
        node = deep
        for _ in range(500):  # below Python's recursion limit, far beyond any snapshot
            node["a"] = {}
            node = node["a"]
        doc["memory"] = deep
        path.write_text(json.dumps(doc))
        return path, "nested"
    if kind == "a directory":
        path.mkdir()
        return path, "is a folder, not a file"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["binary", "nested beyond reason (arrays)",
                                  "nested beyond reason (objects, inside a valid snapshot)",
                                  "a directory"])
def test_a_bad_snapshot_file_is_a_message_naming_it(tmp_path, capsys, kind):
    path, words = _snapshot_case(kind, tmp_path)
    code = main(["decide", "--snapshot", str(path)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2
    assert str(path) in text
    assert words in text
    assert "Traceback" not in text


@pytest.mark.parametrize("kind", ["its folder is a file", "it is a folder"])
def test_an_unwritable_log_is_a_message_before_the_terminal_or_journal(tmp_path, capsys, kind):
    if kind == "its folder is a file":
        (tmp_path / "logs").write_text("not a folder")
        log = tmp_path / "logs" / "lca.log"
    else:
        log = tmp_path / "lca.log"
        log.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[run]\njournal = "sqlite:///{tmp_path}/journal.db"\n'
                      f'log_file = "{log}"\n', encoding="utf-8")
    code = main(["run", "--quiet", "--config", str(config)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2
    assert str(log) in text
    assert "[run] log_file" in text
    assert "Traceback" not in text
    assert not (tmp_path / "journal.db").exists()  # stopped before the journal (and terminal)
