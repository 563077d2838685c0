"""notify.txt, the alerts the EA pushes to the phone: Python writes what the golden file says,
and the compiled EA pushes what Python wrote, once (tests/mql5/scenarios.cpp does the rest)."""

from __future__ import annotations

from pathlib import Path

import harness
import pytest

from bridge.ealink import ProtocolError, link_folder_from_common
from bridge.ealink.notify import (
    MAX_MESSAGES,
    MAX_TEXT,
    Notice,
    NotifyWriter,
    format_notify,
    parse_notify,
    push_text,
)

NOW = 1_700_000_000
V1 = [Notice(1_700_000_000_400, NOW, "lca: REDUCING: EffLev 4.20 above the band's 3.00; MSI 1.8;"
                                       " plan of 3 slices"),
      Notice(1_700_000_000_500, NOW, "lca: crash flag: MINIMUM regime; LVI 2.4 >= 2.0")]


def golden(name: str) -> str:
    return (harness.GOLDEN_DIR / name).read_bytes().decode("ascii")


def test_the_notify_format_is_the_golden_file_byte_for_byte() -> None:
    assert format_notify(1_700_000_000_500, NOW, V1) == golden("notify_v1.txt")
    assert parse_notify(golden("notify_v1.txt")) == (1_700_000_000_500, NOW, V1)


def test_a_torn_notify_file_is_rejected() -> None:
    with pytest.raises(ProtocolError):
        parse_notify(golden("notify_torn.txt"))


def test_push_text_is_one_line_of_printable_ascii_within_mt5s_255_characters() -> None:
    assert push_text("lca: HALTED", "EffLev 5.1× ≥ cap\r\nMSI 1.1 — Zürich") == \
        "lca: HALTED: EffLev 5.1x >= cap MSI 1.1 - Zurich"
    long = push_text("lca: plan", "x" * 400)
    assert len(long) == MAX_TEXT
    assert long.endswith("...")
    assert push_text("", "") == "lca alert"


def test_the_writer_keeps_the_last_messages_and_continues_the_sequence_across_runs(
    tmp_path: Path,
) -> None:
    clock = iter(float(NOW + i) for i in range(100))
    writer = NotifyWriter(tmp_path, clock=lambda: next(clock))
    for i in range(MAX_MESSAGES + 3):
        writer.add(f"lca: alert {i}", "body")
    sequence, _, notices = parse_notify((tmp_path / "notify.txt").read_text())
    assert [n.text for n in notices] == [f"lca: alert {i}: body"
                                         for i in range(3, MAX_MESSAGES + 3)]
    assert sequence == notices[-1].sequence == writer.sequence
    # a new run whose clock went back still writes above the file on disk
    again = NotifyWriter(tmp_path, clock=lambda: float(NOW - 3600))
    assert again.add("lca: started", "").sequence == sequence + 1


def test_the_ea_pushes_what_python_wrote_once_even_after_a_restart(
    guard_binary: Path, tmp_path: Path
) -> None:
    folder = link_folder_from_common(tmp_path / "Common")
    writer = NotifyWriter(folder, clock=lambda: float(NOW))
    writer.add("lca: HALTED", "EffLev 5.10 above the cap 3.00: no new exposure")
    proc = harness.run_scenario(guard_binary, "notify_interop", tmp_path, gmt=NOW + 1)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "push lca: HALTED: EffLev 5.10 above the cap 3.00: no new exposure",
        f"sent {writer.sequence}"]
