"""The calendar file (docs/news.md): CSV or TOML rows of time UTC, currency, importance, title.

Without the EA (the simulated terminal, or a broker without a calendar) this file gives the
news rule its events. Every problem names the file, the row and the field, and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.ealink import CalendarEvent
from bridge.news import NewsFileError, read_calendar_file

NFP = CalendarEvent(1_764_941_400, "USD", "high", 0, "Nonfarm Payrolls")  # 2025-12-05 13:30 UTC


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_calendar_reads_to_utc_events_without_low_importance(tmp_path: Path) -> None:
    path = write(tmp_path, "news.csv", (
        "# my calendar: times in UTC\n"
        "time_utc,currency,importance,title\n"
        "2025-12-05T13:30:00Z,USD,high,Nonfarm Payrolls\n"
        "2025-12-05 15:00,eur,Medium,\"ECB President Lagarde Speaks, Frankfurt\"\n"
        "2025-12-05T09:00:00+01:00,GBP,low,BRC Shop Price Index\n"
        "\n"
    ))
    assert read_calendar_file(path) == (
        NFP,
        CalendarEvent(1_764_946_800, "EUR", "medium", 0, "ECB President Lagarde Speaks, Frankfurt"),
    )


def test_a_toml_calendar_reads_the_same_events(tmp_path: Path) -> None:
    path = write(tmp_path, "news.toml", (
        "[[event]]\n"
        "time_utc = 2025-12-05T13:30:00Z\n"
        'currency = "USD"\n'
        'importance = "high"\n'
        'title = "Nonfarm Payrolls"\n'
        "\n"
        "[[event]]\n"
        "time_utc = 2025-12-05T15:00:00\n"  # no offset: UTC
        'currency = "EUR"\n'
        'importance = "medium"\n'
        'title = "ECB President Lagarde Speaks"\n'
    ))
    assert read_calendar_file(path) == (
        NFP, CalendarEvent(1_764_946_800, "EUR", "medium", 0, "ECB President Lagarde Speaks"))


def test_the_events_come_sorted_by_time(tmp_path: Path) -> None:
    path = write(tmp_path, "news.csv", (
        "time_utc,currency,importance,title\n"
        "2025-12-05 15:00,EUR,high,Later\n"
        "2025-12-05 13:30,USD,high,Nonfarm Payrolls\n"
    ))
    assert [e.name for e in read_calendar_file(path)] == ["Nonfarm Payrolls", "Later"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2025-13-05 13:30,USD,high,x", "line 2: time_utc '2025-13-05 13:30'"),
        ("2025-12-05 13:30,US,high,x", "line 2: currency 'US': use three letters like USD"),
        ("2025-12-05 13:30,USD,huge,x", "line 2: importance 'huge': use high, medium or low"),
        ("2025-12-05 13:30,USD,high,", "line 2: title is empty"),
        ("2025-12-05 13:30,USD,high", "line 2: 3 columns"),
    ],
)
def test_a_bad_csv_row_is_named_with_its_line_and_field(
    tmp_path: Path, row: str, message: str
) -> None:
    path = write(tmp_path, "news.csv", f"time_utc,currency,importance,title\n{row}\n")
    with pytest.raises(NewsFileError, match=message) as info:
        read_calendar_file(path)
    assert str(path) in str(info.value)


def test_a_csv_without_the_header_says_which_columns_it_needs(tmp_path: Path) -> None:
    path = write(tmp_path, "news.csv", "2025-12-05 13:30,USD,high,Nonfarm Payrolls\n")
    with pytest.raises(NewsFileError, match="first line must be the header "
                       "time_utc,currency,importance,title"):
        read_calendar_file(path)


def test_a_bad_toml_event_is_named_with_its_index_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "news.toml", '[[event]]\ntime_utc = "soon"\ncurrency = "USD"\n'
                 'importance = "high"\ntitle = "x"\n')
    with pytest.raises(NewsFileError, match=r"event\[0\]\.time_utc"):
        read_calendar_file(path)


def test_a_toml_event_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "news.toml", '[[event]]\ntime_utc = 2025-12-05T13:30:00Z\n'
                 'currency = "USD"\nimportance = "high"\ntitle = "x"\nimpact = 3\n')
    with pytest.raises(NewsFileError, match=r"event\[0\]\.impact: unknown key"):
        read_calendar_file(path)


def test_a_missing_file_and_another_suffix_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(NewsFileError, match="not found"):
        read_calendar_file(tmp_path / "none.csv")
    path = write(tmp_path, "news.json", "{}")
    with pytest.raises(NewsFileError, match=r"\.csv or \.toml"):
        read_calendar_file(path)


def test_a_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(NewsFileError, match="not UTF-8"):
        read_calendar_file(path)
