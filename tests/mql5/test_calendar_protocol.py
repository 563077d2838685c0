"""Telemetry version 2: version 1 plus the broker's economic calendar (mql5/PROTOCOL.md).

The golden file ``telemetry_v2.txt`` is what the compiled EA writes in the scenario
``telemetry_v2_matches_golden`` (tests/mql5/scenarios.cpp); ``telemetry_v1.txt`` stays what an EA
with the calendar off (or an older EA) writes, and this lca reads both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.ealink import (
    CalendarEvent,
    ProtocolError,
    WrongVersionError,
    format_telemetry,
    hash31,
    parse_telemetry,
)

GOLDEN = Path(__file__).resolve().parents[2] / "mql5" / "golden"


def golden(name: str) -> str:
    return (GOLDEN / name).read_bytes().decode("ascii")


def rehash(text: str) -> str:
    """``text`` with its end marker recomputed (a valid file with an edited body)."""
    lines = text.split("\r\n")[:-2]
    seq = lines[1].partition("=")[2]
    return "".join(line + "\r\n" for line in lines) + f"end={seq};{hash31(lines)}\r\n"


V2_EVENTS = (
    CalendarEvent(1_700_001_800, "USD", "high", 840030016, "Nonfarm Payrolls"),
    CalendarEvent(1_700_005_400, "EUR", "medium", 999010007, "ECB President Lagarde Speaks"),
    CalendarEvent(1_700_009_000, "GBP", "high", 826020009, "BoE Interest Rate Decision"),
)


def test_golden_telemetry_v2_parses_to_the_calendar_events_the_ea_wrote() -> None:
    t = parse_telemetry(golden("telemetry_v2.txt"))
    assert t.version == 2
    assert t.calendar_utc == 1_700_000_000
    assert t.calendar_hours == 24
    assert t.events == V2_EVENTS
    assert sorted(t.symbols) == ["EURUSD", "GBPUSD", "USDJPY"]
    assert t.limits_sequence == 42


def test_telemetry_v2_is_written_byte_for_byte_as_the_golden_file() -> None:
    t = parse_telemetry(golden("telemetry_v2.txt"))
    assert format_telemetry(t) == golden("telemetry_v2.txt")


def test_telemetry_v1_still_reads_with_no_calendar() -> None:
    t = parse_telemetry(golden("telemetry_v1.txt"))
    assert (t.version, t.calendar_utc, t.calendar_hours, t.events) == (1, 0, 0, ())
    assert format_telemetry(t) == golden("telemetry_v1.txt")


def test_the_symbols_of_v1_and_v2_are_the_same_readings() -> None:
    v1 = parse_telemetry(golden("telemetry_v1.txt"))
    v2 = parse_telemetry(golden("telemetry_v2.txt"))
    assert v1.symbols == v2.symbols


def test_an_event_name_may_hold_a_semicolon() -> None:
    text = golden("telemetry_v2.txt").replace("Nonfarm Payrolls", "Payrolls; revised")
    t = parse_telemetry(rehash(text))
    assert t.events[0].name == "Payrolls; revised"


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("e=1700001800;USD;high", "e=17000018x0;USD;high", "time_utc"),
        ("e=1700001800;USD;high", "e=1700001800;US;high", "currency"),
        ("e=1700001800;USD;high", "e=1700001800;USD;low", "importance"),
        ("840030016;Nonfarm Payrolls", "840030016;", "name"),
        ("840030016;Nonfarm", "-5;Nonfarm", "event_id"),
    ],
)
def test_a_bad_event_line_costs_that_event_alone(old: str, new: str, why: str) -> None:
    t = parse_telemetry(rehash(golden("telemetry_v2.txt").replace(old, new)))
    assert t.events == V2_EVENTS[1:]
    assert len(t.rejected_events) == 1
    assert why in t.rejected_events[0]
    assert sorted(t.symbols) == ["EURUSD", "GBPUSD", "USDJPY"]


def test_another_event_column_list_is_another_version() -> None:
    text = golden("telemetry_v2.txt").replace(";event_id;name", ";event_id;name;extra")
    with pytest.raises(WrongVersionError, match="event_columns"):
        parse_telemetry(rehash(text))


def test_an_event_line_before_a_symbol_line_is_refused_as_a_whole() -> None:
    lines = golden("telemetry_v2.txt").split("\r\n")
    e = next(i for i, line in enumerate(lines) if line.startswith("e="))
    lines.insert(11, lines.pop(e))  # an e= line among the s= lines
    with pytest.raises(ProtocolError, match="after every 's=' line"):
        parse_telemetry(rehash("\r\n".join(lines)))


def test_version_3_telemetry_is_refused() -> None:
    text = golden("telemetry_v2.txt").replace("lca-telemetry 2", "lca-telemetry 3")
    with pytest.raises(WrongVersionError, match="version 3"):
        parse_telemetry(rehash(text))


def test_a_v2_key_in_a_v1_file_is_refused() -> None:
    text = golden("telemetry_v2.txt").replace("lca-telemetry 2", "lca-telemetry 1")
    with pytest.raises(ProtocolError):
        parse_telemetry(rehash(text))


def test_ea_status_lists_the_brokers_calendar_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bridge.cli import main

    folder = tmp_path / "Files" / "lca"
    folder.mkdir(parents=True)
    (folder / "telemetry.txt").write_bytes((GOLDEN / "telemetry_v2.txt").read_bytes())
    assert main(["ea", "status", "--common-folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "calendar: 3 events in the next 24 h" in out
    assert "2023-11-14 22:43 UTC  USD high    Nonfarm Payrolls" in out
    (folder / "telemetry.txt").write_bytes((GOLDEN / "telemetry_v1.txt").read_bytes())
    assert main(["ea", "status", "--common-folder", str(tmp_path)]) == 0
    assert "calendar: none in this telemetry (version 1" in capsys.readouterr().out
