"""The Python side of the file protocol against the golden files the EA tests read too."""

from __future__ import annotations

from pathlib import Path

import harness
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.ealink import (
    EaLimits,
    EaTelemetry,
    ProtocolError,
    SymbolTelemetry,
    TornFileError,
    WrongVersionError,
    format_limits,
    format_telemetry,
    hash31,
    parse_limits,
    parse_telemetry,
)

GOLDEN: Path = harness.GOLDEN_DIR
LIMITS_V1 = EaLimits(
    sequence=42,
    heartbeat_utc=1_700_000_000,
    max_eff_lev=2.5,
    msi_floor=1.5,
    prop_lock=False,
    symbols={"EURUSD": 2.0, "GBPUSD": 0.5, "USDJPY": 1.25},
)


def golden(name: str) -> str:
    text: str = (GOLDEN / name).read_bytes().decode("ascii")
    return text


def test_golden_limits_parse_to_the_documented_values() -> None:
    assert parse_limits(golden("limits_v1.txt")) == LIMITS_V1


def test_the_writer_format_is_the_golden_file_byte_for_byte() -> None:
    assert format_limits(LIMITS_V1).encode("ascii") == (GOLDEN / "limits_v1.txt").read_bytes()


def test_golden_prop_lock_file() -> None:
    limits = parse_limits(golden("limits_v1_prop_lock.txt"))
    assert limits.prop_lock is True
    assert limits.sequence == 43
    assert dict(limits.symbols) == {"EURUSD": 2.0}


def test_torn_golden_file_is_rejected() -> None:
    with pytest.raises(TornFileError, match="not 'end=<sequence>;<hash>'"):
        parse_limits(golden("limits_torn.txt"))


def test_bad_hash_golden_file_is_rejected() -> None:
    with pytest.raises(TornFileError, match="hash"):
        parse_limits(golden("limits_bad_hash.txt"))


def test_version_2_golden_file_is_rejected() -> None:
    with pytest.raises(WrongVersionError, match="format version 2"):
        parse_limits(golden("limits_v2.txt"))


def test_golden_telemetry_parses_to_what_the_ea_scenario_wrote() -> None:
    t = parse_telemetry(golden("telemetry_v1.txt"))
    assert (t.sequence, t.written_utc) == (1, 1_700_000_000)
    assert (t.failsafe, t.trade_allowed) == (False, True)
    assert (t.limits_sequence, t.heartbeat_utc) == (42, 1_700_000_000)
    assert list(t.symbols) == ["EURUSD", "GBPUSD", "USDJPY"]
    eu = t.symbols["EURUSD"]
    assert (eu.bid, eu.ask) == (1.10001, 1.10013)
    assert (eu.spread_min, eu.spread_mean, eu.spread_max) == (0.00008, 0.0001, 0.00012)
    assert (eu.bid_depth, eu.ask_depth, eu.levels) == (12.5, 9.5, 3)
    assert (eu.tick_count, eu.tick_volume) == (2, 3)
    assert eu.depth_source == "book"
    assert t.symbols["USDJPY"].depth_source == "proxy"
    assert t.symbols["GBPUSD"].levels == 0
    assert format_telemetry(t) == golden("telemetry_v1.txt")


def test_hash31_is_the_documented_rolling_hash() -> None:
    # by hand: "a" -> 97, then "\n" -> 97*131 + 10 = 12717
    assert hash31(["a"]) == 12717
    assert hash31([]) == 0
    assert hash31(["a", "b"]) == ((12717 * 131 + 98) * 131 + 10) % 2147483647


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("sequence=42", "sequence=x", ProtocolError),
        ("max_eff_lev=2.5", "max_eff_lev=2.5e0", ProtocolError),
        ("max_eff_lev=2.5", "max_eff_lev=0", ProtocolError),
        ("prop_lock=0", "prop_lock=2", ProtocolError),
        ("symbol=GBPUSD;0.5", "symbol=EURUSD;0.5", ProtocolError),
        ("symbol=GBPUSD;0.5", "symbol=GBPUSD", ProtocolError),
        ("msi_floor=1.5\r\nprop_lock=0", "prop_lock=0\r\nmsi_floor=1.5", ProtocolError),
    ],
)
def test_a_rehashed_but_invalid_file_names_its_fault(old: str, new: str, error: type) -> None:
    lines = golden("limits_v1.txt").replace(old, new).split("\r\n")[:-2]
    text = "".join(line + "\r\n" for line in [*lines, f"end=42;{hash31(lines)}"])
    with pytest.raises(error):
        parse_limits(text)


def test_a_bare_lf_file_is_accepted() -> None:
    assert parse_limits(golden("limits_v1.txt").replace("\r\n", "\n")) == LIMITS_V1


def test_limits_validation_names_the_field() -> None:
    with pytest.raises(ProtocolError, match=r"max_eff_lev is -1"):
        EaLimits(sequence=1, heartbeat_utc=0, max_eff_lev=-1, msi_floor=1.5)
    with pytest.raises(ProtocolError, match=r"symbols\['EUR USD'\]|symbol name 'EUR USD'"):
        EaLimits(sequence=1, heartbeat_utc=0, max_eff_lev=2, msi_floor=1.5, symbols={"EUR USD": 1})
    with pytest.raises(ProtocolError, match="sequence is 0"):
        EaLimits(sequence=0, heartbeat_utc=0, max_eff_lev=2, msi_floor=1.5)


names = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters=";="),
    min_size=1,
    max_size=12,
)
lots = st.floats(min_value=0, max_value=1e4, allow_nan=False).map(lambda x: round(x, 2))
limits_st = st.builds(
    EaLimits,
    sequence=st.integers(1, 10**12),
    heartbeat_utc=st.integers(0, 4 * 10**9),
    max_eff_lev=st.floats(0.01, 500).map(lambda x: round(x, 4)),
    msi_floor=st.floats(0, 50).map(lambda x: round(x, 4)),
    prop_lock=st.booleans(),
    symbols=st.dictionaries(names, lots, max_size=8),
)


@given(limits_st)
def test_limits_round_trip(limits: EaLimits) -> None:
    assert parse_limits(format_limits(limits)) == limits


@given(limits_st, st.data())
def test_any_truncation_is_rejected(limits: EaLimits, data: st.DataObject) -> None:
    text = format_limits(limits)
    cut = data.draw(st.integers(0, len(text) - 3))  # shorter than the whole file minus its CRLF
    with pytest.raises(ProtocolError):
        parse_limits(text[:cut])


@given(limits_st, st.data())
def test_any_single_character_change_is_rejected(limits: EaLimits, data: st.DataObject) -> None:
    text = format_limits(limits)
    i = data.draw(st.integers(0, len(text) - 1))
    c = data.draw(st.characters(min_codepoint=32, max_codepoint=126))
    changed = text[:i] + c + text[i + 1 :]
    if changed.replace("\r\n", "\n") == text.replace("\r\n", "\n"):
        return
    try:
        parsed = parse_limits(changed)
    except ProtocolError:
        return
    raise AssertionError(f"a changed file was accepted: {changed!r} -> {parsed}")


sym_tel = st.builds(
    SymbolTelemetry,
    symbol=names,
    time_utc=st.integers(0, 4 * 10**9),
    bid=st.floats(0.0001, 1e5).map(lambda x: round(x, 5)),
    ask=st.floats(0.0001, 1e5).map(lambda x: round(x, 5)),
    spread_min=st.floats(0, 1).map(lambda x: round(x, 6)),
    spread_mean=st.floats(0, 1).map(lambda x: round(x, 6)),
    spread_max=st.floats(0, 1).map(lambda x: round(x, 6)),
    bid_depth=st.floats(0, 1e6).map(lambda x: round(x, 2)),
    ask_depth=st.floats(0, 1e6).map(lambda x: round(x, 2)),
    levels=st.integers(0, 50),
    tick_count=st.integers(0, 10**6),
    tick_volume=st.integers(0, 10**9),
)


@given(st.lists(sym_tel, max_size=5, unique_by=lambda s: s.symbol), st.integers(1, 10**9),
       st.booleans())
def test_telemetry_round_trip(symbols: list[SymbolTelemetry], seq: int, failsafe: bool) -> None:
    t = EaTelemetry(seq, 1_700_000_000, failsafe, 7, 1_699_999_999, True,
                    {s.symbol: s for s in symbols})
    assert parse_telemetry(format_telemetry(t)) == t


def test_telemetry_with_another_column_list_is_another_version() -> None:
    text = golden("telemetry_v1.txt").replace(";tick_volume", ";tick_volume;extra")
    lines = text.split("\r\n")[:-2]
    rehashed = "".join(x + "\r\n" for x in [*lines, f"end=1;{hash31(lines)}"])
    with pytest.raises(WrongVersionError, match="columns"):
        parse_telemetry(rehashed)


def test_protocol_doc_lists_every_limits_key() -> None:
    doc = (harness.MQL5_DIR / "PROTOCOL.md").read_text(encoding="utf-8")
    for key in ("sequence", "heartbeat_utc", "max_eff_lev", "msi_floor", "prop_lock", "symbol"):
        assert f"| `{key}` |" in doc
    assert Path(GOLDEN / "telemetry_v1.txt").exists()


# --- the sequence limit both sides agree on (PROTOCOL.md; the EA: sequence_limit_matches_protocol)
SEQUENCE_MAX = 999_999_999_999_999_999  # 18 digits: what the EA parses into a long


def test_the_largest_sequence_golden_file_parses_and_is_written_byte_for_byte() -> None:
    limits = parse_limits(golden("limits_max_sequence.txt"))
    assert limits.sequence == SEQUENCE_MAX
    assert format_limits(limits) == golden("limits_max_sequence.txt")


def test_a_sequence_past_what_the_ea_parses_is_refused_on_read_and_on_write() -> None:
    with pytest.raises(ProtocolError, match="sequence"):
        parse_limits(golden("limits_sequence_too_long.txt"))
    with pytest.raises(ProtocolError, match="999999999999999999"):
        EaLimits(sequence=SEQUENCE_MAX + 1, heartbeat_utc=1_700_000_000, max_eff_lev=2.5,
                 msi_floor=1.5)


def test_protocol_doc_states_the_sequence_limit() -> None:
    doc = (harness.MQL5_DIR / "PROTOCOL.md").read_text(encoding="utf-8")
    assert "999999999999999999" in doc
    assert "goes backwards" in doc
