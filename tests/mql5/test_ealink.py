"""LimitsWriter, TelemetryReader, EaLink, TelemetryHistory and the common-folder resolver."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import harness
import numpy as np
import pytest

from bridge.ealink import (
    EaFolderError,
    EaLimits,
    EaLink,
    EaLinkError,
    LimitsWriter,
    TelemetryBusyError,
    TelemetryHistory,
    TelemetryMissingError,
    TelemetryReader,
    TornFileError,
    parse_limits,
    parse_telemetry,
    resolve_link_folder,
)

LIMITS = EaLimits(sequence=3, heartbeat_utc=1_700_000_000, max_eff_lev=2.0, msi_floor=1.5,
                  symbols={"EURUSD": 1.0})


def test_writer_replaces_the_file_atomically_and_leaves_no_temp(tmp_path: Path) -> None:
    folder = tmp_path / "Files" / "lca"
    writer = LimitsWriter(folder)
    path = writer.write(LIMITS)
    assert path == folder / "limits.txt"
    assert parse_limits(path.read_text(encoding="ascii")) == LIMITS
    assert path.read_bytes().endswith(b"\r\n")
    assert sorted(p.name for p in folder.iterdir()) == ["limits.txt"]
    assert writer.last_sequence() == 3


def test_writer_retries_a_windows_sharing_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[int] = []

    def flaky(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise PermissionError(13, "The process cannot access the file (sharing violation)")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    slept: list[float] = []
    writer = LimitsWriter(tmp_path, retries=5, retry_delay_s=0.01, sleep=slept.append)
    writer.write(LIMITS)
    assert len(calls) == 3
    assert slept == [0.01, 0.01]
    assert parse_limits((tmp_path / "limits.txt").read_text(encoding="ascii")) == LIMITS


def test_writer_gives_up_with_a_named_error_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "sharing violation")

    monkeypatch.setattr(os, "replace", locked)
    writer = LimitsWriter(tmp_path, retries=3, sleep=lambda s: None)
    with pytest.raises(EaLinkError, match="after 3 tries"):
        writer.write(LIMITS)
    assert list(tmp_path.iterdir()) == []


def test_reader_names_a_missing_and_a_torn_file(tmp_path: Path) -> None:
    reader = TelemetryReader(tmp_path)
    with pytest.raises(TelemetryMissingError, match="attach LiquidityGuard"):
        reader.read()
    good = (harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes()
    (tmp_path / "telemetry.txt").write_bytes(good[: len(good) // 2])
    with pytest.raises(TornFileError):
        reader.read()
    (tmp_path / "telemetry.txt").write_bytes(good)
    assert reader.read() == parse_telemetry(good.decode("ascii"))


def test_a_busy_telemetry_file_is_a_named_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "telemetry.txt").write_bytes((harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes())

    def busy(self: Path) -> bytes:
        raise PermissionError(32, "being used by another process")

    monkeypatch.setattr(Path, "read_bytes", busy)
    with pytest.raises(TelemetryBusyError, match="read it again"):
        TelemetryReader(tmp_path).read()
    link = EaLink(tmp_path)
    assert link.poll() is None
    assert link.last_error is not None


def test_link_publishes_heartbeats_with_increasing_sequence(tmp_path: Path) -> None:
    link = EaLink(tmp_path)
    assert link.heartbeat(1_700_000_000.0) is None  # nothing to repeat before a publish
    first = link.publish(now_utc=1_700_000_000.7, max_eff_lev=2.5, msi_floor=1.5, prop_lock=False,
                         symbols={"EURUSD": 2.0})
    assert first.heartbeat_utc == 1_700_000_000
    beat = link.heartbeat(1_700_000_005.2)
    assert beat is not None
    assert beat.heartbeat_utc == 1_700_000_005
    assert beat.sequence > first.sequence
    assert dict(beat.symbols) == {"EURUSD": 2.0}
    assert parse_limits((tmp_path / "limits.txt").read_text(encoding="ascii")) == beat
    # a restarted lca continues above the sequence on disk, even with its clock set back
    again = EaLink(tmp_path).publish(now_utc=1_699_999_000, max_eff_lev=2.5, msi_floor=1.5,
                                     prop_lock=True, symbols={})
    assert again.sequence == beat.sequence + 1


def _publish(link: EaLink, now: float) -> int:
    return link.publish(now_utc=now, max_eff_lev=2.5, msi_floor=1.5, prop_lock=False,
                        symbols={"EURUSD": 2.0}).sequence


@pytest.mark.parametrize("left_behind", ["nothing", "a torn file"])
def test_a_restarted_lca_starts_above_every_sequence_of_the_run_before(
        tmp_path: Path, left_behind: str) -> None:
    # the EA refuses a sequence that goes backwards: a new run that started again from 1 (its
    # limits.txt deleted or torn) would be ignored by the EA for ever; the sequence follows the
    # clock in milliseconds, so a later run is always above an earlier one
    first = EaLink(tmp_path)
    last = max(_publish(first, 1_700_000_000.0 + 5 * i) for i in range(20))
    path = tmp_path / "limits.txt"
    if left_behind == "nothing":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:30])
    assert _publish(EaLink(tmp_path), 1_700_000_200.0) > last


def test_a_restarted_lca_starts_above_what_the_ea_acknowledged(tmp_path: Path) -> None:
    # no limits file and a clock set back: the EA's telemetry still names the sequence it holds
    from bridge.ealink import format_telemetry

    acked = 1_800_000_000_000
    telemetry = parse_telemetry((harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes()
                                .decode("ascii"))
    held = type(telemetry)(telemetry.sequence, telemetry.written_utc, False, acked,
                           telemetry.heartbeat_utc, True, telemetry.symbols)
    (tmp_path / "telemetry.txt").write_text(format_telemetry(held), encoding="ascii",
                                            newline="")
    assert _publish(EaLink(tmp_path), 1_700_000_000.0) > acked


def test_link_poll_keeps_the_last_good_telemetry(tmp_path: Path) -> None:
    link = EaLink(tmp_path)
    assert link.poll() is None
    assert link.last_error is not None
    assert "does not exist" in link.last_error
    good = (harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes()
    (tmp_path / "telemetry.txt").write_bytes(good)
    t = link.poll()
    assert t is not None
    assert t.limits_sequence == 42
    (tmp_path / "telemetry.txt").write_bytes(good[:40])
    assert link.poll() is None
    assert link.last_telemetry == t
    assert link.history.of("EURUSD").time_utc.tolist() == [1_700_000_000]


def test_history_accumulates_once_per_file_and_is_bounded() -> None:
    base = parse_telemetry((harness.GOLDEN_DIR / "telemetry_v1.txt").read_text(encoding="ascii"))
    history = TelemetryHistory(maxlen=3)
    assert history.add(base)
    assert not history.add(base)  # the same file read twice
    for i in range(1, 5):
        history.add(type(base)(base.sequence + i, base.written_utc + i, False, 42, 0, True,
                               base.symbols))
    eu = history.of("EURUSD")
    assert eu.time_utc.tolist() == [1_700_000_002, 1_700_000_003, 1_700_000_004]
    np.testing.assert_allclose(eu.bid_depth, [12.5, 12.5, 12.5])
    assert history.of("XAUUSD").time_utc.size == 0
    assert history.symbols() == ("EURUSD", "GBPUSD", "USDJPY")


def test_link_folder_from_terminal_or_config(tmp_path: Path) -> None:
    terminal = SimpleNamespace(
        terminal_info=lambda: SimpleNamespace(commondata_path=str(tmp_path / "Common"))
    )
    assert resolve_link_folder(terminal) == tmp_path / "Common" / "Files" / "lca"
    assert resolve_link_folder(terminal, tmp_path / "X") == tmp_path / "X" / "Files" / "lca"
    with pytest.raises(EaFolderError, match="commondata_path"):
        resolve_link_folder(SimpleNamespace(terminal_info=lambda: None))
    with pytest.raises(EaFolderError, match="configuration"):
        resolve_link_folder()


def _rehash(text: str) -> str:
    from bridge.ealink import hash31

    lines = text.split("\r\n")[:-2]
    seq = text.split("\r\n")[-2].split("=")[1].split(";")[0]
    return "".join(x + "\r\n" for x in [*lines, f"end={seq};{hash31(lines)}"])


@pytest.mark.parametrize(
    ("good", "bad", "reason"),
    [
        (";12.50;9.50;", ";-12.50;9.50;", "bid_depth"),
        (";12.50;9.50;", ";nan;9.50;", "bid_depth"),
        (";12.50;9.50;", ";12.50;" + "9" * 25 + ";", "ask_depth"),
        (";12.50;9.50;3;", ";12.50;9.50;-3;", "levels"),
    ],
)
def test_a_bad_value_on_one_symbol_line_rejects_that_symbol_only(
        good: str, bad: str, reason: str) -> None:
    text = (harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes().decode("ascii")
    assert good in text
    t = parse_telemetry(_rehash(text.replace(good, bad)))
    assert sorted(t.symbols) == ["GBPUSD", "USDJPY"]
    assert list(t.rejected) == ["EURUSD"]
    assert reason in t.rejected["EURUSD"]


def test_a_symbol_named_twice_is_rejected_not_the_file() -> None:
    text = (harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes().decode("ascii")
    line = next(x for x in text.split("\r\n") if x.startswith("s=GBPUSD"))
    t = parse_telemetry(_rehash(text.replace(line, line + "\r\n" + line)))
    assert "GBPUSD" not in t.symbols
    assert "twice" in t.rejected["GBPUSD"]


def test_screen_future_stamp_is_stale_and_old_quotes_are_left_out() -> None:
    from bridge.ealink.screen import screen_depth

    t = parse_telemetry((harness.GOLDEN_DIR / "telemetry_v1.txt").read_bytes().decode("ascii"))
    now = 1_700_000_000
    assert screen_depth(t, now, 30).depth == {"EURUSD": (12.5, 9.5)}  # only a published book
    assert screen_depth(t, now + 31, 30).stale is not None  # too old
    future = screen_depth(t, now - 3600, 30)  # the file is an hour ahead of lca's clock
    assert future.stale is not None
    assert "future" in future.stale
    assert screen_depth(t, now - 5, 30).stale is None  # small clock skew is tolerated
